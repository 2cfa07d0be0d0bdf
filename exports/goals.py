"""The customer's goals written as goals, for drafts that speak to the customer.

A goal item's value is what someone said ("So we want to cut missed visits to under two
percent."). Restated to the customer it should read as a goal ("Cut missed visits to under
two percent"), in the second person ("your", "Ihr"): the framing of who wants what, labels
such as "Goals:" and fillers are dropped, and the pronouns of the speaker's side become the
reader's. Nothing is added: what remains are the source's own words.
"""

from __future__ import annotations

import re

from exports.citations import clean
from handoff.labels import Lang

MAX_CHARS = 140

_LABEL = re.compile(r"^(?:primary\s+|main\s+)?(?:goals?|objectives?|aims?|targets?|"
                    r"(?:haupt)?ziele?|zielwert|erfolgskriterien?)\s*[:\-–]\s*", re.I)
_FILLER = re.compile(r"^(?:so|well|and|but|honestly|basically|look|also|und|naja|ehrlich "
                     r"gesagt)\b,?\s+", re.I)
_INTENT = {
    "en": re.compile(
        r"^(?:(?:we|i)(?:'d| would)?\s+(?:really\s+|just\s+|also\s+)?"
        r"(?:want|need|like|hope|aim|plan|have|are trying|are looking|expect)\s+to\s+"
        r"|(?:our|the|my)\s+(?:main\s+|primary\s+|big(?:gest)?\s+|first\s+)?"
        r"(?:goal|aim|objective|priority|target)\s+(?:is|are|would be)\s+(?:to\s+|that\s+)?"
        r"|what\s+we\s+(?:want|need)\s+is\s+(?:to\s+)?)", re.I),
    "de": re.compile(
        r"^(?:(?:wir|ich)\s+(?:wollen|möchten|müssen|würden\s+gern(?:e)?|wollen\s+damit)\s+"
        r"|(?:unser|das|mein)\s+(?:wichtigstes\s+|oberstes\s+|größtes\s+)?ziel\s+ist"
        r"(?:\s+es)?,?\s+(?:dass\s+)?)", re.I),
}
_PRONOUNS = {
    "en": ((r"\bour\b", "your"), (r"\bours\b", "yours"), (r"\bwe\b", "you"),
           (r"\bus\b", "you"), (r"\bmy\b", "your")),
    "de": ((r"\bunsere\b", "Ihre"), (r"\bunseren\b", "Ihren"), (r"\bunserem\b", "Ihrem"),
           (r"\bunserer\b", "Ihrer"), (r"\bunseres\b", "Ihres"), (r"\bunser\b", "Ihr")),
}


def _trim(text: str) -> str:
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS]
    for mark in (";", " – ", ", "):
        if mark in cut[40:]:
            return cut[: cut.rindex(mark)].rstrip()
    return cut.rsplit(" ", 1)[0] + "…"


def as_goal(statement: str, lang: Lang) -> str:
    """``statement`` restated as a goal addressed to the customer, in its own words.

    Args:
        statement: The goal item's line (a sentence of a source, or a short value).
        lang: The draft's language, which decides the pronouns.

    Returns:
        The goal, capitalised, without a closing full stop; ``""`` if nothing is left.
    """
    text = clean(statement).strip(" \"'“”„‚‘’")
    for _ in range(3):  # "So, honestly, we want to ..." peels in rounds
        before = text
        text = _LABEL.sub("", text)
        text = _FILLER.sub("", text)
        text = _INTENT[lang].sub("", text)
        if text == before:
            break
    for pattern, replacement in _PRONOUNS[lang]:
        text = re.sub(pattern, replacement, text, flags=re.I if lang == "en" else 0)
    text = text.rstrip(" .!;:")
    if lang == "de":  # "..., Ihre Auslastung über 85 % zu bringen" -> "... bringen"
        text = re.sub(r"\s+zu\s+(\w+)$", r" \1", text)
    text = _trim(text)
    return text[:1].upper() + text[1:] if text else ""


def goals_for_customer(statements: list[str], lang: Lang, limit: int = 3) -> list[str]:
    """Up to ``limit`` distinct goals, in the order given."""
    out: list[str] = []
    seen: list[set[str]] = []
    for statement in statements:
        goal = as_goal(statement, lang)
        words = set(re.findall(r"\w+", goal.casefold()))
        if not goal or any(len(words & s) >= 0.8 * min(len(words), len(s)) for s in seen):
            continue
        out.append(goal)
        seen.append(words)
        if len(out) == limit:
            break
    return out
