"""The model reads the deal's sentences by number and says which state which field.

Design note. A small CPU model classifies and picks far better than it writes, and llama.cpp
keeps a shared prompt prefix in its cache. So the model never writes quotes: it gets the
deal's candidate sentences in numbered batches behind one fixed prefix (the task and every
field's meaning, :mod:`prompts` ``read`` and ``keys``), and answers with sentence numbers and
field names. A cited sentence is the source's own text, so grounding is exact by
construction, and the prefix is evaluated once per deal (once per server, in fact), not once
per category.

Which sentences it reads: those the classifier scores at least ``slack`` times a key's
threshold (the ambiguous ones and the likely ones); the rest state nothing with high
probability. An endpoint with a large model can be given every sentence (``slack=0``).
The model's answer and the classifier's scores are combined in :func:`combine`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, Field

import prompts
from extractor.classifier import Scores
from extractor.deal import DealContext, DealSentence
from extractor.llm import StructuredLLM
from extractor.resolve import Candidate
from handoff.domain import ALL_KEYS, BriefMetadata
from handoff.errors import BackendUnavailable, ExtractionError

FIELD_TO_KEY = {k.split(".", 1)[1]: k for k in ALL_KEYS}
assert len(FIELD_TO_KEY) == len(ALL_KEYS), "field names must be unique across categories"
MAX_SENTENCE_CHARS = 320


class Label(BaseModel):
    id: int
    field: str


class Reading(BaseModel):
    items: list[Label] = Field(default_factory=list)


@dataclass(frozen=True)
class ReadPlan:
    """How the model reads a deal: which sentences, in batches of how many."""

    batch_size: int = 24
    slack: float = 0.5        # read sentences scoring >= slack x a key's threshold
    hints: bool = True        # show the classifier's best guess after each sentence
    max_tokens: int = 400


def system_prompt() -> tuple[str, str]:
    """The fixed prefix: task and field meanings (ids of both prompt files)."""
    task = prompts.load("read")
    keys_id, keys = prompts.load_yaml("keys")
    fields = "\n".join(f"- {k.split('.', 1)[1]}: {meaning}" for k, meaning in keys.items())
    return task.text.replace("{fields}", fields), f"{task.id}+{keys_id}"


def to_read(ctx: DealContext, scores: Scores, plan: ReadPlan) -> list[DealSentence]:
    """The sentences worth the model's time, in deal order."""
    if plan.slack <= 0:
        return list(ctx.sentences)
    return [s for s in ctx.sentences if scores.above(s.id, plan.slack)]


def render(ctx: DealContext, batch: list[DealSentence], scores: Scores, plan: ReadPlan) -> str:
    lines = []
    for s in batch:
        who = s.speaker.name if s.speaker else (s.sentence.segment.speaker or "")
        side = s.side or "unknown"
        src = {"transcript": "call", "email": "email", "crm_note": "CRM note",
               "document": "document"}.get(s.kind.value, s.kind.value)
        text = s.flat[:MAX_SENTENCE_CHARS]
        line = f"[{s.id}] {who + ' ' if who else ''}({side}, {src}): {text}"
        if plan.hints:
            guess = [k.split(".", 1)[1] for k, _ in scores.above(s.id, plan.slack)[:2]]
            if guess:
                line += f"  (hint: {', '.join(guess)})"
        lines.append(line)
    return "Sentences:\n" + "\n".join(lines)


def read(ctx: DealContext, scores: Scores, llm: StructuredLLM, meta: BriefMetadata,
         plan: ReadPlan | None = None,
         progress: Callable[[str, str], None] | None = None) -> dict[int, set[str]]:
    """Ask the model about the deal's candidate sentences; their labels by sentence id.

    A batch the model fails (a garbled or cut-off answer after the adapter's re-ask) is
    noted in the brief's warnings and read by the classifier alone; an endpoint that is not
    there fails at the first batch.
    """
    plan = plan or ReadPlan()
    say = progress or (lambda _a, _b: None)
    system, prompt_id = system_prompt()
    meta.prompt_versions["read"] = prompt_id
    chosen = to_read(ctx, scores, plan)
    known = {s.id for s in chosen}
    labels: dict[int, set[str]] = {s.id: set() for s in chosen}
    batches = [chosen[i:i + plan.batch_size] for i in range(0, len(chosen), plan.batch_size)]
    answered = 0
    for n, batch in enumerate(batches, start=1):
        say("read", f"batch {n}/{len(batches)} ({len(batch)} sentences)")
        t0 = time.monotonic()
        try:
            out, usage = llm.complete([("system", system),
                                       ("user", render(ctx, batch, scores, plan))],
                                      Reading, max_tokens=plan.max_tokens)
        except (ExtractionError, BackendUnavailable) as exc:
            if isinstance(exc, BackendUnavailable) and not exc.timed_out and not answered:
                raise
            meta.warnings.append(f"model reading, batch {n}: {exc}; classifier only there")
            for s in batch:
                labels.pop(s.id, None)
            continue
        answered += 1
        meta.token_usage.add(usage.prompt_tokens, usage.completion_tokens, cached=usage.cached)
        meta.timings[f"read_{n}"] = round(time.monotonic() - t0, 3)
        if usage.truncated:
            meta.warnings.append(f"model reading, batch {n}: the answer hit the token limit; "
                                 "its complete labels were kept")
        ids = {s.id for s in batch}
        for label in out.items:
            key = FIELD_TO_KEY.get(label.field.strip().lower().replace(" ", "_").split(".")[-1])
            if key is not None and label.id in ids and label.id in known:
                labels[label.id].add(key)
    if batches and not answered:
        raise ExtractionError("the model answered no batch of the deal's sentences")
    return labels


def combine(ctx: DealContext, scores: Scores, labels: dict[int, set[str]], *,
            agree_bonus: float = 0.15, unconfirmed: float = 0.9) -> list[Candidate]:
    """Candidates from both readers.

    A key the model gives a sentence is a candidate at least at that key's threshold (and
    above it when the classifier agrees). A key only the classifier gives a sentence the
    model read stays a candidate, a little lower (``unconfirmed``): the embedded 1.5B model
    is terse (on the demo deal it labelled 4 sentences of 90 it read), so its silence is
    no verdict, and letting it erase the classifier's facts halved the brief (44 items to
    21). The model adds facts and orders them, and picks among a category's keys (a sentence
    it calls a timeline promise is not also a service promise); it does not remove facts.
    """
    out: list[Candidate] = []
    for s in ctx.sentences:
        above = dict(scores.above(s.id))
        if s.id not in labels:
            out.extend(Candidate(s, k, p, "classifier") for k, p in above.items())
            continue
        said = labels[s.id]
        for key in said:
            p = scores.of(s.id, key)
            agree = key in above
            score = max(p, scores.threshold(key)) + (agree_bonus if agree else 0.0)
            out.append(Candidate(s, key, score, "model+classifier" if agree else "model"))
        chosen = {k.split(".", 1)[0] for k in said}
        for key, p in above.items():
            # the model picked among a category's keys (timeline, not service): its siblings go
            if key not in said and key.split(".", 1)[0] not in chosen:
                out.append(Candidate(s, key, p * unconfirmed, "classifier"))
    return out
