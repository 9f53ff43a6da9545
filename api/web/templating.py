"""Server-rendered pages: one Jinja2 environment whose context gives every template the request's
translator `_`, the CSRF token, the signed-in person, flash messages and the settings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from api.auth.security import csrf_token
from api.i18n import Translator, catalog, language_of, seat_note

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def flash(request: Request, text: str, kind: str = "ok") -> None:
    """A message shown once on the next page (after a redirect)."""
    request.session.setdefault("flash", []).append([kind, text])


def _context(request: Request) -> dict[str, Any]:
    settings = request.app.state.settings
    return {
        "_": Translator(language_of(request)),
        "lang": language_of(request),
        "csrf_token": csrf_token(request),
        "user": getattr(request.state, "user", None),
        "unread": getattr(request.state, "unread", 0),
        "can_create_deals": getattr(request.state, "can_create_deals", False),
        "flashes": request.session.pop("flash", []),
        "settings": settings,
        "zone": ZoneInfo(settings.timezone),
    }


templates = Jinja2Templates(directory=TEMPLATES, context_processors=[_context])
env = templates.env
env.trim_blocks = True
env.lstrip_blocks = True


def _number(value: Decimal | float | int | None, places: int, language: str) -> str:
    if value is None or value == "":
        return ""
    text = f"{Decimal(value):,.{places}f}"
    if language == "ru":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


@pass_context
def money(ctx: Any, value: Decimal | None) -> str:
    return _number(value, 2, ctx["lang"])


@pass_context
def quantity(ctx: Any, value: Decimal | None) -> str:
    """Up to three decimals, trailing zeros dropped: 12,5 т, not 12,500 т."""
    if value is None:
        return ""
    text = _number(value, 3, ctx["lang"])
    sep = "," if ctx["lang"] == "ru" else "."
    return text.rstrip("0").rstrip(sep) if sep in text else text


@pass_context
def when(ctx: Any, value: datetime | date | str | None, with_time: bool = True) -> str:
    """Local (company time zone) date and time in the reader's convention."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(ctx["zone"])
        if not with_time:
            value = value.date()
    pattern = "%d.%m.%Y" if ctx["lang"] == "ru" else "%Y-%m-%d"
    if isinstance(value, datetime):
        pattern += " %H:%M"
    return value.strftime(pattern)


@pass_context
def absence_note(ctx: Any, note: str) -> str:
    return seat_note(note, ctx["_"])


env.filters.update(money=money, quantity=quantity, when=when, absence_note=absence_note)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def script_strings(language: str, prefixes: tuple[str, ...] = ("js.", "role.")) -> dict[str, str]:
    """The catalog entries the page scripts need, in the reader's language."""
    _ = Translator(language)
    return {key: _(key) for key in catalog("ru") if key.startswith(prefixes)}


def error_page(request: Request, message: str, status_code: int) -> HTMLResponse:
    return render(request, "error.html", status_code=status_code, message=message)
