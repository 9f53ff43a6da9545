"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives for tests to read."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Callable
from email.message import EmailMessage

from api.mail.catcher import parse, start_catcher


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailSink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived_at: list[float] = []
        self._arrived = asyncio.Condition()
        self.port = free_port()
        self.server: asyncio.Server | None = None

    async def start(self) -> MailSink:
        async def keep(envelope) -> None:  # noqa: ANN001
            async with self._arrived:
                self.messages.append(parse(envelope))
                self.arrived_at.append(time.monotonic())
                self._arrived.notify_all()

        self.server = await start_catcher("127.0.0.1", self.port, keep)
        return self

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    async def wait_for(self, match: Callable[[EmailMessage], bool], timeout: float = 20) -> EmailMessage:
        async def found() -> EmailMessage | None:
            return next((m for m in self.messages if match(m)), None)

        async with self._arrived:
            try:
                await asyncio.wait_for(self._arrived.wait_for(lambda: any(match(m) for m in self.messages)), timeout)
            except TimeoutError:
                subjects = [f"{m['To']}: {m['Subject']}" for m in self.messages[-10:]]
                raise AssertionError(f"no such mail within {timeout} s; last: {subjects}") from None
        return next(m for m in self.messages if match(m))


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]


def link_in(message: EmailMessage) -> str:
    """The approval link (without ?d=…) from a mail's text."""
    found = re.search(r"(https?://\S+/approve/[\w.\-]+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)
