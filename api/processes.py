"""The child processes `run.py up` starts and stops, and the error it shows without a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path


class LaunchError(Exception):
    """Something the person starting the app can fix; shown without a traceback."""


def _die_with_parent() -> None:
    """Runs in each child: if the launcher itself is killed, the child gets SIGTERM (Linux)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


class Children:
    """The processes `up` starts, each in its own process group so that Ctrl-C reaches only the
    launcher, which then stops them in reverse order of starting (web, …, Temporal)."""

    def __init__(self) -> None:
        self.running: list[tuple[str, asyncio.subprocess.Process, Path | None]] = []

    async def start(self, name: str, args: list[str], log: Path | None = None) -> asyncio.subprocess.Process:
        out = open(log, "ab") if log else None  # the child writes to it; our copy closes below
        try:
            process = await asyncio.create_subprocess_exec(
                *args, stdout=out, stderr=asyncio.subprocess.STDOUT if out else None,
                start_new_session=True, preexec_fn=_die_with_parent,
            )
        finally:
            if out:
                out.close()
        self.running.append((name, process, log))
        return process

    def check(self) -> None:
        for name, process, log in self.running:
            if process.returncode is not None:
                where = f"; see {log}" if log else ""
                raise LaunchError(f"{name} exited with code {process.returncode}{where}")

    async def first_exit(self) -> str:
        waits = {asyncio.ensure_future(process.wait()): name for name, process, _ in self.running}
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return waits[done.pop()]

    async def stop(self) -> None:
        for _name, process, _log in reversed(self.running):
            if process.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 20)
                except TimeoutError:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    await process.wait()
        self.running.clear()
