"""JSON API for reference data: counterparties and contacts, products, the form's pick lists,
employee absences and machine tokens."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import func, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.admin.reference import participant_roles
from api.approvals.service import ApprovalService
from api.auth.security import CurrentUser, hash_token, new_token_secret, require_roles, require_user
from api.deps import get_session, get_settings, get_temporal
from api.directory.service import (
    ContactIn,
    CounterpartyIn,
    add_contact,
    create_counterparty,
    find_counterparties,
)
from api.errors import DomainError
from models.access import ApiToken
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.deals import CustomFieldDef, DealKind, DealStage, SalesChannel
from models.org import Absence, AbsenceKind, BusinessUnit, Department, Employee, Role
from models.parties import Contact, Counterparty, Industry
from models.types import search_key
from settings import Settings

router = APIRouter(prefix="/api", tags=["reference data"])
EDITORS = (Role.manager, Role.head, Role.admin, Role.erp)


@router.get("/counterparties")
async def counterparties_find(
    q: str = Query(min_length=1, max_length=200),
    session: AsyncSession = Depends(get_session),
    user: CurrentUser = Depends(require_user),
) -> list[dict]:
    """Autocomplete: by name or INN."""
    return [
        {"id": c.id, "name": c.name, "inn": c.inn, "kpp": c.kpp, "industry_confirmed": c.industry_confirmed}
        for c in await find_counterparties(session, q)
    ]


@router.post("/counterparties", status_code=status.HTTP_201_CREATED)
async def counterparties_create(
    data: CounterpartyIn,
    session: AsyncSession = Depends(get_session),
    user: CurrentUser = Depends(require_roles(*EDITORS)),
) -> dict:
    created = await create_counterparty(session, data)
    return {"id": created.id, "name": created.name, "inn": created.inn, "kpp": created.kpp}


@router.get("/counterparties/{counterparty_id}")
async def counterparty_get(
    counterparty_id: int, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_user)
) -> dict:
    counterparty = await session.get(Counterparty, counterparty_id)
    if counterparty is None:
        raise DomainError("UnknownReference", 404, field="counterparty_id", value=counterparty_id)
    contacts = (await session.exec(select(Contact).where(Contact.counterparty_id == counterparty_id))).scalars()
    return {
        **counterparty.model_dump(exclude={"search_key"}),
        "contacts": [c.model_dump() for c in contacts],
    }


@router.post("/counterparties/{counterparty_id}/contacts", status_code=status.HTTP_201_CREATED)
async def counterparty_add_contact(
    counterparty_id: int,
    data: ContactIn,
    session: AsyncSession = Depends(get_session),
    user: CurrentUser = Depends(require_roles(*EDITORS)),
) -> dict:
    contact = await add_contact(session, counterparty_id, data)
    return contact.model_dump()


@router.get("/products")
async def products_find(
    q: str = Query(min_length=1, max_length=200),
    session: AsyncSession = Depends(get_session),
    user: CurrentUser = Depends(require_user),
) -> list[dict]:
    """Autocomplete for a specification line: products by code or name, and matching categories."""
    key = search_key(q)
    products = (
        await session.exec(
            select(Product, ProductCategory.name, Unit.name)
            .join(ProductCategory, ProductCategory.id == Product.category_id)
            .join(Unit, Unit.id == Product.unit_id)
            .where(Product.is_active, Product.search_key.like(f"%{key}%"))
            .order_by(Product.name)
            .limit(20)
        )
    ).all()
    categories = (
        await session.exec(
            select(ProductCategory, Unit.name)
            .outerjoin(Unit, Unit.id == ProductCategory.default_unit_id)
            .where(func.lower(ProductCategory.name).like(f"%{q.strip().lower()}%"))
            .limit(5)
        )
    ).all()
    return [
        {"category_id": c.id, "name": c.name, "unit_id": c.default_unit_id, "unit_name": u or "", "is_category": True}
        for c, u in categories
    ] + [
        {
            "product_id": p.id,
            "code": p.code,
            "name": p.name,
            "category_id": p.category_id,
            "category_name": cat,
            "unit_id": p.unit_id,
            "unit_name": unit,
            "is_category": False,
        }
        for p, cat, unit in products
    ]


@router.get("/employees")
async def employees_find(
    q: str = Query(default="", max_length=200),
    session: AsyncSession = Depends(get_session),
    user: CurrentUser = Depends(require_user),
) -> list[dict]:
    query = select(Employee).where(Employee.is_active).order_by(Employee.full_name).limit(50)
    if q.strip():
        query = query.where(or_(func.lower(Employee.full_name).like(f"%{q.lower()}%"), Employee.email.like(f"%{q.lower()}%")))  # type: ignore[attr-defined]
    return [
        {"id": e.id, "full_name": e.full_name, "email": e.email, "department_id": e.department_id, "roles": e.roles}
        for e in (await session.exec(query)).scalars()
    ]


@router.get("/reference")
async def reference(session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_user)) -> dict:
    """Everything the deal form's pick lists need, in one request."""
    kinds = (await session.exec(select(DealKind).where(DealKind.is_active).order_by(DealKind.position))).scalars().all()
    stages = (await session.exec(select(DealStage).order_by(DealStage.position))).scalars().all()
    fields = (await session.exec(select(CustomFieldDef).order_by(CustomFieldDef.position))).scalars().all()

    def rows(table) -> list[dict]:  # noqa: ANN001
        return [r.model_dump(exclude={"password_hash", "search_key"}) for r in table]

    return {
        "kinds": [
            {
                **k.model_dump(),
                "stages": [s.model_dump() for s in stages if s.kind_id == k.id],
                "custom_fields": [f.model_dump() for f in fields if f.kind_id == k.id],
            }
            for k in kinds
        ],
        "business_units": rows((await session.exec(select(BusinessUnit))).scalars()),
        "departments": rows((await session.exec(select(Department))).scalars()),
        "units": rows((await session.exec(select(Unit))).scalars()),
        "channels": rows((await session.exec(select(SalesChannel))).scalars()),
        "warehouses": rows((await session.exec(select(Warehouse))).scalars()),
        "industries": rows((await session.exec(select(Industry))).scalars()),
        "participant_roles": participant_roles(),
    }


