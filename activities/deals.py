"""Deal activities: write a version of the card into the read model; tell the manager."""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from temporalio import activity

from activities.db import insert_ignoring_duplicates
from activities.deal_history import Namer, changed_fields, flatten
from activities.mail import Mailer, Outgoing, render
from api.i18n import translate
from models.db import Database
from models.deals import Deal, DealChange, DealKind, Participant, SpecLine
from models.messages.deal import DealCard, DealSave, DealState, ManagerNotice, SpecLineData
from models.notifications import Notification
from models.org import Employee
from models.types import utcnow
from settings import Settings


class DealActivities:
    def __init__(self, db: Database, settings: Settings, mailer: Mailer) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer

    @activity.defn(name="save_deal")
    async def save_deal(self, save: DealSave) -> None:
        state = save.state
        async with self.db.session() as session, session.begin():
            row = (
                await session.exec(select(Deal).where(Deal.id == state.number).with_for_update())
            ).scalar_one_or_none()
            if row is not None and row.version >= state.version:
                return  # this version is already written: the activity ran before
            if row is None:
                kind_id = (
                    await session.exec(select(DealKind.id).where(DealKind.code == state.kind.code))
                ).scalar_one()
                row = Deal(
                    id=state.number,
                    kind_id=kind_id,
                    stage_code=state.stage_code,
                    business_unit_id=state.card.business_unit_id,
                    client_id=state.card.client_id,
                    manager_id=state.card.manager_id,
                    created_at=save.at,
                    created_by_id=save.actor.employee_id,
                )
                history = [self._change(save, "", "", "")]
                old_card = None
            else:
                # Stage moves, pauses, closing: the card is as it was; compare the process fields only.
                old_card = await self._card_of(session, row) if save.card_changed else state.card
                history = await self._changes(session, row, old_card, save)
            self._apply(row, save)
            session.add(row)
            await session.flush()
            if old_card is None or old_card.lines != state.card.lines:
                await self._replace_lines(session, state, new=old_card is None)
            if old_card is None or old_card.participants != state.card.participants:
                await self._replace_participants(session, state, new=old_card is None)
            session.add_all(history)

    @activity.defn(name="notify_manager")
    async def notify_manager(self, notice: ManagerNotice) -> None:
        """In the app, and by mail when the event is one the manager must not miss."""
        if notice.mail:
            await self._mail_manager(notice)
        async with self.db.session() as session, session.begin():
            await insert_ignoring_duplicates(
                session,
                Notification,
                dict(
                    key=notice.key,
                    employee_id=notice.employee_id,
                    kind=notice.kind,
                    params={"deal": notice.deal_number, "comment": notice.comment},
                    deal_id=notice.deal_number,
                    created_at=utcnow(),
                ),
            )

    # --- inside ---

    async def _mail_manager(self, notice: ManagerNotice) -> None:
        async with self.db.session() as session:
            manager = await session.get(Employee, notice.employee_id)
        if manager is None or not manager.email:
            return
        headline = translate("ru", f"notification.{notice.kind}", deal=notice.deal_number)
        text, html = render(
            "manager_notice", manager=manager.full_name, headline=headline, comment=notice.comment,
            link=f"{self.settings.public_url.rstrip('/')}/deals/{notice.deal_number}",
        )
        await self.mailer.send_once(
            Outgoing(key=f"notice:{notice.key}", to=manager.email, subject=headline, text=text, html=html, deal_id=notice.deal_number)
        )

    @staticmethod
    def _apply(row: Deal, save: DealSave) -> None:
        state, card = save.state, save.state.card
        for field, value in card.model_dump(exclude={"lines", "participants"}).items():
            setattr(row, field, value)
        row.amount = card.amount
        row.vat_amount = card.vat_amount
        row.stage_code = state.stage_code
        row.status = state.status.value
        row.stage_entered_at = state.stage_entered_at
        row.paused_until = state.paused_until
        row.pause_comment = state.pause_comment
        row.close_reason = state.close_reason
        row.closed_at = save.at if state.status.is_closed else None
        row.parent_id = state.parent_number
        row.copied_from_id = state.copied_from
        row.version = state.version
        row.updated_at = save.at
        row.updated_by_id = save.actor.employee_id

    async def _card_of(self, session, row: Deal) -> DealCard:  # noqa: ANN001
        lines = (
            await session.exec(
                select(SpecLine).where(SpecLine.deal_id == row.id).order_by(SpecLine.position)
            )
        ).scalars()
        people = (
            await session.exec(
                select(Participant).where(Participant.deal_id == row.id).order_by(Participant.id)
            )
        ).scalars()
        return DealCard.model_validate(
            {
                **row.model_dump(),
                "lines": [SpecLineData.model_validate(line.model_dump()) for line in lines],
                "participants": [p.model_dump() for p in people],
            }
        )

    async def _changes(self, session, row: Deal, old_card: DealCard, save: DealSave) -> list[DealChange]:  # noqa: ANN001
        old_state = DealState.model_validate(
            {
                **save.state.model_dump(),
                "card": old_card,
                "stage_code": row.stage_code,
                "status": row.status,
                "paused_until": row.paused_until,
                "pause_comment": row.pause_comment,
                "close_reason": row.close_reason,
            }
        )
        old, new = flatten(old_state), flatten(save.state)
        fields = changed_fields(old, new)
        if not fields:
            return [self._change(save, "", "", "")]
        namer = Namer(session, row.kind_id)
        await namer.prepare(fields, old, new)
        return [
            self._change(save, field, namer.show(field, old.get(field)), namer.show(field, new.get(field)))
            for field in fields
        ]

    @staticmethod
    def _change(save: DealSave, field: str, old: str, new: str) -> DealChange:
        return DealChange(
            deal_id=save.state.number,
            version=save.state.version,
            at=save.at,
            actor_id=save.actor.employee_id,
            actor_name=save.actor.name,
            action=save.action,
            field=field,
            old_value=old[:2000],
            new_value=new[:2000],
            comment=save.comment[:2000],
        )

    @staticmethod
    async def _replace_lines(session, state: DealState, new: bool) -> None:  # noqa: ANN001
        if not new:
            await session.exec(delete(SpecLine).where(SpecLine.deal_id == state.number))
        if state.card.lines:  # one multi-row INSERT, not an ORM object per line
            await session.exec(
                insert(SpecLine),
                params=[
                    {"deal_id": state.number, "position": i, **line.model_dump(), "amount": line.amount, "vat_amount": line.vat_amount}
                    for i, line in enumerate(state.card.lines, start=1)
                ],
            )

    @staticmethod
    async def _replace_participants(session, state: DealState, new: bool) -> None:  # noqa: ANN001
        if not new:
            await session.exec(delete(Participant).where(Participant.deal_id == state.number))
        session.add_all(
            Participant(deal_id=state.number, **p.model_dump()) for p in state.card.participants
        )
