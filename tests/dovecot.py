"""A real IMAP server for tests: Debian's dovecot-imapd in the foreground on a free loopback port,
a few mailbox users, mail delivered by IMAP APPEND (files written by root would be invisible to it)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import aioimaplib

from tests.mail_sink import free_port

DOVECOT = "/usr/sbin/dovecot"
MAIL_UID = 65534  # dovecot refuses to run mail as root
CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{dir}/mail/%u/Maildir
{extra}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={dir}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """`extra` is more configuration, e.g. `imap_capability = …` to play a server without IDLE."""

    def __init__(self, users: tuple[str, ...] = ("approvals",), password: str = "secret", extra: str = "") -> None:
        if not Path(DOVECOT).exists():
            raise RuntimeError(
                "dovecot is missing: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd"
            )
        # Not under pytest's tmp_path: its 0700 parents keep out the mail processes' uid.
        self.root = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))
        self.root.chmod(0o755)
        self.user, self.password = users[0], password
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir()
        (self.root / "users").write_text("".join(f"{user}:{{PLAIN}}{password}::::::\n" for user in users))
        (self.root / "dovecot.conf").write_text(CONFIG.format(dir=self.root, port=self.port, uid=MAIL_UID, extra=extra))
        shutil.chown(self.root / "mail", MAIL_UID, MAIL_UID)

    async def start(self) -> Dovecot:
        # Its own process group: stopping it ends the imap processes too, as a service restart does
        # (terminated alone, the master leaves them serving their connections).
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")], start_new_session=True)
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"dovecot exited: see {self.root / 'dovecot.log'}") from None
                await asyncio.sleep(0.05)
        raise RuntimeError(f"dovecot does not answer on port {self.port}")

    async def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            await asyncio.to_thread(self.process.wait, 20)
        self.process = None

    async def close(self) -> None:
        await self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    async def client(self, user: str = "") -> aioimaplib.IMAP4:
        imap = aioimaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        await imap.wait_hello_from_server()
        assert (await imap.login(user or self.user, self.password)).result == "OK"
        return imap

    async def append(self, raw: bytes, mailbox: str = "INBOX", user: str = "") -> None:
        imap = await self.client(user)
        try:
            result = await imap.append(raw, mailbox=mailbox)
            assert result.result == "OK", result
        finally:
            await imap.logout()

    async def message_ids(self, mailbox: str, user: str = "") -> list[str]:
        """The Message-ID header of every message in the folder ([] when it does not exist);
        `mailbox` as IMAP names it (quoted, modified UTF-7)."""
        imap = await self.client(user)
        try:
            selected = await imap.select(mailbox)
            if selected.result != "OK" or b"0 EXISTS" in selected.lines:
                return []
            found = await imap.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
            headers = [bytes(line) for line in found.lines if isinstance(line, bytearray)]
            return [h.decode().partition(":")[2].strip() for h in headers]
        finally:
            await imap.logout()
