"""What issuing documents needs, set up through the API as an administrator and a manager would:
the business unit's requisites and bank account, our signatories with their authority documents,
and the client's signatory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from models.documents import BankAccount

TD_REQUISITES = {
    "name": "ТД «Тула-Сталь»",
    "full_name": "ООО «Торговый дом «Тула-Сталь»",
    "inn": "7107123456",
    "kpp": "710701001",
    "ogrn": "1187154012345",
    "address": "300041, г. Тула, ул. Советская, д. 12, офис 301",
    "phone": "+7 (4872) 25-00-00",
}
PLANT_REQUISITES = {
    "name": "Завод «Промсорт-Тула»",
    "full_name": "АО «Промсорт-Тула»",
    "inn": "7107987657",
    "kpp": "710701001",
    "ogrn": "1027100987654",
    "address": "301830, Тульская обл., г. Богородицк, ул. Заводская, д. 1",
    "phone": "+7 (48761) 2-10-00",
}
TD_BANK = {"bank_name": "ПАО СБЕРБАНК г. Москва", "bik": "044525225", "account": "40702810966000012345", "correspondent_account": "30101810400000000225"}
PLANT_BANK = {"bank_name": "АО «АЛЬФА-БАНК» г. Москва", "bik": "044525593", "account": "40702810702300004567", "correspondent_account": "30101810200000000593"}


@dataclass
class Unit:
    id: int
    director: int  # signs by the charter
    attorney: int  # signs by a power of attorney valid for a year
    attorney_number: str


_ready: dict[tuple[str, str], Unit] = {}


async def unit_ready(stack, key: str = "bu") -> Unit:  # noqa: ANN001
    """The test org's unit `key` ("bu" or "bu.plant") ready to issue documents (once per stack)."""
    if (stack.backend, key) in _ready:
        return _ready[stack.backend, key]
    unit_id = stack.org[key]
    plant = key == "bu.plant"
    today = date.today()
    async with stack.http("admin") as admin:
        saved = await admin.put(f"/api/business-units/{unit_id}", json=PLANT_REQUISITES if plant else TD_REQUISITES)
        assert saved.status_code == 200, saved.text
        async with stack.db.session() as session:
            has_account = (await session.exec(select(BankAccount.id).where(BankAccount.business_unit_id == unit_id))).first()
        if has_account is None:
            added = await admin.post(f"/api/business-units/{unit_id}/bank-accounts", json=PLANT_BANK if plant else TD_BANK)
            assert added.status_code == 201, added.text
        director = await signatory(admin, "Гончаров Пётр Ильич" if plant else "Орлов Андрей Викторович", "Генеральный директор",
                                   {"kind": "charter"}, business_unit_id=unit_id)
        number = "ПС-7/2026" if plant else "12/2026"
        attorney = await signatory(
            admin, "Кравцова Елена Павловна", "Коммерческий директор",
            {"kind": "power_of_attorney", "number": number, "issued_on": str(today - timedelta(days=30)),
             "valid_until": str(today + timedelta(days=335))},
            business_unit_id=unit_id,
        )
    _ready[stack.backend, key] = Unit(id=unit_id, director=director, attorney=attorney, attorney_number=number)
    return _ready[stack.backend, key]


async def signatory(api, full_name: str, position: str, *documents: dict, **side: int) -> int:  # noqa: ANN001
    """A signatory with its authority documents; `side` is business_unit_id=… or counterparty_id=…."""
    created = await api.post("/api/signatories", json={"full_name": full_name, "position": position, **side})
    assert created.status_code == 201, created.text
    ident = created.json()["id"]
    for document in documents:
        added = await api.post(f"/api/signatories/{ident}/documents", json=document)
        assert added.status_code == 201, added.text
    return ident

