"""Our business units' requisites and bank accounts: what the print forms say about the seller.

Only administrators change them; a document already issued keeps the requisites it was issued
with (its snapshot)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.directory.service import check_inn_kpp
from api.errors import DomainError
from models.documents import BankAccount
from models.org import BusinessUnit

DIGITS = re.compile(r"^\d+$")


class RequisitesIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    full_name: str = Field(default="", max_length=400)
    inn: str | None = Field(default=None, max_length=20)
    kpp: str | None = Field(default=None, max_length=20)
    ogrn: str = Field(default="", max_length=15)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=100)

    @field_validator("ogrn")
    @classmethod
    def _ogrn(cls, value: str) -> str:
        value = value.strip()
        if value and not (DIGITS.match(value) and len(value) in (13, 15)):
            raise ValueError("OGRN has 13 digits (15 for a sole trader)")
        return value


class BankAccountIn(BaseModel):
    bank_name: str = Field(min_length=2, max_length=300)
    bik: str = Field(pattern=r"^\d{9}$")
    account: str = Field(pattern=r"^\d{20}$")  # расчётный счёт
    correspondent_account: str = Field(default="", pattern=r"^(\d{20})?$")
    is_default: bool = True


class BusinessUnitOut(BaseModel):
    id: int
    code: str
    name: str
    full_name: str
    inn: str | None
    kpp: str | None
    ogrn: str
    address: str
    phone: str
    bank_accounts: list[BankAccount]


async def unit_or_404(session: AsyncSession, unit_id: int) -> BusinessUnit:
    unit = await session.get(BusinessUnit, unit_id)
    if unit is None:
        raise DomainError("UnknownReference", 404, field="business_unit_id", value=unit_id)
    return unit


async def accounts_of(session: AsyncSession, unit_id: int) -> list[BankAccount]:
    query = select(BankAccount).where(BankAccount.business_unit_id == unit_id).order_by(BankAccount.is_default.desc(), BankAccount.id)  # type: ignore[attr-defined]
    return list((await session.exec(query)).scalars())


async def describe(session: AsyncSession, unit: BusinessUnit) -> BusinessUnitOut:
    return BusinessUnitOut(**unit.model_dump(), bank_accounts=await accounts_of(session, unit.id))


async def all_units(session: AsyncSession) -> list[BusinessUnitOut]:
    units = (await session.exec(select(BusinessUnit).order_by(BusinessUnit.name))).scalars().all()
    return [await describe(session, unit) for unit in units]


async def update_requisites(session: AsyncSession, unit_id: int, data: RequisitesIn) -> BusinessUnit:
    unit = await unit_or_404(session, unit_id)
    inn, kpp = check_inn_kpp(data.inn, data.kpp)
    for field, value in data.model_dump(exclude={"inn", "kpp"}).items():
        setattr(unit, field, value.strip() if isinstance(value, str) else value)
    unit.inn, unit.kpp = inn, kpp
    await session.commit()
    return unit


async def add_bank_account(session: AsyncSession, unit_id: int, data: BankAccountIn) -> BankAccount:
    await unit_or_404(session, unit_id)
    existing = await accounts_of(session, unit_id)
    if any(a.account == data.account and a.bik == data.bik for a in existing):
        raise DomainError("DuplicateBankAccount", 409, account=data.account)
    account = BankAccount(business_unit_id=unit_id, **data.model_dump())
    account.is_default = data.is_default or not existing  # the first account is the default
    if account.is_default:
        for other in existing:
            other.is_default = False
    session.add(account)
    await session.commit()
    return account


async def make_default(session: AsyncSession, account_id: int) -> BankAccount:
    account = await _account(session, account_id)
    for other in await accounts_of(session, account.business_unit_id):
        other.is_default = other.id == account.id
    await session.commit()
    return account


async def remove_bank_account(session: AsyncSession, account_id: int) -> int:
    account = await _account(session, account_id)
    unit_id = account.business_unit_id
    await session.delete(account)
    await session.flush()
    rest = await accounts_of(session, unit_id)
    if rest and not any(a.is_default for a in rest):
        rest[0].is_default = True
    await session.commit()
    return unit_id


async def _account(session: AsyncSession, account_id: int) -> BankAccount:
    account = await session.get(BankAccount, account_id)
    if account is None:
        raise DomainError("UnknownReference", 404, field="bank_account_id", value=account_id)
    return account
