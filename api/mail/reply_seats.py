"""Which approval seat a reply answers, from the read model: by the plus-address token, by the
approval mail it refers to, or by the deal number in its subject (the last resort, for clients
that drop headers and gateways that rewrite Message-IDs)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.mail.inbound import Inbound, ThreadRef
from models.approvals import ApprovalRound, ApprovalSeat, ApprovalStep
from models.org import Employee


@dataclass(frozen=True)
class Place:
    round: ApprovalRound
    step: ApprovalStep
    seat: ApprovalSeat | None  # None: the step is there, but nobody on it fits


@dataclass(frozen=True)
class Located:
    place: Place | None
    problem: str = ""  # "", "reassigned", "closed", "not_your_seat", "unknown"


async def employee_by_address(session: AsyncSession, address: str) -> Employee | None:
    if not address:
        return None
    query = select(Employee).where(func.lower(Employee.email) == address.lower(), Employee.is_active)
    return (await session.exec(query)).scalars().first()  # type: ignore[call-overload]


async def locate(session: AsyncSession, mail: Inbound, sender: Employee | None) -> Located:
    for token in mail.tokens:
        if place := await _by_token(session, token):
            return Located(place)
    # A token we no longer know was replaced when the seat moved to a substitute or up the chain.
    stale_token = bool(mail.tokens)
    for ref in mail.thread:
        if place := await _by_thread(session, ref):
            moved = stale_token or place.seat is None or place.seat.approver_id != ref.approver_id
            return Located(place, "reassigned" if moved else "")
    if stale_token:
        return Located(None, "reassigned")
    if mail.deal_number is not None and sender is not None:
        return await _by_subject(session, mail.deal_number, sender.id)  # type: ignore[arg-type]
    return Located(None, "unknown")


def _rows():  # noqa: ANN202 - a select of (round, step, seat)
    return (
        select(ApprovalRound, ApprovalStep, ApprovalSeat)
        .join(ApprovalStep, ApprovalStep.round_id == ApprovalRound.id)
        .join(ApprovalSeat, ApprovalSeat.step_id == ApprovalStep.id)
    )


async def _by_token(session: AsyncSession, token: str) -> Place | None:
    row = (await session.exec(_rows().where(ApprovalSeat.reply_token == token))).first()  # type: ignore[call-overload]
    return Place(*row) if row else None


async def _by_thread(session: AsyncSession, ref: ThreadRef) -> Place | None:
    step_row = (
        await session.exec(  # type: ignore[call-overload]
            select(ApprovalRound, ApprovalStep)
            .join(ApprovalStep, ApprovalStep.round_id == ApprovalRound.id)
            .where(ApprovalRound.id == ref.round_id, ApprovalStep.index == ref.step_index)
        )
    ).first()
    if step_row is None:
        return None
    round_, step = step_row
    return Place(round_, step, await _seat_of(session, step, ref.approver_id))


async def _by_subject(session: AsyncSession, deal_number: int, employee_id: int) -> Located:
    """The deal's pending round, its active step, and the sender's seat there."""
    rounds = (
        await session.exec(  # type: ignore[call-overload]
            select(ApprovalRound).where(ApprovalRound.deal_id == deal_number).order_by(ApprovalRound.round.desc())  # type: ignore[attr-defined]
        )
    ).scalars().all()
    if not rounds:
        return Located(None, "unknown")
    pending = next((r for r in rounds if r.status == "pending"), None)
    if pending is None:
        return Located(None, "closed")
    step = (
        await session.exec(  # type: ignore[call-overload]
            select(ApprovalStep).where(ApprovalStep.round_id == pending.id, ApprovalStep.status == "active")
        )
    ).scalars().first()
    if step is None:
        return Located(None, "closed")
    seat = await _seat_of(session, step, employee_id)
    return Located(Place(pending, step, seat), "" if seat else "not_your_seat")


async def _seat_of(session: AsyncSession, step: ApprovalStep, employee_id: int) -> ApprovalSeat | None:
    """The seat the person holds on the step, or holds through a substitute acting for them."""
    seats = (await session.exec(select(ApprovalSeat).where(ApprovalSeat.step_id == step.id))).scalars().all()  # type: ignore[call-overload]
    return next((s for s in seats if s.approver_id == employee_id), None) or next(
        (s for s in seats if s.planned_id == employee_id), None
    )
