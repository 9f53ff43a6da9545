"""The seller's own side: business units, the department hierarchy, employees and their absences."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.types import json_field, ts_field


class Role(StrEnum):
    manager = "manager"
    head = "head"  # department head: sees and edits the department subtree, overrides limits
    approver = "approver"
    admin = "admin"
    operations = "operations"  # watches processes, reads everything, changes nothing
    erp = "erp"  # 1C ERP as a machine client


class AbsenceKind(StrEnum):
    leave = "leave"
    sick = "sick"
    trip = "trip"


class BusinessUnit(SQLModel, table=True):
    """An organisation the company sells on behalf of (the trading house, a plant)."""

    __tablename__ = "business_unit"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    full_name: str = Field(default="", max_length=400)
    inn: str | None = Field(default=None, max_length=12)
    kpp: str | None = Field(default=None, max_length=9)
    # Requisites the print forms show (bank accounts and signatories are in models/documents.py).
    ogrn: str = Field(default="", max_length=15)
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=100)


class Department(SQLModel, table=True):
    __tablename__ = "department"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    parent_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    # No FK: departments and employees reference each other; the admin service checks it.
    head_id: int | None = Field(default=None, index=True)
    business_unit_id: int | None = Field(default=None, foreign_key="business_unit.id")


class Employee(SQLModel, table=True):
    __tablename__ = "employee"
    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=200)
    email: str = Field(max_length=200, unique=True)  # also the login
    phone: str = Field(default="", max_length=50)
    position: str = Field(default="", max_length=200)
    department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    roles: list[str] = json_field(list)
    password_hash: str | None = Field(default=None, max_length=200)
    is_active: bool = True
    language: str = Field(default="ru", max_length=2)


class Absence(SQLModel, table=True):
    """Leave, sick leave or a business trip; the named substitute acts for the employee meanwhile."""

    __tablename__ = "absence"
    id: int | None = Field(default=None, primary_key=True)
    employee_id: int = Field(foreign_key="employee.id", index=True)
    kind: str = Field(max_length=10)  # an AbsenceKind
    date_from: date
    date_to: date
    substitute_id: int | None = Field(default=None, foreign_key="employee.id")
    comment: str = Field(default="", max_length=500)
    created_at: datetime = ts_field()
