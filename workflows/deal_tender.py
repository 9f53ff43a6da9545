"""A tender's child deals (shipments to end customers) take quantities from it; a child may not take
more of an item than is left unless a head overrides with a reason. Mixed into DealWorkflow."""

from __future__ import annotations

from decimal import Decimal

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.ids import deal_workflow_id

with workflow.unsafe.imports_passed_through():
    from models.messages.common import refuse
    from models.messages.deal import ChildAllocation, ChildReleased, Refusal, TenderBalanceLine


class DealTender:
    @workflow.update
    async def allocate_child(self, req: ChildAllocation) -> list[TenderBalanceLine]:
        async with self._lock:
            self._validate_allocation(req)
            self.state.allocations[req.child_number] = dict(req.quantities)
            if req.override_reason:
                self.state.overrides[req.child_number] = req.override_reason
            await self._commit("child", req.actor, self._allocation_note(req))
            return self.tender_balance()

    @allocate_child.validator
    def _validate_allocation(self, req: ChildAllocation) -> None:
        if not self.state.kind.is_tender:
            raise refuse(Refusal.not_a_tender)
        self._require_open()
        if not self.state.kind.stage(self.state.stage_code).allows_children:
            raise refuse(Refusal.stage_allows_no_children, stage=self.state.stage_code)
        ordered = self.state.card.quantities_by_key()
        taken_by_others = self._taken(exclude=req.child_number)
        excess = {
            key: str(qty - (ordered.get(key, Decimal(0)) - taken_by_others.get(key, Decimal(0))))
            for key, qty in req.quantities.items()
            if qty > ordered.get(key, Decimal(0)) - taken_by_others.get(key, Decimal(0))
        }
        if not excess:
            return
        if not req.override_reason:
            raise refuse(Refusal.exceeds_tender, excess=excess)
        if not req.actor.is_head:
            raise refuse(Refusal.override_needs_head, excess=excess)

    @workflow.signal
    async def child_released(self, msg: ChildReleased) -> None:
        """A child deal was lost: what it had taken returns to the tender."""
        async with self._lock:
            if self.state.status.is_closed or msg.child_number not in self.state.allocations:
                return
            del self.state.allocations[msg.child_number]
            self.state.overrides.pop(msg.child_number, None)
            await self._commit("child_released", self.state.changed_by, str(msg.child_number))

    async def _release_from_tender(self) -> None:
        parent = workflow.get_external_workflow_handle(deal_workflow_id(self.state.parent_number))
        try:
            await parent.signal(DealTender.child_released, ChildReleased(child_number=self.state.number))
        except ApplicationError:
            workflow.logger.info("tender %s already closed", self.state.parent_number)

    def _taken(self, exclude: int | None = None) -> dict[str, Decimal]:
        taken: dict[str, Decimal] = {}
        for child, quantities in self.state.allocations.items():
            if child == exclude:
                continue
            for key, qty in quantities.items():
                taken[key] = taken.get(key, Decimal(0)) + qty
        return taken

    def _allocation_note(self, req: ChildAllocation) -> str:
        parts = ", ".join(f"{key}: {qty}" for key, qty in sorted(req.quantities.items()))
        note = f"{req.child_number}: {parts}"
        return f"{note} ({req.override_reason})" if req.override_reason else note

    @workflow.query
    def tender_balance(self) -> list[TenderBalanceLine]:
        taken = self._taken()
        return [
            TenderBalanceLine(key=key, ordered=qty, taken=taken.get(key, Decimal(0)))
            for key, qty in self.state.card.quantities_by_key().items()
        ] + [
            TenderBalanceLine(key=key, ordered=Decimal(0), taken=qty)
            for key, qty in taken.items()
            if key not in self.state.card.quantities_by_key()
        ]

