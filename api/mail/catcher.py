"""A local SMTP catcher (aiosmtpd) for the embedded default: outgoing mail lands in the database
and the admin mail page shows it, so a newcomer can open an approver's mail and click its links.
Tests use the same server with their own handler."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.smtp import SMTP, Envelope, Session

from models.db import Database
from models.mail import CaughtMail
from settings import Settings, get_settings

OnMessage = Callable[[Envelope], Awaitable[None]]


class CatchingHandler:
    def __init__(self, on_message: OnMessage) -> None:
        self.on_message = on_message

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        await self.on_message(envelope)
        return "250 Message accepted for delivery"


async def start_catcher(host: str, port: int, on_message: OnMessage) -> asyncio.Server:
    """Serve SMTP in the running event loop (no thread: handlers may use the loop's resources)."""
    loop = asyncio.get_running_loop()
    handler = CatchingHandler(on_message)
    return await loop.create_server(lambda: SMTP(handler, hostname="crm-catcher", loop=loop), host, port)


def parse(envelope: Envelope) -> EmailMessage:
    return message_from_bytes(envelope.original_content or b"", policy=policy.default)  # type: ignore[return-value]


def store_in(db: Database) -> OnMessage:
    async def store(envelope: Envelope) -> None:
        message = parse(envelope)
        async with db.session() as session:
            session.add(
                CaughtMail(
                    mail_from=envelope.mail_from or "",
                    recipients=list(envelope.rcpt_tos),
                    subject=str(message.get("Subject", ""))[:500],
                    message_id=str(message.get("Message-ID", ""))[:250],
                    raw=envelope.original_content or b"",
                )
            )
            await session.commit()

    return store


async def serve(settings: Settings) -> None:
    """`python -m api.mail.catcher`: catch the app's outgoing mail until stopped."""
    db = Database(settings.effective_database_url)
    server = await start_catcher(settings.smtp_host, settings.smtp_port, store_in(db))
    try:
        async with server:
            await server.serve_forever()
    finally:
        await db.dispose()


if __name__ == "__main__":
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(get_settings()))
