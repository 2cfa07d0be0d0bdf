"""Split an email body into the new message, its signature and the quoted reply chain.

Design note: in a reply chain, a sentence the customer wrote once shows up again in every
later message's quote. A citation should point to the message that said it *first*, and an
extractor should not mistake our own rep's quoted words for the customer's. So the body is
cut into parts:

* ``MESSAGE``: what the sender wrote now;
* ``SIGNATURE``: from ``-- `` or a closing line ("Best regards", "Mit freundlichen Grüßen")
  on: not noise, since names, titles and phone numbers live there;
* ``QUOTED``: everything from the first attribution ("On ... wrote:", "Am ... schrieb ...:",
  "-----Original Message-----", an Outlook "Von: ... Gesendet: ..." block) to the end, one
  part per quoted message, plus ``>`` lines interleaved with an inline reply.

Quote markers (``> ``) are removed from quoted text so a quote spanning several lines of it
still matches the original message's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr

from handoff.domain import SegmentKind

from .html import HtmlLine

_MARKERS = re.compile(r"^((?:>[ \t]?)+)")
_WROTE = re.compile(r"^On\s+(.+?)\s+wrote:\s*$", re.IGNORECASE | re.DOTALL)
_SCHRIEB = re.compile(r"^Am\s+(.+?)\s+schrieb\s+(.+?):\s*$", re.DOTALL)
_SCHRIEB_AM = re.compile(r"^(.+?)\s+schrieb\s+am\s+(.+?):\s*$", re.DOTALL)
_SEPARATOR = re.compile(
    r"^-{2,}\s*(original message|ursprüngliche nachricht|original-nachricht|forwarded message|"
    r"weitergeleitete nachricht)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\*?(From|Von|De)\s*:\*?\s*(.+)$")
_OUTLOOK_SENT = re.compile(r"^\*?(Sent|Gesendet|Date|Datum|Envoyé)\s*:\*?\s*(.+)$")
_RULE = re.compile(r"^_{8,}\s*$")
_DASHES = re.compile(r"^--\s*$")
_CLOSINGS = (
    "best regards|kind regards|warm regards|warmest regards|regards|best wishes|best|cheers|"
    "thanks|thank you|many thanks|thanks again|all the best|sincerely|yours sincerely|"
    "yours truly|talk soon|mit freundlichen grüßen|mit freundlichen grüssen|freundliche grüße|"
    "freundliche grüsse|viele grüße|viele grüsse|beste grüße|beste grüsse|liebe grüße|"
    "liebe grüsse|herzliche grüße|herzliche grüsse|schöne grüße|grüße|gruß|mfg|vg|lg|bg|"
    "danke|vielen dank|besten dank"
)
_CLOSING = re.compile(
    rf"^(?:{_CLOSINGS})[\s,.!-]*(?:[A-ZÄÖÜ][\w.-]*(?:\s+[A-ZÄÖÜ][\w.-]*)?)?$", re.IGNORECASE
)
_MOBILE = re.compile(
    r"^(sent from my \w+|von meinem \w+ gesendet|gesendet von meinem \w+|get outlook for \w+|"
    r"sent from outlook for \w+|gesendet von outlook für \w+)", re.IGNORECASE
)
_PHONE = re.compile(
    r"^(?:(?:tel|phone|mobile|mobil|fon|telefon|handy|cell|direct|direkt|t|m|p|f)\b\.?:?\s*)?"
    r"\+?\(?\d[\d\s()/.-]{6,}\d$", re.IGNORECASE
)


@dataclass
class BodyPart:
    """A run of body lines of one kind.

    Attributes:
        kind: MESSAGE, SIGNATURE or QUOTED.
        text: The lines, quote markers removed.
        hidden: The lines were hidden in the HTML body.
        author: Who wrote a quoted part, when its attribution says so.
        attribution: The attribution line(s) of a quoted part.
        date: The date its attribution gives, as written there.
    """

    kind: SegmentKind
    text: str
    hidden: bool = False
    author: str | None = None
    attribution: str = ""
    date: str = ""


def split_body(lines: list[HtmlLine]) -> list[BodyPart]:
    """Cut body lines into message, signature and quoted parts, in order."""
    plain = [_MARKERS.sub("", ln.text).rstrip() for ln in lines]
    quoted = [bool(_MARKERS.match(ln.text)) for ln in lines]
    chain = next((i for i in range(len(lines)) if not quoted[i] and _starts_chain(plain, i)),
                 len(lines))
    kinds = [SegmentKind.QUOTED if q else SegmentKind.MESSAGE for q in quoted[:chain]]
    kinds += [SegmentKind.QUOTED] * (len(lines) - chain)
    sig = _signature_start(plain[:chain], quoted[:chain])
    if sig is not None:
        for i in range(sig, chain):
            if not quoted[i]:
                kinds[i] = SegmentKind.SIGNATURE
    blocks = [0] * len(lines)
    block = 0
    for i in range(chain, len(lines)):
        if i > chain and _starts_chain(plain, i) and not _starts_chain(plain, i - 1):
            block += 1
        blocks[i] = block
    return _group(lines, plain, kinds, blocks)


def _starts_chain(plain: list[str], i: int) -> bool:
    """Whether line ``i`` opens a quoted message (an attribution, separator or header block)."""
    line = plain[i].strip()
    if not line:
        return False
    two = f"{line} {plain[i + 1].strip()}" if i + 1 < len(plain) else line
    if line.startswith("On ") and (_WROTE.match(line) or _WROTE.match(two)):
        return True
    if _SCHRIEB.match(line) or _SCHRIEB_AM.match(line) or (
        line.startswith("Am ") and _SCHRIEB.match(two)
    ):
        return True
    if _SEPARATOR.match(line):
        return True
    if _RULE.match(line) and i + 1 < len(plain) and _OUTLOOK_FROM.match(plain[i + 1].strip()):
        return True
    if _OUTLOOK_FROM.match(line):
        following = [p.strip() for p in plain[i + 1 : i + 6]]
        return any(_OUTLOOK_SENT.match(p) for p in following)
    return False


def _signature_start(plain: list[str], quoted: list[bool]) -> int | None:
    """Index of the first signature line among the lines before the quoted chain, if any."""
    own = [i for i in range(len(plain)) if not quoted[i] and plain[i].strip()]
    if len(own) < 2:
        return None
    first = own[0]
    dash = next((i for i in own if _DASHES.match(plain[i]) and i > first), None)
    end = dash if dash is not None else len(plain)
    for i in reversed([i for i in own if first < i < end]):
        if _CLOSING.match(plain[i].strip()) and _signature_follows(plain, quoted, i, end):
            return i
    if dash is not None:
        return dash
    mobile = next((i for i in own if i > first and _MOBILE.match(plain[i].strip())), None)
    if mobile is not None:
        return mobile
    return _contact_block(plain, own)


def signature_line(lines: list[str]) -> int | None:
    """Index of the first signature line of one message's lines (no quoted lines), if any."""
    return _signature_start(lines, [False] * len(lines))


