"""ApprovalWorkflow: one round of approving a deal's commercial terms, id `approval-<deal>-<round>`,
started by the deal's workflow.

Steps sign bottom-up. A step becomes active only when the one below has signed: then its
approvers are resolved for that day (absent → substitute → next head up), mailed, reminded on
working time and escalated after too many reminders. Decisions are Updates; the round ends at the
first rejection or the last approval and tells the deal."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow

from workflows.ids import deal_workflow_id

with workflow.unsafe.imports_passed_through():
    from models.messages.approval import (
        ApprovalMail,
        ApprovalOutcome,
        ApprovalRefusal,
        ApprovalStart,
        ApprovalView,
        Decision,
        DecisionResult,
        RoundRecord,
        RoundStatus,
        SeatState,
        StepRecord,
        StepState,
        StepToResolve,
    )
    from models.messages.common import refuse
    from rules.approval_chain import Seat, StepPlan
    from workflows.activity_options import MAIL_OPTIONS, WRITE_OPTIONS
    from workflows.search_attributes import approval_attributes



@workflow.defn
class ApprovalWorkflow:
    @workflow.init
    def __init__(self, start: ApprovalStart) -> None:
        self.start = start
        self.steps = [StepState(plan=plan) for plan in start.plan.steps]
        self.current: int | None = None
        self.status = RoundStatus.pending
        self.comment = ""
        self.decided_by = ""
        self.decided_by_id: int | None = None
        self._indexed: tuple[str, list[str]] = ("", [])
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, start: ApprovalStart) -> ApprovalOutcome:
        await self._record_round()
        for step in self.steps:
            if self.status is not RoundStatus.pending:
                break
            self.current = step.plan.index
            async with self._lock:
                await self._activate(step)
            await self._wait_for_decisions(step)
        if self.status is RoundStatus.pending:
            self.status = RoundStatus.approved
        self.current = None
        await workflow.wait_condition(workflow.all_handlers_finished)
        await self._record_round()
        self._index()
        outcome = ApprovalOutcome(
            round_id=start.round_id, round=start.round, status=self.status,
            comment=self.comment, decided_by=self.decided_by, decided_by_id=self.decided_by_id,
        )
        await self._tell_deal(outcome)
        return outcome

    # --- Updates ----------------------------------------------------------------------------

    @workflow.update
    async def decide(self, decision: Decision) -> DecisionResult:
        async with self._lock:
            self._validate_decision(decision)  # again: another decision may have landed meanwhile
            step = self._step(decision.step_index)
            seat = self._seat(step, decision.approver_id)
            assert seat is not None  # the validator saw to it
            seat.decision = "approve" if decision.approve else "reject"
            seat.decided_by = decision.approver_id
            seat.comment = decision.comment
            seat.channel = decision.channel
            seat.decided_at = workflow.now()
            if not decision.approve:
                step.status = "rejected"
                self.status = RoundStatus.rejected
                self.comment = decision.comment
                self.decided_by, self.decided_by_id = seat.seat.approver_name, decision.approver_id
            elif all(s.decision == "approve" for s in step.seats):
                step.status = "approved"
                if step is self.steps[-1]:
                    self.status = RoundStatus.approved
                    self.decided_by, self.decided_by_id = seat.seat.approver_name, decision.approver_id
            if step.status != "active":
                step.decided_at = workflow.now()
            await self._record_step(step)
            return DecisionResult(
                round_status=self.status, step_index=decision.step_index, step_status=step.status,
            )

    @decide.validator
    def _validate_decision(self, decision: Decision) -> None:
        if self.status is not RoundStatus.pending:
            raise refuse(ApprovalRefusal.round_closed, status=self.status.value)
        if decision.step_index != self.current or self._step(decision.step_index).status != "active":
            raise refuse(ApprovalRefusal.not_current_step, step=decision.step_index, current=self.current)
        seat = self._seat(self._step(decision.step_index), decision.approver_id)
        if seat is None:
            raise refuse(ApprovalRefusal.not_your_seat, step=decision.step_index)
        if seat.decision is not None:
            raise refuse(
                ApprovalRefusal.already_decided,
                decision=seat.decision, at=seat.decided_at.isoformat() if seat.decided_at else "",
            )

    @workflow.update
    async def reroute(self) -> list[int]:
        """Someone on the active step became absent: ask who acts for them today, at once."""
        async with self._lock:
            if self.status is not RoundStatus.pending or self.current is None:
                return []
            step = self._step(self.current)
            if step.status != "active":
                return []
            return await self._reroute(step)

    @workflow.signal
    async def cancel(self, reason: str) -> None:
        """The deal's terms changed while this round was pending: it no longer applies."""
        if self.status is RoundStatus.pending:
            self.status = RoundStatus.cancelled
            self.comment = reason

    @workflow.query
    def view(self) -> ApprovalView:
        return ApprovalView(
            round_id=self.start.round_id, round=self.start.round, status=self.status,
            current_step=self.current, steps=self.steps,
        )

    # --- Inside -------------------------------------------------------------------------------

    def _step(self, index: int) -> StepState:
        """Steps are numbered from 1, as people and the read model count them."""
        return next(step for step in self.steps if step.plan.index == index)

    @staticmethod
    def _seat(step: StepState, approver_id: int) -> SeatState | None:
        return next((s for s in step.seats if approver_id in (s.seat.approver_id, s.seat.planned_id)), None)

    def _approved_so_far(self) -> list[int]:
        return [s.seat.approver_id for step in self.steps for s in step.seats if s.decision == "approve"]

    async def _activate(self, step: StepState) -> None:
        resolved: StepPlan = await workflow.execute_activity(
            "resolve_approval_step",
            StepToResolve(
                round_id=self.start.round_id, plan=step.plan, manager_id=self.start.manager_id,
                approved=self._approved_so_far(),
            ),
            result_type=StepPlan,
            summary=f"who signs step {step.plan.index} today",
            **WRITE_OPTIONS,
        )
        now = workflow.now()
        step.status, step.activated_at = "active", now
        step.seats = [self._new_seat(seat) for seat in resolved.seats]
        if all(s.decision == "approve" for s in step.seats):
            step.status, step.decided_at = "approved", now
        await self._record_step(step)
        for seat in step.seats:
            if seat.decision is None:
                await self._mail(step, seat, "request")

    def _new_seat(self, seat: Seat) -> SeatState:
        state = SeatState(seat=seat, reply_token=workflow.uuid4().hex[:20], activated_at=workflow.now())
        if seat.how == "already_approved":  # no one signs twice in a round
            state.decision, state.decided_by, state.channel = "approve", seat.approver_id, "auto"
            state.decided_at, state.comment = workflow.now(), seat.note
        return state

    async def _wait_for_decisions(self, step: StepState) -> None:
        policy = self.start.policy
        while step.status == "active" and self.status is RoundStatus.pending:
            deadline = policy.calendar.add(workflow.now(), timedelta(seconds=policy.remind_after))
            try:
                await workflow.wait_condition(
                    lambda: step.status != "active" or self.status is not RoundStatus.pending,
                    timeout=max(deadline - workflow.now(), timedelta(seconds=1)),
                    timeout_summary=f"remind step {step.plan.index}",
                )
            except TimeoutError:
                async with self._lock:
                    if step.status == "active" and self.status is RoundStatus.pending:
                        await self._chase(step)

    async def _chase(self, step: StepState) -> None:
        """A reminder to whoever has not decided; after too many, the next head up takes over."""
        for seat in [s for s in step.seats if s.decision is None]:
            seat.reminders += 1
            if seat.reminders <= self.start.policy.escalate_after_reminders:
                await self._mail(step, seat, "reminder")
                continue
            escalated: Seat = await workflow.execute_activity(
                "escalate_approval_seat",
                StepToResolve(
                    round_id=self.start.round_id,
                    plan=step.plan.model_copy(update={"seats": [seat.seat]}),
                    manager_id=self.start.manager_id,
                    approved=self._approved_so_far(),
                ),
                result_type=Seat,
                summary=f"escalate step {step.plan.index}",
                **WRITE_OPTIONS,
            )
            if escalated.approver_id != seat.seat.approver_id:
                fresh = self._new_seat(escalated)
                step.seats[step.seats.index(seat)] = fresh
                if fresh.decision is None:
                    await self._mail(step, fresh, "request")
        if all(s.decision == "approve" for s in step.seats):
            step.status, step.decided_at = "approved", workflow.now()
        await self._record_step(step)

    async def _reroute(self, step: StepState) -> list[int]:
        undecided = [s for s in step.seats if s.decision is None]
        resolved: StepPlan = await workflow.execute_activity(
            "resolve_approval_step",
            StepToResolve(
                round_id=self.start.round_id,
                plan=step.plan.model_copy(update={"seats": [s.seat for s in undecided]}),
                manager_id=self.start.manager_id,
                approved=self._approved_so_far(),
            ),
            result_type=StepPlan,
            summary="absence entered: who acts now",
            **WRITE_OPTIONS,
        )
        moved: list[int] = []
        for old, new in zip(undecided, resolved.seats, strict=True):
            if new.approver_id == old.seat.approver_id:
                continue
            fresh = self._new_seat(new)
            step.seats[step.seats.index(old)] = fresh
            moved.append(new.approver_id)
            if fresh.decision is None:
                await self._mail(step, fresh, "request")
        if all(s.decision == "approve" for s in step.seats):
            step.status, step.decided_at = "approved", workflow.now()
        await self._record_step(step)
        return moved

    async def _mail(self, step: StepState, seat: SeatState, kind: str) -> None:
        await workflow.execute_activity(
            "send_approval_mail",
            ApprovalMail(
                kind=kind,  # type: ignore[arg-type]
                round_id=self.start.round_id,
                summary=self.start.plan.summary,
                step=step.plan,
                seat=seat,
                number=seat.reminders,
            ),
            summary=f"{kind} to {seat.seat.approver_name}",
            **MAIL_OPTIONS,
        )

    async def _record_step(self, step: StepState) -> None:
        await workflow.execute_activity(
            "record_approval_step",
            StepRecord(round_id=self.start.round_id, step=step),
            summary=f"save step {step.plan.index}",
            **WRITE_OPTIONS,
        )
        self._index()

    def _index(self) -> None:
        """ApprovalStatus and WaitingOn (names) for the Temporal UI, upserted when they change."""
        waiting = (
            [s.seat.approver_name for s in self._step(self.current).seats if s.decision is None]
            if self.current is not None and self.status is RoundStatus.pending
            else []
        )
        if (self.status.value, waiting) != self._indexed:
            workflow.upsert_search_attributes(approval_attributes(self.status.value, waiting))
            self._indexed = (self.status.value, waiting)

    async def _record_round(self) -> None:
        s = self.start
        await workflow.execute_activity(
            "record_approval_round",
            RoundRecord(
                round_id=s.round_id, deal_number=s.deal_number, round=s.round, status=self.status,
                rule_version=s.plan.rule_version, hits=s.plan.hits, submitted_by=s.submitted_by,
                submitted_at=s.submitted_at, comment=self.comment,
                decided_at=None if self.status is RoundStatus.pending else workflow.now(),
            ),
            summary=f"save round: {self.status.value}",
            **WRITE_OPTIONS,
        )

    async def _tell_deal(self, outcome: ApprovalOutcome) -> None:
        deal = workflow.get_external_workflow_handle(deal_workflow_id(self.start.deal_number))
        try:
            await deal.signal("approval_finished", outcome)
        except Exception:  # noqa: BLE001 - the deal was closed meanwhile: nobody to tell
            workflow.logger.info("deal %s is closed; outcome kept in the read model", self.start.deal_number)
