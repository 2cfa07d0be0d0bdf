"""The brief of one deal: read every sentence, resolve the candidates, then gaps and conflicts.

Design note. ``build_brief`` is a pure function of its injected parts (the documents, a
sentence encoder, a model or none, the offering); only the CLI and the app wire real ones.

1. :func:`extractor.deal.build_context` builds the deal once: sentences with ids, people,
   values, guards. Every later step reads it.
2. The classifier (:mod:`extractor.classifier`) scores every sentence for every key.
3. With a model, the model reads the candidate sentences by number
   (:mod:`extractor.reading`) and its labels are combined with the classifier's scores.
4. :mod:`extractor.resolve` turns the candidates into a few items per key, citing whole
   sentences (exact by construction), and :func:`finalize` marks what only was said aloud.
5. Gaps (:mod:`extractor.gaps`) and conflicts (:mod:`extractor.conflicts`) are found in code.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from extractor import reading
from extractor.classifier import Encoder, Head, Scores, classify
from extractor.conflicts import detect_conflicts
from extractor.deal import DealContext, DealSentence, build_context, is_contract
from extractor.gaps import find_gaps
from extractor.grounding import normalize
from extractor.guard import looks_like_injection
from extractor.llm import StructuredLLM
from extractor.resolve import Candidate, candidates, label_holder, resolve_items
from extractor.rules.lexicon import field_specs, load, stakeholder_cues
from handoff.domain import (
    REQUIRED_KEYS,
    SINGLE_ANSWER_KEYS,
    BriefMetadata,
    Citation,
    HandoffBrief,
    Item,
    Offering,
    ParsedDocument,
    SourceKind,
    completeness,
)

Progress = Callable[[str, str], None]  # (step, message)
_KINDS = ("commitments.scope", "commitments.service", "commitments.timeline",
          "commitments.commercial")


CONTRACT_SLACK = 0.6  # an order form's lines are written commitments: a lower bar for them
SIBLING_SHARE = 0.5   # a second key of the same category must reach this share of its bar


def _reached(scores: Scores, s: DealSentence, contract: bool) -> list[tuple[str, float]]:
    """The keys a sentence reaches, each with its probability.

    A key reaches its threshold, or (in an order form, proposal or contract) a commitment
    key reaches ``CONTRACT_SLACK`` of it. A line that states two keys of one category
    ("Named users: 420 | EUR 186,000 per year": scope and price) splits the head's
    probability between them, so neither may reach its bar alone: the category's best key
    then counts with the mass of its siblings.
    """
    row = scores.probs[s.id]
    bars = scores.thresholds.copy()
    if contract:
        for j, k in enumerate(scores.keys):
            if k.startswith("commitments."):
                bars[j] *= CONTRACT_SLACK
    hits = {scores.keys[j]: float(row[j]) for j in range(len(scores.keys)) if row[j] >= bars[j]}
    by_cat: dict[str, list[int]] = {}
    for j, k in enumerate(scores.keys):
        by_cat.setdefault(k.split(".", 1)[0], []).append(j)
    for idx in by_cat.values():
        best = max(idx, key=lambda j: row[j])
        mass = float(sum(row[j] for j in idx if row[j] >= SIBLING_SHARE * bars[j]))
        if scores.keys[best] not in hits and row[best] >= SIBLING_SHARE * bars[best] \
                and mass >= bars[best]:
            for j in idx:
                if row[j] >= SIBLING_SHARE * bars[j]:
                    hits.setdefault(scores.keys[j], float(row[j]))
    return sorted(hits.items(), key=lambda kv: -kv[1])


def classifier_candidates(ctx: DealContext, scores: Scores) -> list[Candidate]:
    """Every key a sentence reaches (see :func:`_reached`), as a candidate.

    A promise the classifier reads as "verbal" is filed under its kind (scope, service,
    timeline, commercial) when one is likely: whether it was only said aloud is a fact about
    its sources, which :func:`finalize` sets.
    """
    out = []
    contracts = {id(d) for d in ctx.documents if is_contract(d)}
    for s in ctx.sentences:
        for key, p in _reached(scores, s, id(s.doc) in contracts):
            if key == "commitments.verbal":
                kind, q = max(((k, scores.of(s.id, k)) for k in _KINDS), key=lambda kq: kq[1])
                if q >= 0.5 * scores.threshold(kind):
                    key = kind
            # a key reached by its category's mass or an order form's bar ranks at its bar
            out.append(Candidate(s, key, max(p, scores.threshold(key)), "classifier"))
    return out


_NO_ONE = re.compile(r"(?i)^\W*(?:none|nobody|no one|n/?a|tbd|tbc|unknown|unclear|\?|keine?r?|"
                     r"niemand|offen|unklar|noch offen)\b")


@lru_cache(maxsize=1)
def _trailing_labels() -> dict[str, re.Pattern[str]]:
    """ "Hannah Okafor (Head of Merchant Ops) = champion": a role label after the name."""
    raw = load("stakeholders.yaml")["labels"]
    return {role: re.compile(rf"(?i)(?:[:=–—(]|\s-\s)\s*(?:{alts})\s*\)?\s*[.!]?\s*$")
            for role, alts in raw.items()}


def label_candidates(ctx: DealContext, scores: Scores) -> list[Candidate]:
    """Roles written as labels beside a roster name, CRM shorthand ("Champion: Anna Keller",
    "Tom Fischer (CFO) = EB") that a classifier trained on sentences may read weakly. Reading
    role labels is what the lexicon is good at; the name must be a customer person on the
    roster, and "Exec sponsor: none" names nobody."""
    leading = stakeholder_cues()["labels"]
    trailing = _trailing_labels()
    out = []
    for s in ctx.sentences:
        if len(s.text) > 160 or ctx.is_question(s) or ctx.hypothetical(s):
            continue
        for role in leading:
            key = f"stakeholders.{role}"
            m = leading[role].match(s.text)
            person = None
            if m and not _NO_ONE.match(s.text[m.end():]):
                person = label_holder(ctx, s)
            elif trailing[role].search(s.text):
                named = [p for p, _ in ctx.people_in(s) if p.can_be_stakeholder]
                person = named[0] if named else None
            if person is not None:
                out.append(Candidate(s, key, max(scores.of(s.id, key), scores.threshold(key)),
                                     "classifier"))
    return out


def field_label_candidates(ctx: DealContext, scores: Scores) -> list[Candidate]:
    """A checklist key written as a note's field label ("Go-live: TBD, waiting on the works
    council", "Branche: Maschinenbau"): the label says which key the line is about, whatever
    its value says. Notes and documents only, short lines, checklist keys only."""
    wanted = set(REQUIRED_KEYS) | set(SINGLE_ANSWER_KEYS)
    specs = [sp for sp in field_specs() if sp.key in wanted and sp.labels is not None]
    out = []
    for s in ctx.sentences:
        if s.is_call or len(s.text) > 160 or ctx.is_question(s):
            continue
        for sp in specs:
            assert sp.labels is not None
            if sp.labels.match(s.text) and sp.key in scores.keys:
                out.append(Candidate(s, sp.key, max(scores.of(s.id, sp.key),
                                                    scores.threshold(sp.key)), "classifier"))
    return out


NO_FALLBACK = ("implementation.start_date", "implementation.go_live_date")
FALLBACK = 0.5  # share of a key's threshold a required key's best sentence must reach


def fallback_candidates(ctx: DealContext, scores: Scores) -> list[Candidate]:
    """For each checklist key, its best few sentences even below the threshold, as weak
    candidates: a brief without a champion or an integration line asks the rep, but a
    likely line is better than a question when it is there (measured on the blind set:
    6.2 false gaps per deal with thresholds alone)."""
    out = []
    for key in dict.fromkeys((*REQUIRED_KEYS, *SINGLE_ANSWER_KEYS)):
        if key in NO_FALLBACK:
            continue
        j = scores.keys.index(key)
        floor = FALLBACK * scores.threshold(key)
        column = scores.probs[:, j]
        for sid in np.argsort(-column)[:3]:
            if floor <= column[sid] < scores.threshold(key):
                out.append(Candidate(ctx.sentences[int(sid)], key, float(column[sid]),
                                     "classifier", weak=True))
    return out


def mark_promises(item: Item, ctx: DealContext) -> None:
    """Commitments only ever said on calls are verbal and need CS validation."""
    if item.category != "commitments":
        return
    kinds = {d.filename: d.kind for d in ctx.documents}
    spoken = all(kinds.get(c.source) == SourceKind.TRANSCRIPT for c in item.citations)
    item.verbal = spoken
    if spoken:
        item.attributes["needs_validation"] = True
    first = item.citations[0]
    if first.speaker:
        item.attributes.setdefault("promised_by", first.speaker)


def finalize(items: list[Item], ctx: DealContext) -> list[Item]:
    """Drop items that quote injected instructions; mark verbal promises; give stable ids."""
    out = []
    for item in items:
        if any(looks_like_injection(c.quote) for c in item.citations):
            continue
        mark_promises(item, ctx)
        item.id = item_id(item)
        out.append(item)
    return out


def item_id(item: Item) -> str:
    """A stable id: the same fact from the same place keeps its id across re-runs."""
    first = item.citations[0] if item.citations else Citation(source="", quote="")
    basis = f"{item.key}|{normalize(item.value)[:80]}|{first.source}|{first.start}"
    return "I" + hashlib.sha1(basis.encode()).hexdigest()[:7]


def build_brief(deal_id: str, deal_name: str, *, documents: list[ParsedDocument],
                encoder: Encoder, llm: StructuredLLM | None = None,
                offering: Offering | None = None, backend: str | None = None,
                head: Head | None = None, plan: reading.ReadPlan | None = None,
                progress: Progress | None = None) -> HandoffBrief:
    """Build the handoff brief of one deal.

    Args:
        deal_id: The deal's id.
        deal_name: Its display name.
        documents: Every parsed source of the deal.
        encoder: The sentence encoder the classifier was trained over (USE-m3).
        llm: A structured-output model that reads the candidate sentences, or None for the
            classifier alone.
        offering: The vendor's standard offering, for beyond-offering conflicts.
        backend: Name recorded in the metadata (defaults to the model's backend or
            "classifier").
        head: The classifier head (default: the shipped weights).
        plan: How the model reads (batch size, which sentences).
        progress: Called with (step, message) as the brief advances.
    """
    say = progress or (lambda _c, _m: None)
    t_all = time.monotonic()
    ctx = build_context(documents)
    meta = BriefMetadata(backend=backend or (llm.backend if llm else "classifier"),
                         model=llm.model if llm else None,
                         sources=[d.filename for d in documents])
    t0 = time.monotonic()
    say("read", f"classifier over {len(ctx.sentences)} sentences")
    scores = classify(ctx, encoder, head)
    meta.prompt_versions["classifier"] = scores.version
    meta.timings["classifier"] = round(time.monotonic() - t0, 3)
    if llm is None:
        scored = classifier_candidates(ctx, scores) + fallback_candidates(ctx, scores) \
            + label_candidates(ctx, scores) + field_label_candidates(ctx, scores)
    else:
        t0 = time.monotonic()
        labels = reading.read(ctx, scores, llm, meta, plan, progress=say)
        scored = reading.combine(ctx, scores, labels) + fallback_candidates(ctx, scores) \
            + label_candidates(ctx, scores) + field_label_candidates(ctx, scores)
        meta.timings["model"] = round(time.monotonic() - t0, 3)
    for c in scored:
        c.rel = c.score / max(scores.threshold(c.key), 1e-6)
    say("resolve", "items, gaps and conflicts")
    items = finalize(resolve_items(ctx, candidates(ctx, scored)), ctx)
    conflicts = detect_conflicts(ctx, scores, items, offering)
    gaps = find_gaps(items, [], language=ctx.language)
    meta.timings["total"] = round(time.monotonic() - t_all, 3)
    return HandoffBrief(deal_id=deal_id, deal_name=deal_name, language=ctx.language,
                        items=items, gaps=gaps, conflicts=conflicts,
                        completeness=completeness(items), metadata=meta)
