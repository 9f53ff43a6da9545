"""Outgoing mail through an outbox: each message is stored under a key before it is sent and marked
sent after, so an activity that runs again sends nothing twice; its Message-ID never changes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from temporalio import activity

from activities.db import insert_ignoring_duplicates
from models.db import Database
from models.mail import OutboxMail
from settings import Settings

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent / "mail_templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class Outgoing:
    key: str
    to: str
    subject: str
    text: str
    html: str = ""
    message_id: str = ""
    reply_to: str = ""
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    deal_id: int | None = None


def _money(value: Decimal) -> str:
    """1 234 567,89 — as Russian documents write sums."""
    return f"{Decimal(value):,.2f}".replace(",", "\u00a0").replace(".", ",")


def _number(value: Decimal) -> str:
    """12,5 — without trailing zeros or exponents."""
    text = f"{Decimal(value):f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace(".", ",")


TEMPLATES.filters.update(money=_money, number=_number)


def mail_domain(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1].rpartition("@")[2] or "crm.local"


def render(template: str, **context: object) -> tuple[str, str]:
    """(plain text, HTML) from `<template>.txt` and `<template>.html`."""
    return (
        TEMPLATES.get_template(f"{template}.txt").render(**context),
        TEMPLATES.get_template(f"{template}.html").render(**context),
    )


@contextlib.asynccontextmanager
async def heartbeating(every: float = 1.0) -> AsyncIterator[None]:
    """Heartbeat while the body runs, so Temporal notices a dead worker within the heartbeat
    timeout instead of the whole start-to-close timeout. Outside an activity it does nothing."""
    if not activity.in_activity():
        yield
        return

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()


class Mailer:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings

    async def send_once(self, mail: Outgoing) -> None:
        async with heartbeating():
            await self._send_once(mail)

    async def _send_once(self, mail: Outgoing) -> None:
        message_id = mail.message_id or f"<{hashlib.sha1(mail.key.encode()).hexdigest()}@{mail_domain(self.settings)}>"
        async with self.db.session() as session, session.begin():
            await insert_ignoring_duplicates(
                session,
                OutboxMail,
                dict(
                    key=mail.key, message_id=message_id, to_address=mail.to, subject=mail.subject,
                    text=mail.text, html=mail.html, reply_to=mail.reply_to, in_reply_to=mail.in_reply_to,
                    references=" ".join(mail.references), deal_id=mail.deal_id, created_at=datetime.now(UTC),
                ),
            )
        async with self.db.session() as session:
            stored = (await session.exec(select(OutboxMail).where(OutboxMail.key == mail.key))).scalar_one()
            if stored.sent_at is not None:
                return
            stored.attempts += 1
            try:
                await self._deliver(stored)
            except (aiosmtplib.SMTPException, OSError) as err:
                stored.last_error = str(err)[:1000]
                session.add(stored)
                await session.commit()
                raise  # the activity retries; the outbox row keeps the same Message-ID
            stored.sent_at, stored.last_error = datetime.now(UTC), ""
            session.add(stored)
            await session.commit()

    async def _deliver(self, stored: OutboxMail) -> None:
        s = self.settings
        message = EmailMessage()
        message["From"] = s.mail_from
        message["To"] = stored.to_address
        message["Subject"] = stored.subject
        message["Message-ID"] = stored.message_id
        message["Date"] = format_datetime(stored.created_at)
        if stored.reply_to:
            message["Reply-To"] = stored.reply_to
        if stored.in_reply_to:
            message["In-Reply-To"] = stored.in_reply_to
        if stored.references:
            message["References"] = stored.references
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(stored.text)
        if stored.html:
            message.add_alternative(stored.html, subtype="html")
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            start_tls=s.smtp_starttls,
            use_tls=s.smtp_tls,
            timeout=30,
        )
