"""Reading deals from the read model: the filtered list and everything a card shows."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deals.schemas import DealFilters, DealPage, DealRow
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.deals import (
    Deal,
    DealChange,
    DealFile,
    DealKind,
    DealNote,
    DealStage,
    Participant,
    SalesChannel,
    SpecLine,
)
from models.org import BusinessUnit, Department, Employee
from models.parties import Contact, Counterparty
from models.types import search_key


def _conditions(visible, filters: DealFilters, timezone: str):  # noqa: ANN001, ANN202 - SQL clauses
    conditions = [visible]
    if filters.manager_id is not None:
        conditions.append(Deal.manager_id == filters.manager_id)
    if filters.kind:
        conditions.append(DealKind.code == filters.kind)
    if filters.stage:
        conditions.append(Deal.stage_code == filters.stage)
    if filters.status:
        conditions.append(Deal.status == filters.status.value)
    if filters.client_id is not None:
        conditions.append(Deal.client_id == filters.client_id)
    zone = ZoneInfo(timezone)
    if filters.date_from:
        conditions.append(Deal.created_at >= datetime.combine(filters.date_from, time(), zone).astimezone(UTC))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(), zone).astimezone(UTC)
        conditions.append(Deal.created_at < end)
    if filters.q.strip():
        text = filters.q.strip()
        term = f"%{search_key(text)}%"
        matches = [Counterparty.search_key.like(term), func.lower(Deal.title).like(f"%{text.lower()}%")]
        if text.isdigit() and int(text) < 2**31:  # an INN is digits too, and too big for a deal number
            matches.append(Deal.id == int(text))
        conditions.append(or_(*matches))
    return and_(*conditions)


async def list_deals(
    session: AsyncSession, visible, filters: DealFilters, timezone: str  # noqa: ANN001
) -> DealPage:
    where = _conditions(visible, filters, timezone)
    base = (
        select(Deal.id)
        .join(Counterparty, Counterparty.id == Deal.client_id)
        .join(DealKind, DealKind.id == Deal.kind_id)
        .where(where)
    )
    total = (await session.exec(select(func.count()).select_from(base.subquery()))).scalar_one()
    stage = aliased(DealStage)
    rows = (
        await session.exec(
            select(Deal, DealKind.code, DealKind.name, stage.name, Counterparty.name, Counterparty.inn, Employee.full_name)
            .join(Counterparty, Counterparty.id == Deal.client_id)
            .join(DealKind, DealKind.id == Deal.kind_id)
            .join(stage, and_(stage.kind_id == Deal.kind_id, stage.code == Deal.stage_code))
            .join(Employee, Employee.id == Deal.manager_id)
            .where(where)
            .order_by(Deal.id.desc())  # type: ignore[attr-defined]
            .offset((filters.page - 1) * filters.page_size)
            .limit(filters.page_size)
        )
    ).all()
    return DealPage(
        total=total,
        page=filters.page,
        page_size=filters.page_size,
        rows=[
            DealRow(
                number=deal.id,
                title=deal.title,
                kind=kind_code,
                kind_name=kind_name,
                stage_code=deal.stage_code,
                stage_name=stage_name,
                status=deal.status,
                client_id=deal.client_id,
                client_name=client_name,
                client_inn=client_inn,
                manager_id=deal.manager_id,
                manager_name=manager_name,
                amount=deal.amount,
                potential_amount=deal.potential_amount,
                created_at=deal.created_at,
                updated_at=deal.updated_at,
                paused_until=deal.paused_until,
                parent_number=deal.parent_id,
            )
            for deal, kind_code, kind_name, stage_name, client_name, client_inn, manager_name in rows
        ],
    )


class LineView(BaseModel):
    position: int
    product_id: int | None
    product_code: str
    category_id: int | None
    category_name: str
    description: str
    quantity: Decimal
    unit_id: int | None
    unit_name: str
    price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    amount: Decimal
    vat_amount: Decimal


class ParticipantView(BaseModel):
    employee_id: int | None
    contact_id: int | None
    name: str
    role: str


class NoteView(BaseModel):
    id: int
    author: str
    text: str
    created_at: datetime


class FileView(BaseModel):
    id: int
    file_name: str
    size: int
    content_type: str
    uploaded_by: str
    uploaded_at: datetime


class ChangeView(BaseModel):
    at: datetime
    actor_name: str
    action: str
    version: int | None
    field: str
    old_value: str
    new_value: str
    comment: str


class StageView(BaseModel):
    code: str
    name: str
    name_en: str
    can_win: bool
    allows_children: bool


class DealDetails(BaseModel):
    """The card as pages and the API show it: the row with names instead of ids."""

    number: int
    version: int
    kind: str
    kind_name: str
    is_tender: bool
    stages: list[StageView]
    stage_code: str
    status: str
    title: str
    business_unit_id: int
    business_unit_name: str
    client_id: int
    client_name: str
    client_inn: str | None
    contact_id: int | None
    contact_name: str
    manager_id: int
    manager_name: str
    department_id: int | None
    department_name: str
    potential_amount: Decimal
    amount: Decimal
    vat_amount: Decimal
    channel_id: int | None
    channel_name: str
    source: str
    primary_demand: str
    delivery_method: str
    warehouse_id: int | None
    warehouse_name: str
    payment_deferral_days: int
    prepayment_percent: Decimal
    expected_close_date: str | None
    custom_fields: dict
    paused_until: datetime | None
    pause_comment: str
    close_reason: str
    parent_number: int | None
    copied_from: int | None
    children: list[int]
    created_at: datetime
    updated_at: datetime
    updated_by: str
    lines: list[LineView]
    participants: list[ParticipantView]
    notes: list[NoteView]
    files: list[FileView]
    history: list[ChangeView]


async def _name(session: AsyncSession, column, ident: int | None) -> str:  # noqa: ANN001
    if ident is None:
        return ""
    table = column.class_
    return (await session.exec(select(column).where(table.id == ident))).scalar_one_or_none() or ""


async def deal_details(session: AsyncSession, deal: Deal) -> DealDetails:
    kind = await session.get(DealKind, deal.kind_id)
    assert kind is not None
    stages = (await session.exec(select(DealStage).where(DealStage.kind_id == kind.id).order_by(DealStage.position))).scalars().all()
    client = await session.get(Counterparty, deal.client_id)
    assert client is not None
    lines = (
        await session.exec(
            select(SpecLine, Product.code, ProductCategory.name, Unit.name)
            .outerjoin(Product, Product.id == SpecLine.product_id)
            .outerjoin(ProductCategory, ProductCategory.id == SpecLine.category_id)
            .outerjoin(Unit, Unit.id == SpecLine.unit_id)
            .where(SpecLine.deal_id == deal.id)
            .order_by(SpecLine.position)
        )
    ).all()
    people = (
        await session.exec(
            select(Participant, Employee.full_name, Contact.full_name)
            .outerjoin(Employee, Employee.id == Participant.employee_id)
            .outerjoin(Contact, Contact.id == Participant.contact_id)
            .where(Participant.deal_id == deal.id)
            .order_by(Participant.id)
        )
    ).all()
    notes = (
        await session.exec(
            select(DealNote, Employee.full_name)
            .join(Employee, Employee.id == DealNote.author_id)
            .where(DealNote.deal_id == deal.id)
            .order_by(DealNote.id.desc())  # type: ignore[union-attr]
        )
    ).all()
    files = (
        await session.exec(
            select(
                DealFile.id, DealFile.file_name, DealFile.size, DealFile.content_type, Employee.full_name, DealFile.uploaded_at
            )
            .join(Employee, Employee.id == DealFile.uploaded_by_id)
            .where(DealFile.deal_id == deal.id)
            .order_by(DealFile.id)  # type: ignore[arg-type]
        )
    ).all()
    history = (
        await session.exec(
            select(DealChange).where(DealChange.deal_id == deal.id).order_by(DealChange.at.desc(), DealChange.id.desc())  # type: ignore[union-attr]
        )
    ).scalars()
    children = (await session.exec(select(Deal.id).where(Deal.parent_id == deal.id).order_by(Deal.id))).scalars().all()
    return DealDetails(
        number=deal.id,
        version=deal.version,
        kind=kind.code,
        kind_name=kind.name,
        is_tender=kind.is_tender,
        stages=[StageView(code=s.code, name=s.name, name_en=s.name_en, can_win=s.can_win, allows_children=s.allows_children) for s in stages],
        stage_code=deal.stage_code,
        status=deal.status,
        title=deal.title,
        business_unit_id=deal.business_unit_id,
        business_unit_name=await _name(session, BusinessUnit.name, deal.business_unit_id),
        client_id=client.id or 0,
        client_name=client.name,
        client_inn=client.inn,
        contact_id=deal.contact_id,
        contact_name=await _name(session, Contact.full_name, deal.contact_id),
        manager_id=deal.manager_id,
        manager_name=await _name(session, Employee.full_name, deal.manager_id),
        department_id=deal.department_id,
        department_name=await _name(session, Department.name, deal.department_id),
        potential_amount=deal.potential_amount,
        amount=deal.amount,
        vat_amount=deal.vat_amount,
        channel_id=deal.channel_id,
        channel_name=await _name(session, SalesChannel.name, deal.channel_id),
        source=deal.source,
        primary_demand=deal.primary_demand,
        delivery_method=deal.delivery_method,
        warehouse_id=deal.warehouse_id,
        warehouse_name=await _name(session, Warehouse.name, deal.warehouse_id),
        payment_deferral_days=deal.payment_deferral_days,
        prepayment_percent=deal.prepayment_percent,
        expected_close_date=deal.expected_close_date.isoformat() if deal.expected_close_date else None,
        custom_fields=deal.custom_fields,
        paused_until=deal.paused_until,
        pause_comment=deal.pause_comment,
        close_reason=deal.close_reason,
        parent_number=deal.parent_id,
        copied_from=deal.copied_from_id,
        children=list(children),
        created_at=deal.created_at,
        updated_at=deal.updated_at,
        updated_by=await _name(session, Employee.full_name, deal.updated_by_id),
        lines=[
            LineView(
                position=line.position,
                product_id=line.product_id,
                product_code=code or "",
                category_id=line.category_id,
                category_name=category or "",
                description=line.description,
                quantity=line.quantity,
                unit_id=line.unit_id,
                unit_name=unit or "",
                price=line.price,
                discount_percent=line.discount_percent,
                vat_rate=line.vat_rate,
                amount=line.amount,
                vat_amount=line.vat_amount,
            )
            for line, code, category, unit in lines
        ],
        participants=[
            ParticipantView(employee_id=p.employee_id, contact_id=p.contact_id, name=e or c or "", role=p.role)
            for p, e, c in people
        ],
        notes=[NoteView(id=n.id or 0, author=a, text=n.text, created_at=n.created_at) for n, a in notes],
        files=[
            FileView(id=i, file_name=f, size=s, content_type=t, uploaded_by=u, uploaded_at=at) for i, f, s, t, u, at in files
        ],
        history=[
            ChangeView(
                at=c.at,
                actor_name=c.actor_name,
                action=c.action,
                version=c.version,
                field=c.field,
                old_value=c.old_value,
                new_value=c.new_value,
                comment=c.comment,
            )
            for c in history
        ],
    )


async def status_counts(
    session: AsyncSession, visible, filters: DealFilters, timezone: str  # noqa: ANN001
) -> dict[str, int]:
    """How many deals each status has under the same filters (the status filter aside)."""
    where = _conditions(visible, filters.model_copy(update={"status": None}), timezone)
    rows = await session.exec(
        select(Deal.status, func.count())
        .join(Counterparty, Counterparty.id == Deal.client_id)
        .join(DealKind, DealKind.id == Deal.kind_id)
        .where(where)
        .group_by(Deal.status)
    )
    return {status: count for status, count in rows.all()}


async def managers(session: AsyncSession) -> list[tuple[int, str]]:
    """Active people who can own deals, for the list's manager filter."""
    rows = await session.exec(select(Employee.id, Employee.full_name, Employee.roles).where(Employee.is_active).order_by(Employee.full_name))
    return [(ident, name) for ident, name, roles in rows.all() if {"manager", "head"} & set(roles)]
