"""Which language a deal is in (English or German), from its sources' function words."""

from __future__ import annotations

import re

from handoff.domain import ParsedDocument

_DE = frozenset("der die das und ist nicht wir sie ich mit für auf den dem ein eine auch "
                "wird werden haben bei noch aber dass oder wie uns".split())
_EN = frozenset("the and is not we you they with for on a an also will have at still but "
                "that or how us this".split())
_WORD = re.compile(r"[a-zäöüß]+")


def detect_language(docs: list[ParsedDocument] | list[str]) -> str:
    """``"de"`` when German function words outnumber English ones, else ``"en"``."""
    de = en = 0
    for d in docs:
        text = d if isinstance(d, str) else d.text
        for w in _WORD.findall(text[:200_000].lower()):
            if w in _DE:
                de += 1
            elif w in _EN:
                en += 1
    return "de" if de > en else "en"
