"""Demo data for a newcomer: a steel trading house and its plant, a three-level department
hierarchy, sixteen people (password `demo`) including the holders of the approver roles the shipped
routing rules ask for, ~200 clients, ~500 steel products, ~30 warehouses and ~50 deals in every
state, three of them through approval.

`load_demo` is what `run.py up` calls on an empty database and `run.py demo` on an existing one.
Deterministic (seeded random). The reference rows go in one transaction; the deals go through
`DealService` exactly as a manager's clicks do, so each has a live DealWorkflow — a worker must be
polling the task queue meanwhile."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.admin import demo_catalog, demo_documents, demo_parties
from api.admin.demo_deals import DealMaker
from api.auth.security import CurrentUser, passwords
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.db import Database
from models.deals import SalesChannel
from models.org import Absence, BusinessUnit, Department, Employee
from models.parties import Contact, Counterparty, Industry
from settings import Settings

SEED = 2026
PASSWORD = "demo"
DOMAIN = "demo.example"
COUNTERPARTIES = 200
LOGINS = {"manager": f"petrova@{DOMAIN}", "admin": f"admin@{DOMAIN}"}  # the two the launcher prints

# key: code, short name, full name
UNITS = {
    "td": ("TD-SP", "ТД «Стальной путь»", "ООО «Торговый дом «Стальной путь»"),
    # PLANT: the code rules/approval_routing.yaml names for sales on the plant's behalf.
    "plant": ("PLANT", "Завод «Приокский прокат»", "АО «Приокский прокатный завод»"),
}
MARKER_UNIT = UNITS["td"][0]  # present: the demo is loaded
# key: name, parent, business unit, head
DEPARTMENTS = {
    "direction": ("Коммерческая дирекция", None, "td", "orlov"),
    "sales": ("Отдел продаж", "direction", "td", "kuznetsova"),
    "retail": ("Группа розничных продаж", "sales", "td", "smirnov"),
    "builders": ("Группа продаж застройщикам", "sales", "td", "sokolova"),
    "tender": ("Тендерный отдел", "direction", "td", "novikov"),
    "plant_sales": ("Отдел сбыта завода", None, "plant", "grigoriev"),
}
# login: full name, position, department, roles
PEOPLE = {
    # The approver roles (sales_director, finance_controller, marketing) are the routing rules' own.
    "orlov": ("Орлов Андрей Викторович", "Коммерческий директор", "direction", ["head", "approver", "sales_director"]),
    "kuznetsova": ("Кузнецова Елена Сергеевна", "Начальник отдела продаж", "sales", ["head", "approver", "manager"]),
    "smirnov": ("Смирнов Павел Игоревич", "Руководитель группы розничных продаж", "retail", ["head", "manager"]),
    "petrova": ("Петрова Мария Александровна", "Менеджер по продажам", "retail", ["manager"]),
    "volkov": ("Волков Дмитрий Олегович", "Менеджер по продажам", "retail", ["manager"]),
    "sokolova": ("Соколова Анна Викторовна", "Руководитель группы продаж застройщикам", "builders", ["head", "manager"]),
    "morozov": ("Морозов Илья Андреевич", "Менеджер по работе с застройщиками", "builders", ["manager"]),
    "lebedeva": ("Лебедева Ольга Николаевна", "Менеджер по работе с застройщиками", "builders", ["manager"]),
    "novikov": ("Новиков Сергей Петрович", "Начальник тендерного отдела", "tender", ["head", "approver", "manager"]),
    "fedorova": ("Фёдорова Татьяна Юрьевна", "Тендерный специалист", "tender", ["manager"]),
    "grigoriev": ("Григорьев Олег Валентинович", "Начальник отдела сбыта", "plant_sales", ["head", "approver", "manager"]),
    "kiseleva": ("Киселёва Ирина Анатольевна", "Менеджер отдела сбыта", "plant_sales", ["manager"]),
    "belov": ("Белов Виктор Степанович", "Финансовый контролёр", "direction", ["approver", "finance_controller"]),
    "sorokina": ("Сорокина Алина Дмитриевна", "Маркетолог", "direction", ["approver", "marketing"]),
    "egorova": ("Егорова Наталья Владимировна", "Специалист по сопровождению процессов", "direction", ["operations"]),
    "admin": ("Зайцев Максим Евгеньевич", "Администратор CRM", "direction", ["admin"]),
}
# who, kind, first and last day (days from today), substitute, comment
ABSENCES = [
    ("volkov", "leave", -2, 10, "petrova", "Ежегодный отпуск"),
    ("lebedeva", "trip", 5, 8, "morozov", "Командировка на объект заказчика в Казань"),
    ("smirnov", "sick", -20, -14, "kuznetsova", ""),
    ("novikov", "trip", 0, 3, "fedorova", "Выставка «Металл-Экспо»"),
]


@dataclass
class World:
    """What the demo deals are made of: ids by key, and the people as the API sees them."""

    units: dict[str, int] = field(default_factory=dict)
    people: dict[str, CurrentUser] = field(default_factory=dict)
    # id, market role, contact ids, a company (not a sole trader)
    clients: list[tuple[int, str, list[int], bool]] = field(default_factory=list)
    categories: dict[str, int] = field(default_factory=dict)
    # by category key: id, catalogue item, unit name
    products: dict[str, list[tuple[int, demo_catalog.Item, str]]] = field(default_factory=dict)
    warehouses: list[int] = field(default_factory=list)
    plant_warehouse: int = 0
    channels: list[int] = field(default_factory=list)


async def database_is_empty(session: AsyncSession) -> bool:
    """No organisation and nobody to log in: a fresh installation."""
    units = (await session.exec(select(func.count()).select_from(BusinessUnit))).scalar_one()
    people = (await session.exec(select(func.count()).select_from(Employee))).scalar_one()
    return units == 0 and people == 0


async def is_loaded(session: AsyncSession) -> bool:
    return (await session.exec(select(BusinessUnit.id).where(BusinessUnit.code == MARKER_UNIT))).first() is not None


async def load_demo(db: Database, temporal: Client, settings: Settings) -> int | None:
    """Load everything; the number of deals created, or None when the demo was already there."""
    rnd = random.Random(SEED)
    async with db.session() as session:
        if await is_loaded(session):
            return None
        world = await _reference(session, rnd)
        await session.commit()
    # The first create waits for a worker that may still be starting: be patient here.
    patient = settings.model_copy(update={"update_timeout": max(settings.update_timeout, timedelta(seconds=60))})
    maker = DealMaker(world, db, temporal, patient, rnd)
    created = await maker.create_all(settings.demo_deals)
    await demo_documents.load_documents(db, world, settings, rnd)
    return created


async def _reference(session: AsyncSession, rnd: random.Random) -> World:
    world = World()
    await _org(session, rnd, world)
    await _catalog(session, world)
    await _parties(session, rnd, world)
    world.channels = list((await session.exec(select(SalesChannel.id).order_by(SalesChannel.id))).scalars())
    return world


async def _org(session: AsyncSession, rnd: random.Random, world: World) -> None:
    for key, (code, name, full_name) in UNITS.items():
        inn = demo_parties.company_inn(rnd, "71")  # Tula region
        unit = BusinessUnit(code=code, name=name, full_name=full_name, inn=inn, kpp=inn[:4] + "01001")
        session.add(unit)
        await session.flush()
        world.units[key] = unit.id
    departments: dict[str, Department] = {}
    for key, (name, parent, unit_key, _head) in DEPARTMENTS.items():  # parents come first
        parent_id = departments[parent].id if parent else None
        departments[key] = Department(name=name, parent_id=parent_id, business_unit_id=world.units[unit_key])
        session.add(departments[key])
        await session.flush()
    hashed = passwords.hash(PASSWORD)  # one hash for everyone: argon2 is slow on purpose
    employees: dict[str, Employee] = {}
    for login, (full_name, position, dept, roles) in PEOPLE.items():
        employees[login] = Employee(
            full_name=full_name, email=f"{login}@{DOMAIN}", position=position, phone=demo_parties.phone(rnd),
            department_id=departments[dept].id, roles=roles, password_hash=hashed,
        )
    session.add_all(employees.values())
    await session.flush()
    for key, (*_, head) in DEPARTMENTS.items():
        departments[key].head_id = employees[head].id
    today = date.today()
    for who, kind, first, last, substitute, comment in ABSENCES:
        session.add(Absence(
            employee_id=employees[who].id, kind=kind, date_from=today + timedelta(days=first),
            date_to=today + timedelta(days=last), substitute_id=employees[substitute].id, comment=comment,
        ))
    world.people = {
        login: CurrentUser(
            employee_id=e.id, name=e.full_name, email=e.email, roles=frozenset(e.roles),
            department_id=e.department_id, language=e.language,
        )
        for login, e in employees.items()
    }


async def _catalog(session: AsyncSession, world: World) -> None:
    units = {u.name: u.id for u in (await session.exec(select(Unit))).scalars()}
    default_unit: dict[str, str] = {}
    for key, name, parent, unit in demo_catalog.CATEGORIES:  # parents come first
        category = ProductCategory(name=name, parent_id=world.categories.get(parent or ""), default_unit_id=units[unit])
        session.add(category)
        await session.flush()
        world.categories[key] = category.id
        default_unit[key] = unit
    items = demo_catalog.products()
    rows = [
        Product(code=i.code, name=i.name, category_id=world.categories[i.category],
                unit_id=units[i.unit or default_unit[i.category]], attributes=i.attributes)
        for i in items
    ]
    session.add_all(rows)
    await session.flush()
    for item, row in zip(items, rows, strict=True):
        world.products.setdefault(item.category, []).append((row.id, item, item.unit or default_unit[item.category]))
    for city, names in demo_catalog.WAREHOUSES:
        for name in names:
            plant = name == demo_catalog.PLANT_WAREHOUSE
            warehouse = Warehouse(name=name, city=city, business_unit_id=world.units["plant" if plant else "td"])
            session.add(warehouse)
            await session.flush()
            if plant:
                world.plant_warehouse = warehouse.id
            else:
                world.warehouses.append(warehouse.id)


async def _parties(session: AsyncSession, rnd: random.Random, world: World) -> None:
    industries = {i.name: i.id for i in (await session.exec(select(Industry).order_by(Industry.id))).scalars()}
    for party in demo_parties.parties(rnd, COUNTERPARTIES, sorted(industries)):
        counterparty = Counterparty(
            name=party.name, full_name=party.full_name, inn=party.inn, kpp=party.kpp,
            industry_id=industries[party.industry], industry_confirmed=rnd.random() < 0.85,
            market_role=party.market_role.value, address=party.address, phone=party.phone, email=party.email,
        )
        session.add(counterparty)
        await session.flush()
        contacts = [Contact(counterparty_id=counterparty.id, **c) for c in party.contacts]
        session.add_all(contacts)
        await session.flush()
        world.clients.append((counterparty.id, party.market_role.value, [c.id for c in contacts], party.kpp is not None))
