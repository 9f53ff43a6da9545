"""The deal workflow's life: pause and wake, resume early, win and lose, copy, what it waits for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.deals import DealChange
from models.notifications import Notification
from tests.helpers import deal_payload, eventually
from workflows.deal import DealWorkflow


async def _new_deal(api, org, **extra) -> int:  # noqa: ANN001
    created = await api.post("/api/deals", json=deal_payload(org, **extra))
    assert created.status_code == 201, created.text
    return created.json()["number"]


async def test_pause_wakes_by_itself_and_tells_the_manager(stack) -> None:  # noqa: ANN001
    async with stack.http("manager") as api:
        number = await _new_deal(api, stack.org)
        until = datetime.now(UTC) + timedelta(seconds=3)
        paused = await api.post(f"/api/deals/{number}/pause", json={"until": until.isoformat(), "comment": "Клиент в отпуске"})
        assert paused.status_code == 200, paused.text
        assert paused.json()["status"] == "paused"
        assert paused.json()["waiting_for"]["what"] == "pause_timer"

        # While paused the deal does not move.
        refused = await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
        assert refused.status_code == 409 and refused.json()["error"] == "DealPaused"

        async def woke() -> bool:
            return (await api.get(f"/api/deals/{number}")).json()["status"] == "open"

        await eventually(woke, timeout=20)
    async with stack.db.session() as session:
        actions = (await session.exec(select(DealChange.action).where(DealChange.deal_id == number))).scalars().all()
        assert "woke" in actions
        notices = (await session.exec(select(Notification).where(Notification.deal_id == number))).scalars().all()
        assert [(n.kind, n.employee_id, n.params["comment"]) for n in notices] == [
            ("pause_ended", stack.org["manager"], "Клиент в отпуске")
        ]


async def test_resume_early_cancels_the_wake_up(stack) -> None:  # noqa: ANN001
    async with stack.http("manager") as api:
        number = await _new_deal(api, stack.org)
        until = datetime.now(UTC) + timedelta(seconds=4)
        await api.post(f"/api/deals/{number}/pause", json={"until": until.isoformat(), "comment": "Ждём бюджет"})
        resumed = await api.post(f"/api/deals/{number}/resume")
        assert resumed.status_code == 200 and resumed.json()["status"] == "open"
        again = await api.post(f"/api/deals/{number}/resume")
        assert again.status_code == 409 and again.json()["error"] == "NotPaused"
        await asyncio.sleep(5)
    async with stack.db.session() as session:
        actions = (await session.exec(select(DealChange.action).where(DealChange.deal_id == number))).scalars().all()
        assert "woke" not in actions and "resumed" in actions
        notices = (await session.exec(select(Notification).where(Notification.deal_id == number))).scalars().all()
        assert notices == []


async def test_pause_until_a_date_wakes_that_morning_local_time(pg) -> None:  # noqa: ANN001
    async with pg.http("manager") as api:
        number = await _new_deal(api, pg.org)
        day = (datetime.now(UTC) + timedelta(days=10)).date()
        paused = await api.post(f"/api/deals/{number}/pause", json={"until": day.isoformat(), "comment": "После тендера"})
        assert paused.status_code == 200, paused.text
        until = datetime.fromisoformat(paused.json()["waiting_for"]["until"])
        # 09:00 in Moscow is 06:00 UTC.
        assert until == datetime(day.year, day.month, day.day, 6, 0, tzinfo=UTC)
        past = await api.post(f"/api/deals/{number}/pause", json={"until": "2020-01-01", "comment": "x"})
        assert past.status_code == 422 and past.json()["error"] == "PauseInPast"


async def test_won_only_where_the_kind_allows_and_lost_ends_the_process(stack) -> None:  # noqa: ANN001
    async with stack.http("manager") as api:
        number = await _new_deal(api, stack.org)
        early = await api.post(f"/api/deals/{number}/close", json={"won": True, "reason": "Оплатили"})
        assert early.status_code == 409 and early.json()["error"] == "CannotWinHere"
        assert "invoice" in early.json()["details"]["win_stages"]
        no_reason = await api.post(f"/api/deals/{number}/close", json={"won": False, "reason": ""})
        assert no_reason.status_code == 422

        await api.post(f"/api/deals/{number}/stage", json={"to_stage": "invoice"})
        won = await api.post(f"/api/deals/{number}/close", json={"won": True, "reason": "Счёт оплачен"})
        assert won.status_code == 200 and won.json()["status"] == "won"
        card = (await api.get(f"/api/deals/{number}")).json()
        assert card["status"] == "won" and card["close_reason"] == "Счёт оплачен"

        result = await stack.client.get_workflow_handle(f"deal-{number}").result()
        assert result == "won"
        after = await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
        assert after.status_code == 409 and after.json()["error"] == "DealClosed"

        other = await _new_deal(api, stack.org)
        lost = await api.post(f"/api/deals/{other}/close", json={"won": False, "reason": "Дорого"})
        assert lost.json()["status"] == "lost"


async def test_copy_makes_a_new_deal_with_the_same_terms(stack) -> None:  # noqa: ANN001
    async with stack.http("manager") as api:
        number = await _new_deal(api, stack.org, lines=4)
        await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
        copied = await api.post(f"/api/deals/{number}/copy")
        assert copied.status_code == 201, copied.text
        copy_number = copied.json()["number"]
        assert copy_number != number
        source, copy = (await api.get(f"/api/deals/{number}")).json(), (await api.get(f"/api/deals/{copy_number}")).json()
    assert copy["copied_from"] == number
    assert copy["stage_code"] == "request"  # a copy starts at the first stage
    for field in ("client_id", "contact_id", "payment_deferral_days", "prepayment_percent", "delivery_method", "amount"):
        assert copy[field] == source[field], field
    strip = lambda lines: [{k: v for k, v in line.items() if k != "position"} for line in lines]  # noqa: E731
    assert strip(copy["lines"]) == strip(source["lines"])
    view = await stack.client.get_workflow_handle(f"deal-{copy_number}").query(DealWorkflow.view)
    assert view.number == copy_number


async def test_query_says_what_the_deal_waits_for_and_since_when(pg) -> None:  # noqa: ANN001
    async with pg.http("manager") as api:
        number = await _new_deal(api, pg.org)
        before = datetime.now(UTC)
        await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
        process = (await api.get(f"/api/deals/{number}/process")).json()
    waiting = process["waiting_for"]
    assert waiting["what"] == "manager_action" and waiting["who"] == "Петрова Мария"
    assert datetime.fromisoformat(waiting["since"]) >= before - timedelta(seconds=1)
    assert process["allowed_moves"] == ["request", "invoice"]  # the neighbours of "specification"
