"""Does a model's item fit the key it is filed under? Checked against the rules' own definitions.

Design note. Grounding proves that a quote exists and shares words with the claim; it does not
prove that the quote says what the key means. Measured on six deals with the embedded 1.5B
model: of 68 items only the model found, 14 matched a labelled fact, and most of the rest were
real lines filed under the wrong key: "Hannah Okafor = champion" filed as an end user,
"Customer signatory: Lars Bakker" as an end user, a kickoff date as the go-live date, the
meeting's own date as the project start, and "Thomas Reiners ... hat das Thema im
Wirtschaftsplan durchgeboxt" as the person who signs, where the sources name another signer.

For the keys whose meaning is narrow enough to check in code, a model item must find the
key's own cue near its citation (the cited sentence and its neighbours in the same turn or
paragraph), using the rules backend's lexicons: a role needs a role cue, a role label or a
title that implies the role; a start or go-live date needs a start or go-live cue and the
claimed date itself. Broad keys (goals, risks, commitments, systems) are not checked: that is
where the model finds what cue lists miss. An item that fails is not shown as sourced; it is
kept as an unverified claim, which asks the rep when its key has nothing better.
"""

from __future__ import annotations

import re

from extractor.rules import lexicon
from extractor.sentences import Sentence
from extractor.values import find_dates
from handoff.domain import Citation, Item

DATE_KEYS = ("implementation.start_date", "implementation.go_live_date")


def context_of(citation: Citation, pool: list[Sentence]) -> list[str]:
    """The cited sentence with its neighbours in the same turn or paragraph, speaker first."""
    same = sorted((s for s in pool if s.filename == citation.source
                   and s.segment.index == citation.segment_index), key=lambda s: s.start)
    at = next((i for i, s in enumerate(same) if citation.start is not None
               and citation.end is not None and s.start < citation.end
               and s.end > citation.start), None)
    near = [citation.quote] if at is None else [s.text for s in same[max(0, at - 1):at + 2]]
    return [citation.speaker or "", *near]


def _labelled(label: re.Pattern[str] | None, text: str) -> bool:
    """A "Label: value" line ("EB: Harold Lindqvist", "Go-live: 1 June") anywhere in text."""
    return label is not None and any(label.search(line) for line in text.splitlines())


def _role_fits(role: str, context: str) -> bool:
    cues = lexicon.stakeholder_cues()
    patterns = [*cues["title_roles"].get(role, []), *cues["role_cues"].get(role, [])]
    if role == "end_user":
        patterns.append(cues["user_groups"])
    if any(p.search(context) for p in patterns):
        return True
    return _labelled(cues["labels"].get(role), context)


def _date_fits(key: str, value: str, sentences: list[str]) -> bool:
    """One sentence carries both the key's cue and the claimed date."""
    spec = next(s for s in lexicon.field_specs() if s.key == key)
    claimed = {d.value for d in find_dates(value)}
    for text in sentences:
        cued = any(p.search(text) for p in spec.cues) or _labelled(spec.labels, text)
        said = {d.value for d in find_dates(text)}
        if cued and said and (not claimed or claimed & said):
            return True
    return False


def fits_key(item: Item, context: list[str]) -> bool:
    """Whether the sentences around an item's citation carry the meaning of its key."""
    category, _, name = item.key.partition(".")
    if category == "stakeholders":
        return _role_fits(name, "\n".join(context))
    if item.key in DATE_KEYS:
        return _date_fits(item.key, item.value, context)
    return True
