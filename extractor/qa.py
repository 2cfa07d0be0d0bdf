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
from extractor.guard import looks_like_injection
from extractor.llm import StructuredLLM
from extractor.quotes import promote_orphan_quotes
from extractor.sentences import Sentence, sentences
from handoff.domain import AlignmentStatus, Answer, Citation, ParsedDocument, SegmentKind
from index.lexical import expand_terms, query_terms
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


_NAME = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]+\s+[A-ZÄÖÜ][a-zäöüß]+")
SHORT_SEGMENT = 320
_WHO = re.compile(r"^\s*(?:who|whom|wer|wem|wen)\b", re.I)


def _sentence_score(sentence: str, terms: list[str], who: bool) -> float:
    words = re.findall(r"\w+", sentence.lower())
    score = float(sum(1 for t in terms if any(w.startswith(t) for w in words)))
    if who and _NAME.search(sentence):
        score += 1.5  # a "who" question is answered by a sentence naming someone
    return score


def _best_sentences(passages: list[Passage], docs: dict[str, ParsedDocument], question: str,
                    n: int = 3) -> list[Citation]:
    """The sentences of the passages that best answer the question, as exact citations."""
    terms = expand_terms(query_terms(question))
    who = bool(_WHO.search(question))
    scored: list[tuple[float, int, Sentence]] = []
    split: dict[str, list[Sentence]] = {}  # several passages often share one document
    for rank, p in enumerate(passages):
        doc = docs.get(p.source)
        if doc is None:
            continue
        if p.source not in split:
            split[p.source] = sentences(doc)
        for s in split[p.source]:
            if s.end <= p.start or s.start >= p.end or s.segment.hidden or \
                    s.segment.kind in (SegmentKind.QUOTED, SegmentKind.HEADER) or \
                    looks_like_injection(s.text):  # text addressed to a model is no answer
                continue
            score = _sentence_score(s.text, terms, who) - 0.2 * rank
            scored.append((score, rank, s))
    scored.sort(key=lambda x: (-x[0], x[1]))
    out: list[Citation] = []
    seen: set[tuple[str, int]] = set()
    for score, _rank, s in scored:
        if score <= 0 or (s.filename, s.start) in seen:
            continue
        seen.add((s.filename, s.start))
        seg = s.segment
        # a short turn or note reads better whole: "Alan, our finance manager. He signs."
        whole = len(seg.text) <= SHORT_SEGMENT and not looks_like_injection(seg.text)
        start, end = (seg.start, seg.end) if whole else (s.start, s.end)
        if any(c.source == s.filename and c.start == start for c in out):
            continue
        out.append(Citation(source=s.filename, quote=docs[s.filename].text[start:end],
                            start=start, end=end,
                            locator=seg.locator, speaker=seg.speaker, timestamp=seg.timestamp,
                            segment_index=seg.index, alignment=AlignmentStatus.EXACT))
        if len(out) == n:
            break
    return out


def _extractive(question: str, relevant: list[Passage], docs: dict[str, ParsedDocument],
                lang: str) -> Answer:
    """The answer without a model: the passages' best sentences, quoted with their sources."""
    cites = _best_sentences(relevant, docs, question) if relevant else []
    if not cites:
        return Answer(question=question, text=NO_ANSWER[lang], supported=False,
                      backend="rules")
    text = "\n".join(f"{c.quote} ({c.source}{', ' + c.locator if c.locator else ''})"
                     for c in cites)
    return Answer(question=question, text=text, citations=cites, supported=True,
                  backend="rules")


def answer_question(question: str, *, documents: list[ParsedDocument], retriever: Retriever,
                    llm: StructuredLLM | None, language: str = "en", k: int = 5) -> Answer:
    """Answer ``question`` from the deal's passages, with citations."""
    lang = language if language in NO_ANSWER else "en"
    documents = promote_orphan_quotes(documents)  # as build_brief does: the same evidence
    passages = [p for p in retriever(question, k) if not p.hidden]
    by_name = {d.filename: d for d in documents}
    terms = query_terms(question)
    relevant = [p for p in passages
                if p.lexical_rank is not None or any(t in p.text.lower() for t in terms)]
    extractive = _extractive(question, relevant, by_name, lang)
    if llm is None:
        return extractive
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
        if c.grounded and not looks_like_injection(c.quote):
            cites.append(c)
    if not out.supported or not out.answer.strip() or not cites:
        # The model found no support it could quote; the best quoted sentences still help
        # (measured on two dev deals: the local model's answers alone were cited for 29% of
        # questions, the quoted sentences for 80%).
        return extractive.model_copy(update={"backend": f"{llm.backend}+rules"})
    return Answer(question=question, text=out.answer.strip(), citations=cites, supported=True,
                  backend=llm.backend)
