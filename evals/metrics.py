"""Scores: one brief against one deal's gold, and the summary over a run.

Pure functions of (gold, brief, answers). Rates are micro-averages: counts are summed over
all deals first and divided once, so a deal with many facts weighs more than one with few,
and a deal with nothing to score (no traps, say) simply adds nothing.

Empty denominators keep every rate a number in 0..1:

* a rate with nothing to score is vacuous: 1.0 for the higher-is-better rates
  (fact_recall, gap_recall, conflict_recall, question_accuracy, grounding_rate with no
  quotes) and 0.0 for trap_rate;
* the conditional accuracies (citation_accuracy = correctly cited / found facts,
  question_citation_accuracy = cited / answered questions that name a source) are 1.0
  only when there was nothing to find at all (no facts; no question naming a source), and
  0.0 when there was but nothing was found, so a collapse in recall never shows up as
  perfect citations;
* false_gaps_per_deal and seconds_per_deal are 0.0 for an empty run.

Two readings of the spec worth knowing: a flagged key that the gold lists as a gap is never
a false gap, even when a gold fact also covers it (a verbal-only start date is both); and
grounding counts the quotes of non-rejected items only, like every other item rule.

A deal whose build failed scores as an empty brief: every fact missed, nothing flagged.

Precision (spec section 4): ``key_precision`` judges every item under a single-answer key
(a stakeholder item counts under each role it claims) against the gold of that key: right
when it matches a gold fact of the key, wrong when it matches none or when the gold lists the
key as a gap. Keys the gold neither covers nor lists are not judged for that deal, and with
nothing judged the rate is vacuously 1.0. ``items_per_deal`` counts non-rejected items.
``by_origin`` is fact recall over the items of one origin alone; an item found by several
parts ("model+rules") counts for each of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

from evals.gold import ConflictGold, Fact, Gold, Question, Trap
from evals.matching import (
    Match,
    counting_items,
    find_fact,
    item_keys,
    item_text,
    keywords_match,
    same_source,
)
from handoff.domain import CATEGORIES, SINGLE_ANSWER_KEYS, Answer, Conflict, HandoffBrief, Item

SUMMARY_KEYS: tuple[str, ...] = (
    "fact_recall", "citation_accuracy", "grounding_rate", "trap_rate", "gap_recall",
    "conflict_recall", "question_accuracy", "question_citation_accuracy",
    "false_gaps_per_deal", "key_precision", "items_per_deal", "seconds_per_deal", "deals",
    "facts",
)


@dataclass(frozen=True)
class FactOutcome:
    """One gold fact looked up in the brief."""

    fact: Fact
    match: Match
    candidates: tuple[Item, ...] = ()  # items under the fact's keys, shown when missed


@dataclass(frozen=True)
class TrapOutcome:
    """One trap: triggered when an item states what must not be stated."""

    trap: Trap
    match: Match


@dataclass(frozen=True)
class GapOutcome:
    """A gap key: expected by the gold, flagged by the brief, or both.

    ``false_gap`` marks a flagged key that a gold fact covers and the gold does not list
    as a gap (a key listed in both is a correct flag, not a false one).
    """

    key: str
    expected: bool
    flagged: bool
    false_gap: bool


@dataclass(frozen=True)
class ConflictOutcome:
    """One gold conflict and the brief conflict that detected it, if any."""

    conflict: ConflictGold
    detected_by: Conflict | None


@dataclass(frozen=True)
class QuestionOutcome:
    """One gold question and the product's answer."""

    question: Question
    answer: Answer | None
    answered: bool
    cited: bool


@dataclass(frozen=True)
class ItemOutcome:
    """One item of the brief read against the gold, as a reviewer of precision sees it.

    Attributes:
        item: The brief's item (never a rejected one).
        facts: Ids of the gold facts it matches (under one of its keys, by keywords).
        traps: Ids of the gold traps it triggers.
        judged: For each single-answer key the item claims that the deal's gold judges,
            ``(key, right)``.
    """

    item: Item
    facts: tuple[str, ...] = ()
    traps: tuple[str, ...] = ()
    judged: tuple[tuple[str, bool], ...] = ()


