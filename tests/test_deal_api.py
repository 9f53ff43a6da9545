"""A deal through the JSON API, on PostgreSQL and SQLite: created by its workflow, moved, edited."""

from __future__ import annotations

from decimal import Decimal

from tests.helpers import deal_payload


async def test_create_move_and_history(stack) -> None:  # noqa: ANN001
    async with stack.http("manager") as api:
        created = await api.post("/api/deals", json=deal_payload(stack.org, lines=3))
        assert created.status_code == 201, created.text
        number = created.json()["number"]
        assert created.json()["view"]["stage_code"] == "request"

        card = (await api.get(f"/api/deals/{number}")).json()
        assert card["manager_name"] == "Петрова Мария"
        assert [line["position"] for line in card["lines"]] == [1, 2, 3]
        # 10 t × 45 000 − 2 % = 441 000; 11 t → 485 100; 12 t → 529 200
        assert Decimal(card["amount"]) == Decimal("1455300.00")
        assert card["history"][0]["action"] == "created"

        moved = await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
        assert moved.status_code == 200, moved.text
        assert moved.json()["stage_code"] == "specification"

        card = (await api.get(f"/api/deals/{number}")).json()
        assert card["stage_code"] == "specification"
        stage_change = next(c for c in card["history"] if c["field"] == "stage_code")
        assert (stage_change["old_value"], stage_change["new_value"]) == ("Запрос", "Спецификация")
        assert stage_change["actor_name"] == "Петрова Мария"
