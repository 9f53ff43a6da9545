"""DealWorkflow: one per deal, id `deal-<number>`, from entry until it is won or lost.

The workflow is where a deal stands; every change arrives as an Update whose validator refuses
what the deal's kind or state does not allow, and an activity then writes the new version of the
card into the read model. A paused deal sleeps on a durable timer and wakes by itself. Approval of
terms (`deal_approval.py`) and a tender's child deals (`deal_tender.py`) are mixed in.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from temporalio import workflow

from workflows.deal_approval import DealApproval
from workflows.deal_tender import DealTender

with workflow.unsafe.imports_passed_through():
    from models.messages.approval import (
        RoundStatus,
    )
    from models.messages.common import Actor, refuse
    from models.messages.deal import (
        CloseRequest,
        DealEdit,
        DealSave,
        DealStart,
        DealStatus,
        DealView,
        KindDef,
        ManagerNotice,
        PauseRequest,
        Refusal,
        ResumeRequest,
        StageMove,
        WaitInfo,
    )
    from workflows import search_attributes as sa
    from workflows.activity_options import WRITE_OPTIONS

@workflow.defn
class DealWorkflow(DealApproval, DealTender):
    @workflow.init
    def __init__(self, start: DealStart) -> None:
        self.state = start.state
        self.policy = start.policy
        self._saved_version = start.state.version
        # Set at start (or carried over by continue-as-new); only changes are upserted.
        self._indexed: dict[str, object] = {
            pair.key.name: pair.value for pair in workflow.info().typed_search_attributes
        }
        # Handlers await activities; the lock keeps one change at a time, in arrival order.
        self._lock = asyncio.Lock()
        self._describe()

    @workflow.run
    async def run(self, start: DealStart) -> DealStatus:
        if self.state.version == 0:
            async with self._lock:
                await self._commit("created", self.state.changed_by)
        while not self.state.status.is_closed and not self._history_is_long():
            if self.state.status is DealStatus.paused:
                await self._sleep_until_pause_ends()
            else:
                await workflow.wait_condition(
                    lambda: self.state.status is not DealStatus.open or self._history_is_long()
                )
        # Let any change in flight finish before the run ends or continues as new.
        await workflow.wait_condition(workflow.all_handlers_finished)
        if not self.state.status.is_closed:
            workflow.continue_as_new(DealStart(state=self.state, policy=self.policy))
        return self.state.status

    async def _sleep_until_pause_ends(self) -> None:
        until = self.state.paused_until
        assert until is not None
        try:
            await workflow.wait_condition(
                # Resumed early, re-paused to another date, or closed: re-evaluate.
                lambda: self.state.status is not DealStatus.paused or self.state.paused_until != until,
                timeout=max(until - workflow.now(), timedelta(0)),
                timeout_summary=f"pause until {until.isoformat()}",
            )
        except TimeoutError:
            async with self._lock:
                if self.state.status is not DealStatus.paused or self.state.paused_until != until:
                    return
                self.state.status = DealStatus.open
                self.state.paused_until = None
                await self._commit("woke", self.state.changed_by)
                await workflow.execute_activity(
                    "notify_manager",
                    ManagerNotice(
                        deal_number=self.state.number,
                        employee_id=self.state.card.manager_id,
                        kind="pause_ended",
                        key=f"deal-{self.state.number}-woke-{self.state.version}",
                        comment=self.state.pause_comment,
                    ),
                    summary="tell the manager the pause is over",
                    **WRITE_OPTIONS,
                )

    # --- Updates: card edits and stage moves -------------------------------------------------

    @workflow.update
    async def opened(self) -> DealView:
        """Returns once the new deal is in the read model (used with update-with-start)."""
        await workflow.wait_condition(lambda: self._saved_version >= 1)
        return self.view()

    @workflow.update
    async def edit(self, req: DealEdit) -> DealView:
        async with self._lock:
            self._validate_edit(req)  # again: another change may have landed while we queued
            terms_changed = req.card.terms() != self.state.card.terms()
            self.state.card = req.card
            self.state.labels = req.labels
            if terms_changed:
                await self._void_approval()
            await self._commit("edited", req.actor)
            return self.view()

    @edit.validator
    def _validate_edit(self, req: DealEdit) -> None:
        self._require_not_closed()
        if req.expected_version != self.state.version:
            raise refuse(
                Refusal.version_conflict,
                expected=req.expected_version,
                current=self.state.version,
                changed_by=self.state.changed_by.name,
                changed_at=self.state.changed_at.isoformat(),
            )
        if self.state.kind.is_tender:
            wanted = req.card.quantities_by_key()
            for line in self.tender_balance():
                if wanted.get(line.key, Decimal(0)) < line.taken:
                    raise refuse(Refusal.below_taken, key=line.key, taken=str(line.taken))

    @workflow.update
    async def move_stage(self, req: StageMove) -> DealView:
        async with self._lock:
            self._validate_move(req)
            old = self.state.stage_code
            self.state.stage_code = req.to_stage
            self.state.stage_entered_at = workflow.now()
            await self._commit("stage", req.actor, req.comment or f"{old} → {req.to_stage}")
            return self.view()

    @move_stage.validator
    def _validate_move(self, req: StageMove) -> None:
        self._require_open()
        allowed = self.state.kind.allowed_moves(self.state.stage_code)
        if req.to_stage not in allowed:
            raise refuse(
                Refusal.stage_move_not_allowed,
                stage=self.state.stage_code,
                to_stage=req.to_stage,
                allowed=allowed,
            )

    # --- Updates: pause, resume, close -----------------------------------------------------

    @workflow.update
    async def pause(self, req: PauseRequest) -> DealView:
        async with self._lock:
            self._validate_pause(req)
            self.state.status = DealStatus.paused
            self.state.paused_at = workflow.now()
            self.state.paused_until = req.until
            self.state.pause_comment = req.comment
            await self._commit("paused", req.actor, req.comment)
            return self.view()

    @pause.validator
    def _validate_pause(self, req: PauseRequest) -> None:
        self._require_not_closed()
        if req.until <= workflow.now():
            raise refuse(Refusal.pause_in_past, until=req.until.isoformat())

    @workflow.update
    async def resume(self, req: ResumeRequest) -> DealView:
        async with self._lock:
            self._validate_resume(req)
            self.state.status = DealStatus.open
            self.state.paused_until = None
            await self._commit("resumed", req.actor)
            return self.view()

    @resume.validator
    def _validate_resume(self, req: ResumeRequest) -> None:
        self._require_not_closed()
        if self.state.status is not DealStatus.paused:
            raise refuse(Refusal.not_paused)

    @workflow.update
    async def close(self, req: CloseRequest) -> DealView:
        async with self._lock:
            self._validate_close(req)
            self.state.status = DealStatus.won if req.won else DealStatus.lost
            self.state.close_reason = req.reason
            self.state.paused_until = None
            await self._commit("won" if req.won else "lost", req.actor, req.reason)
            if not req.won and self.state.parent_number is not None:
                await self._release_from_tender()
            return self.view()

    @close.validator
    def _validate_close(self, req: CloseRequest) -> None:
        self._require_not_closed()
        stage = self.state.kind.stage(self.state.stage_code)
        if req.won and not stage.can_win:
            raise refuse(
                Refusal.cannot_win_here,
                stage=stage.code,
                win_stages=[s.code for s in self.state.kind.stages if s.can_win],
            )

    @workflow.update
    async def refresh_kind(self, kind: KindDef) -> DealView:
        """An administrator changed the kind's stages: live deals follow the new set."""
        self.state.kind = kind
        self._describe()
        return self.view()

    @refresh_kind.validator
    def _validate_refresh(self, kind: KindDef) -> None:
        codes = [stage.code for stage in kind.stages]
        if kind.code != self.state.kind.code or self.state.stage_code not in codes:
            raise refuse(Refusal.stage_move_not_allowed, stage=self.state.stage_code, to_stage="", allowed=codes)

    # --- Queries ---------------------------------------------------------------------------

    @workflow.query
    def view(self) -> DealView:
        stage = self.state.kind.stage(self.state.stage_code)
        return DealView(
            number=self.state.number,
            version=self.state.version,
            stage_code=self.state.stage_code,
            status=self.state.status,
            allowed_moves=(
                self.state.kind.allowed_moves(stage.code)
                if self.state.status is DealStatus.open
                else []
            ),
            can_win=stage.can_win and not self.state.status.is_closed,
            waiting_for=self.waiting_for(),
            changed_at=self.state.changed_at,
            changed_by=self.state.changed_by.name,
            approval=self.state.approval,
            run_id=workflow.info().run_id,
        )

    @workflow.query
    def waiting_for(self) -> WaitInfo:
        s = self.state
        if s.status is DealStatus.paused:
            assert s.paused_at is not None
            return WaitInfo(what="pause_timer", since=s.paused_at, until=s.paused_until)
        if s.status.is_closed:
            return WaitInfo(what="nothing", since=s.changed_at)
        if s.approval.status is RoundStatus.pending and s.approval.since is not None:
            return WaitInfo(what="approval", since=s.approval.since, who=s.approval.round_id)
        return WaitInfo(what="manager_action", since=s.stage_entered_at, who=s.labels.manager_name)

    # --- Inside ------------------------------------------------------------------------------

    def _require_not_closed(self) -> None:
        if self.state.status.is_closed:
            raise refuse(Refusal.deal_closed, status=self.state.status.value)

    def _require_open(self) -> None:
        self._require_not_closed()
        if self.state.status is DealStatus.paused:
            raise refuse(Refusal.deal_paused, until=str(self.state.paused_until))

    def _history_is_long(self) -> bool:
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self.policy.history_limit
        )

    async def _commit(self, action: str, actor: Actor, comment: str = "") -> None:
        """Make the change a new version and write it to the read model."""
        s = self.state
        s.version += 1
        s.changed_at = workflow.now()
        s.changed_by = actor
        self._index()
        self._describe()
        await workflow.execute_activity(
            "save_deal",
            DealSave(
                state=s, action=action, actor=actor, at=s.changed_at, comment=comment,
                card_changed=action == "edited",
            ),
            summary=f"save version {s.version}: {action}",
            **WRITE_OPTIONS,
        )
        self._saved_version = max(self._saved_version, s.version)

    def _describe(self) -> None:
        """What the Temporal UI shows as this workflow's current details."""
        s, waiting = self.state, self.waiting_for()
        stage = s.kind.stage(s.stage_code).name
        lines = [
            f"**{s.kind.name} {s.number}** · {s.labels.client_name} · {s.labels.manager_name}",
            f"Этап: {stage} · статус: {s.status.value} · версия {s.version}",
            f"Ждёт: {waiting.what} {waiting.who} с {waiting.since:%Y-%m-%d %H:%M} UTC"
            + (f" до {waiting.until:%Y-%m-%d %H:%M} UTC" if waiting.until else ""),
        ]
        workflow.set_current_details("\n\n".join(lines))

    def _index(self) -> None:
        """Upsert the search attributes that changed (each upsert is a history event)."""
        changed = [
            pair.key.value_set(pair.value)
            for pair in sa.for_deal(self.state)
            if self._indexed.get(pair.key.name) != pair.value
        ]
        if changed:
            workflow.upsert_search_attributes(changed)
            self._indexed.update({update.key.name: update.value for update in changed})
