"""README's first command for real: `python run.py up` on a fresh data directory starts Temporal's
dev server, the worker and the web app, loads demo deals that each have a live workflow, and prints
the URLs; Ctrl-C or SIGTERM leaves no process behind; a second `up` on the same directory finds
everything again and adds no second demo. With DATABASE_URL and TEMPORAL_ADDRESS it starts no
dev server and uses what it is given; with IMAP_HOST it reads that mailbox too; even killed
outright, it leaves no process behind."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx
import psutil
import pytest
from stdnum.ru import inn as inn_number
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from settings import Settings
from tests.conftest import _drop_schema, _postgres_schema_url
from tests.dovecot import Dovecot
from tests.helpers import eventually

ROOT = Path(__file__).resolve().parent.parent
DEMO_DEALS = 8  # the showcase: a tender with two shipments, two paused, won, lost, a service contract


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launcher_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This environment without any of our settings, plus the given ones."""
    ours = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env.update(DATA_DIR=str(data_dir), APP_PORT=str(free_port()), SMTP_PORT=str(free_port()), DEMO_DEALS=str(DEMO_DEALS),
               PYTHONUNBUFFERED="1", **settings)
    return env


class Launcher:
    """`python run.py up` as a person runs it; everything it prints also goes to the artifacts."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.log = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), "up"], cwd=cwd, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
        )
        self.output: list[str] = []
        self.banner = threading.Event()
        # Drained all along: the children share the pipe and would block on a full one.
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:  # type: ignore[union-attr]
            self.log.write(line)
            self.output.append(line)
            if line.startswith("Ctrl-C stops everything"):
                self.banner.set()
        self.banner.set()  # the launcher ended

    @property
    def text(self) -> str:
        return "".join(self.output)

    async def ready(self) -> dict[str, str]:
        assert await asyncio.to_thread(self.banner.wait, 240), "no banner within 4 minutes"
        assert self.process.poll() is None, f"the launcher ended:\n{self.text[-4000:]}"
        return dict(re.findall(r"^  (App|API docs|Temporal UI)\s+(\S+)$", self.text, re.M))

    def children(self) -> dict[str, psutil.Process]:
        found = {}
        for child in psutil.Process(self.process.pid).children(recursive=True):
            line = " ".join(child.cmdline())
            roles = {"start-dev": "temporal", "worker.py": "worker", "uvicorn": "web", "api.mail.catcher": "mail",
                     "api.mail.gateway": "mail-gateway"}
            role = next((name for marker, name in roles.items() if marker in line), line)
            found[role] = child
        return found

    async def stop(self, sig: signal.Signals) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = await asyncio.to_thread(self.process.wait, 90)
        await asyncio.to_thread(self.reader.join, 10)
        self.log.close()
        return code


def run_py(env: dict[str, str], cwd: Path, *args: str) -> str:
    result = subprocess.run([sys.executable, str(ROOT / "run.py"), *args],
                            cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def api_token(env: dict[str, str], cwd: Path) -> str:
    return run_py(env, cwd, "token", "admin@demo.example").strip()


async def check_demo(app_url: str, token: str, temporal: Client) -> list[dict]:
    """The demo deals are there, each open one with a workflow that answers."""
    async with httpx.AsyncClient(base_url=app_url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as api:
        page = (await api.get("/api/deals", params={"page_size": 500})).json()
        assert page["total"] == DEMO_DEALS, page
        deals = page["rows"]
        assert {d["status"] for d in deals} == {"open", "paused", "won", "lost"}
        tender = next(d for d in deals if d["kind"] == "tender")
        assert tender["stage_code"] == "contract"
        assert sum(1 for d in deals if d["parent_number"] == tender["number"]) == 2
        waiting = Counter()
        for deal in deals:
            process = await api.get(f"/api/deals/{deal['number']}/process")  # a query to the workflow
            assert process.status_code == 200, process.text
            waits = {"open": "manager_action", "paused": "pause_timer", "won": "nothing", "lost": "nothing"}
            what = process.json()["waiting_for"]["what"]
            waiting[what] += 1
            assert what == waits[deal["status"]] or (deal["status"], what) == ("open", "approval"), process.text
        assert waiting["approval"] == 1  # the service contract waits for the plant's head of sales
        reference = (await api.get("/api/reference")).json()
        assert len(reference["business_units"]) == 2 and len(reference["warehouses"]) >= 30
        # Documents on the won deals, a corrected form among them; a power of attorney running out.
        won = [d["number"] for d in deals if d["status"] == "won"]
        documents = [doc for number in won for doc in (await api.get(f"/api/deals/{number}/documents")).json()]
        assert {"specification", "invoice"} <= {doc["kind"] for doc in documents} and any(doc["from_shipments"] for doc in documents)
        assert "Кузнецова Елена Сергеевна" in {i["full_name"] for i in (await api.get("/api/signatories/expiring")).json()}
    live = sum(1 for d in deals if d["status"] in ("open", "paused"))
    # Visibility is eventually consistent; the search attributes must be registered for these.
    for _ in range(50):
        running = await temporal.count_workflows('WorkflowType="DealWorkflow" AND ExecutionStatus="Running"')
        tenders = await temporal.count_workflows('DealKind="tender" AND DealStage="contract"')
        if (running.count, tenders.count) == (live, 1):
            break
        await asyncio.sleep(0.2)
    assert (running.count, tenders.count) == (live, 1)
    return deals


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("business_unit", "department", "employee", "absence", "counterparty", "contact",
                            "product", "product_category", "warehouse", "deal", "deal_note")}
        inns = db.execute("SELECT inn, kpp FROM counterparty").fetchall()
        depths = dict(db.execute("""WITH RECURSIVE d(id, depth) AS (
                SELECT id, 1 FROM department WHERE parent_id IS NULL
                UNION ALL SELECT department.id, d.depth + 1 FROM department JOIN d ON department.parent_id = d.id)
            SELECT id, depth FROM d""").fetchall())
        headless = db.execute("SELECT count(*) FROM department WHERE head_id IS NULL").fetchone()[0]
    assert all(inn_number.is_valid(inn) for inn, _ in inns)
    assert all(kpp is None or (len(inn) == 10 and len(kpp) == 9) for inn, kpp in inns)
    assert max(depths.values()) == 3 and headless == 0
    return counts


def running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def assert_gone(children: dict[str, psutil.Process], ports: list[int]) -> None:
    for _ in range(150):  # a stopped launcher has waited for them; a killed one has not
        if not any(running(child) for child in children.values()):
            break
        await asyncio.sleep(0.2)
    assert not [child for child in children.values() if running(child)], children
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))  # nobody listens there any more


@pytest.mark.timeout(900)
async def test_up_on_embedded_defaults_twice(tmp_path: Path, artifacts: Path) -> None:
    grpc, ui = free_port(), free_port()
    env = launcher_env(tmp_path / "var", TEMPORAL_DEV_PORT=str(grpc), TEMPORAL_DEV_UI_PORT=str(ui))
    app = f"http://127.0.0.1:{env['APP_PORT']}"

    first = Launcher(env, tmp_path, artifacts / "launcher-first.log")
    try:
        urls = await first.ready()
        assert urls == {"App": app, "API docs": f"{app}/docs", "Temporal UI": f"http://127.0.0.1:{ui}"}
        assert "petrova@demo.example / demo" in first.text and "admin@demo.example / demo" in first.text
        children = first.children()
        assert set(children) == {"temporal", "worker", "web", "mail"}, children
        temporal = await Client.connect(f"127.0.0.1:{grpc}")
        token = api_token(env, tmp_path)
        deals = await check_demo(app, token, temporal)
    finally:
        code = await first.stop(signal.SIGINT)  # Ctrl-C
    assert code == 0, first.text[-4000:]
    await assert_gone(children, [grpc, ui, int(env["APP_PORT"])])
    counts = sqlite_counts(tmp_path / "var" / "crm.db")
    assert counts["employee"] == 16 and counts["business_unit"] == 2 and counts["counterparty"] == 200
    assert counts["product"] >= 450 and counts["warehouse"] >= 30 and counts["deal"] == DEMO_DEALS
    assert (tmp_path / "var" / "temporal.db").exists()
    with sqlite3.connect(tmp_path / "var" / "crm.db") as db:  # the launcher's catcher kept the approvers' mail
        caught = [to for (to,) in db.execute("SELECT recipients FROM caught_mail WHERE subject LIKE 'Согласование:%'")]
    assert any("grigoriev@demo.example" in to for to in caught), caught

    second = Launcher(env, tmp_path, artifacts / "launcher-second.log")
    try:
        await second.ready()
        assert "demo data already loaded" in second.text
        children = second.children()
        temporal = await Client.connect(f"127.0.0.1:{grpc}")
        again = await check_demo(app, token, temporal)  # the workflows outlived the restart
        assert Counter(d["number"] for d in again) == Counter(d["number"] for d in deals)
    finally:
        code = await second.stop(signal.SIGTERM)
    assert code == 0, second.text[-4000:]
    await assert_gone(children, [grpc, ui, int(env["APP_PORT"])])
    assert sqlite_counts(tmp_path / "var" / "crm.db") == counts

    # A fresh database beside the old Temporal store would collide on deal numbers: refused, and
    # nothing is deleted or left running.
    for leftover in (tmp_path / "var").glob("crm.db*"):
        leftover.unlink()
    third = Launcher(env, tmp_path, artifacts / "launcher-mismatch.log")
    try:
        await asyncio.to_thread(third.process.wait, 120)  # it gives up by itself
    finally:
        code = await third.stop(signal.SIGTERM)  # collects its output (stops it if it did not end)
    assert code == 1, third.text[-4000:]
    assert "Temporal already has deal-1001" in third.text and "Traceback" not in third.text
    assert (tmp_path / "var" / "temporal.db").exists()
    await assert_gone({}, [grpc, ui, int(env["APP_PORT"])])


@pytest.mark.timeout(600)
async def test_up_with_postgres_and_external_temporal(
    tmp_path: Path, artifacts: Path, temporal_env: WorkflowEnvironment, dovecot: Dovecot
) -> None:
    schema, url = _postgres_schema_url()
    address = temporal_env.client.service_client.config.target_host
    env = launcher_env(tmp_path / "var", DATABASE_URL=url, TEMPORAL_ADDRESS=address,
                       TEMPORAL_NAMESPACE="crm-launcher", TEMPORAL_TASK_QUEUE="crm-launcher",
                       IMAP_HOST="127.0.0.1", IMAP_PORT=str(dovecot.port), IMAP_USERNAME="launcher",
                       IMAP_PASSWORD=dovecot.password)
    # An installation already in use: its administrator exists, so `up` loads no demo by itself.
    run_py({**env, "ADMIN_PASSWORD": "long-enough"}, tmp_path, "admin", "boss@company.example")
    launcher = Launcher(env, tmp_path, artifacts / "launcher-external.log")
    children: dict[str, psutil.Process] = {}
    try:
        await launcher.ready()
        children = launcher.children()
        assert set(children) == {"worker", "web", "mail", "mail-gateway"}  # no dev server of its own
        assert "creating the Temporal namespace crm-launcher" in launcher.text
        assert "demo" not in launcher.text.lower()
        assert f"demo data loaded: {DEMO_DEALS} deals" in run_py(env, tmp_path, "demo")
        temporal = await Client.connect(address, namespace="crm-launcher")
        await check_demo(f"http://127.0.0.1:{env['APP_PORT']}", api_token(env, tmp_path), temporal)
        assert not (tmp_path / "var" / "crm.db").exists()  # everything went to PostgreSQL
        # The mail gateway it started reads the mailbox: a message is taken and moved out.
        await dovecot.append(b"From: someone@example.test\r\nSubject: Hello\r\nMessage-ID: <hi@example.test>\r\n\r\nHi\r\n",
                             user="launcher")

        async def taken() -> bool:
            return await dovecot.message_ids('"Processed"', user="launcher") == ["<hi@example.test>"]

        await eventually(taken, 60)
    finally:
        # Even a launcher killed outright leaves nothing behind: its children get SIGTERM.
        code = await launcher.stop(signal.SIGKILL)
        await assert_gone(children, [int(env["APP_PORT"])])
        _drop_schema(schema)
    assert code == -signal.SIGKILL
