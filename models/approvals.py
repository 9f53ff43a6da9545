"""The approval read model: rule versions, rounds, steps and each approver's seat in a step.
Approval workflows write it through activities; the deal card and the speed reports read it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import json_field, ts_field


class ApprovalRuleVersion(SQLModel, table=True):
    """Every saved version of the routing table; the newest is in force."""

    __tablename__ = "approval_rule_version"
    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    text: str  # the YAML as the administrator saved it
    comment: str = Field(default="", max_length=500)
    created_by_id: int | None = Field(default=None, foreign_key="employee.id")
    created_at: datetime = ts_field()


class ApprovalRound(SQLModel, table=True):
    __tablename__ = "approval_round"
    id: str = Field(primary_key=True, max_length=60)  # the workflow id: approval-<deal>-<round>
    deal_id: int = Field(foreign_key="deal.id", index=True)
    round: int
    status: str = Field(default="pending", max_length=12, index=True)  # pending | approved | rejected | cancelled
    rule_version: int
    hits: list = json_field(list)  # the rules that hit and their reasons
    submitted_by_id: int = Field(foreign_key="employee.id")
    submitted_at: datetime = ts_field()
    decided_at: datetime | None = ts_field(nullable=True)
    comment: str = Field(default="", max_length=2000)


class ApprovalStep(SQLModel, table=True):
    __tablename__ = "approval_step"
    __table_args__ = (UniqueConstraint("round_id", "index"),)
    id: int | None = Field(default=None, primary_key=True)
    round_id: str = Field(foreign_key="approval_round.id", index=True, max_length=60)
    index: int
    kind: str = Field(max_length=10)  # head | role
    level: int | None = None
    role: str | None = Field(default=None, max_length=50)
    title: str = Field(max_length=200)
    reasons: list = json_field(list)
    status: str = Field(default="waiting", max_length=12)  # waiting | active | approved | rejected
    activated_at: datetime | None = ts_field(nullable=True)
    decided_at: datetime | None = ts_field(nullable=True)


class ApprovalSeat(SQLModel, table=True):
    """One approver's place in a step: planned by the rules, acted on by them or a substitute."""

    __tablename__ = "approval_seat"
    __table_args__ = (UniqueConstraint("step_id", "planned_id"),)
    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(foreign_key="approval_step.id", index=True)
    planned_id: int = Field(foreign_key="employee.id", index=True)
    approver_id: int = Field(foreign_key="employee.id", index=True)
    how: str = Field(default="planned", max_length=20)  # planned | substitute | escalated | already_approved
    note: str = Field(default="", max_length=1000)
    reply_token: str = Field(max_length=40, unique=True)  # plus-address of replies to this seat's mail
    decision: str | None = Field(default=None, max_length=10)  # approve | reject
    decided_by_id: int | None = Field(default=None, foreign_key="employee.id")
    channel: str | None = Field(default=None, max_length=10)  # link | reply | web
    comment: str = Field(default="", max_length=2000)
    activated_at: datetime | None = ts_field(nullable=True)
    decided_at: datetime | None = ts_field(nullable=True, index=True)
    reminders: int = 0
