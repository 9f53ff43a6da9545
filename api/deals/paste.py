"""A specification pasted from Excel: tab-separated rows → specification lines.

Copies from real sheets come with or without a header row, a leading row-number column, a code
column beside the name, numbers typed as "1 234,50" or "45 000 ₽", and units spelled "тн" or
"шт.". All rows are checked; one bad row refuses the paste and names that row, so the grid never
takes half a specification.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deals.schemas import PastedLine, PasteOut
from models.catalog import Product, ProductCategory, Unit
from models.types import search_key

MAX_ROWS = 2000

HEADER_WORDS = {
    "code": ("артикул", "код", "code", "sku", "article"),
    "name": ("наименование", "номенклатура", "товар", "продукция", "позиция", "product", "item", "name", "description"),
    "quantity": ("кол", "количество", "qty", "quantity", "объем", "вес"),
    "unit": ("ед", "единица", "unit", "uom"),
    "price": ("цена", "price"),
    "discount": ("скидка", "discount"),
}
UNIT_SYNONYMS = {
    "тн": "т", "тонна": "т", "тонн": "т", "тонны": "т", "t": "т",
    "штук": "шт", "штука": "шт", "pcs": "шт", "pc": "шт",
    "метр": "м", "метров": "м", "п.м": "м", "пм": "м", "m": "м",
    "kg": "кг", "килограмм": "кг",
    "комплект": "компл", "к-т": "компл", "set": "компл",
}
CURRENCY = re.compile(r"(₽|руб\.?|р\.|rub|rur)", re.IGNORECASE)
SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")


def parse_number(cell: str) -> Decimal | None:
    """'1 234,50' / '1,234.50' / '45 000 ₽' / '5%' → Decimal; None when it is not a number."""
    text = SPACES.sub("", CURRENCY.sub("", cell)).rstrip("%")
    if not text:
        return None
    if "," in text and "." in text:
        # The later separator is the decimal one; the other groups thousands.
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal_sep == "," else ",", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    if any(parse_number(c) is not None for c in cells if c.strip()):
        return None
    columns: dict[str, int] = {}
    for i, cell in enumerate(cells):
        word = cell.strip().lower()
        for role, words in HEADER_WORDS.items():
            if role not in columns and any(word.startswith(w) for w in words):
                columns[role] = i
                break
    return columns if {"quantity"} <= set(columns) and ({"name"} & set(columns) or {"code"} & set(columns)) else None


@dataclass
class RawRow:
    row: int
    item: list[str]  # cells naming the product (code, name), best first
    quantity: str = ""
    unit: str = ""
    price: str = ""
    discount: str = ""


def _by_columns(row: int, cells: list[str], columns: dict[str, int]) -> RawRow:
    def cell(role: str) -> str:
        i = columns.get(role)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    return RawRow(
        row=row,
        item=[c for c in (cell("code"), cell("name")) if c],
        quantity=cell("quantity"),
        unit=cell("unit"),
        price=cell("price"),
        discount=cell("discount"),
    )


def _layout(rows: list[list[str]]) -> dict[str, int]:
    """No header: read the columns' roles from the whole paste (Excel copies are rectangular).

    Text columns before the first numeric one name the item (a code, then a name; a leading
    column of row numbers is skipped); the first numeric column is the quantity, a text column
    right after it the unit; then the price; then a discount (≤ 100) — a column that is just
    quantity × price is the line sum and is left out."""
    width = max(len(r) for r in rows)
    column = [[r[i].strip() if i < len(r) else "" for r in rows] for i in range(width)]

    def numeric(i: int) -> bool:
        filled = [c for c in column[i] if c]
        return bool(filled) and sum(parse_number(c) is not None for c in filled) * 2 >= len(filled)

    first = 1 if width > 1 and all(c.isdigit() for c in column[0] if c) and not numeric(1) else 0
    item = [i for i in range(first, width) if not numeric(i)]
    numbers_from = next((i for i in range(first, width) if numeric(i)), width)
    item = [i for i in item if i < numbers_from]
    roles: dict[str, int] = {}
    if len(item) >= 2:
        roles["code"], roles["name"] = item[0], item[1]
    elif item:
        roles["name"] = item[0]
    if numbers_from == width:
        return roles
    roles["quantity"] = numbers_from
    rest = list(range(numbers_from + 1, width))
    if rest and not numeric(rest[0]):
        roles["unit"] = rest.pop(0)
    numeric_rest = [i for i in rest if numeric(i)]
    if numeric_rest:
        roles["price"] = numeric_rest.pop(0)
    for i in numeric_rest:
        values = [parse_number(c) for c in column[i] if c]
        if all(v is not None and 0 <= v <= 100 for v in values) and not _is_line_sum(column, roles, i):
            roles["discount"] = i
            break
    return roles


def _is_line_sum(column: list[list[str]], roles: dict[str, int], i: int) -> bool:
    for qty, price, total in zip(column[roles["quantity"]], column[roles["price"]], column[i], strict=True):
        q, p, t = parse_number(qty), parse_number(price), parse_number(total)
        if None in (q, p, t) or abs(q * p - t) > abs(t) * Decimal("0.5"):  # type: ignore[operator]
            return False
    return True


def _unit_word(cell: str) -> str:
    word = cell.strip().lower().rstrip(".")
    return UNIT_SYNONYMS.get(word, word)


class Catalog:
    """Looks items up: a code, an exact name, a category name, or one unambiguous partial name."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def load(self) -> None:
        units = (await self.session.exec(select(Unit))).scalars().all()
        self.units = {u.name.lower(): u for u in units}
        categories = (await self.session.exec(select(ProductCategory))).scalars().all()
        self.categories = {search_key(c.name): c for c in categories}
        self.category_names = {c.id: c.name for c in categories}
        self.unit_names = {u.id: u.name for u in units}

    async def find(self, candidates: list[str]) -> tuple[Product | None, ProductCategory | None, int]:
        """(product, category, how many partial matches) for the first candidate that names something."""
        best_count = 0
        for text in candidates:
            product = (
                await self.session.exec(select(Product).where(func.lower(Product.code) == text.lower()))
            ).scalar_one_or_none()
            if product is not None:
                return product, None, 1
            key = search_key(text)
            matches = (
                await self.session.exec(select(Product).where(Product.search_key.like(f"%{key}%")).limit(20))
            ).scalars().all()
            exact = [p for p in matches if search_key(p.name) == key]
            if len(exact) == 1:
                return exact[0], None, 1
            if key in self.categories:
                return None, self.categories[key], 1
            if len(matches) == 1:
                return matches[0], None, 1
            best_count = max(best_count, len(matches))
        return None, None, best_count


