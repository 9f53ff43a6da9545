"""Recorded histories must still replay on today's workflow code.

`tests/histories/*.json` were recorded from real runs of the scenarios below; a change to workflow
code that would break live workflows (without `workflow.patched`) fails here. After a deliberate,
patched change, re-record with `RECORD_HISTORIES=1 pytest tests/test_replay.py` and keep the old
files next to the new ones."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from tests.helpers import deal_payload, eventually
from worker import WORKFLOWS

HISTORIES = Path(__file__).resolve().parent / "histories"


def _replayer() -> Replayer:
    return Replayer(workflows=WORKFLOWS, data_converter=pydantic_data_converter)


async def test_recorded_histories_replay() -> None:
    files = sorted(HISTORIES.glob("*.json"))
    assert files, "no recorded histories"
    for path in files:
        history = WorkflowHistory.from_json(path.stem, path.read_text(encoding="utf-8"))
        await _replayer().replay_workflow(history)


async def _lifecycle(api, org) -> int:  # noqa: ANN001
    number = (await api.post("/api/deals", json=deal_payload(org, lines=3))).json()["number"]
    body = deal_payload(org, lines=4, title="Уточнили объём") | {"expected_version": 1}
    assert (await api.put(f"/api/deals/{number}", json=body)).status_code == 200
    assert (await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})).status_code == 200
    until = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    assert (await api.post(f"/api/deals/{number}/pause", json={"until": until, "comment": "ждём"})).status_code == 200

    async def woke() -> bool:
        return (await api.get(f"/api/deals/{number}")).json()["status"] == "open"

    await eventually(woke, timeout=20)
    until = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    await api.post(f"/api/deals/{number}/pause", json={"until": until, "comment": "ещё ждём"})
    await api.post(f"/api/deals/{number}/resume")
    await api.post(f"/api/deals/{number}/stage", json={"to_stage": "invoice"})
    assert (await api.post(f"/api/deals/{number}/close", json={"won": True, "reason": "оплачено"})).status_code == 200
    return number


async def _tender(api, org) -> tuple[int, int]:  # noqa: ANN001
    body = deal_payload(org, kind="tender", client_id=org["builder"], contact_id=None, lines=2)
    tender = (await api.post("/api/deals", json=body)).json()["number"]
    for stage in ("submitted", "bidding", "contract"):
        await api.post(f"/api/deals/{tender}/stage", json={"to_stage": stage})
    child_body = deal_payload(org, lines=1, parent_number=tender)
    child = (await api.post("/api/deals", json=child_body)).json()["number"]
    assert (await api.post(f"/api/deals/{child}/close", json={"won": False, "reason": "отказ"})).status_code == 200

    async def released() -> bool:
        return all(float(b["taken"]) == 0 for b in (await api.get(f"/api/deals/{tender}/tender-balance")).json())

    await eventually(released)
    return tender, child


async def test_this_runs_histories_replay(pg) -> None:  # noqa: ANN001
    async with pg.http("head") as api:
        lifecycle = await _lifecycle(api, pg.org)
        tender, child = await _tender(api, pg.org)
    scenarios = {"deal-lifecycle": lifecycle, "tender": tender, "tender-child": child}
    for name, number in scenarios.items():
        history = await pg.client.get_workflow_handle(f"deal-{number}").fetch_history()
        await _replayer().replay_workflow(history)
        if os.environ.get("RECORD_HISTORIES"):
            HISTORIES.mkdir(exist_ok=True)
            (HISTORIES / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
