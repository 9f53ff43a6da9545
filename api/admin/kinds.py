"""Deal kinds as data an administrator changes: stage sets and custom fields.

A changed stage set is validated (moves point at stages that exist, some stage lets a deal be won,
no open deal is left on a removed stage), stored, and pushed into the live workflows of that kind,
which answer with an update each; new deals take the new set at creation."""

from __future__ import annotations

import asyncio
import re

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import delete, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client

from api.deals.cards import load_kind
from api.errors import DomainError, from_workflow
from models.deals import CustomFieldDef, Deal, DealKind, DealStage
from models.messages.deal import Refusal
from workflows.deal import DealWorkflow
from workflows.ids import deal_workflow_id

CODE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
FIELD_TYPES = ("text", "number", "date", "bool", "choice")


class StageIn(BaseModel):
    code: str
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    next: list[str] = []
    can_win: bool = False
    allows_children: bool = False
    approved_next: str | None = None


class CustomFieldIn(BaseModel):
    code: str
    label: str = Field(min_length=1, max_length=200)
    label_en: str = Field(default="", max_length=200)
    type: str
    required: bool = False
    choices: list[str] = []


class KindIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    is_tender: bool = False
    is_active: bool = True
    stages: list[StageIn] = Field(min_length=1)
    custom_fields: list[CustomFieldIn] = []

    @model_validator(mode="after")
    def _consistent(self) -> KindIn:
        codes = [s.code for s in self.stages]
        for code in codes + [f.code for f in self.custom_fields]:
            if not CODE.match(code):
                raise ValueError(f"code {code!r}: lowercase latin letters, digits and _")
        if len(set(codes)) != len(codes):
            raise ValueError("stage codes repeat")
        for stage in self.stages:
            unknown = set(stage.next + ([stage.approved_next] if stage.approved_next else [])) - set(codes)
            if unknown:
                raise ValueError(f"stage {stage.code}: moves to unknown stages {sorted(unknown)}")
        if not any(s.can_win for s in self.stages):
            raise ValueError("no stage lets a deal be won")
        for custom in self.custom_fields:
            if custom.type not in FIELD_TYPES:
                raise ValueError(f"field {custom.code}: type is one of {FIELD_TYPES}")
            if custom.type == "choice" and not custom.choices:
                raise ValueError(f"field {custom.code}: a choice needs choices")
        if len({f.code for f in self.custom_fields}) != len(self.custom_fields):
            raise ValueError("custom field codes repeat")
        return self


async def save_kind(session: AsyncSession, temporal: Client, code: str, data: KindIn) -> dict:
    if not CODE.match(code):
        raise DomainError("InvalidCode", 422, field="code", value=code)
    kind = (await session.exec(select(DealKind).where(DealKind.code == code))).scalar_one_or_none()
    if kind is None:
        last = (await session.exec(select(func.max(DealKind.position)))).scalar_one()
        kind = DealKind(code=code, name=data.name, position=(last or 0) + 1)
    elif kind.is_tender != data.is_tender and await _has_deals(session, kind):
        raise DomainError("KindInUse", 409, field="is_tender", value=code)
    if kind.id is not None:
        stranded = (
            await session.exec(
                select(Deal.id).where(
                    Deal.kind_id == kind.id,
                    Deal.status.in_(("open", "paused")),  # type: ignore[attr-defined]
                    Deal.stage_code.not_in([s.code for s in data.stages]),  # type: ignore[attr-defined]
                ).limit(20)
            )
        ).scalars().all()
        if stranded:
            raise DomainError("StageInUse", 409, deals=", ".join(map(str, stranded)))
    kind.name, kind.name_en, kind.is_tender, kind.is_active = data.name, data.name_en, data.is_tender, data.is_active
    session.add(kind)
    await session.flush()
    await session.exec(delete(DealStage).where(DealStage.kind_id == kind.id))
    await session.exec(delete(CustomFieldDef).where(CustomFieldDef.kind_id == kind.id))
    session.add_all(
        DealStage(
            kind_id=kind.id, code=s.code, name=s.name, name_en=s.name_en, position=i, next_codes=s.next,
            can_win=s.can_win, allows_children=s.allows_children, approved_next=s.approved_next,
        )
        for i, s in enumerate(data.stages)
    )
    session.add_all(
        CustomFieldDef(
            kind_id=kind.id, code=f.code, label=f.label, label_en=f.label_en, field_type=f.type,
            required=f.required, choices=f.choices, position=i,
        )
        for i, f in enumerate(data.custom_fields)
    )
    await session.commit()
    return {"code": code, "live_deals_updated": await _push_to_live_deals(session, temporal, code)}


async def _has_deals(session: AsyncSession, kind: DealKind) -> bool:
    return (await session.exec(select(Deal.id).where(Deal.kind_id == kind.id).limit(1))).first() is not None


async def _push_to_live_deals(session: AsyncSession, temporal: Client, code: str) -> int:
    kind, kind_def = await load_kind(session, code, active_only=False)
    numbers = (
        await session.exec(
            select(Deal.id).where(Deal.kind_id == kind.id, Deal.status.in_(("open", "paused")))  # type: ignore[attr-defined]
        )
    ).scalars().all()
    limit = asyncio.Semaphore(20)

    async def push(number: int) -> None:
        async with limit:
            try:
                await temporal.get_workflow_handle(deal_workflow_id(number)).execute_update(
                    DealWorkflow.refresh_kind, kind_def
                )
            except Exception as err:
                refusal = from_workflow(err)
                if refusal.code != Refusal.deal_closed:  # closed meanwhile: nothing to update
                    raise refusal from err

    await asyncio.gather(*(push(n) for n in numbers))
    return len(numbers)
