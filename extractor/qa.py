"""Questions about a deal, answered from its passages with citations.

With a model, the best passages go into one prompt and the answer's quotes are re-located in
the sources like any extraction; an answer with no grounded quote is not presented as
supported. Without a model (rules), the answer *is* the best passages, quoted. When nothing
supports an answer the product says so and offers to send the question to the rep as a gap.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

import prompts
from extractor.chain import Retriever, render_passages
from extractor.grounding import SourceIndex
from extractor.llm import StructuredLLM
from handoff.domain import AlignmentStatus, Answer, Citation, ParsedDocument
from index.lexical import query_terms
from index.search import Passage

NO_ANSWER = {
    "en": "The deal's sources do not answer this. Send the question to the rep?",
    "de": "Die Quellen des Deals beantworten das nicht. Frage an den Vertrieb schicken?",
}


class QuoteRef(BaseModel):
    passage: str = ""
    quote: str = ""


class LLMAnswer(BaseModel):
    answer: str = ""
    supported: bool = False
    quotes: list[QuoteRef] = Field(default_factory=list)


def _best_sentence(passage: Passage, question: str) -> tuple[int, int]:
    """The span of the passage's line that shares most words with the question."""
    terms = set(query_terms(question))
    best = (0, passage.start, passage.end)
    offset = passage.start
    for line in passage.text.splitlines(keepends=True):
        words = set(re.findall(r"\w+", line.lower()))
        score = sum(1 for t in terms if any(w.startswith(t) for w in words))
        stripped = line.strip()
        if stripped and score > best[0]:
            lead = len(line) - len(line.lstrip())
            best = (score, offset + lead, offset + lead + len(stripped))
        offset += len(line)
    return best[1], best[2]


def _passage_citation(p: Passage, docs: dict[str, ParsedDocument], question: str) -> Citation:
    start, end = _best_sentence(p, question)
    doc = docs.get(p.source)
    text = doc.text[start:end] if doc else p.text
    seg = doc.segment_at(start) if doc else None
    return Citation(source=p.source, quote=text, start=start, end=end,
                    locator=seg.locator if seg else p.locator,
                    speaker=seg.speaker if seg else None,
                    timestamp=seg.timestamp if seg else p.timestamp,
                    segment_index=seg.index if seg else None,
                    alignment=AlignmentStatus.EXACT)


def answer_question(question: str, *, documents: list[ParsedDocument], retriever: Retriever,
                    llm: StructuredLLM | None, language: str = "en", k: int = 5) -> Answer:
    """Answer ``question`` from the deal's passages, with citations."""
    lang = language if language in NO_ANSWER else "en"
    passages = [p for p in retriever(question, k) if not p.hidden]
    by_name = {d.filename: d for d in documents}
    terms = query_terms(question)
    relevant = [p for p in passages
                if p.lexical_rank is not None or any(t in p.text.lower() for t in terms)]
    if llm is None:
        if not relevant:
            return Answer(question=question, text=NO_ANSWER[lang], supported=False,
                          backend="rules")
        cites = [_passage_citation(p, by_name, question) for p in relevant[:3]]
        text = "\n".join(f"{c.quote} ({c.source}{', ' + c.locator if c.locator else ''})"
                         for c in cites)
        return Answer(question=question, text=text, citations=cites, supported=True,
                      backend="rules")
    prompt = prompts.load("answer")
    user = (f"Question: {question}\n\nPassages:\n\n{render_passages(passages)}\n\n"
            "Answer as JSON.")
    out, _usage = llm.complete([("system", prompt.text), ("user", user)], LLMAnswer,
                               max_tokens=500)
    index = SourceIndex(documents)
    cites = []
    for q in out.quotes:
        digits = "".join(ch for ch in q.passage if ch.isdigit())
        p = passages[int(digits) - 1] if digits and 0 < int(digits) <= len(passages) else None
        c = index.locate(q.quote, p.source if p else None, (p.start, p.end) if p else None)
        if c.grounded:
            cites.append(c)
    if not out.supported or not out.answer.strip() or not cites:
        return Answer(question=question, text=NO_ANSWER[lang], supported=False,
                      backend=llm.backend,
                      citations=[_passage_citation(p, by_name, question) for p in relevant[:2]])
    return Answer(question=question, text=out.answer.strip(), citations=cites, supported=True,
                  backend=llm.backend)
