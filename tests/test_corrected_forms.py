"""Corrected forms and invoices from what was actually shipped: the lines are the shipments'
(a re-reported shipment replaces its earlier report, a cancelled one counts for nothing), the
form names the shipments and the document it replaces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from api.documents.shipments import ShipmentIn, record_shipment
from tests.documents_setup import unit_ready
from tests.helpers import deal_payload
from tests.printed import pdf_text, pictures


async def ship(stack, number: int, external_id: str, shipped_on: date, *lines: tuple[str, str, str], cancelled: bool = False) -> None:  # noqa: ANN001
    """Record a shipment as 1C reports it: lines of (product key, quantity, price)."""
    data = ShipmentIn(
        external_id=external_id, deal_number=number, number=external_id.split("-")[-1], shipped_on=shipped_on, cancelled=cancelled,
        lines=[{"product_id": stack.org[key], "quantity": qty, "price": price} for key, qty, price in lines],
    )
    async with stack.db.session() as session:
        await record_shipment(session, data)


async def test_corrected_specification_and_invoice_follow_the_shipments(stack, artifacts) -> None:  # noqa: ANN001
    unit = await unit_ready(stack)
    async with stack.http("manager") as api:
        number = (await api.post("/api/deals", json=deal_payload(stack.org))).json()["number"]
        spec = (await api.post(f"/api/deals/{number}/documents", json={"kind": "specification", "seller_signatory_id": unit.director})).json()
        tag = f"{stack.backend}-{number}"
        await ship(stack, number, f"1C-{tag}-РН101", date(2026, 3, 2), ("rebar10", "9.5", "44100"))
        # 1C corrects the first report of the second shipment: 11 t became 10.75 t.
        await ship(stack, number, f"1C-{tag}-РН102", date(2026, 3, 4), ("rebar12", "11", "44100"))
        await ship(stack, number, f"1C-{tag}-РН102", date(2026, 3, 4), ("rebar12", "10.75", "44100"), ("rebar10", "0.5", "44100"))
        await ship(stack, number, f"1C-{tag}-РН103", date(2026, 3, 5), ("rebar14", "3", "44100"), cancelled=True)

        corrected = await api.post(
            f"/api/deals/{number}/documents", json={"kind": "specification", "from_shipments": True, "seller_signatory_id": unit.director}
        )
        assert corrected.status_code == 201, corrected.text
        doc = corrected.json()
        full = (await api.get(f"/api/documents/{doc['id']}")).json()["snapshot"]
        pdf = (await api.get(f"/api/documents/{doc['id']}/pdf")).content
        invoice = (await api.post(
            f"/api/deals/{number}/documents", json={"kind": "invoice", "from_shipments": True, "seller_signatory_id": unit.attorney}
        )).json()
        invoice_pdf = (await api.get(f"/api/documents/{invoice['id']}/pdf")).content
        listed = (await api.get(f"/api/deals/{number}/documents")).json()

    lines = [(line["code"], Decimal(line["quantity"]), Decimal(line["amount"])) for line in full["lines"]]
    # 9,5 t + 0,5 t of the 10 mm merge at the same price; the cancelled 14 mm counts for nothing.
    assert lines == [("A500C-10", Decimal("10"), Decimal("441000")), ("A500C-12", Decimal("10.75"), Decimal("474075"))]
    assert Decimal(full["total"]) == Decimal("915075.00") and Decimal(doc["amount"]) == Decimal("915075.00")
    assert Decimal(full["vat"][0]["amount"]) == Decimal("165013.52")  # 79 524,59 + 85 488,93
    assert full["amount_in_words"] == "Девятьсот пятнадцать тысяч семьдесят пять рублей 00 копеек"
    assert full["corrects"]["number"] == spec["number"] and doc["corrects"] == spec["number"]
    assert [s["number"] for s in full["shipments"]] == ["РН101", "РН102"]
    assert doc["from_shipments"] is True and doc["number"] != spec["number"]

    text = pdf_text(pdf)
    for expected in (
        f"Корректировочная спецификация № {doc['number']}", f"к спецификации № {spec['number']}",
        "по фактическим отгрузкам (№ РН101 от 02.03.2026, № РН102 от 04.03.2026)", f"взамен спецификации № {spec['number']}",
        "10,75", "474 075,00", "915 075,00", "Девятьсот пятнадцать тысяч семьдесят пять рублей 00 копеек",
    ):
        assert expected in text, expected
    assert "РН103" not in text and "Арматура А500С 14 мм" not in text

    text = pdf_text(invoice_pdf)
    assert f"Счёт на оплату по фактическим отгрузкам № {invoice['number']}" in text
    assert "фактические отгрузки: № РН101 от 02.03.2026, № РН102 от 04.03.2026" in text and "В том числе НДС (22 %): 165 013,52" in text
    assert invoice["corrects"] == ""  # no earlier invoice on this deal to replace
    assert [d["number"] for d in listed] == [invoice["number"], doc["number"], spec["number"]]
    assert pictures(pdf, artifacts, f"{stack.backend}-corrected-specification")
    assert pictures(invoice_pdf, artifacts, f"{stack.backend}-invoice-from-shipments")