def _signature_follows(plain: list[str], quoted: list[bool], start: int, end: int) -> bool:
    """After a closing line come only a few short lines (a name, a title, contact details)."""
    after = [plain[i].strip() for i in range(start + 1, end) if not quoted[i] and plain[i].strip()]
    if len(after) > 12:
        return False
    return not after or (len(after[0]) <= 60 and after[0][-1] not in ".?!")


def _contact_block(plain: list[str], own: list[int]) -> int | None:
    """A last paragraph of at most eight lines with a phone number is a signature too."""
    last_blank = max((i for i in range(own[0], own[-1]) if not plain[i].strip()), default=None)
    if last_blank is None:
        return None
    block = [i for i in own if i > last_blank]
    if 2 <= len(block) <= 8 and any(_PHONE.match(plain[i].strip()) for i in block):
        return block[0]
    return None


def _group(
    lines: list[HtmlLine], plain: list[str], kinds: list[SegmentKind], blocks: list[int]
) -> list[BodyPart]:
    groups: list[tuple[tuple[SegmentKind, bool, int], list[str]]] = []
    for i, line in enumerate(lines):
        if not plain[i].strip():
            if groups:
                groups[-1][1].append("")
            continue
        key = (kinds[i], line.hidden, blocks[i] if kinds[i] == SegmentKind.QUOTED else -1)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(plain[i])
        else:
            groups.append((key, [plain[i]]))
    parts = []
    for (kind, hidden, _), texts in groups:
        text = "\n".join(texts).strip()
        if not text:
            continue
        part = BodyPart(kind, text, hidden)
        if kind == SegmentKind.QUOTED:
            _describe_quote(part, texts)
        parts.append(part)
    return parts


def _describe_quote(part: BodyPart, texts: list[str]) -> None:
    """Fill in who wrote a quoted part and when, from its attribution lines."""
    head = [t.strip() for t in texts if t.strip()][:6]
    if not head:
        return
    two = " ".join(head[:2])
    for candidate in (head[0], two):
        if match := _WROTE.match(candidate):
            part.attribution, part.author = candidate, _name_after_date(match[1])
            return
        if match := _SCHRIEB.match(candidate):
            part.attribution, part.date = candidate, match[1]
            part.author = display_name(match[2])
            return
        if match := _SCHRIEB_AM.match(candidate):
            part.attribution, part.date = candidate, match[2]
            part.author = display_name(match[1])
            return
    header = [h for h in head if _OUTLOOK_FROM.match(h) or _OUTLOOK_SENT.match(h)]
    for line in header:
        if (match := _OUTLOOK_FROM.match(line)) and not part.author:
            part.author = display_name(match[2])
        elif (match := _OUTLOOK_SENT.match(line)) and not part.date:
            part.date = match[2].strip()
    if header:
        part.attribution = "\n".join(header)


def _name_after_date(value: str) -> str | None:
    """The name in "Tue, Mar 3, 2026 at 10:12 AM Anna Keller <anna@x.de>"."""
    value = re.sub(r"<[^>]*>|\([^)]*\)|\[[^\]]*\]", "", value).strip(" ,")
    match = re.search(r".*(?:\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?|,)\s*([^,]+?)$", value)
    name = (match[1] if match else value).strip(" ,\"'")
    return name if name and not any(c.isdigit() for c in name) and "@" not in name else None


def display_name(value: str) -> str | None:
    """The display name of an address like ``"Keller, Anna" <anna@x.de>`` or a bare name."""
    value = re.sub(r"\[mailto:[^\]]*\]", "", value).strip().strip("*").strip()
    name, _ = parseaddr(value)
    name = name.strip() or (value if "@" not in value and "<" not in value else "")
    if "," in name and len(name.split(",")) == 2:  # "Keller, Anna" as Outlook writes it
        last, first = (p.strip() for p in name.split(","))
        name = f"{first} {last}"
    return name or None
