"""Approval activities: plan a round, resolve who acts today, record the round in the read model,
and mail approvers (each mail once, whatever the retries)."""

from __future__ import annotations

from sqlalchemy import select
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.approval_links import LinkTarget, sign
from activities.approval_planning import company_today, load_org, plan_for_deal
from activities.mail import Mailer, Outgoing, mail_domain, render
from api.i18n import Translator, seat_note
from models.approvals import ApprovalRound, ApprovalSeat, ApprovalStep
from models.db import Database
from models.messages.approval import (
    ApprovalMail,
    ApprovalPolicy,
    PlannedRound,
    RoundRecord,
    RoundStatusChange,
    StepRecord,
    StepToResolve,
)
from models.org import Employee
from rules.approval_chain import ChainProblem, Seat, StepPlan, escalate_seat, resolve_step
from rules.calendar import WorkCalendar
from settings import Settings


def policy_from(settings: Settings) -> ApprovalPolicy:
    return ApprovalPolicy(
        remind_after=settings.approval_remind_after.total_seconds(),
        escalate_after_reminders=settings.approval_escalate_after_reminders,
        calendar=WorkCalendar(
            timezone=settings.timezone,
            day_start=settings.work_day_start,
            day_end=settings.work_day_end,
            weekends=settings.work_weekends,
            holidays=settings.work_holidays,
            workdays=settings.work_extra_days,
        ),
    )


def message_id(settings: Settings, round_id: str, step: int, approver: int, kind: str, number: int) -> str:
    return f"<{round_id}.s{step}.a{approver}.{kind}{number}@{mail_domain(settings)}>"


def reply_address(settings: Settings, token: str) -> str:
    local, _, domain = settings.approvals_address.partition("@")
    return f"{local}+{token}@{domain}"


class ApprovalActivities:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer

    @activity.defn(name="plan_approval")
    async def plan_approval(self, deal_number: int) -> PlannedRound:
        async with self.db.session() as session:
            try:
                plan = await plan_for_deal(session, deal_number, company_today(self.settings.timezone))
            except ChainProblem as problem:
                raise ApplicationError(str(problem), problem.params, type=problem.code, non_retryable=True) from None
        return PlannedRound(plan=plan, policy=policy_from(self.settings))

    @activity.defn(name="resolve_approval_step")
    async def resolve_approval_step(self, req: StepToResolve) -> StepPlan:
        day = company_today(self.settings.timezone)
        async with self.db.session() as session:
            org = await load_org(session, day)
        return resolve_step(req.plan, org, day, req.manager_id, set(req.approved))

    @activity.defn(name="escalate_approval_seat")
    async def escalate_approval_seat(self, req: StepToResolve) -> Seat:
        day = company_today(self.settings.timezone)
        async with self.db.session() as session:
            org = await load_org(session, day)
        return escalate_seat(req.plan.seats[0], org, day, req.manager_id, set(req.approved))

    @activity.defn(name="record_approval_round")
    async def record_approval_round(self, r: RoundRecord) -> None:
        async with self.db.session() as session, session.begin():
            row = await session.get(ApprovalRound, r.round_id) or ApprovalRound(
                id=r.round_id, deal_id=r.deal_number, round=r.round, rule_version=r.rule_version,
                submitted_by_id=r.submitted_by.employee_id, submitted_at=r.submitted_at,
            )
            row.status = r.status.value
            row.hits = [h.model_dump() for h in r.hits]
            row.decided_at = r.decided_at
            row.comment = r.comment
            session.add(row)

    @activity.defn(name="set_approval_round_status")
    async def set_approval_round_status(self, change: RoundStatusChange) -> None:
        async with self.db.session() as session, session.begin():
            row = await session.get(ApprovalRound, change.round_id)
            if row is not None:
                row.status, row.decided_at = change.status.value, change.at
                session.add(row)

    @activity.defn(name="record_approval_step")
    async def record_approval_step(self, r: StepRecord) -> None:
        """Upsert the step and its seats: the last call wins, so a repeated call changes nothing."""
        plan, state = r.step.plan, r.step
        async with self.db.session() as session, session.begin():
            step = (
                await session.exec(
                    select(ApprovalStep).where(ApprovalStep.round_id == r.round_id, ApprovalStep.index == plan.index)
                )
            ).scalar_one_or_none() or ApprovalStep(
                round_id=r.round_id, index=plan.index, kind=plan.kind, title=plan.title
            )
            step.level, step.role, step.reasons = plan.level, plan.role, plan.reasons
            step.status, step.activated_at, step.decided_at = state.status, state.activated_at, state.decided_at
            session.add(step)
            await session.flush()
            existing = {
                s.planned_id: s
                for s in (await session.exec(select(ApprovalSeat).where(ApprovalSeat.step_id == step.id))).scalars()
            }
            for seat in state.seats:
                row = existing.get(seat.seat.planned_id) or ApprovalSeat(
                    step_id=step.id, planned_id=seat.seat.planned_id, approver_id=seat.seat.approver_id,
                    reply_token=seat.reply_token,
                )
                row.approver_id, row.how, row.note = seat.seat.approver_id, seat.seat.how, seat.seat.note[:1000]
                row.reply_token, row.decision, row.decided_by_id = seat.reply_token, seat.decision, seat.decided_by
                row.channel, row.comment = seat.channel or None, seat.comment[:2000]
                row.activated_at, row.decided_at, row.reminders = seat.activated_at, seat.decided_at, seat.reminders
                session.add(row)

    @activity.defn(name="send_approval_mail")
    async def send_approval_mail(self, m: ApprovalMail) -> None:
        seat = m.seat.seat
        async with self.db.session() as session:
            approver = await session.get(Employee, seat.approver_id)
        if approver is None or not approver.email:
            raise ApplicationError(f"approver {seat.approver_id} has no email", non_retryable=True)
        s = self.settings
        target = LinkTarget(m.round_id, m.step.index, seat.approver_id, m.seat.reply_token)
        link = f"{s.public_url.rstrip('/')}/approve/{sign(s.secret_key, target)}"
        first = message_id(s, m.round_id, m.step.index, seat.approver_id, "request", 0)
        own = message_id(s, m.round_id, m.step.index, seat.approver_id, m.kind, m.number)
        subject = f"Согласование: сделка № {m.summary.number} — {m.summary.client_name}"
        if m.kind == "reminder":
            subject = f"Напоминание ({m.number}): {subject}"
        words = Translator("ru")  # approval mail is in Russian
        text, html = render(
            "approval_request",
            m=m, seat=seat, link=link, expires=company_today(s.timezone) + s.approval_link_ttl,
            reply_to=reply_address(s, m.seat.reply_token), note=seat_note(seat.note, words),
            step_title=words(f"approver_role.{m.step.role}") if m.step.kind == "role" else m.step.title,
        )
        await self.mailer.send_once(
            Outgoing(
                key=f"{m.round_id}:s{m.step.index}:a{seat.approver_id}:{m.seat.reply_token}:{m.kind}{m.number}",
                to=approver.email, subject=subject, text=text, html=html, message_id=own,
                reply_to=reply_address(s, m.seat.reply_token),
                in_reply_to=first if own != first else "", references=[first] if own != first else [],
                deal_id=m.summary.number,
            )
        )

