"""The deal's side of approving its commercial terms: submit a round (an ApprovalWorkflow child),
hear how it ended, void an approval when the terms change. Mixed into DealWorkflow."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import ParentClosePolicy

from workflows.approval import ApprovalWorkflow
from workflows.ids import approval_workflow_id

with workflow.unsafe.imports_passed_through():
    from models.messages.approval import (
        ApprovalOutcome,
        ApprovalStart,
        PlannedRound,
        RoundStatus,
        RoundStatusChange,
    )
    from models.messages.common import Actor, refuse
    from models.messages.deal import DealView, ManagerNotice, Refusal, SubmitApproval
    from workflows import search_attributes as sa
    from workflows.activity_options import MAIL_OPTIONS, WRITE_OPTIONS


class DealApproval:
    @workflow.update
    async def submit_for_approval(self, req: SubmitApproval) -> DealView:
        async with self._lock:
            self._validate_submit(req)
            try:
                planned: PlannedRound = await workflow.execute_activity(
                    "plan_approval", self.state.number, result_type=PlannedRound,
                    summary="who approves and why", **WRITE_OPTIONS,
                )
            except ActivityError as err:
                # The rules ask for someone the organisation lacks: the caller learns why.
                cause = err.cause
                if isinstance(cause, ApplicationError) and cause.type:
                    raise refuse(cause.type, **(cause.details[0] if cause.details else {})) from None
                raise
            a = self.state.approval
            a.round += 1
            a.round_id = approval_workflow_id(self.state.number, a.round)
            a.status, a.since, a.comment, a.decided_by = RoundStatus.pending, workflow.now(), "", ""
            a.terms = self.state.card.terms()
            await workflow.start_child_workflow(
                ApprovalWorkflow.run,
                ApprovalStart(
                    round_id=a.round_id, deal_number=self.state.number, round=a.round,
                    manager_id=self.state.card.manager_id, submitted_by=req.actor, submitted_at=a.since,
                    plan=planned.plan, policy=planned.policy,
                ),
                id=a.round_id,
                # The round outlives a continue-as-new of the deal and reports back by signal.
                parent_close_policy=ParentClosePolicy.ABANDON,
                search_attributes=sa.for_approval(self.state),
                static_summary=f"Согласование сделки {self.state.number}, круг {a.round}",
            )
            await self._commit("submitted", req.actor, f"#{a.round}")
            return self.view()

    @submit_for_approval.validator
    def _validate_submit(self, req: SubmitApproval) -> None:
        self._require_open()
        if self.state.approval.status is RoundStatus.pending:
            raise refuse(Refusal.approval_pending, round=self.state.approval.round)

    @workflow.signal
    async def approval_finished(self, outcome: ApprovalOutcome) -> None:
        async with self._lock:
            a = self.state.approval
            if outcome.round_id != a.round_id or a.status is not RoundStatus.pending:
                return  # a round the deal no longer waits for (cancelled by an edit)
            a.status, a.comment, a.decided_by, a.since = outcome.status, outcome.comment, outcome.decided_by, workflow.now()
            stage = self.state.kind.stage(self.state.stage_code)
            moves_on = outcome.status is RoundStatus.approved and stage.approved_next and not self.state.status.is_closed
            if moves_on:
                self.state.stage_code, self.state.stage_entered_at = stage.approved_next, workflow.now()  # type: ignore[assignment]
            decider = (
                Actor(employee_id=outcome.decided_by_id, name=outcome.decided_by)
                if outcome.decided_by_id is not None
                else self.state.changed_by
            )
            await self._commit(outcome.status.value, decider, outcome.comment)
            await workflow.execute_activity(
                "notify_manager",
                ManagerNotice(
                    deal_number=self.state.number, employee_id=self.state.card.manager_id,
                    kind=f"approval_{outcome.status.value}", key=f"{outcome.round_id}-{outcome.status.value}",
                    comment=outcome.comment, mail=True,
                ),
                summary="tell the manager how the round ended", **MAIL_OPTIONS,
            )

    async def _void_approval(self) -> None:
        """New terms: an approval given or pending was about the old ones."""
        a = self.state.approval
        if a.status is RoundStatus.approved:
            a.status, a.since = RoundStatus.invalidated, workflow.now()
            await workflow.execute_activity(
                "set_approval_round_status",
                RoundStatusChange(round_id=a.round_id, status=a.status, at=a.since),
                summary="the approval no longer holds", **WRITE_OPTIONS,
            )
        elif a.status is RoundStatus.pending:
            a.status, a.since = RoundStatus.cancelled, workflow.now()
            round_handle = workflow.get_external_workflow_handle(a.round_id)
            await round_handle.signal(ApprovalWorkflow.cancel, "terms changed")

