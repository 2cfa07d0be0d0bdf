"""The extraction chain: per category, retrieve, prompt, ground, then merge and check in code.

Design note. ``build_brief`` is a pure function of its injected parts (documents, a retriever
bound to one deal, a model or none, the offering); only the CLI and the app wire real ones.
With a model, each of the seven categories gets its own prompt with its definitions and
examples and only the passages hybrid search finds for that category's questions, never the
whole corpus. The model's answer is treated as a claim: every quote is re-located in the
sources (:mod:`extractor.grounding`) and items whose quotes cannot be found are not shown as
sourced; they become questions for the rep. Without a model the rules backend produces
exact-cited items directly. Either way the same code then merges duplicates, resolves
speakers to stakeholders, marks verbal promises, and finds gaps and conflicts.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any, Protocol

from pydantic import BaseModel, Field

import prompts
from extractor import rules
from extractor.conflicts import detect_conflicts
from extractor.gaps import find_gaps
from extractor.grounding import SourceIndex, normalize
from extractor.language import detect_language
from extractor.llm import StructuredLLM
from extractor.merge import finalize_items
from extractor.quotes import promote_orphan_quotes
from extractor.sentences import Sentence
from extractor.support import (
    best_support,
    citable_sentences,
    cite_sentence,
    copied_from_examples,
    supported,
)
from extractor.vet import context_of, fits_key
from handoff.domain import (
    CATEGORIES,
    AlignmentStatus,
    BriefMetadata,
    Citation,
    HandoffBrief,
    Item,
    Offering,
    ParsedDocument,
    completeness,
)
from handoff.errors import BackendUnavailable, ExtractionError
from index.search import Passage

Progress = Callable[[str, str], None]  # (category, message)

PASSAGE_CHARS = 800
PROMPT_BUDGET_CHARS = 4200


class Retriever(Protocol):
    def __call__(self, query: str, k: int) -> list[Passage]: ...


class ExtractedItem(BaseModel):
    """One item as a model states it; checked and grounded before it reaches the brief."""

    field: str
    value: str = ""
    quote: str = ""
    passage: str | None = None
    name: str | None = None
    title: str | None = None
    promised_by: str | None = None
    due: str | None = None
    handling: str | None = None
    open: bool | None = None


class Extraction(BaseModel):
    items: list[ExtractedItem] = Field(default_factory=list)


def retrieve_for(category: str, retriever: Retriever, *, per_query: int = 6,
                 budget_chars: int = PROMPT_BUDGET_CHARS) -> list[Passage]:
    """The category's passages: fused over its queries, best first, within a size budget."""
    _, queries = prompts.load_yaml("queries")
    scores: dict[str, float] = {}
    by_id: dict[str, Passage] = {}
    for query in queries[category]:
        # hidden HTML text is untrusted and invisible to readers: never shown to the model
        visible = [p for p in retriever(query, per_query + 2) if not p.hidden][:per_query]
        for rank, p in enumerate(visible, start=1):
            by_id.setdefault(p.chunk_id, p)
            scores[p.chunk_id] = scores.get(p.chunk_id, 0.0) + 1.0 / (60 + rank)
    chosen: list[Passage] = []
    used = 0
    for cid in sorted(scores, key=lambda c: -scores[c]):
        p = by_id[cid]
        size = min(len(p.text), PASSAGE_CHARS)
        if used + size > budget_chars and chosen:
            break
        chosen.append(p)
        used += size
    return chosen


def render_passages(passages: list[Passage]) -> str:
    lines = []
    for i, p in enumerate(passages, start=1):
        where = " ".join(x for x in (p.source, p.locator) if x)
        lines.append(f"P{i} [{where}]:\n{p.text[:PASSAGE_CHARS]}")
    return "\n\n".join(lines)


def _claim(x: ExtractedItem) -> str:
    return " ".join(v for v in (x.value, x.name, x.title, x.due, x.promised_by) if v)


def _ground(x: ExtractedItem, passage: Passage | None, passages: list[Passage],
            sources: SourceIndex, pool: list[Sentence]) -> Citation:
    """The model's quote if it is real and supports the claim, else the best supporting line."""
    span = (passage.start, passage.end) if passage else None
    citation = sources.locate(x.quote or x.value, passage.source if passage else None, span)
    claim = _claim(x)
    name = x.name if x.name and x.name.strip() else None
    if citation.grounded and supported(claim, f"{citation.speaker or ''} {citation.quote}", name):
        return citation
    spans = [(p.source, p.start, p.end) for p in ([passage] if passage else []) + passages]
    found = best_support(claim, pool, spans, name)
    if found is None:
        return Citation(source=citation.source, quote=x.quote, claimed_quote=x.quote,
                        alignment=AlignmentStatus.UNGROUNDED)
    return cite_sentence(found[0], x.quote or None)


