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


async def eventually(check, timeout: float = 10, interval: float = 0.2) -> None:  # noqa: ANN001
    """Wait until an async check is true (timers fire and visibility indexes in the background)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {check.__name__}")
        await asyncio.sleep(interval)