async def parse(session: AsyncSession, text: str) -> PasteOut:
    rows = [r for r in csv.reader(io.StringIO(text.replace("\r\n", "\n")), delimiter="\t")]
    numbered = [(i, cells) for i, cells in enumerate(rows, start=1) if any(c.strip() for c in cells)]
    if not numbered:
        return PasteOut(errors=[{"row": None, "code": "PasteEmpty"}])
    if len(numbered) > MAX_ROWS:
        return PasteOut(errors=[{"row": None, "code": "PasteTooLong", "limit": MAX_ROWS}])
    catalog = Catalog(session)
    await catalog.load()
    columns = _header_columns(numbered[0][1])
    if columns is not None:
        numbered = numbered[1:]
    else:
        columns = _layout([cells for _, cells in numbered])
    lines: list[PastedLine] = []
    errors: list[dict] = []
    for row, cells in numbered:
        raw = _by_columns(row, cells, columns)
        line, problem = await _line(raw, catalog)
        if problem:
            errors.append(problem)
        elif line:
            lines.append(line)
    if errors:
        return PasteOut(errors=errors)
    return PasteOut(lines=lines)


async def _line(raw: RawRow, catalog: Catalog) -> tuple[PastedLine | None, dict | None]:
    row = raw.row
    if not raw.item:
        return None, {"row": row, "field": "item", "code": "PasteNoItem"}
    if not raw.quantity:
        return None, {"row": row, "field": "quantity", "code": "PasteNoQuantity", "item": raw.item[0]}
    numbers: dict[str, Decimal] = {}
    for role in ("quantity", "price", "discount"):
        cell = getattr(raw, role)
        if cell:
            value = parse_number(cell)
            if value is None:
                return None, {"row": row, "field": role, "code": "PasteNotANumber", "value": cell}
            numbers[role] = value
    unit = None
    if raw.unit:
        unit = catalog.units.get(_unit_word(raw.unit))
        if unit is None:
            return None, {"row": row, "field": "unit", "code": "PasteUnknownUnit", "value": raw.unit}
    product, category, matches = await catalog.find(raw.item)
    if product is None and category is None:
        code = "PasteAmbiguousItem" if matches > 1 else "PasteUnknownItem"
        return None, {"row": row, "field": "item", "code": code, "value": raw.item[-1], "matches": matches}
    unit_id = unit.id if unit else (product.unit_id if product else category.default_unit_id if category else None)
    try:
        line = PastedLine(
            row=row,
            product_id=product.id if product else None,
            category_id=product.category_id if product else category.id if category else None,
            description=product.name if product else category.name if category else "",
            quantity=numbers["quantity"],
            price=numbers.get("price", Decimal(0)),
            discount_percent=numbers.get("discount", Decimal(0)),
            unit_id=unit_id,
            product_name=product.name if product else "",
            category_name=catalog.category_names.get(product.category_id if product else category.id, ""),  # type: ignore[union-attr]
            unit_name=catalog.unit_names.get(unit_id, "") if unit_id else "",
        )
    except ValidationError as err:
        first = err.errors()[0]
        field_name = str(first["loc"][0]) if first["loc"] else ""
        return None, {"row": row, "field": field_name, "code": "PasteInvalidValue", "value": str(numbers.get(field_name.replace("_percent", ""), "")), "reason": first["msg"]}
    return line, None
