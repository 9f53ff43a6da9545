"""Small builders shared by tests."""

from __future__ import annotations

from typing import Any

from tests.org import Org


def deal_payload(org: Org, kind: str = "retail_order", lines: int = 2, **extra: Any) -> dict:
    sizes = [10, 12, 14, 16, 20]
    body = {
        "kind": kind,
        "title": "Арматура на объект",
        "business_unit_id": org["bu"],
        "client_id": org["client"],
        "contact_id": org["contact"],
        "potential_amount": "500000",
        "delivery_method": "truck",
        "warehouse_id": org["warehouse"],
        "payment_deferral_days": 30,
        "prepayment_percent": "50",
        "lines": [
            {"product_id": org[f"rebar{sizes[i % 5]}"], "quantity": str(10 + i), "price": "45000", "discount_percent": "2"}
            for i in range(lines)
        ],
    }
    body.update(extra)
    return body
