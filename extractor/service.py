"""The deal workflow the CLI and the web app share: brief, ask, review.

Wires the store (one deal at a time), a backend and the chain together; nothing here knows
about HTTP or terminals.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from extractor.backends import Backend
from extractor.chain import Progress, build_brief
from extractor.classifier import Head
from extractor.language import detect_language
from extractor.qa import answer_question
from extractor.review import apply_reviews, save_brief
from handoff.domain import Answer, HandoffBrief, Offering, ParsedDocument, SourceKind
from handoff.errors import InputError
from index.e5 import E5Embedder
from index.search import Passage, hybrid_search
from index.store import Store


def sentence_encoder() -> E5Embedder:
    """The encoder the classifier was trained over (multilingual-e5-small, offline), whatever
    embedder the vector index uses."""
    return E5Embedder()


def load_offering(path: Path | None) -> Offering | None:
    """Parse an ``offering.yaml``; None when no path is given."""
    if path is None:
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Offering.model_validate(data or {})
    except FileNotFoundError as exc:
        raise InputError(f"{path}: offering file not found") from exc
    except (yaml.YAMLError, ValueError) as exc:
        raise InputError(f"{path}: not a valid offering.yaml: {exc}") from exc


def deal_retriever(store: Store, deal_id: str):  # type: ignore[no-untyped-def]
    """Hybrid search bound to one deal, for questions about it."""

    def retrieve(query: str, k: int) -> list[Passage]:
        return hybrid_search(store, deal_id, query, k=k)

    return retrieve


def source_documents(store: Store, deal_id: str) -> list[ParsedDocument]:
    """The deal's uploaded sources (rep confirmations are added to briefs separately)."""
    return [d.doc for d in store.documents(deal_id) if d.doc.kind != SourceKind.REP_CONFIRMATION]


def make_brief(store: Store, deal_id: str, backend: Backend, *, offering: Offering | None = None,
               progress: Progress | None = None, head: Head | None = None) -> HandoffBrief:
    """Extract the deal's brief, re-apply the rep's reviews and save it."""
    deal = store.get_deal(deal_id)
    docs = source_documents(store, deal_id)
    if not docs:
        raise InputError(f"deal {deal_id!r} has no sources yet: upload call transcripts, "
                         "emails or CRM notes first")
    brief = build_brief(deal_id, deal.name, documents=docs, encoder=sentence_encoder(),
                        llm=backend.llm, offering=offering, backend=backend.name,
                        plan=backend.plan, head=head, progress=progress)
    brief = apply_reviews(store, brief)
    save_brief(store, brief)
    return brief


def ask(store: Store, deal_id: str, question: str, backend: Backend,
        language: str | None = None) -> Answer:
    """Answer a question about one deal from its passages, with citations."""
    if not question.strip():
        raise InputError("the question is empty")
    store.get_deal(deal_id)
    docs = [d.doc for d in store.documents(deal_id)]
    lang = language or detect_language(docs)
    return answer_question(question, documents=docs, retriever=deal_retriever(store, deal_id),
                           llm=backend.llm, language=lang)
