"""The demo deals, made through DealService as the managers themselves would make them: created,
moved through stages, paused, won and lost, a tender with shipments under it, notes; three of
them submitted for approval through ApprovalService and decided by their approvers (one approved,
one rejected with a comment, one still waiting at its first step, its mail on the mail page)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from temporalio.client import Client

from api.approvals.service import ApprovalService
from api.deals.cards import load_kind
from api.deals.schemas import CloseIn, DealCreate, PauseIn, StageMoveIn
from api.deals.service import DealService
from models.db import Database
from models.messages.approval import ApprovalView, Decision, RoundStatus, StepState
from models.messages.deal import DealView
from settings import Settings
from workflows.approval import ApprovalWorkflow

if TYPE_CHECKING:
    from api.admin.demo import World

PROJECTS = ["ЖК «Северный квартал»", "ЖК «Парковый»", "школа на 1100 мест", "логистический центр «Восток»",
            "ТРЦ «Меридиан»", "котельная мкр. Южный", "мост через р. Упа", "поликлиника на 600 посещений"]
# kind: (title, the categories its lines come from)
THEMES = {
    "retail_order": [("Арматура и сетка на фундамент", ["rebar", "mesh", "tie_wire"]),
                     ("Трубы для наружных сетей", ["pipe_welded", "pipe_vgp"]),
                     ("Профильная труба и уголок для навесов", ["pipe_profile", "angle"]),
                     ("Лист и полоса для мастерской", ["sheet_hr", "strip"]),
                     ("Круг и шестигранник для мехцеха", ["round", "hexagon"])],
    "tender": [("Поставка арматуры и сетки", ["rebar", "mesh", "tie_wire"]),
               ("Металлопрокат для каркаса", ["rebar", "beam", "channel", "angle", "sheet_hr"])],
    "equipment_sale": [("Металлоконструкции каркаса склада", ["beam", "channel", "sheet_hr", "processing"]),
                       ("Трубный прокат с резкой и доставкой", ["pipe_seamless", "pipe_welded", "processing"])],
    "service_contract": [("Обслуживание станков гибки арматуры", ["service"])],
}
MANAGERS = {
    "retail_order": ["petrova", "volkov", "morozov", "lebedeva", "sokolova", "smirnov"],
    "tender": ["fedorova", "novikov"],
    "equipment_sale": ["kiseleva", "grigoriev"],
    "service_contract": ["kiseleva", "grigoriev"],
}
PLANT_PEOPLE = {"kiseleva", "grigoriev"}
HEAD_OF = {"petrova": "smirnov", "volkov": "smirnov", "morozov": "sokolova", "lebedeva": "sokolova",
           "fedorova": "novikov", "kiseleva": "grigoriev"}
NOTES = ["Клиент запросил сертификаты качества на всю партию.", "Согласовали отсрочку платежа 30 дней.",
         "Нужна доставка до объекта манипулятором, разгрузка своими силами.",
         "Прислали спецификацию проектировщика — сверить марки стали.",
         "Конкурент предложил цену ниже на 3 %, обсуждаем скидку за объём.",
         "Отгрузка двумя машинами, первая — в понедельник утром."]
WON = ["Договор подписан, предоплата получена", "Счёт оплачен полностью", "Контракт исполнен, акты подписаны"]
LOST = ["Выбрали поставщика с ценой ниже", "Проект заморожен заказчиком", "Не устроили сроки поставки",
        "Клиент купил напрямую у завода"]
SOURCES = ["Звонок снабженца", "Заявка с сайта", "Повторное обращение", "Рекомендация партнёра", "Письмо на общий ящик"]
DISCOUNTS = [0, 0, 0, 1, 2, 3, 5]
REJECTION = ("Скидка на арматуру великовата для такого объёма: дайте не больше 2 % "
             "или возьмите с клиента предоплату 50 %, тогда согласую.")


class DealMaker:
    def __init__(self, world: World, db: Database, temporal: Client, settings: Settings, rnd: random.Random) -> None:
        self.world, self.db, self.temporal, self.settings, self.rnd = world, db, temporal, settings, rnd
        self.created = 0
        self.kind_of: dict[int, str] = {}
        self.stage_of: dict[int, str] = {}
        self._stages: dict[str, list[str]] = {}

    async def create_all(self, count: int) -> int:
        """The showcase first, so that a small demo still has one deal in each state; then a mix."""
        showcase = [self._tender_with_shipments, self._waking_soon, self._paused_till_date, self._won_retail,
                    self._lost_sale, self._service_contract, self._early_request, self._won_equipment]
        for make in showcase:
            if self.created >= count:
                break
            await make()
        while self.created < count:
            await self._random_deal()
        return self.created

    # --- the showcase -------------------------------------------------------------------------

    async def _tender_with_shipments(self) -> None:
        lines = self._lines(["rebar", "mesh", "beam"], 12, scale=8)
        tender = await self._create("fedorova", "tender", f"Поставка металлопроката: {PROJECTS[0]}", lines,
                                    client=self._client("builder", company=True))
        await self._advance("fedorova", tender, "contract")
        await self._note("novikov", tender, "Контракт подписан. Отгрузки — по заявкам застройщика на его объекты.")
        for share, stage in ((Decimal("0.3"), "invoice"), (Decimal("0.2"), "request")):
            shipment = [
                {**line, "quantity": str((Decimal(line["quantity"]) * share).quantize(Decimal("0.001")))}
                for line in lines[:4]
            ]
            child = await self._create("fedorova", "retail_order", f"Отгрузка по контракту № {tender}", shipment,
                                       client=self._client("end_customer"), parent=tender)
            await self._advance("fedorova", child, stage)

    async def _waking_soon(self) -> None:
        number = await self._create("petrova", "retail_order", *self._themed("retail_order", 0, 4))
        await self._advance("petrova", number, "specification")
        # The demo's manager finds her terms rejected with the head's comment, ready to fix and resubmit.
        await self._decide(await self._submit("petrova", number), approve=False, comment=REJECTION)
        await self._settled(number)
        # A few minutes ahead: whoever just started the demo sees a deal wake up by itself.
        await self._pause("petrova", number, datetime.now(UTC) + timedelta(minutes=3),
                          "Клиент уточняет объёмы у прораба — вернуться к сделке")

    async def _paused_till_date(self) -> None:
        number = await self._create("kiseleva", "equipment_sale", *self._themed("equipment_sale", 0, 5))
        await self._advance("kiseleva", number, "proposal")
        await self._pause("kiseleva", number, date.today() + timedelta(days=14),
                          "Бюджет заказчика утвердят в следующем месяце")

    async def _won_retail(self) -> None:
        number = await self._create("volkov", "retail_order", *self._themed("retail_order", 1, 3))
        await self._advance("volkov", number, "specification")
        round_id = await self._submit("volkov", number)
        while await self._decide(round_id, approve=True, comment=""):
            pass  # every step of the chain, in turn
        self.stage_of[number] = (await self._settled(number)).stage_code  # the approval moved it on
        await self._advance("volkov", number, "invoice")
        await self._close("volkov", number, won=True, reason=WON[1])

    async def _lost_sale(self) -> None:
        number = await self._create("grigoriev", "equipment_sale", *self._themed("equipment_sale", 1, 4))
        await self._advance("grigoriev", number, "negotiation")
        await self._note("grigoriev", number, NOTES[4])
        await self._close("grigoriev", number, won=False, reason=LOST[0] + " (на 4 %)")

    async def _service_contract(self) -> None:
        number = await self._create("kiseleva", "service_contract", *self._themed("service_contract", 0, 3))
        await self._advance("kiseleva", number, "inspection")
        await self._note("kiseleva", number, "Инженер выезжает в четверг, нужен пропуск на территорию.")
        await self._submit("kiseleva", number)  # waits for the head of sales at the plant: see the mail page

    async def _early_request(self) -> None:
        """Early on a manager knows only what kind of steel is wanted: category lines."""
        lines = [
            {"category_id": self.world.categories[key], "quantity": str(qty), "price": str(price)}
            for key, qty, price in (("rebar", 40, 62000), ("mesh", 800, 450), ("tie_wire", 1, 118000))
        ]
        number = await self._create("lebedeva", "retail_order", f"Запрос на арматуру: {PROJECTS[1]}", lines)
        await self._note("lebedeva", number, "Точные диаметры пришлют после экспертизы проекта.")

    async def _won_equipment(self) -> None:
        number = await self._create("grigoriev", "equipment_sale", *self._themed("equipment_sale", 0, 6))
        await self._advance("grigoriev", number, "contract")
        await self._close("grigoriev", number, won=True, reason=WON[0])

    async def _random_deal(self) -> None:
        rnd = self.rnd
        kind = rnd.choices(list(THEMES), weights=[50, 12, 22, 16])[0]
        who = rnd.choice(MANAGERS[kind])
        size = {"retail_order": (2, 8), "tender": (10, 20), "equipment_sale": (3, 8), "service_contract": (1, 3)}[kind]
        theme = rnd.randrange(len(THEMES[kind]))
        number = await self._create(who, kind, *self._themed(kind, theme, rnd.randint(*size)))
        stages = await self._stage_codes(kind)
        fate = rnd.random()
        if fate < 0.15:
            await self._advance(who, number, "execution" if kind == "tender" else stages[-1])
            await self._close(who, number, won=True, reason=rnd.choice(WON))
            return
        await self._advance(who, number, stages[rnd.randrange(len(stages) - 1)])
        if rnd.random() < 0.4:
            await self._note(who, number, rnd.choice(NOTES))
        if fate < 0.27:
            await self._close(who, number, won=False, reason=rnd.choice(LOST))
        elif fate < 0.35:
            await self._pause(who, number, date.today() + timedelta(days=rnd.randint(3, 30)),
                              "Клиент вернётся к вопросу после согласования бюджета")

    # --- through the service ----------------------------------------------------------------

    @asynccontextmanager
    async def _as(self, who: str) -> AsyncIterator[DealService]:
        async with self.db.session() as session:
            yield DealService(session, self.temporal, self.settings, self.world.people[who])

    async def _create(self, who: str, kind: str, title: str, lines: list[dict], *, client: tuple | None = None,
                      parent: int | None = None) -> int:
        body = self._card(who, kind, title, lines, client or self._client(company=kind == "tender"))
        async with self._as(who) as deals:
            saved = await deals.create(DealCreate.model_validate({**body, "parent_number": parent}))
        if saved.accepted_only:
            raise RuntimeError(f"deal {saved.number}: the worker did not confirm it in time")
        self.created += 1
        self.kind_of[saved.number] = kind
        self.stage_of[saved.number] = (await self._stage_codes(kind))[0]
        return saved.number

    async def _advance(self, who: str, number: int, to_stage: str) -> None:
        """Move stage by stage, as a manager would, up to the given stage."""
        stages = self._stages[self.kind_of[number]]
        async with self._as(who) as deals:
            for code in stages[stages.index(self.stage_of[number]) + 1 : stages.index(to_stage) + 1]:
                await deals.move_stage(number, StageMoveIn(to_stage=code))
                self.stage_of[number] = code

    async def _pause(self, who: str, number: int, until: date | datetime, comment: str) -> None:
        async with self._as(who) as deals:
            await deals.pause(number, PauseIn(until=until, comment=comment))

    async def _close(self, who: str, number: int, *, won: bool, reason: str) -> None:
        async with self._as(who) as deals:
            await deals.close(number, CloseIn(won=won, reason=reason))

    async def _note(self, who: str, number: int, text: str) -> None:
        async with self._as(who) as deals:
            await deals.add_note(number, text)

    async def _submit(self, who: str, number: int) -> str:
        async with self.db.session() as session:
            view = await ApprovalService(session, self.temporal, self.settings).submit(number, self.world.people[who])
        return view.approval.round_id

    async def _decide(self, round_id: str, *, approve: bool, comment: str) -> bool:
        """The active step's approvers decide, as they would on the card; False once the round is over."""
        step = await self._active_step(round_id)
        if step is None:
            return False
        async with self.db.session() as session:
            approvals = ApprovalService(session, self.temporal, self.settings)
            for seat in [s for s in step.seats if s.decision is None]:
                decision = Decision(step_index=step.plan.index, approver_id=seat.seat.approver_id,
                                    approve=approve, comment=comment, channel="web")
                if (await approvals.decide(round_id, decision)).round_status is not RoundStatus.pending:
                    return False
        return True

    async def _active_step(self, round_id: str) -> StepState | None:
        """The step waiting for decisions once its approvers are found and mailed; None when the round ended."""
        handle = self.temporal.get_workflow_handle(round_id)
        deadline = time.monotonic() + self.settings.update_timeout.total_seconds()
        while time.monotonic() < deadline:
            view: ApprovalView = await handle.query(ApprovalWorkflow.view)
            if view.status is not RoundStatus.pending:
                return None
            step = next((s for s in view.steps if s.plan.index == view.current_step), None)
            if step is not None and step.status == "active" and step.seats:
                return step
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{round_id}: no active step in time")

    async def _settled(self, number: int) -> DealView:
        """The deal once it has heard how its round ended (a signal, a moment after the last decision)."""
        deadline = time.monotonic() + self.settings.update_timeout.total_seconds()
        while time.monotonic() < deadline:
            async with self._as("admin") as deals:
                view = await deals.view(number)
            if view is not None and view.approval.status is not RoundStatus.pending:
                return view
            await asyncio.sleep(0.05)
        raise RuntimeError(f"deal {number}: the approval outcome did not arrive in time")

    async def _stage_codes(self, kind: str) -> list[str]:
        if kind not in self._stages:
            async with self.db.session() as session:
                _, definition = await load_kind(session, kind)
            self._stages[kind] = [s.code for s in definition.stages]
        return self._stages[kind]

    # --- what a card holds ------------------------------------------------------------------

    def _card(self, who: str, kind: str, title: str, lines: list[dict], client: tuple) -> dict[str, Any]:
        rnd, world = self.rnd, self.world
        client_id, _role, contacts, _company = client
        plant = who in PLANT_PEOPLE
        total = sum(Decimal(line["quantity"]) * Decimal(line["price"]) for line in lines)
        participants = []
        if who in HEAD_OF and rnd.random() < 0.3:
            participants.append({"employee_id": world.people[HEAD_OF[who]].employee_id, "role": "head"})
        if contacts:
            participants.append({"contact_id": contacts[0], "role": "client_contact"})
        return {
            "kind": kind,
            "title": title,
            "business_unit_id": world.units["plant" if plant else "td"],
            "client_id": client_id,
            "contact_id": contacts[0] if contacts else None,
            "potential_amount": str(int(round(total * Decimal("1.1"), -3))),
            "channel_id": rnd.choice(world.channels),
            "source": rnd.choice(SOURCES),
            "primary_demand": f"Нужен металлопрокат на объект: {rnd.choice(PROJECTS)}",
            "delivery_method": rnd.choice(["pickup", "truck", "truck", "rail"]),
            "warehouse_id": world.plant_warehouse if plant else rnd.choice(world.warehouses),
            "payment_deferral_days": rnd.choice([0, 14, 30, 45, 60]),
            "prepayment_percent": str(rnd.choice([0, 30, 50, 100])),
            "expected_close_date": (date.today() + timedelta(days=rnd.randint(7, 90))).isoformat(),
            "custom_fields": self._custom_fields(kind),
            "lines": lines,
            "participants": participants,
        }

    def _themed(self, kind: str, theme: int, count: int) -> tuple[str, list[dict]]:
        """A title and lines that go together (rebar with mesh, pipes with pipes…)."""
        title, categories = THEMES[kind][theme]
        if kind != "service_contract":
            title = f"{title} — {self.rnd.choice(PROJECTS)}"
        return title, self._lines(categories, count, scale=5 if kind == "tender" else 1)

    def _lines(self, categories: list[str], count: int, scale: int = 1) -> list[dict]:
        rnd, lines, taken = self.rnd, [], set()
        while len(lines) < count:
            product_id, item, unit = rnd.choice(self.world.products[rnd.choice(categories)])
            if product_id in taken:
                continue
            taken.add(product_id)
            quantity = {"т": rnd.randint(2, 40), "м": rnd.randint(2, 60) * 10, "м²": rnd.randint(5, 100) * 10,
                        "шт": rnd.randint(1, 6), "ч": rnd.randint(4, 40)}[unit]
            price = round(float(item.price) * rnd.uniform(0.96, 1.06), -1 if item.price > 1000 else 0)
            lines.append({"product_id": product_id, "quantity": str(quantity * (scale if unit != "шт" else 1)),
                          "price": str(Decimal(price)), "discount_percent": str(rnd.choice(DISCOUNTS))})
        return lines

    def _client(self, role: str | None = None, company: bool = False) -> tuple:
        candidates = [c for c in self.world.clients if (role is None or c[1] == role) and (c[3] or not company)]
        return self.rnd.choice(candidates)

    def _custom_fields(self, kind: str) -> dict[str, Any]:
        rnd, today = self.rnd, date.today()
        if kind == "tender":
            return {"tender_number": "03" + "".join(str(rnd.randint(0, 9)) for _ in range(17)),
                    "platform": rnd.choice(["Сбербанк-АСТ", "РТС-тендер", "Росэлторг", "Закупка застройщика"]),
                    "bid_deadline": (today + timedelta(days=rnd.randint(5, 40))).isoformat()}
        if kind == "service_contract":
            return {"serial_number": f"GS-40-{rnd.randint(2019, 2025)}-{rnd.randint(1, 999):04d}",
                    "service_months": rnd.choice([6, 12, 24])}
        if kind == "equipment_sale":
            return {"installation": rnd.random() < 0.5}
        return {}
