"""Specifications pasted from Excel as real sheets copy them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from api.deals.paste import parse_number


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("10", Decimal("10")),
        ("1 234,50", Decimal("1234.50")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("45 000 ₽", Decimal("45000")),
        ("45 000,00 руб.", Decimal("45000.00")),
        ("1,234.56", Decimal("1234.56")),
        ("1.234,56", Decimal("1234.56")),
        ("5%", Decimal("5")),
        ("0,125", Decimal("0.125")),
        ("-3", Decimal("-3")),
        ("десять", None),
        ("", None),
        ("inf", None),
    ],
)
def test_numbers_as_people_type_them(cell: str, value: Decimal | None) -> None:
    assert parse_number(cell) == value


async def _parse(stack, text: str) -> dict:  # noqa: ANN001
    async with stack.http("manager") as api:
        return (await api.post("/api/specification/parse", json={"text": text})).json()


async def test_rows_with_a_header_in_any_column_order(pg) -> None:  # noqa: ANN001
    text = (
        "№\tАртикул\tНаименование\tЕд. изм.\tКол-во\tЦена, руб.\tСкидка, %\tСумма\n"
        "1\tA500C-10\tАрматура А500С 10 мм\tт\t12,5\t44 500,00\t3\t539 587,50\n"
        "2\tWR-6.5\tКатанка 6,5 мм Ст1кп\tтн\t7\t41 000\t\t287 000\n"
    )
    parsed = await _parse(pg, text)
    assert parsed["errors"] == []
    first, second = parsed["lines"]
    assert (first["product_id"], Decimal(first["quantity"]), Decimal(first["price"]), Decimal(first["discount_percent"])) == (
        pg.org["rebar10"], Decimal("12.5"), Decimal("44500"), Decimal("3"),
    )
    assert (second["product_id"], second["unit_name"], Decimal(second["discount_percent"])) == (pg.org["wire"], "т", 0)


async def test_rows_without_header_with_row_numbers_and_categories(pg) -> None:  # noqa: ANN001
    text = (
        "1\tАрматура А500С 14 мм\t3\tт\t46000\n"
        "2\tарматура\t40\t\t43000\r\n"  # a category only, as early in a deal
        "3\tA500C-20\t1,5\n"
        "\n"
        "4\tКатанка\t10\tт\t41000\t5\n"
    )
    parsed = await _parse(pg, text)
    assert parsed["errors"] == []
    lines = parsed["lines"]
    assert [line["row"] for line in lines] == [1, 2, 3, 5]
    assert lines[0]["product_id"] == pg.org["rebar14"]
    assert (lines[1]["product_id"], lines[1]["category_id"], lines[1]["unit_name"]) == (None, pg.org["cat.rebar"], "т")
    assert (Decimal(lines[2]["quantity"]), Decimal(lines[2]["price"])) == (Decimal("1.5"), Decimal(0))
    assert (lines[3]["category_id"], Decimal(lines[3]["discount_percent"])) == (pg.org["cat.wire"], Decimal(5))


async def test_quoted_cells_and_ambiguous_names(pg) -> None:  # noqa: ANN001
    quoted = '"Арматура А500С 16 мм"\t2\tт\t45000\n'
    assert (await _parse(pg, quoted))["lines"][0]["product_id"] == pg.org["rebar16"]
    ambiguous = await _parse(pg, "А500С\t2\n")
    assert ambiguous["errors"][0]["code"] == "PasteAmbiguousItem" and ambiguous["errors"][0]["matches"] == 5
    negative = await _parse(pg, "A500C-10\t-2\tт\t100\n")
    assert negative["errors"][0]["row"] == 1 and negative["errors"][0]["code"] == "PasteInvalidValue"
    unit = await _parse(pg, "A500C-10\t2\tвёдра\t100\n")
    assert (unit["errors"][0]["code"], unit["errors"][0]["value"]) == ("PasteUnknownUnit", "вёдра")
