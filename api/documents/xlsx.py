"""An issued document as an Excel workbook (openpyxl): the same header, lines and totals as the
print form, with real numbers in the cells so the client can sum and filter them."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from api.documents.render import title_of
from api.documents.snapshot import Snapshot
from api.documents.wording import initials

MONEY = "#,##0.00"
QUANTITY = "#,##0.###"
HEADER = ("№", "Артикул", "Наименование товара", "Кол-во", "Ед.", "Цена с НДС, руб.", "Скидка, %", "Сумма с НДС, руб.", "Ставка НДС, %", "НДС, руб.")
WIDTHS = (5, 14, 46, 10, 6, 16, 10, 18, 12, 14)
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)


def _party(label: str, party, row: int, sheet) -> None:  # noqa: ANN001
    sheet.cell(row, 1, label).font = BOLD
    requisites = [party.legal_name, f"ИНН {party.inn}" if party.inn else "", f"КПП {party.kpp}" if party.kpp else "", party.address]
    sheet.cell(row, 3, ", ".join(part for part in requisites if part))
    sheet.merge_cells(start_row=row, start_column=3, end_row=row, end_column=len(HEADER))


def workbook_bytes(doc: Snapshot) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Спецификация" if doc.kind == "specification" else "Документ"
    book.properties.title = title_of(doc)
    book.properties.creator = "Workflow CRM"
    sheet.cell(1, 1, title_of(doc)).font = Font(bold=True, size=14)
    _party("Поставщик:", doc.seller, 3, sheet)
    _party("Покупатель:", doc.buyer, 4, sheet)
    sheet.cell(5, 1, "Основание:").font = BOLD
    sheet.cell(5, 3, f"Сделка № {doc.deal_number}" + (f"; взамен № {doc.corrects.number}" if doc.corrects else ""))

    first = 7
    for column, (text, width) in enumerate(zip(HEADER, WIDTHS, strict=True), start=1):
        cell = sheet.cell(first, column, text)
        cell.font, cell.border = BOLD, BOX
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, line in enumerate(doc.lines, start=1):
        values = (line.position, line.code, line.name, line.quantity, line.unit, line.price, line.discount_percent, line.amount, line.vat_rate, line.vat_amount)
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(first + offset, column, value)
            cell.border = BOX
            if column in (6, 8, 10):
                cell.number_format = MONEY
            elif column in (4, 7, 9):
                cell.number_format = QUANTITY
    row = first + len(doc.lines) + 1
    totals = [("Итого:", doc.total)] + [(f"В том числе НДС ({v.rate.normalize()} %):", v.amount) for v in doc.vat]
    for label, value in totals + [("Всего к оплате:", doc.total)]:
        sheet.cell(row, 7, label).font = BOLD
        cell = sheet.cell(row, 8, value)
        cell.font, cell.number_format = BOLD, MONEY
        row += 1
    sheet.cell(row + 1, 1, f"Всего наименований {len(doc.lines)}, на сумму {doc.total:,.2f} руб.".replace(",", " ").replace(".", ","))
    sheet.cell(row + 2, 1, doc.amount_in_words).font = BOLD
    signed = [("Поставщик", doc.seller_signature)] + ([("Покупатель", doc.buyer_signature)] if doc.buyer_signature else [])
    for i, (side, signature) in enumerate(signed):
        sheet.cell(row + 4 + i, 1, f"{side}: {signature.position} ____________ / {initials(signature.full_name)} /, "
                   f"{signature.acting} на основании {signature.basis}")

    sheet.freeze_panes = sheet.cell(first + 1, 1)
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{first}:{first}"
    out = BytesIO()
    book.save(out)
    return out.getvalue()
