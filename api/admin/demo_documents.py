"""Demo documents: the two business units' requisites and bank accounts, who signs for them (a
director by the charter, people by powers of attorney — one running out in twelve days), the
clients' signatories (one expired, one running out), and documents issued on won deals through
`DocumentService` — a specification, an invoice, and on one deal a shipment and the corrected
specification and invoice built from it."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from api.admin import demo_parties
from api.documents.issuing import DocumentService, IssueIn
from api.documents.shipments import ShipmentIn, ShippedLine, record_shipment
from api.documents.wording import local_today
from api.errors import DomainError
from models.db import Database
from models.deals import Deal, SpecLine
from models.documents import AuthorityDocument, BankAccount, DocumentKind, Signatory
from models.org import BusinessUnit
from settings import Settings

if TYPE_CHECKING:
    from api.admin.demo import World

REQUISITES = {
    "td": {"ogrn": "1187154012345", "address": "300041, г. Тула, ул. Советская, д. 12, офис 301", "phone": "+7 (4872) 25-00-00"},
    "plant": {"ogrn": "1027100987654", "address": "301830, Тульская обл., г. Богородицк, ул. Заводская, д. 1",
              "phone": "+7 (48761) 2-10-00"},
}
BANKS = {
    "td": [("ПАО СБЕРБАНК г. Москва", "044525225", "40702810966000012345", "30101810400000000225"),
           ("Банк ВТБ (ПАО) г. Москва", "044525187", "40702810200000034567", "30101810700000000187")],
    "plant": [("АО «АЛЬФА-БАНК» г. Москва", "044525593", "40702810702300004567", "30101810200000000593")],
}
# unit: full name, position, kind, number, days valid from today (None: a charter)
OUR_SIGNATORIES = {
    "td": [("Воронцов Сергей Михайлович", "Генеральный директор", "charter", "", None),
           ("Орлов Андрей Викторович", "Коммерческий директор", "power_of_attorney", "12/2026", 300),
           ("Кузнецова Елена Сергеевна", "Начальник отдела продаж", "power_of_attorney", "31/2025", 12)],
    "plant": [("Гончаров Пётр Ильич", "Генеральный директор", "charter", "", None),
              ("Григорьев Олег Валентинович", "Начальник отдела сбыта", "power_of_attorney", "ПС-7/2026", 200)],
}


async def load_documents(db: Database, world: World, settings: Settings, rnd: random.Random) -> int:
    """Everything above; the number of documents issued."""
    today = local_today(settings.timezone)
    async with db.session() as session:
        for key, unit_id in world.units.items():
            unit = await session.get(BusinessUnit, unit_id)
            for field, value in REQUISITES[key].items():
                setattr(unit, field, value)
            for i, (bank, bik, account, corr) in enumerate(BANKS[key]):
                session.add(BankAccount(business_unit_id=unit_id, bank_name=bank, bik=bik, account=account,
                                        correspondent_account=corr, is_default=i == 0))
            for name, position, kind, number, days in OUR_SIGNATORIES[key]:
                await _signatory(session, today, name, position, kind, number, days, business_unit_id=unit_id)
        won = list((await session.exec(select(Deal).where(Deal.status == "won").order_by(Deal.id))).scalars())
        clients = [client for client, *_ in world.clients[:12]] + [deal.client_id for deal in won]
        for i, client in enumerate(dict.fromkeys(clients)):
            name, _ = demo_parties.person(rnd)
            # One client's power of attorney has run out, another's runs out within the warning time.
            days = -20 if i == 1 else 15 if i == 2 else rnd.randint(60, 330)
            issued_year = (today + timedelta(days=days - 365)).year
            await _signatory(session, today, name, rnd.choice(["Директор", "Коммерческий директор", "Начальник отдела снабжения"]),
                             "power_of_attorney", f"{rnd.randint(1, 99)}/{issued_year}", days, counterparty_id=client)
        await session.commit()
    return await _issue_on(db, world, settings, won[:4])


async def _signatory(session, today, name: str, position: str, kind: str, number: str, days: int | None, **side: int) -> None:  # noqa: ANN001
    """A signatory with one authority document valid `days` more (None: a charter, no term)."""
    person = Signatory(full_name=name, position=position, **side)
    session.add(person)
    await session.flush()
    term = today + timedelta(days=days) if days is not None else None
    issued = term - timedelta(days=365) if term else None
    session.add(AuthorityDocument(signatory_id=person.id, kind=kind, number=number, issued_on=issued, valid_until=term))


async def _issue_on(db: Database, world: World, settings: Settings, deals: list[Deal]) -> int:
    issued = 0
    people = {user.employee_id: user for user in world.people.values()}
    for position, deal in enumerate(deals):
        async with db.session() as session:
            ours = (await session.exec(select(Signatory.id).where(Signatory.business_unit_id == deal.business_unit_id).order_by(Signatory.id))).scalars().all()
            theirs = (await session.exec(select(Signatory.id).where(Signatory.counterparty_id == deal.client_id))).scalars().first()
            service = DocumentService(session, settings, people[deal.manager_id])
            kinds = [DocumentKind.specification, DocumentKind.invoice] if position % 2 == 0 else [DocumentKind.invoice_contract]
            try:
                for kind in kinds:
                    await service.issue(deal.id, IssueIn(kind=kind, seller_signatory_id=ours[position % 2], buyer_signatory_id=theirs))
                    issued += 1
                if position == 0:
                    await _ship_most(session, deal, settings)
                    for kind in (DocumentKind.specification, DocumentKind.invoice):
                        await service.issue(deal.id, IssueIn(kind=kind, from_shipments=True, seller_signatory_id=ours[0], buyer_signatory_id=theirs))
                        issued += 1
            except DomainError:
                continue  # e.g. a deal still listing categories: no documents for it
    return issued


async def _ship_most(session, deal: Deal, settings: Settings) -> None:  # noqa: ANN001
    """1C reports the deal shipped, the last line a little short."""
    lines = (await session.exec(select(SpecLine).where(SpecLine.deal_id == deal.id).order_by(SpecLine.position))).scalars().all()
    shipped = []
    for i, line in enumerate(lines):
        quantity = line.quantity * (Decimal("0.9") if i == len(lines) - 1 else 1)
        price = (line.amount / line.quantity).quantize(Decimal("0.01")) if line.quantity else line.price
        shipped.append(ShippedLine(product_id=line.product_id, quantity=quantity.quantize(Decimal("0.001")), unit_id=line.unit_id, price=price))
    await record_shipment(session, ShipmentIn(
        external_id=f"demo-{deal.id}-1", deal_number=deal.id, number=f"РН-{deal.id}-1",
        shipped_on=local_today(settings.timezone) - timedelta(days=2), lines=shipped,
    ))
