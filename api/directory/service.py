"""Counterparties and the lists the deal form picks from."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.exceptions import ValidationError as NumberError
from stdnum.ru import inn as inn_number

from api.errors import DomainError
from models.parties import Contact, Counterparty, MarketRole
from models.types import search_key

KPP = re.compile(r"^\d{4}[\dA-Z]{2}\d{3}$")


class CounterpartyIn(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    full_name: str = Field(default="", max_length=500)
    inn: str | None = Field(default=None, max_length=20)
    kpp: str | None = Field(default=None, max_length=20)
    industry_id: int | None = None
    market_role: MarketRole | None = None
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)


class ContactIn(BaseModel):
    full_name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)


def check_inn_kpp(inn: str | None, kpp: str | None) -> tuple[str | None, str | None]:
    """INN by its checksum (10 digits: an organisation, 12: a person); KPP by its format
    (it has no checksum), and only beside an organisation's INN."""
    inn = (inn or "").strip() or None
    kpp = (kpp or "").strip().upper() or None
    if inn is not None:
        try:
            inn = inn_number.validate(inn)
        except NumberError:
            raise DomainError("InvalidInn", 422, field="inn", value=inn) from None
    if kpp is not None:
        if not KPP.match(kpp):
            raise DomainError("InvalidKpp", 422, field="kpp", value=kpp)
        if inn is None or len(inn) != 10:
            raise DomainError("KppWithoutOrganisationInn", 422, field="kpp", value=kpp)
    return inn, kpp


async def create_counterparty(session: AsyncSession, data: CounterpartyIn) -> Counterparty:
    inn, kpp = check_inn_kpp(data.inn, data.kpp)
    if inn is not None:
        same = (
            await session.exec(select(Counterparty).where(Counterparty.inn == inn, Counterparty.kpp == kpp))
        ).scalars().first()
        if same is not None:
            raise DomainError("DuplicateInn", 409, field="inn", value=inn, existing_id=same.id, existing_name=same.name)
    counterparty = Counterparty(**data.model_dump(exclude={"inn", "kpp"}), inn=inn, kpp=kpp)
    session.add(counterparty)
    await session.commit()
    return counterparty


async def add_contact(session: AsyncSession, counterparty_id: int, data: ContactIn) -> Contact:
    if await session.get(Counterparty, counterparty_id) is None:
        raise DomainError("UnknownReference", 404, field="counterparty_id", value=counterparty_id)
    contact = Contact(counterparty_id=counterparty_id, **data.model_dump())
    session.add(contact)
    await session.commit()
    return contact


async def find_counterparties(session: AsyncSession, q: str, limit: int = 15) -> list[Counterparty]:
    """By name (any word order fragment) or by INN prefix, best matches first."""
    text = q.strip()
    if not text:
        return []
    key = search_key(text)
    clauses = [Counterparty.search_key.like(f"%{key}%")]
    if text.isdigit():
        clauses.append(Counterparty.inn.like(f"{text}%"))  # type: ignore[union-attr]
    rows = (
        await session.exec(select(Counterparty).where(or_(*clauses)).order_by(Counterparty.name).limit(limit * 4))
    ).scalars().all()
    # Names starting with the text first, then the rest alphabetically.
    rows = sorted(rows, key=lambda c: (not search_key(c.name).startswith(key), not (c.inn or "").startswith(text), c.name))
    return rows[:limit]
