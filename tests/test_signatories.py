"""Signatories on both sides with their authority documents: nobody signs a form on a date their
authority does not cover (a clear refusal naming the person and the document, and no number is
used up); documents running out are found for the reminder and flagged; who may change whom."""

from __future__ import annotations

from datetime import timedelta

from api.documents.signatories import expiring_authority
from api.documents.wording import local_today, short_date
from tests.documents_setup import signatory, unit_ready
from tests.helpers import deal_payload


async def _deal(stack, api) -> int:  # noqa: ANN001
    created = await api.post("/api/deals", json=deal_payload(stack.org))
    assert created.status_code == 201, created.text
    return created.json()["number"]


async def test_an_expired_authority_cannot_sign(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    today = local_today(stack.settings.timezone)
    issued, expired = today - timedelta(days=400), today - timedelta(days=1)
    async with stack.http("admin") as admin:
        lapsed = await signatory(
            admin, "Семенова Ольга Петровна", "Руководитель отдела продаж",
            {"kind": "power_of_attorney", "number": "5/2025", "issued_on": str(issued), "valid_until": str(expired)},
            business_unit_id=unit.id,
        )
    async with stack.http("manager") as api:
        buyer_lapsed = await signatory(
            api, "Петров Пётр Петрович", "Главный инженер",
            {"kind": "power_of_attorney", "number": "Д-9", "issued_on": str(issued), "valid_until": str(expired)},
            counterparty_id=stack.org["client"],
        )
        number = await _deal(stack, api)
        before = (await api.get(f"/api/deals/{number}/documents")).json()

        ours = await api.post(f"/api/deals/{number}/documents", json={"kind": "specification", "seller_signatory_id": lapsed})
        assert ours.status_code == 422 and ours.json()["error"] == "AuthorityExpired"
        message = ours.json()["message"]
        assert "Семенова Ольга Петровна" in message and f"доверенность № 5/2025 от {short_date(issued)}" in message
        assert f"истёк {short_date(expired)}" in message and short_date(today) in message

        theirs = await api.post(
            f"/api/deals/{number}/documents",
            json={"kind": "invoice_contract", "seller_signatory_id": unit.director, "buyer_signatory_id": buyer_lapsed},
        )
        assert theirs.status_code == 422 and "Петров Пётр Петрович" in theirs.json()["message"]
        assert (await api.get(f"/api/deals/{number}/documents")).json() == before  # nothing issued

        # On a date the power of attorney still covered, the same person may sign.
        back_then = await api.post(
            f"/api/deals/{number}/documents",
            json={"kind": "specification", "seller_signatory_id": lapsed, "issued_on": str(expired)},
        )
        assert back_then.status_code == 201, back_then.text
        # The refusals used up no number: the next specification follows at once.
        after = await api.post(f"/api/deals/{number}/documents", json={"kind": "specification", "seller_signatory_id": unit.director})
        seq = [int(d.json()["number"].rsplit("-", 1)[1]) for d in (back_then, after)]
        assert seq[1] == seq[0] + 1


async def test_refusals_name_what_is_missing(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    async with stack.http("admin") as admin:
        nobody = (await admin.post("/api/signatories", json={"full_name": "Без Полномочий", "business_unit_id": unit.id})).json()["id"]
        not_ours = await signatory(admin, "Чужой Подписант Иванович", "Директор", {"kind": "charter"}, counterparty_id=stack.org["builder"])
    async with stack.http("manager") as api:
        number = await _deal(stack, api)
        without = await api.post(f"/api/deals/{number}/documents", json={"kind": "invoice", "seller_signatory_id": nobody})
        assert without.status_code == 422 and without.json()["error"] == "SignatoryWithoutAuthority"
        other_client = await api.post(
            f"/api/deals/{number}/documents",
            json={"kind": "specification", "seller_signatory_id": unit.director, "buyer_signatory_id": not_ours},
        )
        assert other_client.status_code == 422 and other_client.json()["error"] == "SignatoryOfAnotherParty"
        categories = deal_payload(stack.org) | {"lines": [{"category_id": stack.org["cat.wire"], "quantity": "5", "price": "40000"}]}
        early = (await api.post("/api/deals", json=categories)).json()["number"]
        category_line = await api.post(f"/api/deals/{early}/documents", json={"kind": "specification", "seller_signatory_id": unit.director})
        assert category_line.status_code == 422 and category_line.json()["error"] == "DocumentHasCategoryLines"
        nothing_shipped = await api.post(
            f"/api/deals/{number}/documents", json={"kind": "invoice", "from_shipments": True, "seller_signatory_id": unit.director}
        )
        assert nothing_shipped.status_code == 422 and nothing_shipped.json()["error"] == "NoShipments"
        bad_kind = await api.post(f"/api/deals/{number}/documents", json={"kind": "waybill", "seller_signatory_id": unit.director})
        assert bad_kind.status_code == 422 and bad_kind.json()["error"] == "InvalidRequest"
    async with stack.http("other") as stranger:  # a manager of another department
        refused = await stranger.post(f"/api/deals/{number}/documents", json={"kind": "invoice", "seller_signatory_id": unit.director})
        assert refused.status_code in (403, 404)


async def test_who_manages_signatories(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    async with stack.http("manager") as manager:
        ours = await manager.post("/api/signatories", json={"full_name": "Самозванов Иван Иванович", "business_unit_id": unit.id})
        assert ours.status_code == 403  # our side is the administrator's
        both = await manager.post("/api/signatories", json={"full_name": "Двоякий Дмитрий", "business_unit_id": unit.id, "counterparty_id": 1})
        assert both.status_code == 422
        client_person = await signatory(manager, "Клиентова Анна Борисовна", "Главный бухгалтер", counterparty_id=stack.org["client"])
        no_term = await manager.post(f"/api/signatories/{client_person}/documents", json={"kind": "power_of_attorney", "number": "1"})
        assert no_term.status_code == 422 and "valid_until" in no_term.text
        backwards = await manager.post(
            f"/api/signatories/{client_person}/documents",
            json={"kind": "order", "number": "1", "issued_on": "2026-05-01", "valid_until": "2026-04-01"},
        )
        assert backwards.status_code == 422
        listed = (await manager.get(f"/api/signatories?counterparty_id={stack.org['client']}")).json()
        assert "Клиентова Анна Борисовна" in [p["full_name"] for p in listed]
        person = next(p for p in listed if p["full_name"] == "Клиентова Анна Борисовна")
        assert person["can_sign_today"] is False and person["documents"] == []
        off = await manager.put(f"/api/signatories/{client_person}", json={"full_name": "Клиентова Анна Борисовна", "is_active": False})
        assert off.status_code == 200 and off.json()["is_active"] is False
    async with stack.http("operations") as watcher:
        assert (await watcher.post("/api/signatories", json={"full_name": "Наблюдатель Олег", "counterparty_id": stack.org["client"]})).status_code == 403


async def test_expiring_authority_for_the_reminder(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    today = local_today(stack.settings.timezone)

    def poa(number: str, days: int) -> dict:
        return {"kind": "power_of_attorney", "number": number, "issued_on": str(today - timedelta(days=300)), "valid_until": str(today + timedelta(days=days))}

    async with stack.http("admin") as admin:
        soon = await signatory(admin, "Скорова Дарья Андреевна", "Менеджер", poa("S-1", 6), business_unit_id=unit.id)
        renewed = await signatory(admin, "Обновлёнов Глеб Юрьевич", "Менеджер", poa("R-1", 4), poa("R-2", 370), business_unit_id=unit.id)
        later = await signatory(admin, "Позднов Лев Ильич", "Менеджер", poa("L-1", 90), business_unit_id=unit.id)
    async with stack.http("manager") as api:
        client_soon = await signatory(api, "Клиентов Кирилл Олегович", "Директор", poa("K-7", 20), counterparty_id=stack.org["client"])
        listed = (await api.get("/api/signatories/expiring?days=30")).json()
        narrower = (await api.get("/api/signatories/expiring?days=10")).json()
    found = {item["signatory_id"]: item for item in listed}
    assert soon in found and found[soon]["days_left"] == 6 and found[soon]["side"] == "ours"
    assert client_soon in found and found[client_soon]["side"] == "client" and found[client_soon]["party_name"] == "ООО «СтройМонтаж»"
    assert renewed not in found  # a newer power of attorney runs on: nothing to remind
    assert later not in found
    assert client_soon not in {item["signatory_id"] for item in narrower}
    # The function the notifications' schedule will call gives the same.
    async with stack.db.session() as session:
        direct = await expiring_authority(session, today, 30)
    assert {item.signatory_id for item in direct} == set(found)
    days_default = stack.settings.authority_warning_days
    async with stack.http("manager") as api:
        default = (await api.get("/api/signatories/expiring")).json()
    assert {i["signatory_id"] for i in default} == {i.signatory_id for i in direct if i.days_left <= days_default}
