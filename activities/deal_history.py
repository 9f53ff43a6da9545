"""The card's history: compare two versions field by field and say it in names, not ids."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.deals import DealStage, SalesChannel
from models.messages.deal import DealState, SpecLineData
from models.org import BusinessUnit, Department, Employee
from models.parties import Contact, Counterparty

# Reference fields and the table whose name stands for the id.
REFERENCES: dict[str, Any] = {
    "business_unit_id": BusinessUnit,
    "client_id": Counterparty,
    "contact_id": Contact,
    "manager_id": Employee,
    "department_id": Department,
    "channel_id": SalesChannel,
    "warehouse_id": Warehouse,
}
NAME_COLUMN = {Employee: "full_name", Contact: "full_name"}


def flatten(state: DealState) -> dict[str, Any]:
    """One flat dict per version: what a person would call the fields of the card."""
    card = state.card
    fields: dict[str, Any] = card.model_dump(exclude={"lines", "participants", "custom_fields"})
    for code, value in sorted(card.custom_fields.items()):
        fields[f"custom.{code}"] = value
    fields["participants"] = sorted(
        (p.role, p.employee_id or 0, p.contact_id or 0) for p in card.participants
    )
    for i, line in enumerate(card.lines, start=1):
        fields[f"line.{i}"] = line
    fields["amount"] = card.amount
    fields["stage_code"] = state.stage_code
    fields["status"] = state.status.value
    fields["paused_until"] = state.paused_until
    fields["pause_comment"] = state.pause_comment
    fields["close_reason"] = state.close_reason
    return fields


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f for f in dict.fromkeys([*old, *new]) if old.get(f) != new.get(f)]


class Namer:
    """Turns ids into names with one query per table, for the fields that changed."""

    def __init__(self, session: AsyncSession, kind_id: int) -> None:
        self.session = session
        self.kind_id = kind_id
        self.names: dict[tuple[Any, int], str] = {}

    async def load(self, table: Any, ids: Iterable[int | None]) -> None:
        wanted = {i for i in ids if i is not None and (table, i) not in self.names}
        if not wanted:
            return
        column = getattr(table, NAME_COLUMN.get(table, "name"))
        rows = await self.session.exec(select(table.id, column).where(table.id.in_(wanted)))
        self.names.update({(table, row[0]): row[1] for row in rows})

    async def prepare(self, fields: list[str], old: dict[str, Any], new: dict[str, Any]) -> None:
        for field in fields:
            if field in REFERENCES:
                await self.load(REFERENCES[field], (old.get(field), new.get(field)))
            elif field == "participants":
                people = [e for values in (old, new) for _, e, _ in values.get(field, [])]
                contacts = [c for values in (old, new) for _, _, c in values.get(field, [])]
                await self.load(Employee, people)
                await self.load(Contact, contacts)
        lines = [v for f in fields if f.startswith("line.") for v in (old.get(f), new.get(f)) if v]
        await self.load(Product, (line.product_id for line in lines))
        await self.load(ProductCategory, (line.category_id for line in lines))
        await self.load(Unit, (line.unit_id for line in lines))
        if "stage_code" in fields:
            rows = await self.session.exec(
                select(DealStage.code, DealStage.name).where(DealStage.kind_id == self.kind_id)
            )
            self.names.update({("stage", row[0]): row[1] for row in rows})

    def show(self, field: str, value: Any) -> str:
        if value is None or value == "":
            return ""
        if field in REFERENCES:
            return self.names.get((REFERENCES[field], value), f"#{value}")
        if field == "stage_code":
            return self.names.get(("stage", value), value)
        if field == "participants":
            return "; ".join(
                f"{self.names.get((Employee, e)) or self.names.get((Contact, c), '?')} ({role})"
                for role, e, c in value
            )
        if isinstance(value, SpecLineData):
            return self.show_line(value)
        return plain(value)

    def show_line(self, line: SpecLineData) -> str:
        what = (
            self.names.get((Product, line.product_id))
            if line.product_id is not None
            else "[" + self.names.get((ProductCategory, line.category_id), "?") + "]"
        )
        unit = self.names.get((Unit, line.unit_id), "") if line.unit_id else ""
        text = f"{what}: {plain(line.quantity)} {unit} × {plain(line.price)}".replace("  ", " ")
        if line.discount_percent:
            text += f" −{plain(line.discount_percent)} %"
        return text


def plain(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text if "." not in text else text.rstrip("0").rstrip(".")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else "—"
    return str(value)
