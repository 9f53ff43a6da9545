"""A person's in-app notifications: what is unread, the latest ones, marking them read.

A notification is stored as a kind plus parameters and put into words in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from api.i18n import Translator
from models.notifications import Notification
from models.types import utcnow


@dataclass(frozen=True)
class NotificationView:
    id: int
    text: str
    deal_number: int | None
    created_at: datetime
    unread: bool


def _unread(employee_id: int) -> ColumnElement[bool]:
    return (Notification.employee_id == employee_id) & Notification.read_at.is_(None)  # type: ignore[union-attr]


async def unread_count(session: AsyncSession, employee_id: int) -> int:
    return (await session.exec(select(func.count()).where(_unread(employee_id)))).scalar_one()


def describe(_: Translator, kind: str, params: dict) -> str:
    """`notification.<kind>` from the catalog; an unknown kind still says what and which deal."""
    key = f"notification.{kind}"
    text = _(key, **params)
    if text == key:
        text = _("notification.other", kind=kind, **params)
    comment = params.get("comment")
    return f"{text}: {comment}" if comment else text


async def latest(session: AsyncSession, employee_id: int, _: Translator, limit: int = 100) -> list[NotificationView]:
    rows = (
        await session.exec(
            select(Notification)
            .where(Notification.employee_id == employee_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())  # type: ignore[union-attr]
            .limit(limit)
        )
    ).scalars()
    return [
        NotificationView(
            id=n.id or 0,
            text=describe(_, n.kind, n.params),
            deal_number=n.deal_id,
            created_at=n.created_at,
            unread=n.read_at is None,
        )
        for n in rows
    ]


async def mark_all_read(session: AsyncSession, employee_id: int) -> None:
    await session.exec(update(Notification).where(_unread(employee_id)).values(read_at=utcnow()))
    await session.commit()
