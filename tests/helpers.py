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


def valid_inn() -> str:
    """A random organisation INN with a correct checksum."""
    import random

    digits = [random.randint(0, 9) for _ in range(9)]
    weights = [2, 4, 10, 3, 5, 9, 4, 6, 8]
    return "".join(map(str, digits)) + str(sum(d * w for d, w in zip(digits, weights, strict=True)) % 11 % 10)


async def new_client(api, name: str = "ООО «Новый клиент»") -> int:  # noqa: ANN001
    """A client nobody has sold to yet (approval rules treat new clients differently)."""
    created = await api.post("/api/counterparties", json={"name": name, "inn": valid_inn()})
    assert created.status_code == 201, created.text
    return created.json()["id"]
