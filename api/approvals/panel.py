"""The deal card's approval panel: who the rules would ask now and why, every round so far, and
whether the person reading the card holds the seat that is waiting for a decision."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import WorkflowQueryFailedError
from temporalio.service import RPCError

from api.approvals.service import ApprovalService
from api.auth.security import CurrentUser
from api.errors import DomainError
from models.approvals import ApprovalRound
from models.messages.approval import ApprovalPlan, RoundStatus
from models.messages.deal import DealView
from workflows.approval import ApprovalWorkflow

log = logging.getLogger(__name__)

# The deal decides these two (its terms changed); the round's own record may not know yet.
DEAL_SIDE = (RoundStatus.cancelled, RoundStatus.invalidated)


@dataclass
class MySeat:
    round_id: str
    step_index: int
    title: str
    kind: str
    acting_for: str  # the planned approver's name when the reader acts for them


@dataclass
class ApprovalPanel:
    status: str  # none | pending | approved | rejected | cancelled | invalidated
    rounds: list[dict[str, Any]]
    preview: ApprovalPlan | None
    problem: DomainError | None  # why the rules cannot route the deal today
    my_seat: MySeat | None
    can_submit: bool

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.rounds[0] if self.rounds else None


async def approval_panel(
    approvals: ApprovalService, user: CurrentUser, number: int, view: DealView | None, *, can_edit: bool, deal_status: str
) -> ApprovalPanel:
    rounds = await approvals.rounds(number)
    if rounds and view is not None and view.approval.round == rounds[0]["round"] and view.approval.status in DEAL_SIDE:
        rounds[0]["status"] = view.approval.status.value
    status = rounds[0]["status"] if rounds else RoundStatus.none.value
    if status == RoundStatus.pending:
        rounds[0]["steps"] += await _upcoming(approvals, rounds[0])
    in_play = deal_status in ("open", "paused") and status not in (RoundStatus.pending, RoundStatus.approved)
    preview, problem = None, None
    if in_play:
        try:
            preview = await approvals.preview(number)
        except DomainError as refusal:
            problem = refusal
    return ApprovalPanel(
        status=status,
        rounds=rounds,
        preview=preview,
        problem=problem,
        my_seat=_my_seat(rounds, user.employee_id),
        can_submit=in_play and can_edit and deal_status == "open" and problem is None and view is not None,
    )


async def _upcoming(approvals: ApprovalService, pending: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of a pending round not yet started (the read model holds a step once it starts),
    as the round's workflow has them planned."""
    try:
        view = await approvals.temporal.get_workflow_handle(pending["id"]).query(ApprovalWorkflow.view)
    except (RPCError, WorkflowQueryFailedError) as err:  # Temporal unreachable: the card shows what the database has
        log.warning("approval %s: no view (%s)", pending["id"], err)
        return []
    started = {step["index"] for step in pending["steps"]}
    return [
        {
            "index": s.plan.index, "title": s.plan.title, "kind": s.plan.kind, "level": s.plan.level, "role": s.plan.role,
            "reasons": s.plan.reasons, "status": "waiting", "activated_at": None, "decided_at": None,
            "seats": [
                {
                    "approver_id": seat.approver_id, "approver": seat.approver_name, "planned_id": seat.planned_id,
                    "planned": seat.planned_name, "acting_for": "", "how": "planned", "note": "", "decision": None,
                    "channel": None, "comment": "", "decided_at": None, "reminders": 0, "decided_by": "",
                }
                for seat in s.plan.seats
            ],
        }
        for s in view.steps
        if s.plan.index not in started
    ]


def _my_seat(rounds: list[dict[str, Any]], me: int) -> MySeat | None:
    """The active step's undecided seat the reader holds, as approver or as the one acted for."""
    latest = rounds[0] if rounds else None
    if latest is None or latest["status"] != RoundStatus.pending:
        return None
    for step in latest["steps"]:
        if step["status"] != "active":
            continue
        for seat in step["seats"]:
            if seat["decision"] is None and me in (seat["approver_id"], seat["planned_id"]):
                acting_for = seat["planned"] if seat["planned_id"] != me else ""
                return MySeat(latest["id"], step["index"], step["title"], step["kind"], acting_for)
    return None


async def latest_statuses(session: AsyncSession, numbers: list[int]) -> dict[int, str]:
    """Each deal's newest round status, for a whole page of deals in one query."""
    if not numbers:
        return {}
    newest = (
        select(ApprovalRound.deal_id, func.max(ApprovalRound.round).label("round"))
        .where(ApprovalRound.deal_id.in_(numbers))  # type: ignore[attr-defined]
        .group_by(ApprovalRound.deal_id)
        .subquery()
    )
    rows = await session.exec(
        select(ApprovalRound.deal_id, ApprovalRound.status).join(
            newest, and_(ApprovalRound.deal_id == newest.c.deal_id, ApprovalRound.round == newest.c.round)
        )
    )
    return dict(rows.all())
