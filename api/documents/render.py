"""Print forms: Jinja2 templates (api/documents/forms/) → HTML, and HTML → PDF with WeasyPrint.

Why WeasyPrint: it lays out real HTML and CSS (tables that break across pages with repeated
headers, page counters, @font-face), so one template gives both the HTML and the PDF; it is
well kept and installs from PyPI. It needs Debian's pango (libpango-1.0-0, libpangoft2-1.0-0),
which `.ci/run`, `./crm test` and the Dockerfile install. The pure-Python alternatives either
have no real HTML/CSS layout (fpdf2, reportlab) or support too little CSS for these tables
(xhtml2pdf).

Why vendored fonts: Liberation Sans (SIL OFL, metric-compatible with Arial, which Russian forms
from 1C use) ships in `fonts/`, so every installation renders the same glyphs and the same page
breaks, whatever fonts the server has; an issued document's PDF is byte-for-byte reproducible
from its stored HTML."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint import HTML

from api.documents import wording
from api.documents.snapshot import Snapshot, TermsView
from models.documents import DocumentKind

HERE = Path(__file__).resolve().parent
FORMS = HERE / "forms"
# Fonts are referenced relative to this folder (url("fonts/…")), so stored HTML stays portable.
BASE_URL = f"{HERE}/"

TEMPLATES = {
    DocumentKind.specification: "specification.html",
    DocumentKind.invoice: "invoice.html",
    DocumentKind.invoice_contract: "invoice_contract.html",
}
DELIVERY = {
    "pickup": "самовывоз со склада Поставщика",
    "truck": "доставка автотранспортом Поставщика",
    "rail": "доставка железнодорожным транспортом",
}


def name_of(snapshot: Snapshot) -> str:
    """«Спецификация», «Корректировочная спецификация», «Счёт на оплату»…"""
    names = {
        DocumentKind.specification: ("Спецификация", "Корректировочная спецификация"),
        DocumentKind.invoice: ("Счёт на оплату", "Счёт на оплату по фактическим отгрузкам"),
        DocumentKind.invoice_contract: ("Счёт-договор", "Счёт-договор по фактическим отгрузкам"),
    }[DocumentKind(snapshot.kind)]
    return names[1] if snapshot.from_shipments else names[0]


def title_of(snapshot: Snapshot) -> str:
    return f"{name_of(snapshot)} № {snapshot.number} от {wording.long_date(snapshot.issued_on)}"


def payment_terms(terms: TermsView) -> str:
    prepaid, days = terms.prepayment_percent, terms.payment_deferral_days
    if prepaid >= 100:
        return "100 % предоплата до отгрузки товара."
    rest = f"в течение {days} календарных дней с даты отгрузки" if days else "в день отгрузки"
    if prepaid > 0:
        return f"предоплата {wording.quantity(prepaid)} % суммы до отгрузки, оставшаяся часть — {rest}."
    return f"оплата {rest}."


def delivery_terms(terms: TermsView) -> str:
    text = DELIVERY.get(terms.delivery_method, terms.delivery_method)
    if terms.warehouse:
        text += f"; склад отгрузки: {terms.warehouse}"
    return text + "."


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(FORMS), autoescape=select_autoescape(["html"]), undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(
        money=wording.money, quantity=wording.quantity, long_date=wording.long_date, short_date=wording.short_date,
        initials=wording.initials,
    )
    env.globals.update(payment_terms=payment_terms, delivery_terms=delivery_terms)
    return env


ENV = _environment()


def render_html(snapshot: Snapshot) -> str:
    template = ENV.get_template(TEMPLATES[DocumentKind(snapshot.kind)])
    return template.render(doc=snapshot, name=name_of(snapshot), title=title_of(snapshot))


def render_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL).write_pdf()
