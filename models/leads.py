"""Leads: what arrives by phone, mail and the website before it becomes a deal. A lead keeps every
event that made it (a repeated call merges into the same lead)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.types import json_field, ts_field


class Lead(SQLModel, table=True):
    __tablename__ = "lead"
    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=10, index=True)  # phone | mail | web
    status: str = Field(default="new", max_length=12, index=True)  # new | in_work | converted | rejected | spam
    name: str = Field(default="", max_length=200)
    company: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=50, index=True)
    email: str = Field(default="", max_length=200, index=True)
    message: str = Field(default="", max_length=5000)
    topic: str = Field(default="", max_length=100)
    topic_other: str = Field(default="", max_length=300)
    operator_id: int | None = Field(default=None, foreign_key="employee.id", index=True)
    passed_to_id: int | None = Field(default=None, foreign_key="employee.id", index=True)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    deal_id: int | None = Field(default=None, foreign_key="deal.id")
    created_at: datetime = ts_field(index=True)
    processed_at: datetime | None = ts_field(nullable=True)
    converted_at: datetime | None = ts_field(nullable=True)
    escalated_at: datetime | None = ts_field(nullable=True)


class LeadEvent(SQLModel, table=True):
    __tablename__ = "lead_event"
    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    source: str = Field(max_length=10)
    external_id: str | None = Field(default=None, max_length=200, unique=True)  # call id, Message-ID…
    received_at: datetime = ts_field()
    payload: dict = json_field(dict)
