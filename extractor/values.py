"""Typed values in free text: durations, money, dates, percentages and counts (EN + DE).

Design note: one entry point, :func:`extract_values`, returns every value with its span in
the input, so the rules backend and the conflict detector cite the exact text and compare
values across sources. Regexes plus a small number-word parser ("vier",
"achtundvierzigtausend", "forty-eight thousand"); overlaps are resolved longest-first.

* duration: ``value`` in the unit written (minutes/hours/days/weeks/months/years); a range
  ("6-8 weeks") has ``value`` = upper and ``low`` = lower bound; :attr:`Value.days` converts.
* money: ``value`` in currency units, ``unit`` an ISO code (EUR, USD, GBP, CHF).
* date: ``value`` normalized ("2026-03-15", "03-15", "end Q2", "2026-W14"), ``iso`` a
  best-effort ``YYYY-MM-DD`` when the year is known.
* percent: ``value`` the number, ``unit`` "%"; count: ``unit`` the noun (users, seats ...).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_EN_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
_EN_UNITS |= {w: 10 * i for i, w in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_EN_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_DE_ONES = {"ein": 1, "eins": 1, "eine": 1} | {w: i for i, w in enumerate(
    "zwei drei vier fünf sechs sieben acht neun".split(), start=2)}
_DE_SMALL = _DE_ONES | {"null": 0} | {w: i for i, w in enumerate(
    "zehn elf zwölf dreizehn vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn".split(),
    start=10)}
_DE_TENS = {"dreissig": 30} | {w: 10 * i for i, w in enumerate(
    "zwanzig dreißig vierzig fünfzig sechzig siebzig achtzig neunzig".split(), start=2)}
_EN_ORD = {w: i for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
    "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(), 1)}
_EN_ORD |= {f"twenty-{w}": 20 + i for w, i in list(_EN_ORD.items())[:9]}
_EN_ORD |= {"thirtieth": 30, "thirty-first": 31}
_DE_ORD_STEMS = {"ers": 1, "er": 1, "drit": 3, "sieb": 7, "ach": 8}
_ARTICLE_ONE = {"a", "an", "one", "ein", "eine", "einen", "einem", "einer", "half a", "half"}

_DE_MORPHEMES = sorted([*_DE_SMALL, *_DE_TENS, "hundert", "tausend", "und"], key=len,
                       reverse=True)
_DE_WORD = r"(?:" + "|".join(_DE_MORPHEMES) + r")+"
_EN_WORD = "|".join(sorted([*_EN_UNITS, *_EN_SCALES], key=len, reverse=True))
_EN_SEQ = rf"(?:{_EN_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_EN_WORD}))*"
_DIGITS = r"\d{1,3}(?:[.,'\u202f ]\d{3})+(?:[.,]\d+)?(?!\d)|\d+(?:[.,]\d+)?"
NUMBER = rf"(?:{_DIGITS}|\b(?:{_EN_SEQ}|{_DE_WORD})\b)"


@dataclass(frozen=True)
class Value:
    """A typed value found in text; ``text`` equals ``input[start:end]``."""

    kind: str  # duration | money | date | percent | count
    value: float | str
    unit: str
    start: int
    end: int
    text: str
    iso: str | None = None
    low: float | None = None

    @property
    def days(self) -> float | None:
        """A duration in days (months = 30.4, years = 365), else None."""
        if self.kind != "duration" or not isinstance(self.value, float):
            return None
        factor = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1, "weeks": 7, "months": 30.4,
                  "years": 365}
        return self.value * factor.get(self.unit, 1)


def parse_number(token: str) -> float | None:
    """Parse digits ("48.000", "1,5", "48,000") or EN/DE number words.

    Args:
        token: the number as written.

    Returns:
        The number, or None when the token is not a number.
    """
    t = token.strip().lower()
    if not t:
        return None
    if t[0].isdigit():
        return _parse_digits(t)
    if t in _ARTICLE_ONE:
        return 0.5 if t.startswith("half") else 1.0
    en = _parse_en_words(t)
    return en if en is not None else _parse_de_word(t)


def _parse_digits(t: str) -> float | None:
    t = t.replace("'", "").replace("\u202f", "").replace(" ", "")
    if "," in t and "." in t:
        dec = "," if t.rfind(",") > t.rfind(".") else "."
        t = t.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in t or "." in t:
        sep = "," if "," in t else "."
        groups = t.split(sep)
        if len(groups) > 2 or (len(groups[-1]) == 3 and groups[0] != "0"):
            t = t.replace(sep, "")
        else:
            t = t.replace(sep, ".")
    try:
        return float(t)
    except ValueError:
        return None


def _parse_en_words(t: str) -> float | None:
    words = [w for w in re.split(r"[\s-]+", t) if w and w != "and"]
    if not words or any(w not in _EN_UNITS and w not in _EN_SCALES for w in words):
        return None
    total, current = 0, 0
    for w in words:
        if w in _EN_UNITS:
            current += _EN_UNITS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        else:
            total += max(current, 1) * _EN_SCALES[w]
            current = 0
    return float(total + current)


def _parse_de_word(t: str) -> float | None:
    def below_100(s: str) -> int | None:
        if s in _DE_SMALL:
            return _DE_SMALL[s]
        if s in _DE_TENS:
            return _DE_TENS[s]
        one, sep, ten = s.partition("und")
        if sep and one in _DE_ONES and ten in _DE_TENS:
            return _DE_ONES[one] + _DE_TENS[ten]
        return None

    def below_1000(s: str) -> int | None:
        if not s:
            return 0
        head, sep, rest = s.partition("hundert")
        if not sep:
            return below_100(s)
        h = 1 if head in ("", "ein") else below_100(head)
        r = below_100(rest) if rest else 0
        return None if h is None or r is None else h * 100 + r

    head, sep, rest = t.partition("tausend")
    if not sep:
        small = below_1000(t)
        return None if small is None or t in ("", "und") else float(small)
    h = 1 if head in ("", "ein") else below_1000(head)
    r = below_1000(rest)
    return None if h is None or r is None else float(h * 1000 + r)


# --------------------------------------------------------------------------- patterns

_RANGE = r"\s*(?:-|–|—|to|bis|or|oder)\s*"
_DUR_UNITS = {
    "minutes": r"minutes?|mins?|minuten?",
    "hours": r"hours?|hrs?|h|std\.?|stunden?",
    "days": r"days?|(?:business|working|calendar)\s+days?|tagen?|tage|werktagen?|arbeitstagen?",
    "weeks": r"weeks?|wks?|wochen?",
    "months": r"months?|mo|mos|monaten?|monate|monat",
    "years": r"years?|yrs?|jahren?|jahre|jahr",
}
_DUR_UNIT_RE = "|".join(f"(?P<{k}>{v})" for k, v in _DUR_UNITS.items())
_DURATION = re.compile(
    rf"(?:(?P<n1>{NUMBER}|an?|eine[nmr]?|half\s+an?){_RANGE})?"
    # no space only after a digit ("48h"): "ah" is a filler, not "a h(our)"
    rf"(?P<n2>{NUMBER}|an?|eine[nmr]?|half\s+an?)(?:[\s-]+|(?<=\d))(?:{_DUR_UNIT_RE})\b",
    re.IGNORECASE,
)
_CURRENCY = {"€": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD",
             "usd": "USD", "dollars": "USD", "£": "GBP", "gbp": "GBP", "chf": "CHF"}
_CUR = r"€|\$|£|EUR|USD|GBP|CHF"
_SCALE = (r"k|K|tsd\.?|Tsd\.?|tausend|thousand|m|M|mn|Mio\.?|million|millions|Million|"
          r"Millionen")
_MONEY = re.compile(
    rf"(?P<c1>{_CUR})\s?(?P<a1>{_DIGITS})(?:\s?(?P<s1>{_SCALE})\b)?(?!\s*%)"
    rf"|(?P<a2>{NUMBER})\s?(?P<s2>{_SCALE})?\s?(?P<c2>{_CUR}|Euros?|euros?|dollars)(?![A-Za-z])",
)
_PERCENT = re.compile(
    rf"(?P<n>{NUMBER})\s?(?:%|percent(?:age\s+points?)?\b|per\s+cent\b|prozent(?:punkte?)?\b)",
    re.IGNORECASE
)
_COUNT_NOUNS = {
    "users": r"users?|nutzer(?:innen)?|anwender(?:innen)?|benutzer(?:innen)?|user",
    "seats": r"seats?|arbeitsplätze",
    "licenses": r"licen[cs]es?|lizenzen|lizenz",
    "employees": r"employees|staff|mitarbeite(?:r|nde|rinnen)|beschäftigte",
    "agents": r"agents",
    "drivers": r"drivers|fahrer(?:innen)?",
    "dispatchers": r"dispatchers|disponent(?:en|innen)",
    "sites": r"sites|locations|standorte|standorten|warehouses|lager|depots?|niederlassungen",
    "sessions": r"(?:training\s+)?sessions?|schulung(?:en|stermine)?|trainings?|workshops?",
}
_COUNT_RE = "|".join(f"(?P<{k}>{v})" for k, v in _COUNT_NOUNS.items())
_COUNT = re.compile(
    # one word may sit between ("60 named users"), but not "per" ("£80.96 per seat" is a price)
    rf"(?P<n>{_DIGITS}|\b(?:{_EN_SEQ}|{_DE_WORD})\b)\+?\s+"
    rf"(?:(?!(?i:per|pro|je|each|a|an)\s)[A-Za-zäöüÄÖÜß-]+\s+)?"
    rf"(?:{_COUNT_RE})\b|\b(?:{_COUNT_RE.replace('?P<', '?P<r_')})\s*[:=]\s*(?P<rn>{_DIGITS})",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------- dates

_MONTHS = {
    "jan": 1, "jän": 1, "feb": 2, "mar": 3, "mär": 3, "mae": 3, "apr": 4, "may": 5, "mai": 5,
    "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12,
    "dez": 12,
}
_MONTH = (r"(?:(?:January|Januar|Jänner|February|Februar|March|März|Maerz|April|May|Mai|June|"
          r"Juni|July|Juli|August|September|October|Oktober|November|December|Dezember)\b"
          r"|(?:Jan|Feb|Mär|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Okt|Nov|Dec|Dez)\b\.?)")
_QUAL = (r"(?i:early|mid|late|end|beginning|start|anfang|mitte|ende|beginn|"
         r"the\s+end|the\s+beginning|the\s+start|the\s+middle)")
_QUALS = {"early": "early", "beginning": "early", "start": "early", "anfang": "early",
          "beginn": "early", "mid": "mid", "middle": "mid", "mitte": "mid", "late": "end",
          "end": "end", "ende": "end"}
_YEAR_TAIL = r"(?:\s*[/']\s*(?P<y2>\d{2}|\d{4})|,?\s+(?P<y>\d{4}))?(?!\d)"
_QPART = rf"(?:(?P<q>{_QUAL})\s*(?:of\s+(?:the\s+)?|des\s+|-\s*)?)"
_ORD = {"first": 1, "erste": 1, "ersten": 1, "second": 2, "zweite": 2, "zweiten": 2,
        "third": 3, "dritte": 3, "dritten": 3, "fourth": 4, "vierte": 4, "vierten": 4}
_DATE_PATTERNS = [
    ("ymd", r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b"),
    ("dmy", r"(?<![\d.])(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?:(?P<y>\d{4})|(?P<y2>\d{2}))?(?![\d])"),
    ("slash", r"(?<![\d/])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?(?![\d/%])"),
    ("dw_mon", rf"(?i:\b(?P<dw>{'|'.join(_EN_ORD)}|[a-zäöüß]+?(?:ste|te)[nrs]?))\s+(?:of\s+)?"
               rf"(?P<mon>{_MONTH}){_YEAR_TAIL}"),
    ("mon_dw", rf"(?P<mon>{_MONTH})\s+(?:the\s+)?(?P<dw>(?i:{'|'.join(_EN_ORD)}))\b"),
    ("d_mon", rf"(?<![\d.])(?P<d>\d{{1,2}})(?:(?:\.|st|nd|rd|th)\s*|\s+)(?:of\s+)?"
              rf"(?P<mon>{_MONTH}){_YEAR_TAIL}"),
    ("mon_d", rf"(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?![.:]\d)"
              rf"(?:,?\s+(?P<y>\d{{4}}))?"),
    ("qmon", rf"{_QPART}(?P<mon>{_MONTH}){_YEAR_TAIL}"),
    ("mon", rf"(?:(?P<p>\b(?i:in|by|until|till|before|after|from|since|through|during|im|bis|"
            rf"ab|vor|nach|seit|zum|für|for|of)\s+))?(?P<mon>{_MONTH}){_YEAR_TAIL}"),
    ("quarter", rf"{_QPART}?(?:(?P<qn>Q[1-4])\b|(?P<qd>[1-4])\.\s*Quartals?\b|(?P<qw>(?i:first|"
                rf"second|third|fourth|erste[n]?|zweite[n]?|dritte[n]?|vierte[n]?))\s+"
                rf"(?i:quarter|quartals?)\b){_YEAR_TAIL}"),
    ("week", rf"\b(?:KW|CW|(?i:calendar\s+week|kalenderwoche))\s*(?P<w>\d{{1,2}}){_YEAR_TAIL}"),
    ("half", rf"{_QPART}?\b(?P<h>H[12])\s*[/']?\s*(?P<y>\d{{4}})\b"),
    ("year", rf"{_QPART}(?P<y>20\d{{2}})\b"),
    ("yearend", r"(?i:\byear[- ]end\b|\bend\s+of\s+(?:the|this)\s+year\b|\bjahresende\b"
                r"|\bende\s+(?:des|dieses)\s+jahres\b)"),
]
_DATE_RES = [(name, re.compile(p)) for name, p in _DATE_PATTERNS]
_AMBIGUOUS_MONTHS = {"May", "Mar", "Jan", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                     "Feb", "Apr", "Okt", "Dez", "Mär", "Mai"}


def _ordinal_day(word: str) -> int | None:
    """ "first", "twenty-first", "ersten", "einundzwanzigsten" -> a day of the month."""
    w = word.lower()
    if w in _EN_ORD:
        return _EN_ORD[w]
    for suffix in ("sten", "ster", "stes", "ste", "ten", "ter", "tes", "te"):
        stem = w.removesuffix(suffix)
        n = _DE_ORD_STEMS.get(stem) or (_parse_de_word(stem) if stem != w else None)
        if n and 1 <= n <= 31:
            return int(n)
    return None


def _month_no(name: str) -> int:
    return _MONTHS[name.lower()[:3]]


def _year(m: re.Match[str], default: int | None) -> int | None:
    raw = m.groupdict().get("y") or m.groupdict().get("y2")
    return default if not raw else int(raw) + (2000 if len(raw) == 2 else 0)


def _qual(m: re.Match[str]) -> str:
    q = (m.groupdict().get("q") or "").lower().split()
    return _QUALS.get(q[-1], "") if q else ""


def _safe_date(y: int | None, mo: int, d: int) -> date | None:
    try:
        return date(y, mo, d) if y else None
    except ValueError:  # 31 April
        return None


def _span(y: int | None, first: int, last: int, qual: str) -> date | None:
    """A best-effort day for a period of months ``first..last`` and a qualifier."""
    if y is None:
        return None
    if qual == "end":
        return month_end(y, last)
    if qual == "mid":
        mid = (first + last) // 2
        return date(y, mid, 15) if first == last or (last - first) % 2 == 0 else date(y, mid, 28)
    return date(y, first, 1)


def _date_value(name: str, m: re.Match[str], year: int | None) -> tuple[str, date | None] | None:
    gd = m.groupdict()
    y = _year(m, year)
    ystr = f"{_year(m, None)}-" if _year(m, None) else ""
    qual = _qual(m)
    qpre = f"{qual} " if qual else ""
    if name in ("ymd", "dmy", "slash", "d_mon", "mon_d", "dw_mon", "mon_dw"):
        if name in ("dw_mon", "mon_dw"):
            d, mo = _ordinal_day(gd["dw"]) or 0, _month_no(gd["mon"])
        elif name == "slash":
            a, b = int(gd["a"]), int(gd["b"])
            if not gd["y"] and a <= 12 and b <= 12:
                return None  # "3/4" is more often a fraction than a date
            d, mo = (b, a) if b > 12 else (a, b)
        else:
            d = int(gd["d"])
            mo = _month_no(gd["mon"]) if gd.get("mon") else int(gd["m"])
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return None
        iso = _safe_date(y, mo, d)
        if y and iso is None:
            return None
        return f"{ystr}{mo:02d}-{d:02d}", iso
    if name in ("qmon", "mon"):
        word = gd["mon"].rstrip(".")
        if name == "mon" and not gd.get("p") and not _year(m, None) and word in _AMBIGUOUS_MONTHS:
            return None
        mo = _month_no(word)
        return f"{qpre}{ystr}{mo:02d}", _span(y, mo, mo, qual)
    if name == "quarter":
        qn = int(gd["qn"][1]) if gd["qn"] else int(gd["qd"]) if gd["qd"] else _ORD[
            gd["qw"].lower()]
        return f"{qpre}{ystr}Q{qn}", _span(y, 3 * qn - 2, 3 * qn, qual)
    if name == "week":
        w = int(gd["w"])
        if not 1 <= w <= 53:
            return None
        try:
            iso = date.fromisocalendar(y, w, 1) if y else None
        except ValueError:
            iso = None
        return f"{ystr}W{w:02d}", iso
    if name == "half":
        h = int(gd["h"][1])
        return f"{qpre}{ystr}H{h}", _span(y, 6 * h - 5, 6 * h, qual)
    if name == "year":
        return f"{qpre}{y}", _span(y, 1, 12, qual)
    return "end year", (date(year, 12, 31) if year else None)


def find_dates(text: str, *, year: int | None = None) -> list[Value]:
    """Every date-like expression in ``text`` (may overlap; extract_values resolves that).

    Args:
        text: the text to search.
        year: the year assumed when the text gives none (only affects ``iso``).

    Returns:
        Date values; ``value`` is normalized, ``iso`` best-effort.
    """
    found: list[Value] = []
    for name, rx in _DATE_RES:
        for m in rx.finditer(text):
            parsed = _date_value(name, m, year)
            if parsed is None:
                continue
            start = m.start("mon") if name == "mon" else m.start()
            value, iso = parsed
            found.append(Value("date", value, "date", start, m.end(), text[start:m.end()],
                               iso=iso.isoformat() if iso else None))
    return found


def _duration(m: re.Match[str]) -> Value | None:
    unit = next(k for k in _DUR_UNITS if m.group(k))
    n2 = parse_number(m.group("n2"))
    n1 = parse_number(m.group("n1")) if m.group("n1") else None
    if n2 is None or (m.group("n1") and n1 is None):
        return None
    if unit == "months" and m.group("months").lower() in ("mo", "mos") and n2 > 120:
        return None
    return Value("duration", n2, unit, m.start(), m.end(), m.group(0), low=n1 if n1 else n2)


def _money(m: re.Match[str]) -> Value | None:
    amount = parse_number(m.group("a1") or m.group("a2"))
    if amount is None:
        return None
    scale = (m.group("s1") or m.group("s2") or "").lower().rstrip(".")
    if scale in ("k", "tsd", "tausend", "thousand"):
        amount *= 1000
    elif scale:
        amount *= 1_000_000
    cur = _CURRENCY.get((m.group("c1") or m.group("c2")).lower(), "EUR")
    return Value("money", amount, cur, m.start(), m.end(), m.group(0))


def _percent(m: re.Match[str]) -> Value | None:
    n = parse_number(m.group("n"))
    return None if n is None else Value("percent", n, "%", m.start(), m.end(), m.group(0))


def _count(m: re.Match[str]) -> Value | None:  # "420 users" or "Named users: 420"
    n = parse_number(m.group("n") or m.group("rn"))
    unit = next(k for k in _COUNT_NOUNS if m.group(k) or m.group(f"r_{k}"))
    return None if n is None else Value("count", n, unit, m.start(), m.end(), m.group(0))


def extract_values(text: str, *, year: int | None = None) -> list[Value]:
    """Find every duration, money amount, date, percentage and count in ``text``.

    Args:
        text: any text (a sentence, a segment, a whole document).
        year: the year to assume for dates written without one (for ``iso``).

    Returns:
        Non-overlapping values sorted by position; ``v.text == text[v.start:v.end]``.
    """
    candidates: list[Value] = list(find_dates(text, year=year))
    for pattern, build in ((_MONEY, _money), (_PERCENT, _percent), (_DURATION, _duration),
                           (_COUNT, _count)):
        for m in pattern.finditer(text):
            v = build(m)
            if v is not None and v.text.strip():
                candidates.append(v)
    priority = {"date": 0, "money": 1, "percent": 2, "duration": 3, "count": 4}
    candidates.sort(key=lambda v: (-(v.end - v.start), priority[v.kind], v.start))
    chosen: list[Value] = []
    for v in candidates:
        if all(v.end <= c.start or v.start >= c.end for c in chosen):
            chosen.append(v)
    return sorted(chosen, key=lambda v: v.start)


def values_of(text: str, kind: str, *, year: int | None = None) -> list[Value]:
    """Only the values of one ``kind`` (duration, money, date, percent, count)."""
    return [v for v in extract_values(text, year=year) if v.kind == kind]


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


_BEFORE = re.compile(r"(?i)(?:\b(?:before|prior\s+to|vor|spätestens\s+vor)\s+"
                     r"(?:the\s+|dem\s+|der\s+)?(?:end\s+of\s+|ende\s+)?)$")
_BY = re.compile(r"(?i)(?:\b(?:by|until|till|no\s+later\s+than|latest|bis|bis\s+zum|bis\s+zur|"
                 r"bis\s+spätestens|spätestens(?:\s+zum|\s+am)?)\s+(?:the\s+|dem\s+|der\s+)?"
                 r"(?:end\s+of\s+|ende\s+)?)$")
_AFTER = re.compile(r"(?i)(?:\b(?:after|from|since|starting|ab|nach|seit|frühestens)\s+"
                    r"(?:the\s+|dem\s+|der\s+)?)$")


def date_window(v: Value, context: str = "", *, year: int | None = None
                ) -> tuple[date, date] | None:
    """The days a date value can mean, as ``(first, last)``, read with the words before it.

    "23 February" is one day, "March" a month, "end of June" its last ten days, "Q2" a quarter,
    "KW 14" a week; "before March" ends the day before March starts, "by June" at the end of
    June, "after May" starts after May. Two statements whose windows overlap can both be
    true ("before March" and "23 February" agree). ``context`` is the text before the value;
    None when no window can be told (no year known, say).
    """
    if v.kind != "date":
        return None
    text = str(v.value)
    y = year
    m = re.match(r"^(?:(early|mid|end) )?(?:(\d{4})-)?(.*)$", text)
    if not m:
        return None
    qual, yr, rest = m.group(1) or "", m.group(2), m.group(3)
    if yr:
        y = int(yr)
    if y is None:
        return None
    first: date | None = None
    last: date | None = None
    if re.fullmatch(r"\d{2}-\d{2}", rest):
        mo, d = int(rest[:2]), int(rest[3:])
        first = last = _safe_date(y, mo, d)
    elif re.fullmatch(r"\d{2}", rest):
        mo = int(rest)
        first, last = date(y, mo, 1), month_end(y, mo)
    elif re.fullmatch(r"Q[1-4]", rest):
        q = int(rest[1])
        first, last = date(y, 3 * q - 2, 1), month_end(y, 3 * q)
    elif re.fullmatch(r"H[12]", rest):
        h = int(rest[1])
        first, last = date(y, 6 * h - 5, 1), month_end(y, 6 * h)
    elif re.fullmatch(r"W\d{2}", rest):
        try:
            first = date.fromisocalendar(y, int(rest[1:]), 1)
            last = date.fromisocalendar(y, int(rest[1:]), 7)
        except ValueError:
            return None
    elif re.fullmatch(r"\d{4}", rest) or text == "end year":
        first, last = date(y, 1, 1), date(y, 12, 31)
        if text == "end year":
            qual = "end"
    if first is None or last is None:
        return None
    span = (last - first).days
    if qual and span >= 27:
        third = span // 3
        if qual == "early":
            last = first.fromordinal(first.toordinal() + third)
        elif qual == "mid":
            first, last = (first.fromordinal(first.toordinal() + third),
                           first.fromordinal(first.toordinal() + 2 * third))
        else:
            first = first.fromordinal(last.toordinal() - third)
    before = context[-40:]
    if _BEFORE.search(before):
        return date.min, first.fromordinal(first.toordinal() - 1)
    if _BY.search(before):
        return date.min, last
    if _AFTER.search(before):
        return first, date.max
    return first, last
