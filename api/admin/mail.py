"""What the mail page shows: the messages the embedded SMTP catcher received (on a laptop, the
approvers' "inbox"), one message opened with its headers and parts, and the outbox where
operations see mail that has not gone out."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.errors import DomainError
from models.mail import CaughtMail, OutboxMail

PAGE = 200
HEADERS = ("From", "To", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References")
# Every link in a caught message opens in a new tab: the sandboxed frame lets nothing else out.
NEW_TAB = '<base target="_blank">'


@dataclass
class OpenedMail:
    row: CaughtMail
    headers: list[tuple[str, str]]
    html: str
    text: str


async def caught(session: AsyncSession, limit: int = PAGE) -> tuple[int, list[CaughtMail]]:
    """How many messages the catcher holds, and the newest of them."""
    total = (await session.exec(select(func.count()).select_from(CaughtMail))).scalar_one()
    rows = (
        await session.exec(select(CaughtMail).order_by(CaughtMail.id.desc()).limit(limit))  # type: ignore[union-attr]
    ).scalars().all()
    return total, list(rows)


async def opened(session: AsyncSession, ident: int) -> OpenedMail:
    row = await session.get(CaughtMail, ident)
    if row is None:
        raise DomainError("MailNotFound", 404, id=ident)
    message: EmailMessage = message_from_bytes(row.raw, policy=policy.default)  # type: ignore[assignment]
    html = message.get_body(preferencelist=("html",))
    text = message.get_body(preferencelist=("plain",))
    return OpenedMail(
        row=row,
        headers=[(name, str(message[name])) for name in HEADERS if message[name] is not None],
        html=NEW_TAB + html.get_content() if html is not None else "",
        text=text.get_content() if text is not None else "",
    )


@dataclass
class Outbox:
    waiting: int  # stored, not sent yet (the activity keeps retrying)
    failing: int  # of those, the last attempt failed
    rows: list[OutboxMail]


async def outbox(session: AsyncSession, limit: int = PAGE) -> Outbox:
    """Unsent mail first (what operations look for), then the newest sent."""
    unsent = OutboxMail.sent_at.is_(None)  # type: ignore[union-attr]
    waiting = (await session.exec(select(func.count()).select_from(OutboxMail).where(unsent))).scalar_one()
    failing = (
        await session.exec(select(func.count()).select_from(OutboxMail).where(unsent, OutboxMail.last_error != ""))
    ).scalar_one()
    rows = (
        await session.exec(
            select(OutboxMail).order_by(unsent.desc(), OutboxMail.id.desc()).limit(limit)  # type: ignore[union-attr]
        )
    ).scalars().all()
    return Outbox(waiting=waiting, failing=failing, rows=list(rows))
