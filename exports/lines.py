"""The one short line each item is shown as, in the display language.

The extraction gives every item a short ``value`` ("Gloria Whitfield, CFO: Economic buyer",
"Go-live: 23 February 2026 (2026-02-23)") and keeps the sentences it rests on in its
citations. What is built from structured attributes is rebuilt here in the reader's
language, so a German page never shows an English role label or month name: a stakeholder
from name, title and roles; a start or go-live date from its ISO ``date``. A rep's correction
always wins. Everything else is the value as extracted.
"""

from __future__ import annotations

import re

from exports.citations import clean
from exports.formatting import attr_text, format_date, parse_date
from exports.stakeholders import role_label, roles_of
from handoff.domain import Citation, Item
from handoff.labels import Lang

DATE_KEYS = ("implementation.start_date", "implementation.go_live_date")
_WORDS = re.compile(r"\w+")


def item_date(item: Item) -> str | None:
    """The ISO date of a start or go-live item, when the extraction resolved one."""
    if item.key not in DATE_KEYS:
        return None
    text = attr_text(item.attributes.get("date"))
    return text if text and parse_date(text) else None


def stakeholder_line(item: Item, lang: Lang) -> str | None:
    """"Name, Title: role, role" in ``lang``, or None when the item names nobody."""
    name = attr_text(item.attributes.get("name"))
    if not name:
        return None
    title = attr_text(item.attributes.get("title"))
    roles = ", ".join(role_label(k, lang) for k in roles_of(item))
    who = f"{name}, {title}" if title else name
    return f"{who}: {roles}" if roles else who


def item_line(item: Item, lang: Lang) -> str:
    """The line a reader sees for ``item``: the correction, else the value in ``lang``."""
    if item.corrected_value:
        return clean(item.corrected_value)
    if item.category == "stakeholders" and (line := stakeholder_line(item, lang)):
        return line
    iso = item_date(item)
    if iso is not None:
        day = parse_date(iso)
        assert day is not None  # item_date only returns parseable dates
        return format_date(day, lang)
    return clean(item.value)


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def repeats(line: str, citation: Citation) -> bool:
    """Whether a citation's quote says no more than the line already shows.

    Old-style items carry the source sentence as their value; printing the quote under it
    again is the "every sentence twice" the page must not do. The quote is then left to the
    link that opens the passage.
    """
    shown, quote = _words(line), _words(citation.quote)
    if not shown or not quote:
        return False
    if shown == quote:
        return True
    common = len(set(shown) & set(quote))
    return common >= 0.9 * len(set(quote)) and len(quote) <= len(shown) * 1.15
