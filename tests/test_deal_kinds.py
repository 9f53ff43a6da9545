"""Deal kinds are data: an administrator changes a stage set and live deals follow it."""

from __future__ import annotations

from tests.helpers import deal_payload

VISIT = {
    "name": "Выездной сервис",
    "name_en": "Field service",
    "stages": [
        {"code": "request", "name": "Заявка"},
        {"code": "visit", "name": "Выезд"},
        {"code": "act", "name": "Акт", "can_win": True},
    ],
    "custom_fields": [{"code": "site", "label": "Объект", "type": "text", "required": True}],
}


async def test_admin_changes_a_kind_and_live_deals_follow(stack) -> None:  # noqa: ANN001
    async with stack.http("admin") as admin, stack.http("manager") as manager:
        assert (await manager.put("/api/admin/deal-kinds/field_service", json=VISIT)).status_code == 403
        created = await admin.put("/api/admin/deal-kinds/field_service", json=VISIT)
        assert created.status_code == 200, created.text

        missing = await manager.post("/api/deals", json=deal_payload(stack.org, kind="field_service"))
        assert missing.status_code == 422 and missing.json()["error"] == "CustomFieldRequired"
        body = deal_payload(stack.org, kind="field_service", custom_fields={"site": "Котельная №3"})
        number = (await manager.post("/api/deals", json=body)).json()["number"]
        assert (await manager.post(f"/api/deals/{number}/stage", json={"to_stage": "visit"})).status_code == 200

        # Add an "estimate" stage after the visit: the live deal may now move there.
        changed = VISIT | {"stages": VISIT["stages"][:2] + [{"code": "estimate", "name": "Смета"}] + VISIT["stages"][2:]}
        saved = await admin.put("/api/admin/deal-kinds/field_service", json=changed)
        assert saved.status_code == 200 and saved.json()["live_deals_updated"] == 1
        process = (await manager.get(f"/api/deals/{number}/process")).json()
        assert process["allowed_moves"] == ["request", "estimate"]
        assert (await manager.post(f"/api/deals/{number}/stage", json={"to_stage": "estimate"})).status_code == 200

        # A stage with open deals on it cannot be removed; a broken stage set is refused.
        without = VISIT | {"stages": [s for s in changed["stages"] if s["code"] != "estimate"]}
        in_use = await admin.put("/api/admin/deal-kinds/field_service", json=without)
        assert in_use.status_code == 409 and str(number) in in_use.json()["message"]
        broken = VISIT | {"stages": [{"code": "a", "name": "A", "next": ["zzz"], "can_win": True}]}
        assert (await admin.put("/api/admin/deal-kinds/field_service", json=broken)).status_code == 422
        assert (await manager.get(f"/api/deals/{number}")).json()["stage_code"] == "estimate"
