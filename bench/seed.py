"""A company to measure with: one trading house, a sales department of managers with API tokens,
~500 products in steel categories, a few dozen clients — and the 30-line deals they enter."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select
from stdnum.ru import inn

from api.admin.reference import load_reference_data
from api.auth.security import hash_token
from models.access import ApiToken
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.db import Database
from models.org import BusinessUnit, Department, Employee
from models.parties import Contact, Counterparty

CATEGORIES = ["Арматура", "Катанка", "Труба профильная", "Лист горячекатаный", "Уголок", "Швеллер", "Балка двутавровая", "Круг"]
CLIENTS = 40


@dataclass
class Company:
    business_unit: int = 0
    warehouse: int = 0
    tokens: list[str] = field(default_factory=list)  # one per manager
    clients: list[tuple[int, int]] = field(default_factory=list)  # (client, its contact)
    products: list[int] = field(default_factory=list)


async def seed(db: Database, managers: int, products: int = 500) -> Company:
    company = Company()
    async with db.session() as session:
        await load_reference_data(session)
        tonne = (await session.exec(select(Unit.id).where(Unit.code == "168"))).scalar_one()
        unit = BusinessUnit(code="TD", name="ТД «Тула-Сталь»", inn="7107123456", kpp="710701001")
        session.add(unit)
        await session.flush()
        sales = Department(name="Отдел продаж", business_unit_id=unit.id)
        warehouse = Warehouse(name="Склад Тула", city="Тула", business_unit_id=unit.id)
        session.add_all([sales, warehouse])
        await session.flush()
        company.business_unit, company.warehouse = unit.id, warehouse.id
        for i in range(1, managers + 1):
            manager = Employee(full_name=f"Менеджер {i}", email=f"manager{i}@bench.test", department_id=sales.id, roles=["manager"])
            session.add(manager)
            await session.flush()
            secret = "bench_" + secrets.token_urlsafe(16)
            session.add(ApiToken(name=f"bench {i}", token_hash=hash_token(secret), employee_id=manager.id, roles=["manager"]))
            company.tokens.append(secret)
        for i in range(1, CLIENTS + 1):
            digits = f"77{i:07d}"
            client = Counterparty(name=f"ООО «Клиент {i}»", inn=digits + inn.calc_company_check_digit(digits), kpp="773601001")
            session.add(client)
            await session.flush()
            contact = Contact(counterparty_id=client.id, full_name=f"Контакт {i}")
            session.add(contact)
            await session.flush()
            company.clients.append((client.id, contact.id))
        categories = [ProductCategory(name=name, default_unit_id=tonne) for name in CATEGORIES]
        session.add_all(categories)
        await session.flush()
        items = [
            Product(code=f"BP-{i:04d}", name=f"{categories[i % len(categories)].name} {10 + i // len(categories)} мм",
                    category_id=categories[i % len(categories)].id, unit_id=tonne)
            for i in range(products)
        ]
        session.add_all(items)
        await session.flush()
        company.products = [p.id for p in items]
        await session.commit()
    return company


def deal_payload(company: Company, rng: random.Random, lines: int = 30) -> dict:
    """A retail order as 1C or a script would send it: client, terms and a `lines`-line specification."""
    client, contact = rng.choice(company.clients)
    return {
        "kind": "retail_order",
        "title": "Металлопрокат на объект",
        "business_unit_id": company.business_unit,
        "client_id": client,
        "contact_id": contact,
        "delivery_method": "truck",
        "warehouse_id": company.warehouse,
        "payment_deferral_days": 30,
        "prepayment_percent": "50",
        "lines": [
            {
                "product_id": product,
                "quantity": str(rng.randint(1, 60)),
                "price": str(rng.randrange(40_000, 90_000, 100)),
                "discount_percent": str(rng.choice([0, 1, 2, 3.5])),
            }
            for product in rng.sample(company.products, lines)
        ],
    }
