"""Language-aware formatting of dates, percentages, money and names for the exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from exports.citations import clean
from handoff.domain import HandoffBrief, Item
from handoff.labels import Lang

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"),
}
_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}

# An amount with a currency on either side: "EUR 48,000", "48.000 €", "$120k", "CHF 9'500".
_MONEY = re.compile(
    r"(?:€|\$|£|\b(?:EUR|USD|GBP|CHF)\b)\s?\d[\d.,' ]*(?:\s?(?:k|K|Mio\.?|million|Tsd\.?))?"
    r"|\d[\d.,' ]*\s?(?:k|K|Mio\.?|Tsd\.?)?\s?(?:€|\$|£|\b(?:EUR|USD|GBP|CHF|Euro)\b)"
)



@dataclass(frozen=True)
class Flag:
    """A short label next to a statement; ``kind`` decides how loudly it is drawn."""

    text: str
    kind: Literal["warning", "unverified", "note"] = "note"


# Attribute names under which extractors record when the deal was signed.
_CLOSE_DATE_KEYS = ("close_date", "closed_on", "signed_on", "signature_date", "purchase_date",
                    "contract_date")


def format_date(value: date | datetime, lang: Lang, *, weekday: bool = False) -> str:
    """A date as readers of the language expect it ("4. März 2026", "4 March 2026").

    Args:
        value: The date (a datetime's time of day is dropped).
        lang: Display language.
        weekday: Prefix the day of the week ("Friday, 13 March 2026").
    """
    day = value.date() if isinstance(value, datetime) else value
    month = _MONTHS[lang][day.month - 1]
    text = f"{day.day}. {month} {day.year}" if lang == "de" else f"{day.day} {month} {day.year}"
    if weekday:
        text = f"{_WEEKDAYS[lang][day.weekday()]}, {text}"
    return text


def format_number(value: float, lang: Lang, *, decimals: int | None = None) -> str:
    """A number as the language writes it: "7,5" and "54.000" in German, "7.5" and "54,000".

    Args:
        value: The number.
        lang: Display language.
        decimals: Fixed decimals; ``None`` drops a ``.0`` and keeps up to one decimal.
    """
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = f"{value:,.{decimals}f}"
    if lang == "de":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_percent(share: float, lang: Lang) -> str:
    """A share between 0 and 1 as a whole percentage ("79 %" in German, "79%" in English)."""
    pct = round(max(0.0, min(1.0, share)) * 100)
    return f"{pct} %" if lang == "de" else f"{pct}%"


def mentions_money(text: str) -> bool:
    """Whether ``text`` names an amount of money with its currency."""
    return bool(_MONEY.search(text))


def money_in(text: str) -> str | None:
    """The first amount of money with its currency in ``text`` ("€54,000"), or None."""
    m = _MONEY.search(text)
    return m.group(0).strip().rstrip(".,") if m else None


def attr_text(value: Any) -> str:
    """An attribute value as display text: lists joined, booleans and empties dropped."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list | tuple | set):
        return ", ".join(t for t in (attr_text(v) for v in value) if t)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clean(value)


def truthy(value: Any) -> bool:
    """Read a yes/no attribute that may arrive as bool, number or text."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "ja", "1", "y"}
    return bool(value)


def customer_name(brief: HandoffBrief) -> str:
    """The customer's company name.

    The brief has no field of its own for it, so an account item's ``company`` or
    ``customer`` attribute wins, else the part of the deal name before a dash or colon
    ("Nordwind Logistik GmbH - Fleet Ops rollout").
    """
    for item in brief.visible_items():
        for key in ("company", "customer", "company_name", "customer_name"):
            text = attr_text(item.attributes.get(key))
            if text:
                return text
    name = clean(brief.deal_name)
    for separator in (" - ", " – ", " — ", ": "):
        if separator in name:
            return name.split(separator, 1)[0].strip()
    return name


def close_date_item(brief: HandoffBrief) -> tuple[Item, str] | None:
    """The first visible item that records the signature or purchase date, with that date."""
    for item in brief.visible_items():
        for key in _CLOSE_DATE_KEYS:
            text = attr_text(item.attributes.get(key))
            if text:
                return item, text
    return None


def parse_date(text: str) -> date | None:
    """An ISO date ("2026-03-04", optionally with a time), or ``None`` for anything else."""
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        return None


def display_date_text(text: str, lang: Lang) -> str:
    """An attribute date shown in the language's format when it is ISO, else unchanged."""
    parsed = parse_date(text)
    return format_date(parsed, lang) if parsed else text
