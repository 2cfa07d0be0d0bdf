"""Names and job titles in EN/DE text: the patterns the roster reads people with.

Design note: a name is one to three capitalized words (with particles such as "van der")
that are not common words; a title is built from the lexicon in titles.yaml (head words
such as "Head of", tail words such as "Manager", German compounds such as "IT-Leiter",
stand-alone titles such as "CFO"). Mention patterns pair the two ("Anna Keller (Head of
Ops)", "Ruth Abernathy, our CFO", "Kevin Osei = Head of IT"); self-introductions give the
speaker's own title ("ich bin Leiterin Operations", "I run business systems"). This module
imports nothing of the rules package, so the roster can use it without an import cycle.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import yaml

_RULES_DIR = Path(__file__).parent
HONORIFIC = re.compile(r"^(?:Herrn?|Frau|Mr\.?|Ms\.?|Mrs\.?|Dr\.?|Prof\.?)\s+")
_TOKEN = (r"(?:[A-ZÄÖÜÉ][a-zäöüßéèáíóúñçø]+(?:['’-][A-ZÄÖÜa-zäöüß][a-zäöüßéè]+)?"
          r"|[A-Z]['’][A-Z][a-z]+)")
NAME = (rf"(?<![\w-])(?:(?:Herrn?|Frau|Mr\.?|Ms\.?|Mrs\.?|Dr\.?)[ \t]+)?{_TOKEN}"
        rf"(?:[ \t]+(?:(?:van|von|de|der|den|da|di|du|ter|zu|la|le)[ \t]+)*{_TOKEN}){{0,2}}"
        r"(?![\w-])")



@cache
def fold(text: str) -> str:
    """Compare names loosely: case, umlauts ("ü" = "ue"), accents and spacing ignored."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def strip_honorific(name: str) -> str:
    """ "Frau Keller" -> "Keller"."""
    return HONORIFIC.sub("", name.strip())


_LAST_FIRST = re.compile(r"^(?P<last>[A-ZÄÖÜ][\w'-]+(?:\s+[A-ZÄÖÜ][\w'-]+)?),\s*"
                         r"(?P<first>[A-ZÄÖÜ][\w'-]+(?:[\s-]+[A-ZÄÖÜ][\w'-]+)?)$")


def clean_name(name: str) -> str:
    """Drop leading and trailing words that are not part of a name ("Met Maya C." -> ...);
    an address book's "Kowalczyk, Sabine" becomes "Sabine Kowalczyk"."""
    flipped = _LAST_FIRST.match(name.strip(" *\"'"))
    if flipped:
        name = f"{flipped['first']} {flipped['last']}"
    tokens = name.strip(" *\"'").split()
    inner = [i for i, t in enumerate(tokens) if HONORIFIC.match(t + " ")]
    tokens = tokens[inner[-1] + 1:] if inner else tokens
    while tokens and tokens[0].lower().strip(",.:;!") in _stop():
        tokens.pop(0)
    while tokens and tokens[-1].lower().strip(".") in _stop():
        tokens.pop()
    return " ".join(tokens)


def looks_like_name(name: str) -> bool:
    """One to four capitalized words, none of them a common non-name word."""
    tokens = name.split()
    return 1 <= len(tokens) <= 4 and all(
        t[0].isupper() and t.lower() not in _stop() and t.lower() not in _title_words()
        and re.search(r"[a-zäöüß]", t) and not _COMPOUND_TITLE.search(t)
        for t in tokens if t.lower() not in ("van", "von", "de", "der", "den", "da", "di", "du",
                                             "ter", "zu", "la", "le")
    )


@cache
def _lexicon() -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name in ("titles.yaml", "names.yaml"):
        loaded = yaml.safe_load((_RULES_DIR / name).read_text(encoding="utf-8"))
        data.update({k: [str(v) for v in vals] for k, vals in loaded.items()})
    return data


@cache
def _stop() -> frozenset[str]:
    return frozenset(w.lower() for w in _lexicon()["not_names"])


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _title_regex() -> str:
    lx = _lexicon()
    domain = (rf"(?:(?i:{_alt(lx['domain_words'])})\b|[A-Z]{{2,4}}\b"
              rf"|[A-ZÄÖÜ][a-zäöü]+(?:ions?|ment|ing|ics|ance|ware)\b)")
    word = rf"(?:{domain}|[A-ZÄÖÜ][a-zäöüß]+\b)"  # any capitalized word may name a department
    joined = rf"{word}(?:[ \t]+(?:&|and|und|/)[ \t]+{word})?"
    mods = rf"(?:(?:{_alt(lx['modifiers'])})[ \t]+)*"
    head = (rf"(?:{_alt(lx['head_words'])})(?:[ \t]+(?i:of|für|der|des|for))?(?:[ \t]+the)?"
            rf"[ \t]+{word}(?:[ \t]+(?:(?:&|and|und|/)[ \t]+)?{domain}){{0,3}}")
    tail = rf"(?:{joined}[ \t-]+){{0,3}}(?i:{_alt(lx['tail_words'])})\b"
    tail_q = rf"(?:{joined}[ \t-]+){{1,3}}(?i:{_alt(lx['tail_words_qualified'])})\b"
    department = r"[A-ZÄÖÜ][a-zäöüß]*(?:ung|ion|ik|ienst|ienste|ransport|esen|ager|erk|bau|handel)"
    compound = (rf"[A-ZÄÖÜ][\wäöüß]*-?(?i:{_alt(lx['compound_suffixes'])})\b"
                rf"(?:[ \t]+{department}\b)?")
    alone = rf"(?:{_alt(lx['standalone'])})\b"
    return rf"{mods}(?:{head}|{tail_q}|{tail}|{compound}|{alone})"