@dataclass(frozen=True)
class DealScore:
    """Everything scored for one deal."""

    deal_id: str
    deal_name: str
    facts: tuple[FactOutcome, ...] = ()
    traps: tuple[TrapOutcome, ...] = ()
    gaps: tuple[GapOutcome, ...] = ()
    conflicts: tuple[ConflictOutcome, ...] = ()
    questions: tuple[QuestionOutcome, ...] = ()
    items: tuple[ItemOutcome, ...] = ()
    origin_found: tuple[tuple[str, int], ...] = ()  # (origin, facts its items alone find)
    quotes: int = 0
    grounded_quotes: int = 0
    seconds: float = 0.0
    error: str | None = None


def conflict_text(conflict: Conflict) -> str:
    """A brief conflict's description and all its sides' quotes, joined by spaces."""
    return " ".join([conflict.description, *(side.quote for side in conflict.sides)])


def score_facts(gold: Gold, items: Sequence[Item]) -> tuple[FactOutcome, ...]:
    """Look up every gold fact; keep the items under its keys for the report when missed."""
    out = []
    for fact in gold.facts:
        match = find_fact(items, fact.keys, fact.keywords, fact.source, fact.evidence)
        candidates = () if match.found else tuple(
            i for i in counting_items(items) if i.key in fact.keys)
        out.append(FactOutcome(fact, match, candidates))
    return tuple(out)


def score_items(gold: Gold, items: Sequence[Item]) -> tuple[ItemOutcome, ...]:
    """Every non-rejected item with the gold facts it states and its precision verdicts."""
    judged_keys = {k for k in SINGLE_ANSWER_KEYS
                   if k in gold.gaps or any(k in f.keys for f in gold.facts)}
    out = []
    for item in counting_items(items):
        keys, text = item_keys(item), item_text(item)
        facts = [f for f in gold.facts if keys & f.keys and keywords_match(f.keywords, text)]
        traps = [t.id for t in gold.traps if keys & t.keys and keywords_match(t.keywords, text)]
        judged = tuple(
            (k, k not in gold.gaps and any(k in f.keys for f in facts))
            for k in SINGLE_ANSWER_KEYS if k in keys and k in judged_keys)
        out.append(ItemOutcome(item, tuple(f.id for f in facts), tuple(traps), judged))
    return tuple(out)


def origins_of(item: Item) -> list[str]:
    """The parts of the extraction that found an item: ``"model+rules"`` is both."""
    return [o for o in item.origin.split("+") if o] or ["unknown"]


def origin_recall_counts(gold: Gold, items: Sequence[Item]) -> tuple[tuple[str, int], ...]:
    """Per origin, how many gold facts its items alone find."""
    live = counting_items(items)
    origins = sorted({o for i in live for o in origins_of(i)})
    counts = []
    for origin in origins:
        own = [i for i in live if origin in origins_of(i)]
        counts.append((origin, sum(find_fact(own, f.keys, f.keywords).found
                                   for f in gold.facts)))
    return tuple(counts)


def score_gaps(gold: Gold, brief: HandoffBrief) -> tuple[GapOutcome, ...]:
    """Gold gaps (flagged or not), then every other flagged key, with false gaps marked."""
    flagged = list(dict.fromkeys(g.key for g in brief.gaps))  # distinct, in brief order
    expected = list(dict.fromkeys(gold.gaps))
    covered = gold.covered_keys()
    out = [GapOutcome(k, True, k in flagged, False) for k in expected]
    out += [GapOutcome(k, False, True, k in covered) for k in flagged if k not in expected]
    return tuple(out)


def score_conflicts(gold: Gold, brief: HandoffBrief) -> tuple[ConflictOutcome, ...]:
    """A gold conflict is detected by the first brief conflict whose text matches it."""
    return tuple(
        ConflictOutcome(c, next(
            (b for b in brief.conflicts if keywords_match(c.keywords, conflict_text(b))), None))
        for c in gold.conflicts
    )


