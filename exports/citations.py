"""Numbered source references shared by every rendered brief.

Only grounded citations get a number: a quote the product could not find in its source is
never presented as evidence (``handoff-spec.md`` section 2). Numbers are handed out in the
order the document mentions them, and the same passage cited by two items keeps one number,
so the appendix lists each quote once and the markers read 1, 2, 3 down the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from handoff.domain import Citation
from handoff.labels import Lang

_SPACE = re.compile(r"\s+")


def clean(text: object) -> str:
    """Collapse runs of whitespace (line breaks included) into single spaces."""
    return _SPACE.sub(" ", str(text)).strip()


def quoted(text: str, lang: Lang) -> str:
    """Wrap ``text`` in the quotation marks of the language („…“ or “…”)."""
    return f"„{clean(text)}“" if lang == "de" else f"“{clean(text)}”"


_MONTHS_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec")


def readable_time(stamp: str, lang: Lang) -> str:
    """Show an ISO date-time readably; call offsets and other text stay as they are.

    "2026-02-25T10:02:00+01:00" becomes "25.02.2026, 10:02" or "25 Feb 2026, 10:02";
    "00:12:03" is returned unchanged.
    """
    if "-" not in stamp:
        return stamp
    try:
        moment = datetime.fromisoformat(stamp.strip())
    except ValueError:
        return stamp
    day = (moment.strftime("%d.%m.%Y") if lang == "de"
           else f"{moment.day} {_MONTHS_SHORT[moment.month - 1]} {moment.year}")
    if "T" in stamp or " " in stamp.strip():
        return f"{day}, {moment:%H:%M}"
    return day


@dataclass(frozen=True)
class SourceRef:
    """One numbered entry of the Sources appendix."""

    number: int
    source: str
    quote: str
    speaker: str | None = None
    timestamp: str | None = None
    locator: str | None = None

    def where(self, lang: Lang = "en") -> str:
        """Source file, speaker and timestamp or locator, joined for display.

        A locator that only repeats the speaker and timestamp ("00:12:03 Anna Keller")
        is left out so nothing is printed twice; an email's ISO date is shown readably.
        """
        parts = [self.source]
        if self.speaker:
            parts.append(self.speaker)
        if self.timestamp:
            parts.append(readable_time(self.timestamp, lang))
        if self.locator:
            rest = self.locator
            for known in (self.speaker, self.timestamp):
                if known:
                    rest = rest.replace(known, "")
            if rest.strip(" ,;·-–—|()[]"):
                parts.append(self.locator)
        return " · ".join(clean(p) for p in parts)

    def marker(self) -> str:
        """The in-text marker, ``[n]``."""
        return f"[{self.number}]"


def _identity(citation: Citation) -> tuple[str, str, str]:
    where = citation.locator or citation.timestamp or str(citation.start or "")
    return citation.source, clean(citation.quote).casefold(), where


@dataclass
class SourceRegistry:
    """Hands out citation numbers and remembers the appendix entries."""

    entries: list[SourceRef] = field(default_factory=list)
    _numbers: dict[tuple[str, str, str], int] = field(default_factory=dict)

    def number(self, citation: Citation) -> int | None:
        """The number of a grounded citation (new or already given); ``None`` if ungrounded."""
        if not citation.grounded or not citation.quote.strip():
            return None
        key = _identity(citation)
        if key not in self._numbers:
            ref = SourceRef(
                number=len(self.entries) + 1,
                source=citation.source,
                quote=clean(citation.quote),
                speaker=citation.speaker,
                timestamp=citation.timestamp,
                locator=citation.locator,
            )
            self.entries.append(ref)
            self._numbers[key] = ref.number
        return self._numbers[key]

    def refs(self, citations: Iterable[Citation]) -> list[int]:
        """Numbers of all grounded citations, without repeats, in citation order."""
        seen: list[int] = []
        for citation in citations:
            n = self.number(citation)
            if n is not None and n not in seen:
                seen.append(n)
        return seen


def markers(refs: Iterable[int]) -> str:
    """``[1][2]`` for the given numbers, or an empty string."""
    return "".join(f"[{n}]" for n in refs)
