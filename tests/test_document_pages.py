"""The pages a person uses: the deal card's Documents panel (issue, refusal, downloads), the
administrator's business unit pages (requisites, bank accounts, numbering), the client's
signatories with flags, and the list of authority running out."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

from api.documents.wording import local_today
from tests.documents_setup import signatory, unit_ready
from tests.helpers import deal_payload
from tests.test_pages import csrf_of, logged_in


def flashes(page) -> list[str]:  # noqa: ANN001
    return [unescape(m) for m in re.findall(r'<div class="flash \w+" role="\w+">([^<]+)</div>', page.text)]


async def test_issue_from_the_card_and_download(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    today = local_today(stack.settings.timezone)
    async with stack.http("admin") as admin:
        lapsed = await signatory(
            admin, "Просрочкина Вера Павловна", "Менеджер",
            {"kind": "power_of_attorney", "number": "П-1", "issued_on": str(today - timedelta(days=100)),
             "valid_until": str(today - timedelta(days=2))},
            business_unit_id=unit.id,
        )
    async with stack.http("manager") as api:
        number = (await api.post("/api/deals", json=deal_payload(stack.org))).json()["number"]
    async with logged_in(stack) as browser:
        card = await browser.get(f"/deals/{number}")
        assert card.status_code == 200 and 'data-testid="documents"' in card.text
        assert "Орлов Андрей Викторович" in card.text and "Просрочкина Вера Павловна" in card.text
        assert "нет действующих полномочий" in card.text  # the lapsed one is flagged in the pick list
        form = {"csrf_token": csrf_of(card), "kind": "invoice", "source": "deal", "issued_on": str(today),
                "seller_signatory_id": str(lapsed), "buyer_signatory_id": ""}

        refused = await browser.post(f"/deals/{number}/documents", data=form)
        assert refused.status_code == 303 and "doc_seller=" in refused.headers["location"]
        back = await browser.get(refused.headers["location"])
        [message] = flashes(back)
        assert "Просрочкина Вера Павловна не может подписать" in message and "доверенность № П-1" in message
        assert f'<option value="{lapsed}" selected>' in back.text  # the choices are still there

        issued = await browser.post(f"/deals/{number}/documents", data=form | {"seller_signatory_id": str(unit.attorney)})
        assert issued.status_code == 303
        card = await browser.get(issued.headers["location"])
        [message] = flashes(card)
        found = re.search(r"Документ № (\S+) выпущен", message)
        assert found, message
        assert found.group(1) in card.text and "Счёт на оплату" in card.text
        doc_id = re.search(r'href="/api/documents/(\d+)/pdf"', card.text).group(1)
        pdf = await browser.get(f"/api/documents/{doc_id}/pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        xlsx = await browser.get(f"/api/documents/{doc_id}/xlsx")
        assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")

        english = await browser.get(f"/lang/en?next=/deals/{number}", follow_redirects=True)
        assert "Documents" in english.text and "Invoice for payment" in english.text
        await browser.get("/lang/ru?next=/deals")


async def test_administrator_keeps_requisites_accounts_and_numbering(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack, "bu.plant")
    async with logged_in(stack, "manager") as manager:
        assert (await manager.get("/admin/business-units")).status_code == 403
    async with logged_in(stack, "admin") as browser:
        listing = await browser.get("/admin/business-units")
        assert listing.status_code == 200 and "Завод «Промсорт-Тула»" in listing.text
        page = await browser.get(f"/admin/business-units/{unit.id}")
        assert 'data-testid="numbering"' in page.text and "АО «АЛЬФА-БАНК» г. Москва" in page.text
        token = csrf_of(page)
        requisites = {"csrf_token": token, "name": "Завод «Промсорт-Тула»", "full_name": "АО «Промсорт-Тула»", "inn": "7107987650",
                      "kpp": "710701001", "ogrn": "1027100987654", "address": "301830, г. Богородицк, ул. Заводская, д. 1", "phone": ""}
        wrong = await browser.post(f"/admin/business-units/{unit.id}", data=requisites)
        page = await browser.get(wrong.headers["location"])
        assert any("ИНН" in f for f in flashes(page)), flashes(page)
        saved = await browser.post(f"/admin/business-units/{unit.id}", data=requisites | {"inn": "7107987657"})
        page = await browser.get(saved.headers["location"])
        assert flashes(page) == ["Реквизиты «Завод «Промсорт-Тула»» сохранены."]
        assert "301830, г. Богородицк, ул. Заводская, д. 1" in page.text

        bad_account = {"csrf_token": token, "bank_name": "Банк", "bik": "04452", "account": "123", "is_default": "true"}
        page = await browser.get((await browser.post(f"/admin/business-units/{unit.id}/bank-accounts", data=bad_account)).headers["location"])
        assert any("bik" in f for f in flashes(page))
        account = {"csrf_token": token, "bank_name": "ПАО «ПРОМСВЯЗЬБАНК» г. Москва", "bik": "044525555",
                   "account": "40702810500000012345", "correspondent_account": "30101810400000000555"}
        page = await browser.get((await browser.post(f"/admin/business-units/{unit.id}/bank-accounts", data=account)).headers["location"])
        assert flashes(page) == ["Счёт 40702810500000012345 добавлен."]
        second = re.search(r'action="/admin/bank-accounts/(\d+)/default"', page.text).group(1)  # the new one is not the default
        page = await browser.get((await browser.post(f"/admin/bank-accounts/{second}/default", data={"csrf_token": token})).headers["location"])
        assert flashes(page) == ["Счёт 40702810500000012345 теперь основной."]
        first = re.search(r'action="/admin/bank-accounts/(\d+)/default"', page.text).group(1)  # the old one, now a spare
        assert first != second
        await browser.post(f"/admin/bank-accounts/{first}/default", data={"csrf_token": token})
        page = await browser.get((await browser.post(f"/admin/bank-accounts/{second}/delete", data={"csrf_token": token})).headers["location"])
        assert "ПАО «ПРОМСВЯЗЬБАНК» г. Москва" not in page.text and "АО «АЛЬФА-БАНК» г. Москва" in page.text

        rule_id = re.search(r'action="/admin/numbering-rules/(\d+)"', page.text).group(1)
        year = local_today(stack.settings.timezone).year
        rule = {"csrf_token": token, "prefix": "ПРС", "year_format": "YYYY", "office_code": "БГР", "width": "3", "reset": "never", "separator": "-"}
        page = await browser.get((await browser.post(f"/admin/numbering-rules/{rule_id}", data=rule)).headers["location"])
        assert flashes(page) == ["Правило нумерации сохранено."]
        assert f"ПРС-{year}-БГР-001" in page.text  # the next specification's number
        monthly = rule | {"reset": "monthly"}
        page = await browser.get((await browser.post(f"/admin/numbering-rules/{rule_id}", data=monthly)).headers["location"])
        assert any("month" in f for f in flashes(page))


async def test_client_signatories_page_flags_running_out(stack) -> None:  # noqa: ANN001
    today = local_today(stack.settings.timezone)
    async with logged_in(stack) as browser:
        page = await browser.get(f"/counterparties/{stack.org['builder']}/signatories")
        assert page.status_code == 200 and "АО «ГлавСтрой»" in page.text
        token = csrf_of(page)
        added = await browser.post("/signatories", data={"csrf_token": token, "full_name": "Строев Степан Аркадьевич",
                                                          "position": "Заместитель директора", "counterparty_id": str(stack.org["builder"])})
        page = await browser.get(added.headers["location"])
        assert flashes(page) == ["Подписант Строев Степан Аркадьевич добавлен."]
        person = re.search(r'action="/signatories/(\d+)/documents"', page.text).group(1)
        poa = {"csrf_token": token, "kind": "power_of_attorney", "number": "ГС-14", "issued_on": str(today - timedelta(days=350)),
               "valid_until": str(today + timedelta(days=9)), "note": "на подписание спецификаций"}
        page = await browser.get((await browser.post(f"/signatories/{person}/documents", data=poa)).headers["location"])
        assert 'data-testid="flag-expiring"' in page.text and "истекает через 9 дн." in page.text
        no_term = poa | {"valid_until": ""}
        page = await browser.get((await browser.post(f"/signatories/{person}/documents", data=no_term)).headers["location"])
        assert any("valid_until" in f for f in flashes(page))

        expiring = await browser.get("/signatories/expiring")
        assert "Строев Степан Аркадьевич" in expiring.text and "ГС-14" in expiring.text and "осталось 9 дн." in expiring.text
