"""The worker: registers the workflows and activities on the task queue. Nothing else.

Run as many replicas as the load needs; they share the task queue."""

from __future__ import annotations

import asyncio
import logging
import signal

from temporalio.client import Client
from temporalio.worker import Worker

from activities.approvals import ApprovalActivities
from activities.deals import DealActivities
from activities.mail import Mailer
from api.temporal import connect, ensure_search_attributes
from models.db import Database
from settings import Settings, get_settings
from workflows.approval import ApprovalWorkflow
from workflows.deal import DealWorkflow

WORKFLOWS = [DealWorkflow, ApprovalWorkflow]


def build_worker(client: Client, db: Database, settings: Settings) -> Worker:
    mailer = Mailer(db, settings)
    deals = DealActivities(db, settings, mailer)
    approvals = ApprovalActivities(db, settings, mailer)
    return Worker(
        client,
        task_queue=settings.temporal_task_queue,
        workflows=WORKFLOWS,
        activities=[
            deals.save_deal,
            deals.notify_manager,
            approvals.plan_approval,
            approvals.resolve_approval_step,
            approvals.escalate_approval_seat,
            approvals.record_approval_round,
            approvals.set_approval_round_status,
            approvals.record_approval_step,
            approvals.send_approval_mail,
        ],
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    client = await connect(settings)
    await ensure_search_attributes(client, settings.temporal_namespace)
    db = Database(settings.effective_database_url)
    worker = build_worker(client, db, settings)
    # SIGTERM (docker stop, `run.py up` stopping) and Ctrl-C end polling cleanly instead of a traceback.
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: loop.create_task(worker.shutdown()))
    try:
        await worker.run()
    finally:
        await db.dispose()


if __name__ == "__main__":
    asyncio.run(main())