def score_questions(gold: Gold, answers: Mapping[str, Answer]) -> tuple[QuestionOutcome, ...]:
    """Answered when the answer text matches; cited when a citation names the source."""
    out = []
    for q in gold.questions:
        answer = answers.get(q.id)
        answered = answer is not None and keywords_match(q.keywords, answer.text)
        cited = answer is not None and q.source is not None and any(
            same_source(c.source, q.source) for c in answer.citations)
        out.append(QuestionOutcome(q, answer, answered, cited))
    return tuple(out)


def score_deal(deal_id: str, gold: Gold, brief: HandoffBrief | None,
               answers: Mapping[str, Answer] | None = None, *, seconds: float = 0.0,
               error: str | None = None) -> DealScore:
    """Score one deal's brief and answers against its gold.

    Args:
        deal_id: The deal folder's name.
        gold: The deal's labels.
        brief: The brief built for the deal, or None when the build failed.
        answers: The product's answers by gold question id.
        seconds: How long building took.
        error: Why the build failed, when it did.
    """
    if brief is None:
        items: list[Item] = []
        gaps: tuple[GapOutcome, ...] = tuple(GapOutcome(k, True, False, False)
                                             for k in dict.fromkeys(gold.gaps))
        conflicts = tuple(ConflictOutcome(c, None) for c in gold.conflicts)
    else:
        items = list(brief.items)
        gaps, conflicts = score_gaps(gold, brief), score_conflicts(gold, brief)
    quotes = [c for item in counting_items(items) for c in item.citations]
    traps = tuple(TrapOutcome(t, find_fact(items, t.keys, t.keywords)) for t in gold.traps)
    return DealScore(
        deal_id=deal_id, deal_name=gold.deal, facts=score_facts(gold, items), traps=traps,
        gaps=gaps, conflicts=conflicts, questions=score_questions(gold, answers or {}),
        items=score_items(gold, items), origin_found=origin_recall_counts(gold, items),
        quotes=len(quotes), grounded_quotes=sum(1 for c in quotes if c.grounded),
        seconds=seconds, error=error,
    )


@dataclass
class Counts:
    """The numerators and denominators of every rate, summable over deals."""

    deals: int = 0
    facts: int = 0
    found: int = 0
    cited: int = 0
    quotes: int = 0
    grounded_quotes: int = 0
    traps: int = 0
    triggered: int = 0
    gaps: int = 0
    flagged: int = 0
    false_gaps: int = 0
    conflicts: int = 0
    detected: int = 0
    questions: int = 0
    sourced_questions: int = 0
    answered: int = 0
    answered_with_source: int = 0
    answered_cited: int = 0
    items: int = 0
    judged: int = 0
    judged_right: int = 0
    seconds: float = 0.0
    errors: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                         for f in fields(self)})


def fact_counts(outcomes: Iterable[FactOutcome]) -> Counts:
    """Facts, found and correctly cited among some fact outcomes."""
    outcomes = list(outcomes)
    return Counts(facts=len(outcomes), found=sum(o.match.found for o in outcomes),
                  cited=sum(o.match.cited for o in outcomes))


def deal_counts(score: DealScore) -> Counts:
    """Every count of one deal."""
    answered = [q for q in score.questions if q.answered]
    return fact_counts(score.facts) + Counts(
        deals=1, quotes=score.quotes, grounded_quotes=score.grounded_quotes,
        traps=len(score.traps), triggered=sum(t.match.found for t in score.traps),
        gaps=sum(g.expected for g in score.gaps),
        flagged=sum(g.expected and g.flagged for g in score.gaps),
        false_gaps=sum(g.false_gap for g in score.gaps),
        conflicts=len(score.conflicts),
        detected=sum(c.detected_by is not None for c in score.conflicts),
        questions=len(score.questions), answered=len(answered),
        sourced_questions=sum(q.question.source is not None for q in score.questions),
        answered_with_source=sum(q.question.source is not None for q in answered),
        answered_cited=sum(q.cited for q in answered),
        items=len(score.items), judged=sum(len(o.judged) for o in score.items),
        judged_right=sum(right for o in score.items for _, right in o.judged),
        seconds=score.seconds, errors=int(score.error is not None),
    )


