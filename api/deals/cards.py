"""Turn what a person typed into a card the workflow can trust: every reference exists, defaults
are filled in, custom fields fit the kind. Each refusal names the field it is about."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.auth.security import CurrentUser
from api.deals.schemas import DealCardIn
from api.errors import DomainError
from models.catalog import Product, ProductCategory, Unit, Warehouse
from models.deals import CustomFieldDef, DealKind, DealStage, SalesChannel
from models.messages.deal import DealCard, DealLabels, KindDef, SpecLineData, StageDef
from models.org import BusinessUnit, Department, Employee, Role
from models.parties import Contact, Counterparty


async def load_kind(session: AsyncSession, code: str, active_only: bool = True) -> tuple[DealKind, KindDef]:
    kind = (await session.exec(select(DealKind).where(DealKind.code == code))).scalar_one_or_none()
    if kind is None or (active_only and not kind.is_active):
        raise DomainError("UnknownDealKind", 422, field="kind", value=code)
    stages = (
        await session.exec(
            select(DealStage).where(DealStage.kind_id == kind.id).order_by(DealStage.position)
        )
    ).scalars()
    return kind, KindDef(
        code=kind.code,
        name=kind.name,
        is_tender=kind.is_tender,
        stages=[
            StageDef(
                code=s.code,
                name=s.name,
                next_codes=s.next_codes,
                can_win=s.can_win,
                allows_children=s.allows_children,
                approved_next=s.approved_next,
            )
            for s in stages
        ],
    )


class CardResolver:
    def __init__(self, session: AsyncSession, user: CurrentUser) -> None:
        self.session = session
        self.user = user

    async def resolve(
        self, data: DealCardIn, kind: DealKind, current_manager_id: int | None = None
    ) -> tuple[DealCard, DealLabels]:
        """`current_manager_id`: the deal's manager when editing; kept unless the card names another."""
        fields = data.model_dump(exclude={"lines", "participants"})
        unit = await self._require(BusinessUnit, data.business_unit_id, "business_unit_id")
        client = await self._require(Counterparty, data.client_id, "client_id")
        if data.contact_id is not None:
            contact = await self._require(Contact, data.contact_id, "contact_id")
            if contact.counterparty_id != client.id:
                raise DomainError("ContactOfAnotherClient", 422, field="contact_id", value=data.contact_id)
        manager = await self._manager(data.manager_id, current_manager_id)
        department_id = data.department_id or manager.department_id
        department = await self._require(Department, department_id, "department_id") if department_id else None
        if data.channel_id is not None:
            await self._require(SalesChannel, data.channel_id, "channel_id")
        if data.warehouse_id is not None:
            await self._require(Warehouse, data.warehouse_id, "warehouse_id")
        fields.update(
            manager_id=manager.id,
            department_id=department_id,
            custom_fields=await self._custom_fields(kind, data.custom_fields),
            lines=await self._lines(data.lines),
            participants=await self._participants(data),
        )
        fields = {k: v for k, v in fields.items() if k in DealCard.model_fields}
        card = DealCard.model_validate(fields)
        labels = DealLabels(
            kind_code=kind.code,
            client_name=client.name,
            client_inn=client.inn or "",
            manager_name=manager.full_name,
            department_name=department.name if department else "",
            business_unit=unit.code,
        )
        return card, labels

    async def _require(self, table: Any, ident: int | None, field: str) -> Any:
        row = await self.session.get(table, ident) if ident is not None else None
        if row is None:
            raise DomainError("UnknownReference", 422, field=field, value=ident)
        return row

    async def _manager(self, manager_id: int | None, current: int | None) -> Employee:
        manager_id = manager_id or current or self.user.employee_id
        changes_hands = manager_id not in (current, self.user.employee_id)
        if changes_hands and not self.user.has(Role.head, Role.admin, Role.erp):
            raise DomainError("OnlyHeadsAssignManagers", 403, field="manager_id")
        manager = await self._require(Employee, manager_id, "manager_id")
        if not manager.is_active:
            raise DomainError("InactiveEmployee", 422, field="manager_id", value=manager_id)
        return manager

    async def _lines(self, lines: list[SpecLineData]) -> list[SpecLineData]:
        product_ids = {line.product_id for line in lines if line.product_id is not None}
        products = {
            p.id: p
            for p in (await self.session.exec(select(Product).where(Product.id.in_(product_ids)))).scalars()  # type: ignore[union-attr]
        }
        category_ids = {line.category_id for line in lines if line.category_id is not None}
        categories = {
            c.id: c
            for c in (
                await self.session.exec(select(ProductCategory).where(ProductCategory.id.in_(category_ids)))  # type: ignore[union-attr]
            ).scalars()
        }
        unit_ids = {line.unit_id for line in lines if line.unit_id is not None}
        known_units = set(
            (await self.session.exec(select(Unit.id).where(Unit.id.in_(unit_ids)))).scalars()  # type: ignore[union-attr]
        )
        resolved = []
        for i, line in enumerate(lines, start=1):
            product = products.get(line.product_id) if line.product_id is not None else None
            if line.product_id is not None and product is None:
                raise DomainError("UnknownProduct", 422, row=i, field=f"lines[{i}].product_id", value=line.product_id)
            category = categories.get(line.category_id) if line.category_id is not None else None
            if line.category_id is not None and category is None:
                raise DomainError("UnknownCategory", 422, row=i, field=f"lines[{i}].category_id", value=line.category_id)
            if line.unit_id is not None and line.unit_id not in known_units:
                raise DomainError("UnknownUnit", 422, row=i, field=f"lines[{i}].unit_id", value=line.unit_id)
            unit_id = line.unit_id or (product.unit_id if product else category.default_unit_id if category else None)
            resolved.append(
                line.model_copy(
                    update={
                        "unit_id": unit_id,
                        # A product line also records its category: tenders match on either.
                        "category_id": product.category_id if product else line.category_id,
                        "description": line.description or (product.name if product else category.name if category else ""),
                    }
                )
            )
        return resolved

    async def _participants(self, data: DealCardIn) -> list:
        for i, p in enumerate(data.participants, start=1):
            if p.employee_id is not None:
                await self._require(Employee, p.employee_id, f"participants[{i}].employee_id")
            if p.contact_id is not None:
                await self._require(Contact, p.contact_id, f"participants[{i}].contact_id")
        return data.participants

    async def _custom_fields(self, kind: DealKind, values: dict[str, Any]) -> dict[str, Any]:
        defs = {
            d.code: d
            for d in (await self.session.exec(select(CustomFieldDef).where(CustomFieldDef.kind_id == kind.id))).scalars()
        }
        unknown = sorted(set(values) - set(defs))
        if unknown:
            raise DomainError("UnknownCustomField", 422, field=f"custom_fields.{unknown[0]}")
        clean: dict[str, Any] = {}
        for code, definition in defs.items():
            value = values.get(code)
            if value in (None, ""):
                if definition.required:
                    raise DomainError("CustomFieldRequired", 422, field=f"custom_fields.{code}", label=definition.label)
                continue
            clean[code] = _custom_value(definition, value)
        return clean


def _custom_value(definition: CustomFieldDef, value: Any) -> Any:
    field = f"custom_fields.{definition.code}"
    try:
        match definition.field_type:
            case "number":
                if isinstance(value, bool):
                    raise ValueError
                return float(str(value).replace(",", ".").replace(" ", ""))
            case "date":
                return date.fromisoformat(str(value)).isoformat()
            case "bool":
                if isinstance(value, bool):
                    return value
                if str(value).lower() in ("true", "1", "да", "yes", "on"):
                    return True
                if str(value).lower() in ("false", "0", "нет", "no", "off"):
                    return False
                raise ValueError
            case "choice":
                if value not in definition.choices:
                    raise ValueError
                return value
            case _:
                return str(value)[:2000]
    except ValueError:
        raise DomainError(
            "CustomFieldInvalid", 422, field=field, label=definition.label, value=str(value), type=definition.field_type
        ) from None
