"""Benchmark: deals through the product against a bare workflow of the same shape.

    python -m bench.deals [--deals N] [--concurrency C] [--database-url URL]

Phase A creates N deals with a 30-line specification through the JSON API (each starts its
workflow, which writes the card) and then moves each one stage, C clients at a time. Phase B
does the same with a bare workflow on the same Temporal server: update-with-start whose update
waits for a no-op activity, then one update running a no-op activity. Both phases run with one
client (what a person waits for) and with C clients (what the machine sustains). Prints
throughput, p50/p95 latency and CPU per deal of both, their ratio, and whether the targets are met.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import httpx
from sqlalchemy import func, select
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from bench.bare import TASK_QUEUE, BareWorkflow
from bench.seed import Company, deal_payload, seed
from bench.stack import Stack
from models.db import Database
from models.deals import Deal, SpecLine

LINES = 30
SAVE_P95_TARGET_MS = 150
OVERHEAD_TARGET = 1.5
SINGLE_CLIENT_DEALS = 100  # the one-client pass measures latency; it needs fewer deals


@dataclass
class Series:
    operation: str
    latencies: list[float]  # seconds, one per request
    wall: float  # seconds from the first request to the last answer

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.wall

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[-1] * 1000


async def measure(operation: str, items: Sequence[Any], concurrency: int, call: Callable[[int, Any], Awaitable[None]]) -> Series:
    """Run `call(client, item)` for every item, `concurrency` clients at a time; time each call."""
    latencies: list[float] = []
    pending = iter(items)

    async def client(index: int) -> None:
        for item in pending:
            started = perf_counter()
            await call(index, item)
            latencies.append(perf_counter() - started)

    started = perf_counter()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    return Series(operation, latencies, perf_counter() - started)


# --- phase A: the product ---------------------------------------------------------------------


async def product(stack: Stack, company: Company, count: int, concurrency: int, rng: random.Random) -> list[Series]:
    payloads = [deal_payload(company, rng, LINES) for _ in range(count)]
    managers = [
        httpx.AsyncClient(base_url=stack.app_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
        for token in company.tokens[:concurrency]
    ]
    created: list[tuple[int, int]] = []  # (the manager who created it, deal number)

    async def create(client: int, payload: dict) -> None:
        answer = await managers[client].post("/api/deals", json=payload)
        expect(answer, 201)
        created.append((client, answer.json()["number"]))

    async def move(_: int, deal: tuple[int, int]) -> None:
        manager, number = deal
        answer = await managers[manager].post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
        expect(answer, 200)

    try:
        creates = await measure("create deal   POST /api/deals", payloads, concurrency, create)
        moves = await measure("move stage    POST /api/deals/{n}/stage", created, concurrency, move)
    finally:
        for client in managers:
            await client.aclose()
    await check_read_model(stack.db.url, [number for _, number in created])
    return [creates, moves]


def expect(answer: httpx.Response, status: int) -> None:
    if answer.status_code != status:
        raise RuntimeError(f"{answer.request.method} {answer.request.url.path}: {answer.status_code} {answer.text}")


async def check_read_model(url: str, numbers: list[int]) -> None:
    """Every deal is in the database, moved, with its whole specification: nothing was lost."""
    db = Database(url)
    try:
        async with db.session() as session:
            moved = (
                await session.exec(
                    select(func.count()).where(Deal.id.in_(numbers), Deal.stage_code == "specification", Deal.version == 2)
                )
            ).scalar_one()
            lines = (await session.exec(select(func.count()).where(SpecLine.deal_id.in_(numbers)))).scalar_one()
    finally:
        await db.dispose()
    if (moved, lines) != (len(numbers), len(numbers) * LINES):
        raise RuntimeError(f"read model: {moved} of {len(numbers)} deals moved, {lines} lines")


# --- phase B: the bare workflow -------------------------------------------------------------


async def bare(client: Client, count: int, concurrency: int) -> list[Series]:
    run = uuid.uuid4().hex[:6]
    ids = [f"bare-{run}-{i}" for i in range(count)]

    async def start(_: int, workflow_id: str) -> None:
        operation = WithStartWorkflowOperation(
            BareWorkflow.run, id=workflow_id, task_queue=TASK_QUEUE, id_conflict_policy=WorkflowIDConflictPolicy.FAIL
        )
        saved = await client.execute_update_with_start_workflow(BareWorkflow.opened, start_workflow_operation=operation)
        if saved != 1:
            raise RuntimeError(f"{workflow_id}: opened at version {saved}")

    async def move(_: int, workflow_id: str) -> None:
        saved = await client.get_workflow_handle(workflow_id).execute_update(BareWorkflow.move)
        if saved != 2:
            raise RuntimeError(f"{workflow_id}: moved to version {saved}")

    return [
        await measure("update-with-start + no-op activity", ids, concurrency, start),
        await measure("update + no-op activity", ids, concurrency, move),
    ]


# --- passes and the table -----------------------------------------------------------------


@dataclass
class Pass:
    """Both phases at one concurrency, with the CPU each process spent per deal (create + move)."""

    clients: int
    product: list[Series]
    bare: list[Series]
    cpu: dict[str, dict[str, float]]  # phase → process → ms per deal


async def run_pass(stack: Stack, company: Company, rng: random.Random, clients: int, count: int) -> Pass:
    before = stack.cpu_seconds()
    products = await product(stack, company, count, clients, rng)
    middle = stack.cpu_seconds()
    bares = await bare(stack.client, count, clients)
    after = stack.cpu_seconds()

    def per_deal(start: dict[str, float], end: dict[str, float], names: list[str]) -> dict[str, float]:
        return {name: (end[name] - start[name]) * 1000 / count for name in names}

    cpu = {
        "product": per_deal(before, middle, ["app", "worker", "temporal"]),
        "bare": per_deal(middle, after, ["bare-worker", "temporal"]),
    }
    return Pass(clients, products, bares, cpu)


def table(passes: list[Pass], deals: int, backend: str, load: tuple[float, float]) -> str:
    out = [
        f"{deals} deals × {LINES} lines, {backend}, {os.cpu_count()} CPUs, every process on this machine",
        # Anything else running on these CPUs shows here, and in the latencies.
        f"load average before / after: {load[0]:.1f} / {load[1]:.1f}",
        "",
        f"{'clients':>7}  {'':8}{'operation':40}{'count':>6}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}",
    ]
    slowdowns = []
    for run in passes:
        for label, rows in (("product", run.product), ("bare", run.bare)):
            for s in rows:
                out.append(
                    f"{run.clients:>7}  {label:8}{s.operation:40}{len(s.latencies):>6}"
                    f"{s.throughput:>8.1f}{s.p50:>9.1f}{s.p95:>9.1f}"
                )
        for p, b, what in zip(run.product, run.bare, ("create", "move"), strict=True):
            ratios = (b.throughput / p.throughput, p.p50 / b.p50, p.p95 / b.p95)
            slowdowns += ratios
            out.append(
                f"{run.clients:>7}  {'ratio':8}{what + ': product ÷ bare (× slower)':46}"
                f"{ratios[0]:>8.2f}{ratios[1]:>9.2f}{ratios[2]:>9.2f}"
            )
    for run in passes:
        cpu = " | ".join(
            f"{phase}: " + ", ".join(f"{name} {ms:.0f}" for name, ms in used.items()) for phase, used in run.cpu.items()
        )
        out.append(f"CPU ms per deal (create + move), {run.clients} client(s) — {cpu}")
    save_p95, overhead = passes[0].product[0].p95, max(slowdowns)
    out += [
        "",
        "Latency: request sent → whole answer received, timed by the benchmark's client over loopback;",
        "for the product that is the server-side time of the API, its Temporal calls, the worker and the",
        "database; for the bare workflow the Temporal client's call. 'per s' = count ÷ phase wall time.",
        "CPU: user + system time of each process (PostgreSQL's own is not counted).",
        "",
        f"target: saving a {LINES}-line deal p95 ≤ {SAVE_P95_TARGET_MS} ms ({passes[0].clients} client(s)): "
        f"{save_p95:.0f} ms — {'met' if save_p95 <= SAVE_P95_TARGET_MS else 'MISSED'}",
        f"target: product overhead ≤ {OVERHEAD_TARGET}× bare (worst ratio above): {overhead:.2f}× "
        f"— {'met' if overhead <= OVERHEAD_TARGET else 'MISSED'}",
    ]
    return "\n".join(out)


async def main(args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    load_before = os.getloadavg()[0]
    async with Stack(args.database_url) as stack:
        db = Database(stack.db.url)
        try:
            company = await seed(db, managers=args.concurrency)
        finally:
            await db.dispose()
        # Warm up both paths (imports, connection pools, caches); not counted.
        await product(stack, company, args.warmup, args.concurrency, rng)
        await bare(stack.client, args.warmup, args.concurrency)
        # One client shows what a person waits for; C clients what the machine sustains.
        passes = []
        if args.concurrency > 1:
            passes.append(await run_pass(stack, company, rng, 1, min(args.deals, SINGLE_CLIENT_DEALS)))
        passes.append(await run_pass(stack, company, rng, args.concurrency, args.deals))
        backend = stack.db.backend
    print(table(passes, args.deals, backend, (load_before, os.getloadavg()[0])))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.deals", description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=300, help="deals (and bare workflows) to measure")
    parser.add_argument("--concurrency", type=int, default=10, help="concurrent clients")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        help="PostgreSQL database to make a fresh schema in (dropped afterwards), or 'sqlite' for a fresh SQLite file",
    )
    parser.add_argument("--warmup", type=int, default=20, help="uncounted operations before measuring")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the specifications")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(parse_args()))
