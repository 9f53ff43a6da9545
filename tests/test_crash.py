"""A worker killed with SIGKILL — while an approval step waits and right after a decision — loses
nothing: after a restart the round goes on, no decision is taken twice, no mail is sent twice."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from api.approvals.service import ApprovalService
from api.auth.security import CurrentUser
from api.deals.schemas import DealCreate, StageMoveIn
from api.deals.service import DealService
from models.approvals import ApprovalSeat, ApprovalStep
from models.deals import DealChange
from models.mail import OutboxMail
from models.messages.approval import Decision
from models.parties import Counterparty
from tests.helpers import deal_payload, eventually, new_client

ROOT = Path(__file__).resolve().parent.parent
QUEUE = "crm-crash"


class WorkerProcess:
    """`python worker.py` as production runs it, on its own task queue."""

    def __init__(self, stack, log: Path) -> None:  # noqa: ANN001
        s = stack.settings
        self.env = {
            **os.environ,
            "DATABASE_URL": s.database_url, "TEMPORAL_ADDRESS": s.temporal_address,
            "TEMPORAL_NAMESPACE": s.temporal_namespace, "TEMPORAL_TASK_QUEUE": QUEUE,
            "SMTP_HOST": s.smtp_host, "SMTP_PORT": str(s.smtp_port), "PUBLIC_URL": s.public_url,
            "SECRET_KEY": s.secret_key, "APPROVAL_REMIND_AFTER": "PT10M",
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen([sys.executable, str(ROOT / "worker.py")], env=self.env, stdout=out, stderr=out)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def _person(org, who: str, name: str, roles: set[str]) -> CurrentUser:  # noqa: ANN001
    return CurrentUser(
        employee_id=org[who], name=name, email=f"{who}@crm.test", roles=frozenset(roles),
        department_id=None, language="ru",
    )


async def test_killed_worker_loses_nothing_and_repeats_nothing(pg, mail, artifacts) -> None:  # noqa: ANN001
    org = pg.org
    settings = pg.settings.model_copy(update={"temporal_task_queue": QUEUE, "update_timeout": timedelta(seconds=90)})
    manager = _person(org, "manager", "Петрова Мария", {"manager"})
    worker = WorkerProcess(pg, artifacts / "crash-worker.log")
    worker.start()
    try:
        async with pg.http("manager") as api:
            client = await new_client(api, "ООО «Крэш-тест»")
        async with pg.db.session() as session:
            await session.exec(update(Counterparty).where(Counterparty.id == client).values(industry_confirmed=True))
            await session.commit()
            deals = DealService(session, pg.client, settings, manager)
            number = (await deals.create(DealCreate.model_validate(deal_payload(org, client_id=client, contact_id=None)))).number
            await deals.move_stage(number, StageMoveIn(to_stage="specification"))
            approvals = ApprovalService(session, pg.client, settings)
            await approvals.submit(number, manager)
        round_id = f"approval-{number}-1"

        async def step_one_waits() -> bool:  # mailed and recorded as sent: the step now waits
            async with pg.db.session() as session:
                sent = (await session.exec(select(OutboxMail.sent_at).where(OutboxMail.key.like(f"{round_id}:s1:%")))).first()  # type: ignore[attr-defined]
                return sent is not None and sent[0] is not None

        await eventually(step_one_waits, timeout=30)
        worker.kill()  # while step 1 waits for its approver
        worker.start()
        async with pg.db.session() as session:
            approvals = ApprovalService(session, pg.client, settings)
            result = await approvals.decide(round_id, Decision(step_index=1, approver_id=org["group_head"], approve=True, channel="web"))
            assert result.step_status == "approved"
        worker.kill()  # right after the decision, before the next step is mailed (most likely)
        await asyncio.sleep(1)
        worker.start()

        await mail.wait_for(lambda m: f"<{round_id}.s2." in str(m["Message-ID"]), timeout=60)
        async with pg.db.session() as session:
            approvals = ApprovalService(session, pg.client, settings)
            final = await approvals.decide(round_id, Decision(step_index=2, approver_id=org["finance"], approve=True, channel="web"))
            assert final.round_status == "approved"
        async with pg.http("group_head") as head:
            refused = await head.post(f"/api/approvals/{round_id}/decision", json={"step_index": 1, "approve": True})
            assert refused.status_code == 409  # a decided step stays decided

        async def deal_moved_on() -> bool:
            async with pg.db.session() as session:
                stages = (await session.exec(select(DealChange.new_value).where(DealChange.deal_id == number, DealChange.field == "stage_code"))).scalars().all()
                return "Счёт выставлен" in stages

        await eventually(deal_moved_on, timeout=60)
    finally:
        worker.kill()

    # Every mail of this round reached the SMTP server exactly once.
    ids = Counter(str(m["Message-ID"]) for m in mail.messages if f"<{round_id}." in str(m["Message-ID"]))
    assert ids and all(count == 1 for count in ids.values()), ids
    assert len(ids) == 2  # one request per step
    async with pg.db.session() as session:
        outbox = (await session.exec(select(OutboxMail).where(OutboxMail.key.like(f"{round_id}:%")))).scalars().all()  # type: ignore[attr-defined]
        assert len(outbox) == 2 and all(m.sent_at is not None for m in outbox)
        decided = (
            await session.exec(
                select(func.count()).select_from(ApprovalSeat).join(ApprovalStep, ApprovalStep.id == ApprovalSeat.step_id)
                .where(ApprovalStep.round_id == round_id, ApprovalSeat.decision == "approve")
            )
        ).scalar_one()
        assert decided == 2
        versions = (await session.exec(select(DealChange.version, DealChange.field).where(DealChange.deal_id == number))).all()
        assert len(versions) == len(set(versions))  # no version of the card written twice
