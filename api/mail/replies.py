"""One message from the replies mailbox, taken once: which approval seat it answers, whether its
sender may decide there, what the first line decides — then the decision through the same
workflow Update a click uses, or a polite auto-reply saying why nothing happened.

Each message is recorded in `inbound_mail` once (unique by mailbox + UIDVALIDITY + UID and by
Message-ID): claimed as "taking" first, then given its outcome. A claim left at "taking" by a crash
is taken again; the Update's id and the outbox key make that second pass act and answer once."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from temporalio.client import Client

from activities.mail import Mailer, mail_domain
from api.approvals.service import ApprovalService
from api.errors import DomainError
from api.mail.auto_reply import WORKFLOW_REFUSALS, auto_reply
from api.mail.inbound import Inbound, parse_inbound
from api.mail.reply_seats import employee_by_address, locate
from api.mail.reply_text import read_reply
from models.db import Database
from models.mail import InboundMail
from models.messages.approval import Decision
from settings import Settings

log = logging.getLogger("crm.mail.replies")
TAKING = "taking"
# Problems with an outcome of their own; every other one is a refusal ("refused", detail = problem).
OUTCOMES = {"unreadable", "unauthorised", "unknown"}


@dataclass(frozen=True)
class Source:
    """Where the message lies: IMAP names a message by these three for good."""

    mailbox: str
    uid_validity: int
    uid: int


@dataclass(frozen=True)
class Verdict:
    outcome: str  # decided | unreadable | unauthorised | unknown | refused | ignored
    detail: str = ""
    round_id: str | None = None
    deal_number: int | None = None
    problem: str = ""  # why nothing was decided: what the auto-reply explains
    first_line: str = ""


class ReplyDesk:
    def __init__(self, db: Database, temporal: Client, settings: Settings, mailer: Mailer) -> None:
        self.db = db
        self.temporal = temporal
        self.settings = settings
        self.mailer = mailer

    async def take(self, raw: bytes, source: Source) -> str:
        """Handle one message; its outcome, or "duplicate" when it was taken before."""
        mail = parse_inbound(raw, self.settings.approvals_address, mail_domain(self.settings))
        resuming = await self._claim(mail, source)
        if resuming is None:
            log.info("%s from %s: taken before, not again", mail.message_id, mail.sender)
            return "duplicate"
        verdict = await self._judge(mail, resuming)
        if verdict.problem and not mail.automatic:
            await self.mailer.send_once(auto_reply(mail, verdict.problem, verdict.first_line, verdict.deal_number))
        async with self.db.session() as session, session.begin():
            await session.exec(  # type: ignore[call-overload]
                update(InboundMail)
                .where(InboundMail.message_id == mail.message_id)  # type: ignore[arg-type]
                .values(outcome=verdict.outcome, detail=verdict.detail[:2000], round_id=verdict.round_id)
            )
        log.info("%s from %s: %s %s", mail.message_id, mail.sender, verdict.outcome, verdict.detail[:200])
        return verdict.outcome

    async def _claim(self, mail: Inbound, source: Source) -> bool | None:
        """False: claimed now; True: claimed before a crash, take it again; None: taken already."""
        same_place = (
            (InboundMail.mailbox == source.mailbox)
            & (InboundMail.uid_validity == source.uid_validity)
            & (InboundMail.uid == source.uid)
        )
        async with self.db.session() as session, session.begin():
            row = (
                await session.exec(select(InboundMail).where((InboundMail.message_id == mail.message_id) | same_place))  # type: ignore[call-overload]
            ).scalars().first()
            if row is not None:
                return True if row.outcome == TAKING else None
            session.add(
                InboundMail(
                    mailbox=source.mailbox[:200], uid_validity=source.uid_validity, uid=source.uid,
                    message_id=mail.message_id, from_address=mail.sender[:300], subject=mail.subject[:500],
                    received_at=datetime.now(UTC), outcome=TAKING,
                )
            )
        return False

    async def _judge(self, mail: Inbound, resuming: bool) -> Verdict:
        if mail.automatic:
            return Verdict("ignored", "auto-generated mail: no answer, no decision")
        async with self.db.session() as session:
            sender = await employee_by_address(session, mail.sender)
            located = await locate(session, mail, sender)
        place = located.place
        round_id = place.round.id if place else None
        deal = place.round.deal_id if place else mail.deal_number

        def refuse(problem: str, detail: str = "", first_line: str = "") -> Verdict:
            outcome = problem if problem in OUTCOMES else "refused"
            return Verdict(outcome, detail or problem, round_id, deal, problem, first_line)

        if sender is None:
            return refuse("unauthorised", f"{mail.sender or 'no sender'} is not an employee")
        if located.problem:
            return refuse(located.problem)
        assert place is not None and place.seat is not None  # located without a problem
        seat, step = place.seat, place.step
        if sender.id not in (seat.approver_id, seat.planned_id):
            return refuse("unauthorised", f"{mail.sender} holds no seat on step {step.index}")
        if seat.decision is not None:
            if resuming and seat.channel == "reply" and seat.decided_by_id == sender.id:
                return Verdict("decided", f"{seat.decision} (taken before a restart)", round_id, deal)
            return refuse("already_decided")
        if place.round.status != "pending":
            return refuse("closed")
        if step.status != "active":
            return refuse("not_active")
        reading = read_reply(mail.text)
        if reading.approve is None:
            return refuse("unreadable", reading.first_line or "empty", reading.first_line)
        decision = Decision(
            step_index=step.index, approver_id=sender.id, approve=reading.approve,  # type: ignore[arg-type]
            comment=reading.comment, channel="reply",
        )
        update_id = "reply-" + hashlib.sha256(mail.message_id.encode()).hexdigest()[:40]
        try:
            async with self.db.session() as session:
                await ApprovalService(session, self.temporal, self.settings).decide(place.round.id, decision, update_id)
        except DomainError as refusal:
            if refusal.status >= 500:
                raise  # Temporal is away: the claim stays at "taking" and the next pass takes it again
            return refuse(WORKFLOW_REFUSALS.get(refusal.code, refusal.code), refusal.code)
        verb = "approve" if reading.approve else "reject"
        return Verdict("decided", f"{verb}: {reading.comment}" if reading.comment else verb, round_id, deal)