class AbsenceIn(BaseModel):
    employee_id: int
    kind: AbsenceKind
    date_from: date
    date_to: date
    substitute_id: int | None = None
    comment: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _sane(self) -> AbsenceIn:
        if self.date_to < self.date_from:
            raise ValueError("date_to is before date_from")
        if self.substitute_id == self.employee_id:
            raise ValueError("an employee cannot substitute for themselves")
        return self


@router.post("/absences", status_code=status.HTTP_201_CREATED)
async def absence_create(
    data: AbsenceIn,
    session: AsyncSession = Depends(get_session),
    temporal: Client = Depends(get_temporal),
    settings: Settings = Depends(get_settings),
    user: CurrentUser = Depends(require_user),
) -> dict:
    """Record an absence; approval steps waiting on that person today move to whoever acts now."""
    if data.employee_id != user.employee_id and not user.has(Role.head, Role.admin):
        raise DomainError("Forbidden", 403, roles="head, admin")
    for field, ident in (("employee_id", data.employee_id), ("substitute_id", data.substitute_id)):
        if ident is not None and await session.get(Employee, ident) is None:
            raise DomainError("UnknownReference", 422, field=field, value=ident)
    absence = Absence(**data.model_dump())
    session.add(absence)
    await session.commit()
    moved = await ApprovalService(session, temporal, settings).reroute_for_absence(
        data.employee_id, data.date_from, data.date_to
    )
    return {**absence.model_dump(), "approval_rounds_moved": moved}


@router.get("/absences")
async def absences_list(
    on: date | None = None, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_user)
) -> list[dict]:
    query = select(Absence).order_by(Absence.date_from)
    if on is not None:
        query = query.where(Absence.date_from <= on, Absence.date_to >= on)
    return [a.model_dump() for a in (await session.exec(query)).scalars()]


class TokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    employee_id: int
    roles: list[Role] = Field(min_length=1)


@router.post("/tokens", status_code=status.HTTP_201_CREATED)
async def token_create(
    data: TokenIn, session: AsyncSession = Depends(get_session), user: CurrentUser = Depends(require_roles(Role.admin))
) -> dict:
    """A token for a machine client; the secret is shown only in this answer."""
    if await session.get(Employee, data.employee_id) is None:
        raise DomainError("UnknownReference", 422, field="employee_id", value=data.employee_id)
    secret = new_token_secret()
    token = ApiToken(name=data.name, token_hash=hash_token(secret), employee_id=data.employee_id, roles=[r.value for r in data.roles])
    session.add(token)
    await session.commit()
    return {"id": token.id, "name": token.name, "token": secret}
