"""How Russian business documents write amounts, dates, names and a signatory's authority.

Print forms are Russian whatever the interface language: they are legal documents for a Russian
counterparty."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from num2words import num2words

from models.documents import AuthorityKind

CENT = Decimal("0.01")
MONTHS = ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря")


def amount_in_words(amount: Decimal) -> str:
    """«Сто двадцать три тысячи четыреста пятьдесят шесть рублей 78 копеек».

    num2words declines roubles and kopecks; it must get a Decimal (an int would be read as kopecks)."""
    text = num2words(Decimal(amount).quantize(CENT), lang="ru", to="currency", currency="RUB", cents=False, separator="")
    return text[:1].upper() + text[1:]


def money(value: Decimal | None) -> str:
    """123 456,78 — a no-break space between thousands, a comma before kopecks."""
    if value is None:
        return ""
    return f"{Decimal(value):,.2f}".replace(",", "\u00a0").replace(".", ",")


def quantity(value: Decimal | None) -> str:
    """Up to three decimals, trailing zeros dropped: 12,5."""
    if value is None:
        return ""
    text = f"{Decimal(value):,.3f}".replace(",", "\u00a0").replace(".", ",")
    return text.rstrip("0").rstrip(",")


def local_today(timezone: str) -> date:
    """The company's today: documents are dated in its time zone, not the server's."""
    return datetime.now(ZoneInfo(timezone)).date()


def long_date(day: date) -> str:
    """26 ноября 2026 г."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} г."


def short_date(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def initials(full_name: str) -> str:
    """Орлов Андрей Викторович → Орлов А. В. (the way a signature line names a person)."""
    surname, *given = full_name.split()
    return " ".join([surname, *(f"{name[0]}." for name in given)]) if given else surname


def acting(full_name: str) -> str:
    """«действующий» or «действующая», by the patronymic (Russian names carry the gender there)."""
    parts = full_name.split()
    patronymic = parts[2].lower() if len(parts) > 2 else ""
    return "действующая" if patronymic.endswith(("вна", "чна", "кызы")) else "действующий"


def authority_basis(kind: str, number: str, issued_on: date | None) -> str:
    """The genitive the signature line needs: «Устава», «доверенности № 15 от 10.01.2026»."""
    if kind == AuthorityKind.charter:
        return "Устава"
    noun = "доверенности" if kind == AuthorityKind.power_of_attorney else "приказа"
    text = noun + (f" № {number}" if number else "")
    return text + (f" от {short_date(issued_on)}" if issued_on else "")


def authority_name(kind: str, number: str, issued_on: date | None) -> str:
    """The document as a refusal names it: «доверенность № 15 от 10.01.2026»."""
    noun = {AuthorityKind.charter: "устав", AuthorityKind.power_of_attorney: "доверенность"}.get(kind, "приказ")
    text = noun + (f" № {number}" if number else "")
    return text + (f" от {short_date(issued_on)}" if issued_on else "")
