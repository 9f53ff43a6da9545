"""Interface language: Russian by default, English on request. Catalogs are flat JSON files
(`locales/<lang>.json`, keys like "deal.save"); a missing English key falls back to Russian."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("ru", "en")
LOCALES = Path(__file__).resolve().parent / "locales"


@cache
def catalog(language: str) -> dict[str, str]:
    return json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))


def translate(language: str, key: str, /, **params: Any) -> str:
    language = language if language in LANGUAGES else LANGUAGES[0]
    text = catalog(language).get(key) or catalog(LANGUAGES[0]).get(key) or key
    try:
        return text.format(**params) if params else text
    except (KeyError, IndexError, ValueError):
        return text


def language_of(request: Any) -> str:
    """The request's interface language: the session's choice, else the installation default."""
    return request.session.get("lang") or request.app.state.settings.default_language


class Translator:
    """`_("key", name=…)` in templates and services, bound to one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else LANGUAGES[0]

    def __call__(self, key: str, /, **params: Any) -> str:
        return translate(self.language, key, **params)


# "Петров П.: leave до 05.12.2026" — the approval chain notes why a seat moved, in reason codes.
ABSENCE_REASON = re.compile(r": (leave|sick|trip|manager|inactive)\b( до )?")


def seat_note(note: str, _: Translator) -> str:
    """An approval seat's note with the reason codes in the reader's words."""
    return ABSENCE_REASON.sub(
        lambda m: f": {_('absence.' + m.group(1))}" + (f" {_('absence.until')} " if m.group(2) else ""), note
    )
