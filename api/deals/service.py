"""Deal commands: check the request against the read model, then ask the deal's workflow.

The workflow decides (its validators answer at once) and writes the read model; this service
never writes a deal row itself. Notes and files are the exception: they are not process state,
must be possible on closed deals too, and a file is too big to travel through Temporal."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from fastapi import Depends, UploadFile
from sqlalchemy import select, update
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client, WithStartWorkflowOperation, WorkflowHandle
from temporalio.common import TypedSearchAttributes, WorkflowIDConflictPolicy

from api.auth.security import CurrentUser, require_user
from api.deals import access
from api.deals.cards import CardResolver, load_kind
from api.deals.schemas import CloseIn, DealCreate, DealSaved, DealUpdate, PauseIn, StageMoveIn
from api.deps import get_session, get_settings, get_temporal
from api.errors import DomainError, from_workflow
from models.catalog import Product
from models.deals import Deal, DealChange, DealFile, DealKind, DealNote, Participant, SpecLine
from models.messages.deal import (
    ChildAllocation,
    ChildReleased,
    CloseRequest,
    DealCard,
    DealEdit,
    DealPolicy,
    DealStart,
    DealState,
    DealView,
    PauseRequest,
    ResumeRequest,
    SpecLineData,
    StageMove,
    TenderBalanceLine,
)
from models.notifications import Counter
from models.org import Role
from settings import Settings
from workflows import search_attributes
from workflows.deal import DealWorkflow
from workflows.ids import deal_workflow_id

CREATORS = (Role.manager, Role.head, Role.admin, Role.erp)


class DealService:
    def __init__(self, session: AsyncSession, temporal: Client, settings: Settings, user: CurrentUser) -> None:
        self.session = session
        self.temporal = temporal
        self.settings = settings
        self.user = user

    # --- creating ---------------------------------------------------------------------------

    async def create(self, data: DealCreate, *, copied_from: int | None = None) -> DealSaved:
        if not self.user.has(*CREATORS):
            raise DomainError("Forbidden", 403, roles=", ".join(CREATORS))
        kind, kind_def = await load_kind(self.session, data.kind)
        card, labels = await CardResolver(self.session, self.user).resolve(data, kind)
        if data.parent_number is not None:
            await self._check_parent(data.parent_number)
        number = await self._next_number()
        now = datetime.now(UTC)
        state = DealState(
            number=number,
            kind=kind_def,
            card=card,
            labels=labels,
            stage_code=kind_def.stages[0].code,
            stage_entered_at=now,
            changed_at=now,
            changed_by=self.user.actor,
            parent_number=data.parent_number,
            copied_from=copied_from,
        )
        if data.parent_number is not None:
            await self._take_from_tender(data.parent_number, number, card, data.override_reason)
        start = WithStartWorkflowOperation(
            DealWorkflow.run,
            DealStart(state=state, policy=DealPolicy(history_limit=self.settings.deal_history_limit)),
            id=deal_workflow_id(number),
            task_queue=self.settings.temporal_task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=TypedSearchAttributes(search_attributes.for_deal(state)),
            static_summary=f"{kind_def.name} {number} · {labels.client_name}",
        )
        try:
            view = await self.temporal.execute_update_with_start_workflow(
                DealWorkflow.opened, start_workflow_operation=start, rpc_timeout=self.settings.update_timeout
            )
        except Exception as err:
            refusal = from_workflow(err)
            if refusal.code == "WorkflowBusy":
                # Started and durable: the worker will write it when it gets to it.
                return DealSaved(number=number, accepted_only=True)
            if data.parent_number is not None:
                await self._give_back_to_tender(data.parent_number, number)
            raise refusal from err
        return DealSaved(number=number, view=view)

    async def copy(self, number: int) -> DealSaved:
        """A new deal with the same client, terms and specification, at the first stage."""
        source = await access.check(self.session, self.user, number, edit=False, see_department=self.settings.managers_see_department)
        card = await self.card_of(source)
        kind_code = (await self.session.exec(select(DealKind.code).where(DealKind.id == source.kind_id))).scalar_one()
        data = DealCreate(
            **card.model_dump(exclude={"manager_id"}),
            manager_id=card.manager_id if self.user.has(Role.head, Role.admin) else None,
            kind=kind_code,
            parent_number=source.parent_id,
        )
        return await self.create(data, copied_from=number)

    # --- changing ---------------------------------------------------------------------------

    async def update(self, number: int, data: DealUpdate) -> DealView:
        row = await self._editable(number)
        kind = await self.session.get(DealKind, row.kind_id)
        assert kind is not None
        card, labels = await CardResolver(self.session, self.user).resolve(data, kind, row.manager_id)
        if row.parent_id is not None:
            previous = await self.card_of(row)
            await self._take_from_tender(row.parent_id, number, card, data.override_reason)
        edit = DealEdit(card=card, labels=labels, expected_version=data.expected_version, actor=self.user.actor)
        try:
            return await self._update(number, DealWorkflow.edit, edit)
        except DomainError:
            if row.parent_id is not None:  # the edit was refused: the tender keeps the old quantities
                await self._take_from_tender(row.parent_id, number, previous, "restore", restore=True)
            raise

    async def move_stage(self, number: int, move: StageMoveIn) -> DealView:
        await self._editable(number)
        return await self._update(
            number, DealWorkflow.move_stage, StageMove(to_stage=move.to_stage, comment=move.comment, actor=self.user.actor)
        )

    async def pause(self, number: int, pause: PauseIn) -> DealView:
        await self._editable(number)
        until = pause.until
        if not isinstance(until, datetime):
            # A date means the start of that working day, in the company's time zone.
            local = datetime.combine(until, time(self.settings.workday_start_hour), ZoneInfo(self.settings.timezone))
            until = local.astimezone(UTC)
        return await self._update(
            number, DealWorkflow.pause, PauseRequest(until=until, comment=pause.comment, actor=self.user.actor)
        )

    async def resume(self, number: int) -> DealView:
        await self._editable(number)
        return await self._update(number, DealWorkflow.resume, ResumeRequest(actor=self.user.actor))

    async def close(self, number: int, close: CloseIn) -> DealView:
        await self._editable(number)
        return await self._update(
            number, DealWorkflow.close, CloseRequest(won=close.won, reason=close.reason, actor=self.user.actor)
        )

    async def add_note(self, number: int, text: str) -> DealNote:
        await access.check(self.session, self.user, number, edit=False, see_department=self.settings.managers_see_department)
        if self.user.has(Role.operations) and not self.user.has(Role.manager, Role.head, Role.admin):
            raise DomainError("Forbidden", 403, roles="manager, head, admin")
        note = DealNote(deal_id=number, author_id=self.user.employee_id, text=text)
        self.session.add(note)
        self.session.add(self._change(number, "note", "", text[:2000]))
        await self.session.commit()
        return note

    async def attach_file(self, number: int, upload: UploadFile) -> DealFile:
        await self._editable(number)
        content = await self._read_limited(upload)
        stored = DealFile(
            deal_id=number,
            file_name=(upload.filename or "file")[:300],
            content_type=upload.content_type or "application/octet-stream",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
            uploaded_by_id=self.user.employee_id,
        )
        self.session.add(stored)
        self.session.add(self._change(number, "file", "", stored.file_name))
        await self.session.commit()
        return stored

    # --- asking the workflow ------------------------------------------------------------------

    def handle(self, number: int) -> WorkflowHandle:
        return self.temporal.get_workflow_handle(deal_workflow_id(number))

    async def view(self, number: int) -> DealView | None:
        """What the workflow says now; None once the deal is closed and its workflow gone."""
        try:
            return await self.handle(number).query(DealWorkflow.view)
        except Exception:  # noqa: BLE001 - the card still shows the read model
            return None

    async def tender_balance(self, number: int) -> list[TenderBalanceLine]:
        await access.check(self.session, self.user, number, edit=False, see_department=self.settings.managers_see_department)
        try:
            return await self.handle(number).query(DealWorkflow.tender_balance)
        except Exception as err:
            raise from_workflow(err) from err

    async def _update(self, number: int, update_fn, arg) -> DealView:  # noqa: ANN001
        try:
            return await self.handle(number).execute_update(update_fn, arg, rpc_timeout=self.settings.update_timeout)
        except Exception as err:
            raise from_workflow(err) from err

    # --- inside -------------------------------------------------------------------------------

    async def _editable(self, number: int) -> Deal:
        return await access.check(self.session, self.user, number, edit=True, see_department=self.settings.managers_see_department)

    async def _next_number(self) -> int:
        # Committed at once: the counter row is never locked while the workflow starts.
        result = await self.session.exec(
            update(Counter).where(Counter.name == "deal").values(value=Counter.value + 1).returning(Counter.value)
        )
        number = result.scalar_one()
        await self.session.commit()
        return number

    async def _check_parent(self, parent_number: int) -> None:
        parent = await self.session.get(Deal, parent_number)
        kind = await self.session.get(DealKind, parent.kind_id) if parent else None
        if parent is None or kind is None or not kind.is_tender:
            raise DomainError("NotATender", 422, field="parent_number", value=parent_number)

    async def _take_from_tender(
        self, parent_number: int, child_number: int, card: DealCard, override_reason: str, restore: bool = False
    ) -> None:
        keys = await self._tender_keys(parent_number, card.lines)
        allocation = ChildAllocation(
            child_number=child_number,
            quantities=keys,
            override_reason=override_reason,
            actor=self.user.actor,
        )
        try:
            await self.handle(parent_number).execute_update(
                DealWorkflow.allocate_child, allocation, rpc_timeout=self.settings.update_timeout
            )
        except Exception as err:
            if not restore:
                raise from_workflow(err) from err

    async def _give_back_to_tender(self, parent_number: int, child_number: int) -> None:
        try:
            await self.handle(parent_number).signal(DealWorkflow.child_released, ChildReleased(child_number=child_number))
        except Exception:  # noqa: BLE001 - a closed tender has nothing to give back to
            pass

    async def _tender_keys(self, parent_number: int, lines: list[SpecLineData]) -> dict[str, Decimal]:
        """Map a child's lines onto the tender's: its product, else the category the tender names."""
        rows = (
            await self.session.exec(
                select(SpecLine.product_id, SpecLine.category_id).where(SpecLine.deal_id == parent_number)
            )
        ).all()
        tender_products = {p for p, _ in rows if p is not None}
        tender_categories = {c for p, c in rows if p is None and c is not None}
        product_ids = [line.product_id for line in lines if line.product_id is not None]
        category_of = dict(
            (await self.session.exec(select(Product.id, Product.category_id).where(Product.id.in_(product_ids)))).all()  # type: ignore[union-attr]
        )
        taken: dict[str, Decimal] = {}
        for line in lines:
            category = category_of.get(line.product_id, line.category_id)
            if line.product_id is not None and line.product_id in tender_products:
                key = f"p{line.product_id}"
            elif category in tender_categories:
                key = f"c{category}"
            else:
                key = line.key
            taken[key] = taken.get(key, Decimal(0)) + line.quantity
        return taken

    async def card_of(self, row: Deal) -> DealCard:
        lines = (
            await self.session.exec(select(SpecLine).where(SpecLine.deal_id == row.id).order_by(SpecLine.position))
        ).scalars()
        people = (
            await self.session.exec(select(Participant).where(Participant.deal_id == row.id).order_by(Participant.id))
        ).scalars()
        return DealCard.model_validate(
            {
                **row.model_dump(),
                "lines": [SpecLineData.model_validate(line.model_dump()) for line in lines],
                "participants": [p.model_dump() for p in people],
            }
        )

    def _change(self, number: int, action: str, old: str, new: str) -> DealChange:
        return DealChange(
            deal_id=number,
            at=datetime.now(UTC),
            actor_id=self.user.employee_id,
            actor_name=self.user.name,
            action=action,
            old_value=old,
            new_value=new,
        )

    async def _read_limited(self, upload: UploadFile) -> bytes:
        limit = self.settings.max_file_size
        chunks, size = [], 0
        while chunk := await upload.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                raise DomainError("FileTooLarge", 413, name=upload.filename, limit_mb=round(limit / 1024 / 1024, 1))
            chunks.append(chunk)
        if size == 0:
            raise DomainError("FileEmpty", 422, name=upload.filename)
        return b"".join(chunks)


async def deal_service(
    session: AsyncSession = Depends(get_session),
    temporal: Client = Depends(get_temporal),
    settings: Settings = Depends(get_settings),
    user: CurrentUser = Depends(require_user),
) -> DealService:
    return DealService(session, temporal, settings, user)