@cache
def _title_words() -> frozenset[str]:
    lx = _lexicon()
    words = [*lx["head_words"], *lx["tail_words"], *lx["tail_words_qualified"],
             *lx["standalone"], *lx["domain_words"]]
    return frozenset(w.lower().rstrip(".") for w in words if " " not in w)


TITLE = _title_regex()
_COMPOUND_TITLE = re.compile(rf"(?i)(?:{_alt(_lexicon()['compound_suffixes'])})$")
_VENDOR_TITLE = re.compile(rf"(?i)\b(?:{_alt(_lexicon()['vendor_titles'])})\b")


def is_vendor_title(title: str) -> bool:
    """Whether a title belongs to the vendor's own team (AE, SE, CSM ...)."""
    return _VENDOR_TITLE.search(title) is not None


LEFT = re.compile(
    r"(?i)\b(?:left\s+(?:the\s+)?(?:company|co\b|us\b|the\s+business)|has\s+left|"
    r"is\s+no\s+longer|no\s+longer\s+(?:with|at|works?)|moved\s+on|departed|"
    r"former(?:ly)?\b|prev(?:ious)?\.?\s+contact|ex-(?:c[efiot]o|head|vp|director|leiter\w*|geschäftsführer\w*)\b|do\s+not\s+contact|"
    r"verlassen|nicht\s+mehr\s+(?:bei\s+uns|da|im\s+haus|an\s*zuschreiben|anschreiben|dabei)|"
    r"ausgeschieden|ehem\.|ehemalige[rn]?|früher(?:e[rn]?)?\s+(?:it-)?leiter|weg,|"
    r"(?:he|she|they)\s+(?:has\s+|had\s+)?left\s+(?:in|last|at\s+the\s+end|for|to\s+join|recently"
    r"|the\s+company|the\s+business|us)\b|left\s+(?:in\s+|last\s+|at\s+the"
    r"\s+end\s+of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|month|year|week)\w*)"
)
MENTION_PATTERNS = [
    # "Anna Keller (Head of Ops)", "Wessels (IT-Leiter)"
    re.compile(rf"(?P<name>{NAME})\s*\((?:[^()]*?\b)?(?P<title>{TITLE})[^()]*\)"),
    # "Ruth Abernathy, our CFO", "**Frank Albers**, Kaufm. Leiter"
    re.compile(rf"(?P<name>{NAME})\**\s*[,–—-]\s*(?:(?i:our|the|unser(?:e|er)?|die|der|ihr(?:e)?)"
               rf"\s+)?(?:(?i:new|neue[r]?|current)\s+)?(?P<title>{TITLE})"),
    # "Kevin Osei = Head of IT", "Timo Wessels ist jetzt IT-Leiter", "Greg's the COO"
    re.compile(rf"(?P<name>{NAME})(?:['’]s(?=\s+(?:the|our|a|now)\b)"
               rf"|\s+(?i:is|ist|=|as|als|wird))\s+"
               rf"(?:(?i:now|jetzt|neu|our|unser(?:e|er)?|the|der|die|seit\s+\w+)\s+)*"
               rf"(?P<title>{TITLE})"),
    # "unser Geschäftsführer, Herr Brünjes", "our CFO Ruth Abernathy"
    # "der kaufmännische Geschäftsführer, der Herr Dr. Sennewald"
    re.compile(rf"(?i:our|unser(?:e|er)?|the|die|der)\s+(?:[a-zäöüß]+(?:e|en|er)\s+)?"
               rf"(?P<title>{TITLE}),?\s+(?:(?i:der|die|the)\s+)?"
               rf"(?P<name>(?:(?:Herr|Frau|Mr\.?|Mrs\.?|Ms\.?|Dr\.|Prof\.)\s+)*{NAME})"),
]
_DEPARTMENT = (r"(?:(?i:the|our|die|den|das|unsere?)\s+)?(?P<dept>[\w&/-]+(?:[ \t]+[\w&/-]+){0,5}?)"
               r"(?=\s*(?:[,.;:!?)]|$|\s(?:at|for|in|bei|für|seit|since|also|and\s+I|und\s+ich)\b))")
LEADS = re.compile(
    rf"(?:(?P<name>{NAME})\s+(?i:runs|heads|leads|manages|leitet|verantwortet)"
    rf"|(?i:\bI\s+(?:run|head|lead|manage)|\bich\s+(?:leite|verantworte))(?:\s+(?i:bei\s+uns|here))?)"
    rf"\s+{_DEPARTMENT}"
)
SELF_INTRO = re.compile(
    rf"(?i:\bI'm|\bI\s+am|\bich\s+bin|\bmy\s+role\s+is|\bI\s+work\s+as|\bich\s+arbeite\s+als)"
    rf"\s+(?:(?i:the|a|an|die|der|hier|jetzt|seit\s+\w+)\s+)*(?:(?P<name>{NAME}),?\s+)?"
    rf"(?:(?i:the|a|an|die|der)\s+)?(?P<title>{TITLE})"
)



def clean_title(title: str) -> str:
    """A title without surrounding punctuation and with single spaces."""
    return re.sub(r"\s+", " ", title).strip(" ,.;:-–*")


def lead_title(m: re.Match[str]) -> str | None:
    """ "I run business systems" -> "Head of business systems" ("ich leite" -> "Leitung")."""
    dept = m.group("dept")
    if dept.split()[0].lower() in {"this", "it", "that", "the", "a", "an", "das", "es", "dies",
                                   "ein", "eine", "things", "everything", "alles", "with"}:
        return None
    german = re.search(r"(?i)\b(?:leite|leitet|verantworte|verantwortet)\b", m.group(0))
    return f"Leitung {dept}" if german else f"Head of {dept}"
