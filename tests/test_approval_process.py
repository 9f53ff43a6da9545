"""The approval round as a process: an absence entered mid-step moves it at once, silence brings
reminders and then the next head up, changed terms void the approval."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select, update

from activities.approval_planning import company_today, plan_for_deal
from models.approvals import ApprovalSeat, ApprovalStep
from models.messages.approval import ApprovalPolicy, ApprovalStart, RoundStatus
from models.messages.common import Actor
from models.org import Absence
from models.parties import Counterparty
from rules.calendar import WorkCalendar
from tests.helpers import deal_payload, eventually, new_client
from tests.mail_sink import link_in, text_of
from workflows.approval import ApprovalWorkflow


async def _deal(api, stack, **extra) -> int:  # noqa: ANN001
    client = await new_client(api)
    async with stack.db.session() as session:
        await session.exec(update(Counterparty).where(Counterparty.id == client).values(industry_confirmed=True))
        await session.commit()
    created = await api.post("/api/deals", json=deal_payload(stack.org, client_id=client, contact_id=None, **extra))
    number = created.json()["number"]
    await api.post(f"/api/deals/{number}/stage", json={"to_stage": "specification"})
    return number


def _mail(who: str, round_id: str, kind: str = "request"):  # noqa: ANN202
    return lambda m: str(m["To"]) == f"{who}@crm.test" and f"<{round_id}." in str(m["Message-ID"]) and f".{kind}" in str(m["Message-ID"])


async def test_absence_entered_while_pending_moves_the_step_at_once(pg, mail) -> None:  # noqa: ANN001
    org = pg.org
    async with pg.http("manager") as manager:
        number = await _deal(manager, pg)
        await manager.post(f"/api/deals/{number}/approval")
    round_id = f"approval-{number}-1"
    first = await mail.wait_for(_mail("group_head", round_id))
    today = company_today(pg.settings.timezone).isoformat()
    try:
        async with pg.http("group_head") as head:
            away = {"employee_id": org["group_head"], "kind": "sick", "date_from": today, "date_to": today,
                    "substitute_id": org["colleague"]}
            created = await head.post("/api/absences", json=away)
            assert created.status_code == 201 and round_id in created.json()["approval_rounds_moved"]
        moved = await mail.wait_for(_mail("colleague", round_id))
        assert "Вы действуете за Группов Григорий" in text_of(moved)

        async with pg.http("manager") as browser:  # the head's old link no longer decides
            browser.headers.pop("Authorization")
            old = await browser.get("/approve/" + link_in(first).rsplit("/approve/", 1)[1])
            assert old.status_code == 409 and 'data-problem="reassigned"' in old.text
        async with pg.http("colleague") as colleague:
            decided = await colleague.post(f"/api/approvals/{round_id}/decision", json={"step_index": 1, "approve": True})
            assert decided.json()["step_status"] == "approved"
        async with pg.db.session() as session:
            seat = (
                await session.exec(
                    select(ApprovalSeat).join(ApprovalStep, ApprovalStep.id == ApprovalSeat.step_id)
                    .where(ApprovalStep.round_id == round_id, ApprovalStep.index == 1)
                )
            ).scalar_one()
            assert (seat.planned_id, seat.how, seat.decided_by_id) == (org["group_head"], "substitute", org["colleague"])
    finally:
        async with pg.db.session() as session:
            await session.exec(delete(Absence).where(Absence.employee_id == org["group_head"]))
            await session.commit()


async def test_silence_brings_reminders_then_the_next_head_up(pg, mail) -> None:  # noqa: ANN001
    """A round started with a one-second working-time reminder and escalation after one reminder."""
    async with pg.http("manager") as manager:
        number = await _deal(manager, pg)
    async with pg.db.session() as session:
        plan = await plan_for_deal(session, number, company_today(pg.settings.timezone))
    round_id = f"approval-{number}-9"
    start = ApprovalStart(
        round_id=round_id, deal_number=number, round=9, manager_id=pg.org["manager"],
        submitted_by=Actor(employee_id=pg.org["manager"], name="Петрова Мария"), submitted_at=datetime.now(UTC),
        plan=plan,
        policy=ApprovalPolicy(
            remind_after=1, escalate_after_reminders=1,
            calendar=WorkCalendar(day_start=time(0), day_end=time(0), weekends=[]),  # every hour counts
        ),
    )
    handle = await pg.client.start_workflow(ApprovalWorkflow.run, start, id=round_id, task_queue=pg.settings.temporal_task_queue)
    request = await mail.wait_for(_mail("group_head", round_id))
    reminder = await mail.wait_for(_mail("group_head", round_id, "reminder1"))
    assert reminder["In-Reply-To"] == request["Message-ID"] and "Напоминание (1)" in str(reminder["Subject"])
    escalated = await mail.wait_for(_mail("head", round_id))
    assert "Группов Григорий не ответил(а) вовремя" in text_of(escalated)
    view = await handle.query(ApprovalWorkflow.view)
    seat = view.steps[0].seats[0]
    assert (seat.seat.approver_id, seat.seat.planned_id, seat.seat.how) == (pg.org["head"], pg.org["group_head"], "escalated")
    await handle.terminate("test over")


async def test_changed_terms_void_the_approval(pg, mail) -> None:  # noqa: ANN001
    org = pg.org
    async with pg.http("manager") as manager:
        number = await _deal(manager, pg)
        await manager.post(f"/api/deals/{number}/approval")
        await mail.wait_for(_mail("group_head", f"approval-{number}-1"))
        version = (await manager.get(f"/api/deals/{number}")).json()["version"]
        card = (await manager.get(f"/api/deals/{number}")).json()
        body = deal_payload(org, client_id=card["client_id"], contact_id=None, lines=3) | {"expected_version": version}
        edited = await manager.put(f"/api/deals/{number}", json=body)
        assert edited.status_code == 200 and edited.json()["approval"]["status"] == "cancelled"
        outcome = await pg.client.get_workflow_handle_for(ApprovalWorkflow.run, f"approval-{number}-1").result()
        assert outcome.status is RoundStatus.cancelled

        # A title is not a term: editing it keeps an approval.
        await manager.post(f"/api/deals/{number}/approval")
    for step, who in ((1, "group_head"), (2, "finance")):
        await mail.wait_for(_mail(who, f"approval-{number}-2"))
        async with pg.http(who) as approver:
            await approver.post(f"/api/approvals/approval-{number}-2/decision", json={"step_index": step, "approve": True})
    async with pg.http("manager") as manager:
        async def approved() -> bool:  # the read model has the approval's version (the deal moved on)
            return (await manager.get(f"/api/deals/{number}")).json()["stage_code"] == "invoice"

        await eventually(approved)
        card = (await manager.get(f"/api/deals/{number}")).json()
        same_terms = deal_payload(org, client_id=card["client_id"], contact_id=None, lines=3, title="Другое название")
        kept = await manager.put(f"/api/deals/{number}", json=same_terms | {"expected_version": card["version"]})
        assert kept.status_code == 200, kept.text
        assert kept.json()["approval"]["status"] == "approved"
        more = deal_payload(org, client_id=card["client_id"], contact_id=None, lines=4)
        voided = await manager.put(f"/api/deals/{number}", json=more | {"expected_version": card["version"] + 1})
        assert voided.json()["approval"]["status"] == "invalidated"


def test_working_time_skips_nights_weekends_and_holidays() -> None:
    calendar = WorkCalendar(holidays=[date(2026, 12, 31)], workdays=[date(2026, 12, 26)])
    utc = lambda *a: datetime(*a, tzinfo=UTC)  # noqa: E731 - Moscow is UTC+3
    # Wednesday 17:00 + 4 h: one hour today, three tomorrow → Thursday 12:00.
    assert calendar.add(utc(2026, 12, 2, 14), timedelta(hours=4)) == utc(2026, 12, 3, 9)
    # Friday 16:00 + 4 h → Monday 11:00.
    assert calendar.add(utc(2026, 12, 4, 13), timedelta(hours=4)) == utc(2026, 12, 7, 8)
    # Friday 23:00 + 1 h → Saturday 26.12 is worked this year → 10:00.
    assert calendar.add(utc(2026, 12, 25, 20), timedelta(hours=1)) == utc(2026, 12, 26, 7)
    # 30.12 17:00 + 2 h: one hour, then the holiday 31.12, then Friday 01.01 10:00.
    assert calendar.add(utc(2026, 12, 30, 14), timedelta(hours=2)) == utc(2027, 1, 1, 7)
    assert WorkCalendar(day_start=time(0), day_end=time(0), weekends=[]).always
