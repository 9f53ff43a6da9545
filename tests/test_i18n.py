"""The interface catalogs: Russian and English say the same things, and every key a page or a
page script asks for exists (a missing key would show as its raw name)."""

from __future__ import annotations

import re
from pathlib import Path

from api.i18n import LANGUAGES, catalog

API = Path(__file__).resolve().parent.parent / "api"
# _("key") in templates and Python, t("js.key") in page scripts; dynamic keys ("status." ~ x) end in "."
LITERAL_KEYS = re.compile(r"""(?:\b_|\bt)\(\s*["'`]([a-z][\w.]*\w)["'`]""")


def used_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for pattern in ("templates/**/*.html", "static/js/*.js", "**/pages.py", "auth/routes.py"):
        for path in API.glob(pattern):
            for key in LITERAL_KEYS.findall(path.read_text(encoding="utf-8")):
                found.setdefault(key, set()).add(str(path.relative_to(API)))
    return found


def test_catalogs_have_the_same_keys() -> None:
    ru, en = (set(catalog(language)) for language in LANGUAGES)
    assert ru - en == set(), "missing in en.json"
    assert en - ru == set(), "missing in ru.json"
    for language in LANGUAGES:
        empty = [key for key, text in catalog(language).items() if not text.strip()]
        assert empty == [], f"empty texts in {language}.json"


def test_every_key_the_pages_use_exists() -> None:
    used = used_keys()
    assert len(used) > 100  # the scan does find the pages' keys
    missing = {key: sorted(where) for key, where in used.items() if key not in catalog("ru")}
    assert missing == {}
