"""The replies mailbox reader: `python -m api.mail.gateway` (settings from the environment).

Logs in, takes every message in the mailbox (handled mail is moved out, so whatever is there is
new — even if a person opened it in a mail client and it is no longer unseen), then waits with
IMAP IDLE, re-issued before IMAP_IDLE_TIMEOUT, or polls every IMAP_POLL_INTERVAL when the server
has no IDLE. A dropped connection or a restarted server means a new session after a growing pause.
A message whose handling fails (the database or Temporal away) stays where it is and is tried again
on the next pass; the handler's own records make taking it twice harmless."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import re
import ssl
from collections.abc import Awaitable, Callable

import aioimaplib
from aioimaplib.aioimaplib import STOP_WAIT_SERVER_PUSH

from activities.mail import Mailer
from api.mail.replies import ReplyDesk, Source
from api.temporal import connect
from models.db import Database
from settings import Settings, get_settings

log = logging.getLogger("crm.mail.gateway")
COMMAND_TIMEOUT = 30.0
FIRST_PAUSE, LONGEST_PAUSE = 0.5, 60.0  # between reconnection attempts, doubling
UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
Take = Callable[[bytes, Source], Awaitable[str]]


class SessionLost(Exception):
    """The server closed the connection or refused a command: start a new session."""


def mailbox_name(name: str) -> str:
    """A quoted IMAP mailbox name; non-ASCII in modified UTF-7 (RFC 3501 5.1.3), e.g. «Обработано»."""
    encoded, pending = [], ""

    def flush() -> None:
        nonlocal pending
        if pending:
            chunk = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            encoded.append(f"&{chunk}-")
            pending = ""

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending += char
    flush()
    quoted = "".join(encoded).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}"'


class MailboxGateway:
    def __init__(self, settings: Settings, take: Take) -> None:
        self.settings = settings
        self.take = take
        self.pause = FIRST_PAUSE
        self.sessions = 0  # logged-in sessions so far (tests watch reconnections)
        self.idling: bool | None = None  # IDLE or polling, once the server has said what it offers
        self.passes = 0  # looks through the mailbox: after each IDLE wake, renewal or poll
        # UIDs are unique per server, user and folder: all three go into the de-duplication key.
        self.mailbox = f"{settings.imap_username}@{settings.imap_host}:{settings.imap_port}/{settings.imap_mailbox}"

    async def run(self) -> None:
        """Until cancelled: a session; on failure, another after a pause."""
        while True:
            try:
                await self._session()
            except (OSError, TimeoutError, aioimaplib.AioImapException, SessionLost) as problem:
                log.warning("mailbox %s:%s: %r; again in %.1f s", self.settings.imap_host,
                            self.settings.imap_port, problem, self.pause)
            except Exception:  # noqa: BLE001 - whatever it was, the mailbox must go on being read
                log.exception("mailbox session failed; again in %.1f s", self.pause)
            await asyncio.sleep(self.pause)
            self.pause = min(self.pause * 2, LONGEST_PAUSE)

    async def _session(self) -> None:
        s = self.settings
        lost: asyncio.Future = asyncio.get_running_loop().create_future()

        def on_lost(problem: Exception | None) -> None:
            if not lost.done():
                lost.set_result(problem)

        imap = aioimaplib.IMAP4(
            s.imap_host, s.imap_port, timeout=COMMAND_TIMEOUT, conn_lost_cb=on_lost,
            ssl_context=ssl.create_default_context() if s.imap_ssl else None,
        )
        work = asyncio.ensure_future(self._serve(imap))
        try:
            await asyncio.wait({work, lost}, return_when=asyncio.FIRST_COMPLETED)
            if work.done():
                work.result()
            raise SessionLost(f"connection lost ({lost.result()!r})")
        finally:
            if imap.protocol.transport is not None:
                imap.protocol.transport.close()
            while not work.done():  # insist: Python 3.11's wait_for can swallow a cancellation
                work.cancel()
                await asyncio.wait({work}, timeout=1)
            if not work.cancelled():
                work.exception()  # seen (re-raised above when it ended the session)

    async def _serve(self, imap: aioimaplib.IMAP4) -> None:
        s = self.settings
        await imap.wait_hello_from_server()
        _ok(await imap.login(s.imap_username, s.imap_password), "LOGIN")
        await imap.protocol.capability()  # what the server offers after login may differ
        self.sessions += 1
        processed = mailbox_name(s.imap_processed_folder)
        listed = _ok(await imap.list('""', processed), "LIST")
        if len(listed.lines) < 2:  # only the completion line: no such folder yet
            _ok(await imap.create(processed), "CREATE")
        selected = _ok(await imap.select(mailbox_name(s.imap_mailbox)), "SELECT")
        uid_validity = next((int(m.group(1)) for line in selected.lines if (m := UIDVALIDITY.search(line))), 0)
        self.idling = imap.has_capability("IDLE")
        log.info("reading %s on %s (%s)", s.imap_mailbox, s.imap_host, "IDLE" if self.idling else "polling")
        while True:
            await self._take_all(imap, uid_validity, processed)
            self.pause = FIRST_PAUSE  # a session that works: the next failure is retried soon
            if self.idling:
                await self._idle(imap)
            else:
                await asyncio.sleep(s.imap_poll_interval.total_seconds())

    async def _take_all(self, imap: aioimaplib.IMAP4, uid_validity: int, processed: str) -> None:
        self.passes += 1
        found = _ok(await imap.uid_search("UNDELETED", charset=None), "SEARCH")
        uids = sorted(int(word) for line in found.lines[:-1] for word in line.split() if word.isdigit())
        for uid in uids:
            fetched = _ok(await imap.uid("fetch", str(uid), "BODY.PEEK[]"), "FETCH")
            raw = next((bytes(line) for line in fetched.lines if isinstance(line, bytearray)), None)
            if raw is None:
                continue  # expunged meanwhile by someone else
            try:
                await self.take(raw, Source(self.mailbox, uid_validity, uid))
            except Exception:  # noqa: BLE001 - it stays in the mailbox and is tried again next pass
                log.exception("message %s could not be handled now; it stays for the next pass", uid)
                continue
            await self._move(imap, uid, processed)

    async def _move(self, imap: aioimaplib.IMAP4, uid: int, processed: str) -> None:
        if imap.has_capability("MOVE"):
            _ok(await imap.uid("move", str(uid), processed), "MOVE")
            return
        _ok(await imap.uid("copy", str(uid), processed), "COPY")
        _ok(await imap.uid("store", str(uid), "+FLAGS.SILENT", r"(\Deleted)"), "STORE")
        if imap.has_capability("UIDPLUS"):
            _ok(await imap.uid("expunge", str(uid)), "EXPUNGE")
        else:
            _ok(await imap.expunge(), "EXPUNGE")

    async def _idle(self, imap: aioimaplib.IMAP4) -> None:
        """Until the server tells of new mail, or the IDLE has lasted long enough to renew it."""
        limit = self.settings.imap_idle_timeout.total_seconds()
        idling = await imap.idle_start(timeout=limit)
        while True:
            push = await imap.wait_server_push(timeout=limit + COMMAND_TIMEOUT)
            if push == STOP_WAIT_SERVER_PUSH or any(b"EXISTS" in line for line in push):
                break
        imap.idle_done()
        _ok(await asyncio.wait_for(idling, COMMAND_TIMEOUT), "IDLE")


def _ok(response: aioimaplib.Response, command: str) -> aioimaplib.Response:
    if response.result != "OK":
        raise SessionLost(f"{command} refused: {response.result} {response.lines[-1:]!r}")
    return response


async def serve(settings: Settings) -> None:
    db = Database(settings.effective_database_url)
    try:
        temporal = await connect(settings, lazy=True)
        desk = ReplyDesk(db, temporal, settings, Mailer(db, settings))
        await MailboxGateway(settings, desk.take).run()
    finally:
        await db.dispose()


def main() -> int:
    settings = get_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not settings.imap_host:
        print("[mail-gateway] IMAP_HOST is not set: there is no replies mailbox to read", flush=True)
        return 2
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(settings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
