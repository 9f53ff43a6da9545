"""A small company for tests: two business units, three levels of departments, the people of
each role with API tokens, a few products and clients."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from api.admin.reference import load_reference_data
from api.auth.security import hash_token, passwords
from models.access import ApiToken
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.db import Database
from models.org import BusinessUnit, Department, Employee
from models.parties import Contact, Counterparty

PASSWORD = "secret-pass"

PEOPLE = {
    # who: (full name, department key, roles)
    "admin": ("Админов Алексей", "direction", ["admin"]),
    "director": ("Директоров Дмитрий", "direction", ["head", "approver"]),
    "head": ("Начальников Николай", "sales", ["head", "approver", "manager"]),
    "group_head": ("Группов Григорий", "retail", ["head", "approver", "manager"]),
    "manager": ("Петрова Мария", "retail", ["manager"]),
    "colleague": ("Сидоров Семён", "retail", ["manager"]),
    "other": ("Тендеров Тимур", "tender", ["manager"]),
    "support": ("Опорова Ольга", "retail", ["manager"]),
    "operations": ("Операторов Олег", "direction", ["operations"]),
    "finance": ("Финансова Фаина", "direction", ["finance_controller", "approver"]),
    "marketing": ("Маркетова Марина", "direction", ["marketing"]),
    "finance2": ("Контролёрова Клара", "direction", ["finance_controller", "approver"]),
    "erp": ("1С ERP", "direction", ["erp"]),
}


@dataclass
class Org:
    ids: dict[str, int] = field(default_factory=dict)  # people, departments, units, products…
    tokens: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.ids[key]


async def seed_org(db: Database) -> Org:
    org = Org()
    async with db.session() as session:
        await load_reference_data(session)
        units = {u.name: u.id for u in (await session.exec(select(Unit))).scalars()}
        bu = BusinessUnit(code="TD", name="ТД «Тула-Сталь»", inn="7107123456", kpp="710701001")
        plant = BusinessUnit(code="PLANT", name="Завод «Промсорт-Тула»")
        session.add_all([bu, plant])
        await session.flush()
        direction = Department(name="Коммерческая дирекция", business_unit_id=bu.id)
        session.add(direction)
        await session.flush()
        sales = Department(name="Отдел продаж", parent_id=direction.id, business_unit_id=bu.id)
        tender = Department(name="Тендерный отдел", parent_id=direction.id, business_unit_id=bu.id)
        session.add_all([sales, tender])
        await session.flush()
        retail = Department(name="Группа розничных продаж", parent_id=sales.id, business_unit_id=bu.id)
        session.add(retail)
        await session.flush()
        departments = {"direction": direction, "sales": sales, "tender": tender, "retail": retail}
        hashed = passwords.hash(PASSWORD)
        for who, (name, dept, roles) in PEOPLE.items():
            person = Employee(
                full_name=name, email=f"{who}@crm.test", department_id=departments[dept].id, roles=roles, password_hash=hashed
            )
            session.add(person)
            await session.flush()
            org.ids[who] = person.id
            secret = f"test-token-{who}"
            session.add(ApiToken(name=f"test {who}", token_hash=hash_token(secret), employee_id=person.id, roles=roles))
            org.tokens[who] = secret
        direction.head_id, sales.head_id = org["director"], org["head"]
        retail.head_id, tender.head_id = org["group_head"], org["director"]
        for key, dept in departments.items():
            org.ids[f"dept.{key}"] = dept.id
        org.ids["bu"], org.ids["bu.plant"] = bu.id, plant.id

        rebar = ProductCategory(name="Арматура", default_unit_id=units["т"])
        wire = ProductCategory(name="Катанка", default_unit_id=units["т"])
        session.add_all([rebar, wire])
        await session.flush()
        org.ids["cat.rebar"], org.ids["cat.wire"] = rebar.id, wire.id
        for size in (10, 12, 14, 16, 20):
            product = Product(
                code=f"A500C-{size}", name=f"Арматура А500С {size} мм", category_id=rebar.id, unit_id=units["т"],
                attributes={"grade": "А500С", "size_mm": size},
            )
            session.add(product)
            await session.flush()
            org.ids[f"rebar{size}"] = product.id
        wire_product = Product(code="WR-6.5", name="Катанка 6,5 мм Ст1кп", category_id=wire.id, unit_id=units["т"])
        session.add(wire_product)
        warehouse = Warehouse(name="Склад Тула", city="Тула", business_unit_id=bu.id)
        session.add(warehouse)
        client = Counterparty(name="ООО «СтройМонтаж»", inn="7707083893", kpp="773601001", industry_confirmed=True)
        builder = Counterparty(name="АО «ГлавСтрой»", inn="7736050003", kpp="773601001", market_role="builder")
        session.add_all([client, builder])
        await session.flush()
        contact = Contact(counterparty_id=client.id, full_name="Иванов Иван", email="ivanov@stroymontazh.test")
        session.add(contact)
        await session.flush()
        org.ids.update(
            wire=wire_product.id, warehouse=warehouse.id, client=client.id, builder=builder.id, contact=contact.id,
            unit_t=units["т"], unit_pcs=units["шт"],
        )
        await session.commit()
    return org
