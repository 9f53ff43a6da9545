"""Load the reference data every installation starts with (rules/*.yaml) — idempotent:
existing rows are kept as administrators changed them; only what is missing is added."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.catalog import Unit
from models.deals import CustomFieldDef, DealKind, DealStage, SalesChannel
from models.notifications import Counter
from models.parties import Industry

RULES = Path(__file__).resolve().parents[2] / "rules"
FIRST_DEAL_NUMBER = 1000  # the counter's start: the first deal is 1001


@cache
def participant_roles() -> list[str]:
    """The roles a person may have on a deal (rules/reference.yaml)."""
    return list(yaml.safe_load((RULES / "reference.yaml").read_text(encoding="utf-8"))["participant_roles"])


async def load_reference_data(session: AsyncSession) -> None:
    reference = yaml.safe_load((RULES / "reference.yaml").read_text(encoding="utf-8"))
    kinds = yaml.safe_load((RULES / "deal_kinds.yaml").read_text(encoding="utf-8"))
    existing_units = set((await session.exec(select(Unit.code))).scalars())
    session.add_all(Unit(**u) for u in reference["units"] if u["code"] not in existing_units)
    existing_channels = set((await session.exec(select(SalesChannel.name))).scalars())
    session.add_all(SalesChannel(**c) for c in reference["sales_channels"] if c["name"] not in existing_channels)
    existing_industries = set((await session.exec(select(Industry.name))).scalars())
    session.add_all(Industry(name=n) for n in reference["industries"] if n not in existing_industries)
    if await session.get(Counter, "deal") is None:
        session.add(Counter(name="deal", value=FIRST_DEAL_NUMBER))
    existing_kinds = set((await session.exec(select(DealKind.code))).scalars())
    for position, spec in enumerate(kinds):
        if spec["code"] in existing_kinds:
            continue
        kind = DealKind(
            code=spec["code"], name=spec["name"], name_en=spec.get("name_en", ""),
            is_tender=spec.get("is_tender", False), position=position,
        )
        session.add(kind)
        await session.flush()
        for i, stage in enumerate(spec["stages"]):
            session.add(
                DealStage(
                    kind_id=kind.id, code=stage["code"], name=stage["name"], name_en=stage.get("name_en", ""),
                    position=i, next_codes=stage.get("next", []), can_win=stage.get("can_win", False),
                    allows_children=stage.get("allows_children", False),
                    approved_next=stage.get("approved_next"),
                )
            )
        for i, field in enumerate(spec.get("custom_fields", [])):
            session.add(
                CustomFieldDef(
                    kind_id=kind.id, code=field["code"], label=field["label"], label_en=field.get("label_en", ""),
                    field_type=field["type"], required=field.get("required", False),
                    choices=field.get("choices", []), position=i,
                )
            )
    await session.commit()
