"""The bare workflow the product is measured against: the same shape as a deal without the product.

A deal is started by update-with-start whose update returns once the start activity has run,
then moved by one update that runs one activity; here both activities only return. Run its
worker with `python -m bench.bare` (TEMPORAL_ADDRESS etc. as for worker.py)."""

from __future__ import annotations

import asyncio

from temporalio import activity, workflow
from temporalio.worker import Worker

with workflow.unsafe.imports_passed_through():
    from api.temporal import connect
    from settings import get_settings
    from workflows.activity_options import WRITE_OPTIONS

TASK_QUEUE = "bench-bare"


@activity.defn
async def save_nothing() -> None:
    """Stands for save_deal: one activity round-trip, no work."""


@workflow.defn
class BareWorkflow:
    def __init__(self) -> None:
        self.saved = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(save_nothing, **WRITE_OPTIONS)
        self.saved = 1
        # Stays open like a deal waiting for its manager.
        await workflow.wait_condition(lambda: False)

    @workflow.update
    async def opened(self) -> int:
        await workflow.wait_condition(lambda: self.saved >= 1)
        return self.saved

    @workflow.update
    async def move(self) -> int:
        await workflow.execute_activity(save_nothing, **WRITE_OPTIONS)
        self.saved += 1
        return self.saved


async def main() -> None:
    client = await connect(get_settings())
    # Worker defaults, as worker.py uses them.
    await Worker(client, task_queue=TASK_QUEUE, workflows=[BareWorkflow], activities=[save_nothing]).run()


if __name__ == "__main__":
    asyncio.run(main())
