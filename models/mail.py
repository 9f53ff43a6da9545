"""Mail: the outbox (sending is idempotent by key, with a stable Message-ID), replies taken from
the mailbox (each once), and what the embedded SMTP catcher received."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import json_field, ts_field


class OutboxMail(SQLModel, table=True):
    __tablename__ = "outbox_mail"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # e.g. approval-1001-1:s2:a14:n0
    message_id: str = Field(max_length=250, unique=True)
    to_address: str = Field(max_length=300)
    subject: str = Field(max_length=500)
    text: str
    html: str = ""
    reply_to: str = Field(default="", max_length=300)
    in_reply_to: str = Field(default="", max_length=250)
    references: str = Field(default="", max_length=2000)
    deal_id: int | None = Field(default=None, index=True)
    created_at: datetime = ts_field()
    sent_at: datetime | None = ts_field(nullable=True)
    attempts: int = 0
    last_error: str = Field(default="", max_length=1000)


class InboundMail(SQLModel, table=True):
    """A message taken from the replies mailbox; the unique keys make taking it once."""

    __tablename__ = "inbound_mail"
    __table_args__ = (UniqueConstraint("mailbox", "uid_validity", "uid"),)
    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=200)
    uid_validity: int
    uid: int
    message_id: str = Field(max_length=250, unique=True)
    from_address: str = Field(max_length=300)
    subject: str = Field(default="", max_length=500)
    received_at: datetime = ts_field()
    outcome: str = Field(max_length=20)  # decided | unreadable | unauthorised | unknown | refused
    detail: str = Field(default="", max_length=2000)
    round_id: str | None = Field(default=None, max_length=60)


class CaughtMail(SQLModel, table=True):
    """What the embedded SMTP catcher received (laptop default; production sends for real)."""

    __tablename__ = "caught_mail"
    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = ts_field(index=True)
    mail_from: str = Field(max_length=300)
    recipients: list = json_field(list)
    subject: str = Field(default="", max_length=500)
    message_id: str = Field(default="", max_length=250)
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
