"""Issuing a deal's documents and printing them: numbers, lines, totals, VAT 22 %, the amount in
words, the seller's bank details and the signatories with their basis — in the stored snapshot,
in the PDF's text and in pictures of its pages (var/test-artifacts/*.png). An issued document
never changes afterwards; the Excel export carries the same figures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from api.documents.wording import local_today, short_date
from tests.documents_setup import PLANT_BANK, TD_BANK, TD_REQUISITES, signatory, unit_ready
from tests.helpers import deal_payload
from tests.printed import page_count, pdf_text, pictures

# deal_payload's two lines: 10 t and 11 t at 45 000,00 with 2 % off.
TOTAL = Decimal("926100.00")  # 441 000,00 + 485 100,00
VAT = Decimal("167001.64")  # 79 524,59 + 87 477,05 (22/122 of each line)
WORDS = "Девятьсот двадцать шесть тысяч сто рублей 00 копеек"


async def new_deal(stack, api, unit: str = "bu", lines: list[dict] | None = None) -> int:  # noqa: ANN001
    body = deal_payload(stack.org, business_unit_id=stack.org[unit])
    created = await api.post("/api/deals", json=body | ({"lines": lines} if lines else {}))
    assert created.status_code == 201, created.text
    return created.json()["number"]


async def client_signatory(stack, api, valid_days: int = 200, number: str = "77") -> int:  # noqa: ANN001
    today = local_today(stack.settings.timezone)
    return await signatory(
        api, "Иванов Иван Сергеевич", "Директор по снабжению",
        {"kind": "power_of_attorney", "number": number, "issued_on": str(today - timedelta(days=10)),
         "valid_until": str(today + timedelta(days=valid_days))},
        counterparty_id=stack.org["client"],
    )


async def issue(api, number: int, **body) -> dict:  # noqa: ANN001, ANN003
    issued = await api.post(f"/api/deals/{number}/documents", json=body)
    assert issued.status_code == 201, issued.text
    return issued.json()


async def test_invoice_for_payment(stack, artifacts) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    today = local_today(stack.settings.timezone)
    async with stack.http("manager") as api:
        number = await new_deal(stack, api)
        doc = await issue(api, number, kind="invoice", seller_signatory_id=unit.attorney)
        assert doc["number"].startswith(f"СЧ-{today.year}-") and len(doc["number"]) == len("СЧ-2026-000001")
        assert Decimal(doc["amount"]) == TOTAL and Decimal(doc["vat_amount"]) == VAT
        full = (await api.get(f"/api/documents/{doc['id']}")).json()["snapshot"]
        pdf = await api.get(f"/api/documents/{doc['id']}/pdf")
    assert [Decimal(v["amount"]) for v in full["vat"]] == [VAT] and Decimal(full["vat"][0]["rate"]) == 22
    assert full["amount_in_words"] == WORDS
    assert full["bank"]["bik"] == TD_BANK["bik"] and full["seller"]["inn"] == TD_REQUISITES["inn"]
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = pdf_text(pdf.content)
    issued_on = f"{today.day} " in text and f"{today.year} г." in text
    assert f"Счёт на оплату № {doc['number']} от" in text and issued_on
    for expected in (
        "ПАО СБЕРБАНК г. Москва", "БИК 044525225", "30101810400000000225", "40702810966000012345",
        "ИНН 7107123456", "КПП 710701001", "ООО «Торговый дом «Тула-Сталь»", "ООО «СтройМонтаж»",
        "Арматура А500С 10 мм", "441 000,00", "485 100,00", "Итого: 926 100,00",
        "В том числе НДС (22 %): 167 001,64", "Всего к оплате: 926 100,00", WORDS,
        "Кравцова Е. П.", f"действующая на основании доверенности № 12/2026 от {short_date(today - timedelta(days=30))}",
        f"Сделка № {number}",
    ):
        assert expected in text, expected
    shots = pictures(pdf.content, artifacts, f"{stack.backend}-invoice")
    assert shots and all(p.stat().st_size > 20_000 for p in shots)


async def test_specification_and_invoice_contract_carry_both_sides(stack, artifacts) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    today = local_today(stack.settings.timezone)
    async with stack.http("manager") as api:
        buyer = await client_signatory(stack, api)
        number = await new_deal(stack, api)
        spec = await issue(api, number, kind="specification", seller_signatory_id=unit.director, buyer_signatory_id=buyer)
        contract = await issue(api, number, kind="invoice_contract", seller_signatory_id=unit.attorney, buyer_signatory_id=buyer)
        spec_pdf = (await api.get(f"/api/documents/{spec['id']}/pdf")).content
        contract_pdf = (await api.get(f"/api/documents/{contract['id']}/pdf")).content
    assert spec["number"].startswith(f"СП-{today.year}-") and contract["number"].startswith(f"СД-{today.year}-")
    assert spec["buyer_signatory"] == contract["buyer_signatory"] == "Иванов Иван Сергеевич"
    client_basis = f"действующий на основании доверенности № 77 от {short_date(today - timedelta(days=10))}"
    text = pdf_text(spec_pdf)
    for expected in (
        f"Спецификация № {spec['number']}", "Стороны согласовали поставку следующего товара", "ПОСТАВЩИК", "ПОКУПАТЕЛЬ",
        "ИНН 7707083893", "926 100,00", f"({WORDS})", "НДС (22 %) — 167 001,64", "Условия оплаты: предоплата 50 % суммы",
        "в течение 30 календарных дней", "/ Орлов А. В. /", "действующий на основании Устава", "/ Иванов И. С. /", client_basis,
        "р/с 40702810966000012345",
    ):
        assert expected in text, expected
    text = pdf_text(contract_pdf)
    for expected in (
        f"Счёт-договор № {contract['number']}", "акцепт оферты", "БИК 044525225", "В том числе НДС (22 %): 167 001,64",
        WORDS, "/ Кравцова Е. П. /", client_basis,
    ):
        assert expected in text, expected
    assert pictures(spec_pdf, artifacts, f"{stack.backend}-specification")
    assert pictures(contract_pdf, artifacts, f"{stack.backend}-invoice-contract")


async def test_long_specification_runs_over_pages(pg, artifacts) -> None:  # noqa: ANN001
    unit = await unit_ready(pg)
    async with pg.http("manager") as api:
        lines = [
            {"product_id": pg.org[f"rebar{(10, 12, 14, 16, 20)[i % 5]}"], "quantity": str(5 + i), "price": "45000"} for i in range(45)
        ]
        number = await new_deal(pg, api, lines=lines)
        spec = await issue(api, number, kind="specification", seller_signatory_id=unit.director)
        pdf = (await api.get(f"/api/documents/{spec['id']}/pdf")).content
    pages = page_count(pdf)
    text = pdf_text(pdf)
    assert pages >= 2 and text.count("Наименование товара") >= 2  # the table's header repeats on the next page
    assert "Страница 1 из" in text and f"Страница {pages} из {pages}" in text
    assert "ПОКУПАТЕЛЬ" in text and "Иванов" not in text  # nobody chosen for the client: lines to sign by hand
    assert pictures(pdf, artifacts, "postgres-specification-long")


async def test_an_issued_document_does_not_change_with_the_card(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    async with stack.http("manager") as api:
        number = await new_deal(stack, api)
        doc = await issue(api, number, kind="specification", seller_signatory_id=unit.director)
        first_pdf = (await api.get(f"/api/documents/{doc['id']}/pdf")).content
        first_html = (await api.get(f"/api/documents/{doc['id']}/html")).text
        card = (await api.get(f"/api/deals/{number}")).json()
        edit = deal_payload(stack.org, lines=3) | {"expected_version": card["version"]}
        assert (await api.put(f"/api/deals/{number}", json=edit)).status_code == 200
        again_pdf = (await api.get(f"/api/documents/{doc['id']}/pdf")).content
        again_html = (await api.get(f"/api/documents/{doc['id']}/html")).text
        newer = await issue(api, number, kind="specification", seller_signatory_id=unit.director)
    assert again_pdf == first_pdf and again_html == first_html  # re-rendered byte for byte
    assert "926\u00a0100,00" in first_html and "Арматура А500С 14 мм" not in first_html
    assert Decimal(newer["amount"]) > TOTAL  # the new specification has the third line


async def test_specification_exports_to_excel(stack) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    async with stack.http("manager") as api:
        number = await new_deal(stack, api)
        doc = await issue(api, number, kind="specification", seller_signatory_id=unit.director)
        answer = await api.get(f"/api/documents/{doc['id']}/xlsx")
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet["A1"].value.startswith(f"Спецификация № {doc['number']} от")
    header = [c.value for c in sheet[7]]
    assert header[:4] == ["№", "Артикул", "Наименование товара", "Кол-во"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=8, max_row=9)]
    assert [r[1] for r in rows] == ["A500C-10", "A500C-12"]
    assert [Decimal(str(r[3])) for r in rows] == [10, 11] and [Decimal(str(r[5])) for r in rows] == [45000, 45000]
    assert [Decimal(str(r[7])) for r in rows] == [Decimal("441000"), Decimal("485100")]
    assert [Decimal(str(r[9])) for r in rows] == [Decimal("79524.59"), Decimal("87477.05")]
    totals = {sheet.cell(row, 7).value: sheet.cell(row, 8).value for row in range(10, 13)}
    assert Decimal(str(totals["Итого:"])) == TOTAL and Decimal(str(totals["В том числе НДС (22 %):"])) == VAT
    assert sheet.cell(8, 8).number_format == "#,##0.00"
    assert any(WORDS == cell.value for row in sheet.iter_rows() for cell in row)


async def test_the_deal_business_unit_decides_numbering_bank_and_signatories(stack) -> None:  # noqa: ANN001
    td = await unit_ready(stack)
    plant = await unit_ready(stack, "bu.plant")
    year = local_today(stack.settings.timezone).year
    async with stack.http("admin") as admin:
        rules = (await admin.get(f"/api/business-units/{plant.id}/numbering-rules")).json()
        invoice_rule = next(r["rule"]["id"] for r in rules if r["rule"]["kind"] == "invoice")
        plant_rule = {"prefix": "ПП-СЧ", "year_format": "YY", "width": 5, "reset": "yearly"}
        assert (await admin.put(f"/api/numbering-rules/{invoice_rule}", json=plant_rule)).status_code == 200
    async with stack.http("manager") as api:
        td_doc = await issue(api, await new_deal(stack, api), kind="invoice", seller_signatory_id=td.director)
        number = await new_deal(stack, api, unit="bu.plant")
        wrong_side = await api.post(f"/api/deals/{number}/documents", json={"kind": "invoice", "seller_signatory_id": td.director})
        assert wrong_side.status_code == 422 and wrong_side.json()["error"] == "SignatoryOfAnotherParty"
        first = await issue(api, number, kind="invoice", seller_signatory_id=plant.director)
        second = await issue(api, number, kind="invoice", seller_signatory_id=plant.attorney)
        full = (await api.get(f"/api/documents/{first['id']}")).json()["snapshot"]
    assert td_doc["number"].startswith(f"СЧ-{year}-")
    # The plant's own rule and its own counter, whatever the trading house issued before.
    assert [first["number"], second["number"]] == [f"ПП-СЧ-{year % 100:02d}-00001", f"ПП-СЧ-{year % 100:02d}-00002"]
    assert first["business_unit_id"] == stack.org["bu.plant"]
    assert full["seller"]["name"] == "Завод «Промсорт-Тула»" and full["seller"]["inn"] == "7107987657"
    assert full["bank"]["bik"] == PLANT_BANK["bik"] and full["seller_signature"]["full_name"] == "Гончаров Пётр Ильич"
