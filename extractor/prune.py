"""A brief without a deleted source: what rested on it goes, the rest loses its citation.

Design note. Deleting a document used to leave its content in the saved brief, on the deal
page and in every export until the brief was run again (measured: 8 mentions in the brief, 11
on the page). Re-running extraction on delete would take minutes on a model backend and
throw away nothing the rep could not get back, so the saved brief is pruned instead, as a pure
function of the brief and the removed file names:

* an item whose citations all point to a removed document goes; an item that was grounded
  only through a removed document goes too (its remaining quotes were never found);
* every other item loses the citations of the removed document;
* a conflict loses the removed side, and a conflict left with one side goes;
* a gap tied to an item that went goes; a required key that lost all its items gets its gap
  back (:func:`extractor.gaps.find_gaps`), merged by key with the gaps still open;
* completeness is recomputed, confirmations and corrections of the rep still counting.

A new version of a source (a re-export of the same call) replaces the old one: first
:func:`repoint_citations` moves every citation whose quote the new version still contains
to it, then the brief is pruned of the old version, so only what the edit removed goes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from extractor.gaps import find_gaps
from handoff.domain import (
    Citation,
    GapStatus,
    HandoffBrief,
    Item,
    ItemStatus,
    completeness,
)


def _removed(c: Citation, names: set[str], ids: set[str]) -> bool:
    if ids and c.document_id:
        return c.document_id in ids
    return c.source in names


def prune_brief(brief: HandoffBrief, filenames: Iterable[str], *,
                document_ids: Iterable[str] = ()) -> HandoffBrief:
    """The brief as if the named documents had never been uploaded.

    Args:
        brief: The stored brief (left unchanged).
        filenames: File names of the removed documents, as cited (``Citation.source``).
        document_ids: Their ids, when known: a citation carrying a document id is then
            matched by id, so a kept file of the same name keeps its citations.

    Returns:
        A new brief.
    """
    names, ids = set(filenames), set(document_ids)
    if not names and not ids:
        return brief.model_copy(deep=True)
    items: list[Item] = []
    gone: set[str] = set()
    for item in brief.items:
        kept = [c for c in item.citations if not _removed(c, names, ids)]
        lost_grounding = item.grounded and not any(c.grounded for c in kept)
        if len(kept) < len(item.citations) and (not kept or lost_grounding):
            gone.add(item.id)
            continue
        items.append(item.model_copy(update={"citations": kept}, deep=True))
    conflicts = []
    for conflict in brief.conflicts:
        sides = [c for c in conflict.sides if not _removed(c, names, ids)]
        if len(sides) < 2:
            continue
        description = conflict.description
        if len(sides) < len(conflict.sides):  # its text lists each side's value and file
            for name in names:
                description = re.sub(rf'(?:; )?"[^"]*" \({re.escape(name)}\)(?:; )?', "; ",
                                     description).replace(": ; ", ": ").rstrip("; ")
        conflicts.append(conflict.model_copy(update={
            "sides": sides, "description": description,
            "item_ids": [i for i in conflict.item_ids if i not in gone]}, deep=True))
    gaps = [g.model_copy(deep=True) for g in brief.gaps if g.item_id not in gone]
    have = {g.key for g in gaps if g.status == GapStatus.OPEN}
    for gap in find_gaps(items, [], language=brief.language):
        if gap.key not in have and all(g.id != gap.id for g in gaps):
            gaps.append(gap)
            have.add(gap.key)
    confirmed = {i.key for i in items if i.status in (ItemStatus.CONFIRMED,
                                                       ItemStatus.CORRECTED)}
    metadata = brief.metadata.model_copy(update={
        "sources": [s for s in brief.metadata.sources if s not in names]}, deep=True)
    return brief.model_copy(update={
        "items": items, "conflicts": conflicts, "gaps": gaps, "metadata": metadata,
        "completeness": completeness(items, confirmed)}, deep=True)


def repoint_citations(brief: HandoffBrief, old_document_id: str, old_name: str,
                      new_document_id: str, new_name: str, new_text: str) -> HandoffBrief:
    """Point the citations of a replaced version at the new one where it has the same quote.

    A quote found verbatim in the new version's text gets its new offsets; the others keep
    pointing to the old version, for :func:`prune_brief` to remove.
    """

    def moved(c: Citation) -> Citation:
        same = c.document_id == old_document_id if c.document_id else c.source == old_name
        at = new_text.find(c.quote) if same and c.quote else -1
        if at < 0:
            return c
        return c.model_copy(update={"source": new_name, "document_id": new_document_id,
                                    "start": at, "end": at + len(c.quote), "segment_index": None})

    out = brief.model_copy(deep=True)
    for item in out.items:
        item.citations = [moved(c) for c in item.citations]
    for conflict in out.conflicts:
        conflict.sides = [moved(c) for c in conflict.sides]
    if new_name not in out.metadata.sources:
        out.metadata.sources.append(new_name)
    return out