def _llm_items(category: str, passages: list[Passage], llm: StructuredLLM,
               sources: SourceIndex, pool: list[Sentence],
               meta: BriefMetadata) -> tuple[list[Item], list[Item]]:
    """Ask the model for one category; return (grounded items, ungrounded claims)."""
    if not passages:
        return [], []
    system = prompts.load("system")
    task = prompts.load(f"extract_{category}")
    meta.prompt_versions["system"] = system.id
    meta.prompt_versions[category] = task.id
    user = (f"{task.text}\n\nPassages:\n\n{render_passages(passages)}\n\n"
            f"Extract the {category} items from these passages as JSON.")
    out, usage = llm.complete([("system", system.text), ("user", user)], Extraction,
                              max_tokens=700)
    meta.token_usage.add(usage.prompt_tokens, usage.completion_tokens, cached=usage.cached)
    if usage.truncated:
        meta.warnings.append(f"{category}: the model's answer hit the token limit; its "
                             f"{len(out.items)} complete items before the cut were kept")
    grounded: list[Item] = []
    ungrounded: list[Item] = []
    fields = CATEGORIES[category]
    shown = "\n".join(p.text for p in passages)
    examples = task.text[task.text.find("Example"):] if "Example" in task.text else ""
    for x in out.items:
        if examples and copied_from_examples(_claim(x), examples, shown):
            continue
        fld = x.field.strip().lower().replace(" ", "_").removeprefix(f"{category}.")
        if fld not in fields or not (x.value.strip() or x.name):
            continue
        passage = _passage_ref(x.passage, passages)
        citation = _ground(x, passage, passages, sources, pool)
        item = Item(id="", key=f"{category}.{fld}", value=(x.value or x.name or "").strip(),
                    attributes=_attributes(x), citations=[citation],
                    confidence=0.7 if citation.alignment != "fuzzy" else 0.55, origin="model")
        fits = citation.grounded and fits_key(item, context_of(citation, pool))
        (grounded if fits else ungrounded).append(item)
    return grounded, ungrounded


def _passage_ref(ref: str | None, passages: list[Passage]) -> Passage | None:
    if not ref:
        return None
    digits = "".join(ch for ch in str(ref) if ch.isdigit())
    if digits and 1 <= int(digits) <= len(passages):
        return passages[int(digits) - 1]
    return None


def _attributes(x: ExtractedItem) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for key in ("name", "title", "promised_by", "due", "handling"):
        val = getattr(x, key)
        if isinstance(val, str) and val.strip():
            attrs[key] = val.strip()
    if x.open is not None:
        attrs["open"] = x.open
    return attrs


def item_id(item: Item) -> str:
    """A stable id: the same fact from the same place keeps its id across re-runs."""
    first = item.citations[0] if item.citations else Citation(source="", quote="")
    basis = f"{item.key}|{normalize(item.value)[:80]}|{first.source}|{first.start}"
    return "I" + hashlib.sha1(basis.encode()).hexdigest()[:7]


def build_brief(deal_id: str, deal_name: str, *, documents: list[ParsedDocument],
                retriever: Retriever | None, llm: StructuredLLM | None,
                offering: Offering | None = None, backend: str | None = None,
                with_rules: bool = True, progress: Progress | None = None) -> HandoffBrief:
    """Build the handoff brief of one deal.

    Args:
        deal_id: The deal's id.
        deal_name: Its display name.
        documents: Every parsed source of the deal.
        retriever: Hybrid search bound to this deal (needed with a model).
        llm: A structured-output model, or None for the rules backend.
        offering: The vendor's standard offering, for beyond-offering conflicts.
        backend: Name recorded in the metadata (defaults to the model's backend or "rules").
        with_rules: With a model, also run the rules backend and merge its exact-cited items
            (a floor of high-precision facts the model adds to); recorded in the metadata.
        progress: Called with (category, message) as the chain advances.
    """
    say = progress or (lambda _c, _m: None)
    documents = promote_orphan_quotes(documents)
    meta = BriefMetadata(backend=backend or (llm.backend if llm else "rules"),
                         model=llm.model if llm else None,
                         sources=[d.filename for d in documents])
    sources = SourceIndex(documents)
    language = detect_language(documents)
    items: list[Item] = []
    unverified: list[Item] = []
    t_all = time.monotonic()
    if llm is None or with_rules:
        t0 = time.monotonic()
        say("all", "rules")
        items = rules.extract_items(documents)
        for it in items:
            it.origin = "rules"
        meta.timings["rules"] = round(time.monotonic() - t0, 3)
        meta.prompt_versions["rules"] = "rules.v1"
    if llm is not None:
        if retriever is None:
            raise ExtractionError("a model backend needs a retriever for the deal's passages")
        pool = citable_sentences(documents)
        failures: list[Exception] = []
        answered = 0
        for category in CATEGORIES:
            t0 = time.monotonic()
            say(category, "retrieving")
            passages = retrieve_for(category, retriever)
            say(category, f"asking {llm.model} ({len(passages)} passages)")
            try:
                good, bad = _llm_items(category, passages, llm, sources, pool, meta)
            except (ExtractionError, BackendUnavailable) as exc:
                # one slow or garbled answer must not cost the whole brief: the category keeps
                # its rules items and the brief says what is missing; an endpoint that is not
                # there at all fails at once instead of being retried for every category
                down = isinstance(exc, BackendUnavailable) and not exc.timed_out
                if down and not answered:
                    raise
                failures.append(exc)
                meta.warnings.append(f"{category}: the model failed ({exc}); "
                                     + ("rules items only" if with_rules else "no items"))
                say(category, f"model failed: {exc}")
                good, bad = [], []
            else:
                answered += 1
            items.extend(good)
            unverified.extend(bad)
            meta.timings[category] = round(time.monotonic() - t0, 3)
        if len(failures) == len(CATEGORIES):
            raise failures[-1]  # the endpoint is down or unusable: say so, do not fake a brief
    say("all", "merging, gaps and conflicts")
    items = finalize_items(items, documents)
    for it in items:
        it.id = item_id(it)
    conflicts = detect_conflicts(items, documents, offering, language=language)
    gaps = find_gaps(items, unverified, language=language)
    meta.timings["total"] = round(time.monotonic() - t_all, 3)
    return HandoffBrief(deal_id=deal_id, deal_name=deal_name, language=language, items=items,
                        gaps=gaps, conflicts=conflicts, completeness=completeness(items),
                        metadata=meta)
