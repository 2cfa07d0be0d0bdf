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
from handoff.domain import AlignmentStatus, Answer, Citation, ParsedDocument, Segment
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


def _passage_citation(p: Passage, docs: dict[str, ParsedDocument], question: str) -> Citation:
    """Cite the segment of the passage that shares most words with the question."""
    terms = query_terms(question)
    doc = docs.get(p.source)
    segs = [s for s in (doc.segments if doc else []) if s.start < p.end and s.end > p.start
            and not s.hidden and s.text.strip()]
    if doc is None or not segs:
        return Citation(source=p.source, quote=p.text, start=p.start, end=p.end,
                        locator=p.locator, timestamp=p.timestamp,
                        alignment=AlignmentStatus.EXACT)

    def score(seg: Segment) -> int:
        words = re.findall(r"\w+", seg.text.lower())
        return sum(1 for t in terms if any(w.startswith(t) for w in words))

    best = max(segs, key=score)
    return Citation(source=p.source, quote=best.text, start=best.start, end=best.end,
                    locator=best.locator, speaker=best.speaker, timestamp=best.timestamp,
                    segment_index=best.index, alignment=AlignmentStatus.EXACT)


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
