"""What an approver wrote above the quoted original: the decision word and the comment.

Replies come from Outlook, Gmail, Yandex, Mail.ru, Apple Mail, Thunderbird and phones, mostly in
Russian. We need only the reply's own lines, so this is a small cutter over a table of the quote
introductions and signatures those clients write, not a reply-parsing library:
- mail-parser-reply has no Russian, and its signature rules cut at any line starting "- word" or
  "Thanks," — a comment such as "- скидку снизить до 3 %" would be lost;
- quotequail knows one Russian line ("написал(а):") and needs lxml for HTML;
- neither knows Gmail's, Yandex's or Mail.ru's Russian attribution lines, so the table below
  would be needed anyway, and with it the English forms cost two more patterns.
HTML-only replies go through BeautifulSoup (stdlib parser, no C extension): the quoted part must
be removed as elements (blockquote, Gmail's gmail_quote, Outlook's divRplyFwdMsg and everything
after it) before the text is taken — a tree operation that HTML-to-Markdown converters such as
html2text do not offer, and their Markdown escapes would only get in the way of the first line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup

APPROVE = {"согласовано", "согласую", "да", "ok", "ок", "oк", "оk", "okay", "approve", "approved", "yes"}
REJECT = {"отклонено", "отклоняю", "нет", "reject", "rejected", "no"}
# Openings that would read as a rejection but mean the opposite.
APPROVING_PHRASE = re.compile(r"^(нет возражений|возражений нет|no objections?)(?![^\W\d_])(.*)$", re.IGNORECASE | re.DOTALL)
PUNCTUATION = " \t.,!;:—–-)"

ADDRESS_COLON = r"<?[^<>\s]+@[^<>\s]+>\s*:"
QUOTE_INTROS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^on\s.+\swrote:$",  # Gmail, Apple Mail, Thunderbird (en)
        r"^.+\sг\.,?\s*в\s*\d{1,2}:\d{2},?\s.+" + ADDRESS_COLON + "$",  # Gmail (ru): "ср, 5 мар. 2025 г. в 10:15, CRM <crm@…>:"
        r"^.+\sнаписал(а|\(а\))?:$",  # Apple Mail (ru)
        r"^.+\sпишет:$",  # Thunderbird (ru)
        r"^.+\sот\s.+" + ADDRESS_COLON + "$",  # Mail.ru: "Среда, 5 марта 2025, 10:15 +03:00 от CRM <crm@…>:"
        r"^.*\d{1,2}[:.]\d{2}.*" + ADDRESS_COLON + "$",  # Yandex and others: a date or time, then "<address>:"
    )
]
SEPARATORS = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^--$",  # the "-- " signature separator (trailing space stripped)
        r"^_{10,}$",  # Outlook's line above the original
        r"^-{2,}\s*(original message|исходное сообщение|пересылаемое сообщение|forwarded message)\s*-{2,}$",
        r"^(begin forwarded message|начало переадресованного сообщения):$",
        r"^(sent from my|sent from (outlook|mail|yahoo)|get outlook for)\b",
        r"^(отправлено (с|со|из)\s|получить outlook для\b)",  # "Отправлено с iPhone", "…из мобильной Почты Mail.ru"
        r"^(с уважением|с наилучшими пожеланиями|best regards|kind regards|regards|best wishes)[\s,.!]*$",
    )
]
HEADER_FIELD = re.compile(
    r"^\*?(from|sent|date|to|cc|subject|от|от кого|отправлено|дата|кому|копия|тема)\s*:\*?(\s|$)", re.IGNORECASE
)
SENDER_FIELD = re.compile(r"^\*?(from|от|от кого)\s*:", re.IGNORECASE)
FIRST_WORD = re.compile(r"^([^\W\d_]+)(.*)$", re.DOTALL)

# HTML: quoted elements dropped; from Outlook's reply marker on, everything is the original.
QUOTED_HTML = (
    "blockquote, .gmail_quote, .gmail_extra, .gmail_signature, .yahoo_quoted, .moz-cite-prefix, "
    ".moz-signature, #Signature, #ms-outlook-mobile-signature, div[type=cite]"
)
ORIGINAL_FOLLOWS = "#appendonsend, #divRplyFwdMsg, #mail-editor-reference-message-container"
BLOCKS = ["p", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre", "ul", "ol"]


@dataclass(frozen=True)
class Reading:
    approve: bool | None  # None: no decision word on the first line
    comment: str
    first_line: str


def read_reply(text: str) -> Reading:
    """The decision from the first line of the reply's own text; the rest of the text is the comment."""
    lines = own_lines(text)
    if not lines:
        return Reading(None, "", "")
    first, rest = lines[0], lines[1:]
    approve, remainder = _decision(first)
    if approve is None:
        return Reading(None, "", first)
    comment = "\n".join([remainder, *rest] if remainder else rest).strip()
    return Reading(approve, comment[:2000], first)


def _decision(line: str) -> tuple[bool | None, str]:
    phrase = APPROVING_PHRASE.match(line)
    if phrase:
        return True, phrase.group(2).lstrip(PUNCTUATION)
    found = FIRST_WORD.match(line)
    if not found:
        return None, ""
    word = found.group(1).casefold()
    remainder = found.group(2).lstrip(PUNCTUATION)
    if word in APPROVE:
        return True, remainder
    if word in REJECT:
        return False, remainder
    return None, ""


def own_lines(text: str) -> list[str]:
    """The reply's own lines: quoted lines, quote introductions with what they introduce,
    signatures and everything after a separator dropped; blank runs squeezed."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    kept: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(">"):
            i += 1
            continue
        if _separator(lines, i):
            break
        intro = _quote_intro(lines, i)
        if intro:
            following = next((j for j in range(i + intro, len(lines)) if lines[j]), None)
            if following is not None and lines[following].startswith(">"):
                i = following  # bottom-posting: the quote is dropped, the reply below it is read
                continue
            break  # top-posting: the rest is the original
        if line or (kept and kept[-1]):
            kept.append(line)
        i += 1
    while kept and not kept[-1]:
        kept.pop()
    while kept and not kept[0]:
        kept.pop(0)
    return kept


def _separator(lines: list[str], i: int) -> bool:
    line = lines[i]
    if any(pattern.search(line) for pattern in SEPARATORS):
        return True
    # Outlook's header block of the original: "From:/От: …" beside "Sent:/Отправлено: …" and co.
    if SENDER_FIELD.match(line):
        return any(HEADER_FIELD.match(other) for other in lines[i + 1 : i + 4])
    return False


def _quote_intro(lines: list[str], i: int) -> int:
    """How many lines the quote introduction at i spans (clients wrap long ones over two), or 0."""
    if not lines[i]:
        return 0
    if _is_intro(lines[i]):
        return 1
    if i + 1 < len(lines) and lines[i + 1] and not _is_intro(lines[i + 1]):
        glue = "" if lines[i][-1] in "<([{\"'" else " "
        if _is_intro(lines[i] + glue + lines[i + 1]):
            return 2
    return 0


def _is_intro(line: str) -> bool:
    return any(pattern.match(line) for pattern in QUOTE_INTROS)


def html_text(html: str) -> str:
    """An HTML reply as text, without its quoted part and signature."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["head", "style", "script", "title"]):
        tag.decompose()
    marker = soup.select_one(ORIGINAL_FOLLOWS)
    if marker is not None:
        for later in list(marker.next_elements):
            later.extract()
        marker.decompose()
    for quoted in soup.select(QUOTED_HTML):
        quoted.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for block in soup.find_all(BLOCKS):
        block.insert_before("\n")
        block.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
