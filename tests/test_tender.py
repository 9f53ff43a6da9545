"""A tender with a large builder and the shipments to end customers under it (child deals):
a child may not take more of an item than the tender has left, unless a head overrides it."""

from __future__ import annotations

from decimal import Decimal

from tests.helpers import deal_payload, eventually


def _tender(org) -> dict:  # noqa: ANN001
    return deal_payload(
        org,
        kind="tender",
        client_id=org["builder"],
        contact_id=None,
        lines=0,
        custom_fields={"tender_number": "32312345678", "platform": "Росэлторг"},
    ) | {
        "lines": [
            {"product_id": org["rebar12"], "quantity": "100", "price": "44000"},
            # Early in a tender the specification may name only a category.
            {"category_id": org["cat.wire"], "quantity": "50", "price": "41000"},
        ]
    }


def _child(org, tender: int, rebar: str, wire: str, **extra) -> dict:  # noqa: ANN001
    return deal_payload(org, kind="retail_order", lines=0, parent_number=tender, **extra) | {
        "lines": [
            {"product_id": org["rebar12"], "quantity": rebar, "price": "45000"},
            {"product_id": org["wire"], "quantity": wire, "price": "42000"},
        ]
    }


async def test_children_draw_on_the_tender(stack) -> None:  # noqa: ANN001
    org = stack.org
    async with stack.http("other") as tenders, stack.http("manager") as api, stack.http("head") as head:
        created = await tenders.post("/api/deals", json=_tender(org))
        assert created.status_code == 201, created.text
        tender = created.json()["number"]

        too_early = await api.post("/api/deals", json=_child(org, tender, "10", "5"))
        assert too_early.status_code == 409 and too_early.json()["error"] == "StageAllowsNoChildren"

        for stage in ("submitted", "bidding", "contract"):
            moved = await tenders.post(f"/api/deals/{tender}/stage", json={"to_stage": stage})
            assert moved.status_code == 200, moved.text

        first = await api.post("/api/deals", json=_child(org, tender, "60", "20"))
        assert first.status_code == 201, first.text
        child = first.json()["number"]
        assert (await api.get(f"/api/deals/{child}")).json()["parent_number"] == tender

        # 40 t of rebar are left: 45 is refused and nothing is created.
        refused = await api.post("/api/deals", json=_child(org, tender, "45", "10"))
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "ExceedsTender"
        assert refused.json()["details"]["excess"] == {f"p{org['rebar12']}": "5"}

        # A manager's reason is not enough; a head's is.
        not_head = await api.post("/api/deals", json=_child(org, tender, "45", "10", override_reason="Срочно"))
        assert not_head.status_code == 403 and not_head.json()["error"] == "OverrideNeedsHead"
        overridden = await head.post("/api/deals", json=_child(org, tender, "45", "10", override_reason="Доп. соглашение №2"))
        assert overridden.status_code == 201, overridden.text

        balance = {b["key"]: b for b in (await tenders.get(f"/api/deals/{tender}/tender-balance")).json()}
        rebar, wire = balance[f"p{org['rebar12']}"], balance[f"c{org['cat.wire']}"]
        assert (Decimal(rebar["ordered"]), Decimal(rebar["taken"])) == (Decimal(100), Decimal(105))
        assert (Decimal(wire["ordered"]), Decimal(wire["taken"])) == (Decimal(50), Decimal(30))

        # The tender cannot shrink below what its children took.
        card = (await tenders.get(f"/api/deals/{tender}")).json()
        shrink = _tender(org) | {"expected_version": card["version"]}
        shrink["lines"][1]["quantity"] = "20"
        below = await tenders.put(f"/api/deals/{tender}", json=shrink)
        assert below.status_code == 422 and below.json()["error"] == "BelowTaken"

        # A lost child gives its quantities back to the tender.
        lost = await api.post(f"/api/deals/{child}/close", json={"won": False, "reason": "Отказ конечного клиента"})
        assert lost.status_code == 200

        async def released() -> bool:
            rows = {b["key"]: b for b in (await tenders.get(f"/api/deals/{tender}/tender-balance")).json()}
            return Decimal(rows[f"p{org['rebar12']}"]["taken"]) == Decimal(45)

        await eventually(released)

        # A child's edit that takes more is refused and leaves the tender's balance as it was.
        second = overridden.json()["number"]
        version = (await head.get(f"/api/deals/{second}")).json()["version"]
        grow = _child(org, tender, "110", "10") | {"expected_version": version}
        del grow["parent_number"]
        grown = await head.put(f"/api/deals/{second}", json=grow)
        assert grown.status_code == 422 and grown.json()["error"] == "ExceedsTender"
        assert await released()
        history = (await tenders.get(f"/api/deals/{tender}")).json()["history"]
        assert {"child", "child_released"} <= {h["action"] for h in history}


async def test_only_a_tender_has_children(pg) -> None:  # noqa: ANN001
    async with pg.http("manager") as api:
        plain = await api.post("/api/deals", json=deal_payload(pg.org))
        number = plain.json()["number"]
        child = await api.post("/api/deals", json=_child(pg.org, number, "1", "1"))
    assert child.status_code == 422 and child.json()["error"] == "NotATender"