def ratio(numerator: float, denominator: float, empty: float) -> float:
    """``numerator / denominator`` rounded to 4 places, or ``empty`` when nothing to divide."""
    return round(numerator / denominator, 4) if denominator else empty


def _conditional(numerator: int, denominator: int, upstream: int) -> float:
    # cited / found: vacuous only when there was nothing to find upstream.
    return ratio(numerator, denominator, 0.0 if upstream else 1.0)


def rates(c: Counts) -> dict[str, float | int]:
    """The summary metrics of some counts, keys exactly :data:`SUMMARY_KEYS`."""
    return {
        "fact_recall": ratio(c.found, c.facts, 1.0),
        "citation_accuracy": _conditional(c.cited, c.found, c.facts),
        "grounding_rate": ratio(c.grounded_quotes, c.quotes, 1.0),
        "trap_rate": ratio(c.triggered, c.traps, 0.0),
        "gap_recall": ratio(c.flagged, c.gaps, 1.0),
        "conflict_recall": ratio(c.detected, c.conflicts, 1.0),
        "question_accuracy": ratio(c.answered, c.questions, 1.0),
        "question_citation_accuracy": _conditional(
            c.answered_cited, c.answered_with_source, c.sourced_questions),
        "false_gaps_per_deal": ratio(c.false_gaps, c.deals, 0.0),
        "key_precision": ratio(c.judged_right, c.judged, 1.0),
        "items_per_deal": ratio(c.items, c.deals, 0.0),
        "seconds_per_deal": ratio(c.seconds, c.deals, 0.0),
        "deals": c.deals,
        "facts": c.facts,
    }


def summarise(scores: Sequence[DealScore]) -> dict[str, float | int]:
    """Micro-averaged summary metrics over all deals (see the module docstring)."""
    return rates(sum((deal_counts(s) for s in scores), Counts()))


def by_origin(scores: Sequence[DealScore]) -> dict[str, float]:
    """Fact recall over each origin's items alone, micro-averaged over every deal's facts."""
    facts = sum(len(s.facts) for s in scores)
    found: dict[str, int] = {}
    for s in scores:
        for origin, n in s.origin_found:
            found[origin] = found.get(origin, 0) + n
    return {origin: ratio(found[origin], facts, 0.0) for origin in sorted(found)}


def per_category(scores: Sequence[DealScore]) -> dict[str, dict[str, float | int]]:
    """Fact recall and citation accuracy per category, in the spec's category order."""
    outcomes = [o for s in scores for o in s.facts]
    seen = list(dict.fromkeys(o.fact.category for o in outcomes))
    order = [c for c in CATEGORIES if c in seen] + [c for c in seen if c not in CATEGORIES]
    table: dict[str, dict[str, float | int]] = {}
    for category in order:
        c = fact_counts(o for o in outcomes if o.fact.category == category)
        table[category] = {
            "facts": c.facts, "found": c.found, "cited": c.cited,
            "fact_recall": ratio(c.found, c.facts, 1.0),
            "citation_accuracy": _conditional(c.cited, c.found, c.facts),
        }
    return table


def per_deal(scores: Sequence[DealScore]) -> list[dict[str, object]]:
    """One row per deal: its counts, its rates and its error, if any."""
    rows: list[dict[str, object]] = []
    for s in scores:
        c = deal_counts(s)
        row: dict[str, object] = {"deal": s.deal_id, "name": s.deal_name}
        row.update(rates(c))
        row.update(found=c.found, cited=c.cited, quotes=c.quotes, traps=c.traps,
                   triggered=c.triggered, gaps=c.gaps, flagged=c.flagged,
                   false_gaps=c.false_gaps, conflicts=c.conflicts, detected=c.detected,
                   items=c.items, judged=c.judged, judged_right=c.judged_right,
                   questions=c.questions, answered=c.answered, seconds=round(s.seconds, 3),
                   error=s.error)
        del row["deals"]
        rows.append(row)
    return rows

