"""The matching rules of handoff-spec section 4, as pure functions.

Every comparison goes through :func:`normalise` (Unicode NFKC, case folded, runs of
whitespace collapsed), so a decomposed ``a`` + combining diaeresis equals ``ä``, a
full-width ``１２`` equals ``12`` and the ``ﬁ`` ligature equals ``fi``.

Keys follow the spec's two equivalences: a stakeholder item listing several roles in
``attributes["roles"]`` counts for each ``stakeholders.<role>``, and a verbal commitment
counts both for ``commitments.verbal`` and for its kind (``commitments.scope`` ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from handoff.domain import CATEGORIES, Citation, Item, ItemStatus

KeywordGroups = Sequence[Sequence[str]]

_TOKEN = re.compile(r"\w+")
_COMMITMENT_KINDS = tuple(f"commitments.{f}" for f in CATEGORIES["commitments"] if f != "verbal")
_VERBAL = "commitments.verbal"


def normalise(text: str) -> str:
    """Unicode NFKC, case folded, whitespace runs collapsed to one space and trimmed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(folded.split())


def tokens(text: str) -> list[str]:
    """The word tokens (``\\w+``) of the normalised text, in order, with repeats."""
    return _TOKEN.findall(normalise(text))


def keywords_match(groups: KeywordGroups, text: str) -> bool:
    """True when every group has at least one alternative occurring in ``text``.

    Both sides are normalised, and an alternative matches as a substring. An empty list
    of groups matches any text (nothing is required).
    """
    haystack = normalise(text)
    return all(any(normalise(alt) in haystack for alt in group) for group in groups)


def _strings(value: Any) -> Iterator[str]:
    """Every string inside ``value``, recursing into mappings (values only) and sequences."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list | tuple | set | frozenset):
        for inner in value:
            yield from _strings(inner)


def item_text(item: Item) -> str:
    """The text searched for keywords: value, corrected value and every attribute string.

    Citations, the id, the key and non-string values (booleans, numbers) are excluded.
    """
    parts = [item.value]
    if item.corrected_value:
        parts.append(item.corrected_value)
    parts.extend(_strings(item.attributes))
    return " ".join(parts)


def _role_key(role: str) -> str:
    """``"Economic Buyer"`` / ``"economic-buyer"`` / ``"stakeholders.economic_buyer"``."""
    slug = normalise(role)
    if slug.startswith("stakeholders."):
        slug = slug.removeprefix("stakeholders.")
    slug = re.sub(r"[\s\-]+", "_", slug)
    return f"stakeholders.{slug}"


def item_keys(item: Item) -> frozenset[str]:
    """Every key the item counts for under the spec's equivalences.

    * its own key;
    * for a stakeholder, ``stakeholders.<role>`` for each entry of ``attributes["roles"]``
      (a list, or a single string);
    * for a commitment with ``verbal`` set, ``commitments.verbal``; for an item keyed
      ``commitments.verbal``, every commitment kind (the gold may label the same promise
      with its kind).
    """
    keys = {item.key}
    if item.key.startswith("stakeholders."):
        roles = item.attributes.get("roles")
        if isinstance(roles, str):
            roles = [roles]
        if isinstance(roles, list | tuple):
            keys.update(_role_key(r) for r in roles if isinstance(r, str) and r.strip())
    if item.key.startswith("commitments."):
        if item.verbal:
            keys.add(_VERBAL)
        if item.key == _VERBAL:
            keys.update(_COMMITMENT_KINDS)
    return frozenset(keys)


def counting_items(items: Iterable[Item]) -> list[Item]:
    """The items that count for scoring: all but the rejected ones."""
    return [i for i in items if i.status != ItemStatus.REJECTED]


def matching_items(items: Iterable[Item], keys: Iterable[str],
                   groups: KeywordGroups) -> list[Item]:
    """Non-rejected items that count for one of ``keys`` and match ``groups``, in order."""
    wanted = frozenset(keys)
    return [
        item for item in counting_items(items)
        if item_keys(item) & wanted and keywords_match(groups, item_text(item))
    ]


def file_name(path: str) -> str:
    """The normalised last component of a path written with ``/`` or ``\\``."""
    return normalise(re.split(r"[\\/]", path.strip())[-1])


def same_source(cited: str, expected: str) -> bool:
    """True when a citation's source names the expected file (compared by file name)."""
    return file_name(cited) == file_name(expected)


def evidence_supported(evidence: str, quote: str) -> bool:
    """True when at least half of the evidence's word tokens occur in the quote.

    Tokens are counted with repeats on the evidence side; exactly half counts. Evidence
    without any word token is trivially supported (the source match alone decides).
    """
    wanted = tokens(evidence)
    present = set(tokens(quote))
    hits = sum(1 for tok in wanted if tok in present)
    return 2 * hits >= len(wanted)


def correct_citation(item: Item, source: str, evidence: str) -> Citation | None:
    """The first of the item's citations that names ``source`` and supports ``evidence``."""
    for citation in item.citations:
        if same_source(citation.source, source) and evidence_supported(evidence, citation.quote):
            return citation
    return None


@dataclass(frozen=True)
class Match:
    """The outcome of looking for one gold label among the brief's items.

    Attributes:
        items: Every matching item, in brief order.
        best: The item to report: the first correctly citing one, else the first match.
        citation: The correct citation of ``best``, if any.
    """

    items: tuple[Item, ...]
    best: Item | None
    citation: Citation | None

    @property
    def found(self) -> bool:
        """Some item matched."""
        return self.best is not None

    @property
    def cited(self) -> bool:
        """Some matching item cites the expected source with the evidence."""
        return self.citation is not None


def find_fact(items: Iterable[Item], keys: Iterable[str], groups: KeywordGroups,
              source: str | None = None, evidence: str = "") -> Match:
    """Find a gold fact (or trap) among items; check its citation when ``source`` is given.

    The fact counts as cited when ANY matching item cites correctly; that item is
    reported as ``best``.
    """
    found = matching_items(items, keys, groups)
    if source is not None:
        for item in found:
            citation = correct_citation(item, source, evidence)
            if citation is not None:
                return Match(tuple(found), item, citation)
    return Match(tuple(found), found[0] if found else None, None)
