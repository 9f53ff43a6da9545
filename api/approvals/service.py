"""Approval commands and reads: preview the chain, submit a deal, decide (from the card, a mail link
or a reply — all through the same workflow Update), move pending steps when someone becomes absent."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from activities.approval_links import LinkTarget
from activities.approval_planning import company_today, preview
from api.auth.security import CurrentUser
from api.errors import DomainError, from_workflow
from models.approvals import ApprovalRound, ApprovalSeat, ApprovalStep
from models.messages.approval import ApprovalPlan, Decision, DecisionResult
from models.messages.deal import DealView, SubmitApproval
from models.org import Employee
from rules.approval_chain import ChainProblem
from settings import Settings
from workflows.approval import ApprovalWorkflow
from workflows.deal import DealWorkflow
from workflows.ids import deal_workflow_id


@dataclass
class SeatInfo:
    """A seat with everything a decision page shows about it."""

    round: ApprovalRound
    step: ApprovalStep
    seat: ApprovalSeat
    approver_name: str
    decided_by_name: str


class ApprovalService:
    def __init__(self, session: AsyncSession, temporal: Client, settings: Settings) -> None:
        self.session = session
        self.temporal = temporal
        self.settings = settings

    async def preview(self, number: int) -> ApprovalPlan:
        try:
            return await preview(self.session, number, company_today(self.settings.timezone))
        except ChainProblem as problem:
            raise DomainError(problem.code, 422, **problem.params) from None

    async def submit(self, number: int, user: CurrentUser) -> DealView:
        try:
            return await self.temporal.get_workflow_handle(deal_workflow_id(number)).execute_update(
                DealWorkflow.submit_for_approval, SubmitApproval(actor=user.actor), rpc_timeout=self.settings.update_timeout
            )
        except Exception as err:
            raise from_workflow(err) from err

    async def decide(self, round_id: str, decision: Decision, update_id: str | None = None) -> DecisionResult:
        """`update_id`: the same id again (a reply taken anew after a crash) gets the first outcome."""
        try:
            return await self.temporal.get_workflow_handle(round_id).execute_update(
                ApprovalWorkflow.decide, decision, id=update_id, rpc_timeout=self.settings.update_timeout
            )
        except Exception as err:
            raise from_workflow(err) from err

    async def decide_as(self, user: CurrentUser, round_id: str, step_index: int, approve: bool, comment: str) -> DecisionResult:
        """The signed-in approver (or the one acting for them) decides their step, from the card or the API."""
        if await self.seat_for_person(round_id, step_index, user.employee_id) is None:
            raise DomainError("NotYourSeat", 403, step=step_index)
        decision = Decision(
            step_index=step_index, approver_id=user.employee_id, approve=approve, comment=comment.strip(), channel="web"
        )
        return await self.decide(round_id, decision)

    async def seat_for_link(self, target: LinkTarget) -> SeatInfo:
        """The seat a link points at; refuses a link whose seat went to someone else."""
        info = await self._seat(target.round_id, target.step_index, target.approver_id)
        if info is None or info.seat.reply_token != target.reply_token:
            raise DomainError("LinkReassigned", 409)
        return info

    async def seat_for_person(self, round_id: str, step_index: int, employee_id: int) -> SeatInfo | None:
        return await self._seat(round_id, step_index, employee_id)

    async def _seat(self, round_id: str, step_index: int, employee_id: int) -> SeatInfo | None:
        row = (
            await self.session.exec(
                select(ApprovalRound, ApprovalStep, ApprovalSeat)
                .join(ApprovalStep, ApprovalStep.round_id == ApprovalRound.id)
                .join(ApprovalSeat, ApprovalSeat.step_id == ApprovalStep.id)
                .where(
                    ApprovalRound.id == round_id,
                    ApprovalStep.index == step_index,
                    (ApprovalSeat.approver_id == employee_id) | (ApprovalSeat.planned_id == employee_id),
                )
            )
        ).first()
        if row is None:
            return None
        round_, step, seat = row
        names = await self._names({seat.approver_id, seat.decided_by_id})
        return SeatInfo(round_, step, seat, names.get(seat.approver_id, ""), names.get(seat.decided_by_id or 0, ""))

    async def rounds(self, number: int) -> list[dict]:
        """Every round of the deal with its steps and seats: who acted, for whom, when, how."""
        rounds = (
            await self.session.exec(
                select(ApprovalRound).where(ApprovalRound.deal_id == number).order_by(ApprovalRound.round.desc())  # type: ignore[attr-defined]
            )
        ).scalars().all()
        steps = (
            await self.session.exec(
                select(ApprovalStep).where(ApprovalStep.round_id.in_([r.id for r in rounds])).order_by(ApprovalStep.index)  # type: ignore[attr-defined]
            )
        ).scalars().all()
        seats = (
            await self.session.exec(
                select(ApprovalSeat).where(ApprovalSeat.step_id.in_([s.id for s in steps])).order_by(ApprovalSeat.id)  # type: ignore[union-attr, attr-defined]
            )
        ).scalars().all()
        people = {s.approver_id for s in seats} | {s.planned_id for s in seats} | {r.submitted_by_id for r in rounds}
        names = await self._names(people | {s.decided_by_id for s in seats})
        return [
            {
                "id": r.id, "round": r.round, "status": r.status, "rule_version": r.rule_version, "hits": r.hits,
                "submitted_by": names.get(r.submitted_by_id, ""), "submitted_at": r.submitted_at,
                "decided_at": r.decided_at, "comment": r.comment,
                "steps": [
                    {
                        "index": st.index, "title": st.title, "kind": st.kind, "level": st.level, "role": st.role,
                        "reasons": st.reasons, "status": st.status, "activated_at": st.activated_at,
                        "decided_at": st.decided_at,
                        "seats": [
                            {
                                "approver_id": se.approver_id, "approver": names.get(se.approver_id, ""),
                                "planned_id": se.planned_id, "planned": names.get(se.planned_id, ""),
                                "acting_for": names.get(se.planned_id, "") if se.planned_id != se.approver_id else "",
                                "how": se.how, "note": se.note, "decision": se.decision, "channel": se.channel,
                                "comment": se.comment, "decided_at": se.decided_at, "reminders": se.reminders,
                                "decided_by": names.get(se.decided_by_id or 0, ""),
                            }
                            for se in seats
                            if se.step_id == st.id
                        ],
                    }
                    for st in steps
                    if st.round_id == r.id
                ],
            }
            for r in rounds
        ]

    async def reroute_for_absence(self, employee_id: int, date_from: date, date_to: date) -> list[str]:
        """An absence covering today moves the person's pending steps to whoever acts for them."""
        today = company_today(self.settings.timezone)
        if not date_from <= today <= date_to:
            return []  # a future absence applies when its step becomes active
        rounds = (
            await self.session.exec(
                select(ApprovalStep.round_id)
                .join(ApprovalSeat, ApprovalSeat.step_id == ApprovalStep.id)
                .where(
                    ApprovalStep.status == "active",
                    ApprovalSeat.approver_id == employee_id,
                    ApprovalSeat.decision.is_(None),  # type: ignore[union-attr]
                )
                .distinct()
            )
        ).scalars().all()

        async def reroute(round_id: str) -> None:
            try:
                await self.temporal.get_workflow_handle(round_id).execute_update(ApprovalWorkflow.reroute)
            except Exception as err:  # noqa: BLE001 - a round that just ended needs no moving
                refusal = from_workflow(err)
                if refusal.status >= 500:
                    raise refusal from err

        await asyncio.gather(*(reroute(r) for r in rounds))
        return list(rounds)

    async def _names(self, ids: set[int | None]) -> dict[int, str]:
        wanted = {i for i in ids if i}
        if not wanted:
            return {}
        rows = await self.session.exec(select(Employee.id, Employee.full_name).where(Employee.id.in_(wanted)))  # type: ignore[union-attr]
        return dict(rows.all())


