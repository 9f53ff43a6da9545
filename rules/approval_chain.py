"""Who approves: the bottom-up chain from the routing, and who acts on the day a step becomes active.

Pure functions over a snapshot of the organisation, so the deal card's preview ("who will approve
and why") and the approval workflow's activities give the same answer for the same day.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from rules.approval import Route


class Person(BaseModel):
    id: int
    name: str
    email: str = ""
    roles: list[str] = []
    department_id: int | None = None
    active: bool = True


class Department(BaseModel):
    id: int
    name: str
    parent_id: int | None = None
    head_id: int | None = None


class Away(BaseModel):
    employee_id: int
    kind: str  # leave | sick | trip
    date_from: date
    date_to: date
    substitute_id: int | None = None


class Org(BaseModel):
    people: dict[int, Person]
    departments: dict[int, Department]
    absences: list[Away] = []

    def away(self, person_id: int, day: date) -> Away | None:
        return next(
            (a for a in self.absences if a.employee_id == person_id and a.date_from <= day <= a.date_to), None
        )

    def heads_above(self, department_id: int | None) -> list[tuple[Department, int]]:
        """(department, head) from this department upward, skipping departments without a head."""
        found, seen = [], set()
        current = self.departments.get(department_id) if department_id is not None else None
        while current is not None and current.id not in seen:
            seen.add(current.id)
            if current.head_id is not None and current.head_id in self.people:
                found.append((current, current.head_id))
            current = self.departments.get(current.parent_id) if current.parent_id is not None else None
        return found


class Seat(BaseModel):
    """One approver's place in a step: who the rules put there and who acts."""

    planned_id: int
    approver_id: int
    planned_name: str = ""
    approver_name: str = ""
    how: Literal["planned", "substitute", "escalated", "already_approved"] = "planned"
    note: str = ""

    @property
    def acting_for(self) -> int | None:
        return self.planned_id if self.approver_id != self.planned_id else None


class StepPlan(BaseModel):
    index: int
    kind: Literal["head", "role"]
    level: int | None = None  # heads: 1 = the manager's department head
    role: str | None = None
    department_id: int | None = None
    title: str
    seats: list[Seat]
    reasons: list[str]


class ChainProblem(ValueError):
    """The rules ask for an approver the organisation does not have."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def plan_chain(route: Route, org: Org, manager_id: int) -> list[StepPlan]:
    """The steps in signing order: heads bottom-up to the level the rules need, then the roles.
    No one twice; the manager never approves their own deal."""
    manager = org.people[manager_id]
    taken = {manager_id}
    steps: list[StepPlan] = []
    heads = [(dept, head) for dept, head in org.heads_above(manager.department_id) if head != manager_id]
    for level, (dept, head) in enumerate(heads[: route.heads_up_to], start=1):
        if head in taken:
            continue
        taken.add(head)
        steps.append(
            StepPlan(
                index=len(steps) + 1, kind="head", level=level, department_id=dept.id,
                title=dept.name, seats=[_seat(org, head)],
                reasons=route.reasons_for_head(level),
            )
        )
    for role in route.roles:
        holders = [p.id for p in sorted(org.people.values(), key=lambda p: p.id) if role in p.roles and p.active]
        if not holders:
            raise ChainProblem("NoApproverForRole", role=role)
        chosen = [h for h in holders if h not in taken]
        if role not in route.wide_roles:
            chosen = chosen[:1]
        if not chosen:
            continue  # everyone holding the role already signs above
        taken.update(chosen)
        steps.append(
            StepPlan(
                index=len(steps) + 1, kind="role", role=role, title=role,
                seats=[_seat(org, h) for h in chosen],
                reasons=route.reasons_for_role(role),
            )
        )
    return steps


def resolve_step(step: StepPlan, org: Org, day: date, manager_id: int, approved: set[int]) -> StepPlan:
    """Who acts on `day`: an absent approver's substitute (and theirs, without loops); with no
    substitute, the next head up. Someone who already approved in this round is not asked again."""
    return step.model_copy(update={"seats": [_resolve(seat.planned_id, step, org, day, manager_id, approved) for seat in step.seats]})


def _seat(org: Org, planned: int, approver: int | None = None, **fields: object) -> Seat:
    approver = planned if approver is None else approver
    return Seat(
        planned_id=planned, approver_id=approver, planned_name=org.people[planned].name,
        approver_name=org.people[approver].name, **fields,  # type: ignore[arg-type]
    )


def _resolve(planned: int, step: StepPlan, org: Org, day: date, manager_id: int, approved: set[int]) -> Seat:
    notes: list[str] = []
    person, how, tried = planned, "planned", set()
    escalations = _escalation_path(planned, step, org)
    while True:
        tried.add(person)
        if person in approved:
            notes.append(f"{org.people[person].name} уже согласовал(а) в этом круге")
            return _seat(org, planned, person, how="already_approved", note="; ".join(notes))
        away = org.away(person, day)
        if away is None and person != manager_id and org.people[person].active:
            return _seat(org, planned, person, how=how, note="; ".join(notes))
        reason = "manager" if person == manager_id else ("inactive" if away is None else away.kind)
        notes.append(f"{org.people[person].name}: {reason}" + (f" до {away.date_to:%d.%m.%Y}" if away else ""))
        substitute = away.substitute_id if away else None
        if substitute is not None and substitute not in tried and substitute in org.people:
            person, how = substitute, "substitute"
            continue
        nxt = next((e for e in escalations if e not in tried), None)
        if nxt is None:
            # Nobody above either: the planned approver keeps the step; reminders will chase it.
            return _seat(org, planned, how="planned", note="; ".join(notes))
        person, how = nxt, "escalated"


def _escalation_path(planned: int, step: StepPlan, org: Org) -> list[int]:
    """Heads above the step: for a head step, above its department; for a role, above the
    approver's own department."""
    if step.kind == "head" and step.department_id is not None:
        start = org.departments[step.department_id].parent_id
    else:
        start = org.people[planned].department_id
    return [head for _, head in org.heads_above(start) if head != planned]



def escalate_seat(seat: Seat, org: Org, day: date, manager_id: int, approved: set[int]) -> Seat:
    """Nobody answered in time: the head above the current approver takes the seat (or whoever
    acts for that head today). Without anyone above, the seat stays as it is."""
    current = org.people[seat.approver_id]
    above = [head for _, head in org.heads_above(current.department_id) if head not in (seat.approver_id, manager_id)]
    for head in above:
        step = StepPlan(index=0, kind="role", title="", seats=[], reasons=[])
        acting = _resolve(head, step, org, day, manager_id, approved)
        if acting.approver_id in (seat.approver_id, manager_id):
            continue
        note = f"{current.name} не ответил(а) вовремя; передано {acting.approver_name}"
        return _seat(
            org, seat.planned_id, acting.approver_id,
            how="already_approved" if acting.how == "already_approved" else "escalated",
            note="; ".join(n for n in (note, acting.note) if n),
        )
    return seat
