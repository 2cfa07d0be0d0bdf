"""Hybrid search over one deal: vectors and BM25 fused by reciprocal rank.

Reciprocal rank fusion (Cormack et al., 2009) needs no score calibration between the two
retrievers: each contributes ``1 / (k + rank)``. Every search names its deal; there is no way
to search across deals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from index import lexical
from index.db import ChunkRow, DocumentRow, SegmentRow
from index.store import Store

RRF_K = 60


@dataclass
class Passage:
    """A search hit: a chunk of one source, with what a citation needs."""

    chunk_id: str
    document_id: str
    source: str
    text: str
    start: int
    end: int
    score: float
    speakers: list[str] = field(default_factory=list)
    timestamp: str | None = None
    locator: str = ""
    kinds: list[str] = field(default_factory=list)
    hidden: bool = False
    vector_rank: int | None = None
    lexical_rank: int | None = None


def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def hybrid_search(store: Store, deal_id: str, query: str, k: int = 8,
                  candidates: int = 40) -> list[Passage]:
    """The ``k`` best passages of ``deal_id`` for ``query``."""
    store.get_deal(deal_id)
    if not query.strip():
        return []
    qvec = store.embedder.embed([query])[0]
    vec_ids = [h.chunk_id for h in store.vectors.query(deal_id, qvec, candidates)]
    with store.engine.connect() as conn:
        lex_ids = [h.chunk_id for h in lexical.search(conn, deal_id, query, candidates)]
    fused = rrf([vec_ids, lex_ids])
    best = sorted(fused, key=lambda c: -fused[c])[:k]
    return passages(store, deal_id, best, fused, vec_ids, lex_ids)


def passages(store: Store, deal_id: str, chunk_ids: list[str], scores: dict[str, float],
             vec_ids: list[str] | None = None, lex_ids: list[str] | None = None) -> list[Passage]:
    """Chunk ids turned into passages with source, speakers and locator, in the given order."""
    out: list[Passage] = []
    with store.session() as s:
        rows = {r.id: (r, fn) for r, fn in s.execute(
            select(ChunkRow, DocumentRow.filename)
            .join(DocumentRow, DocumentRow.id == ChunkRow.document_id)
            .where(ChunkRow.id.in_(chunk_ids), ChunkRow.deal_id == deal_id)).all()}
        segments = _segments(s, [r for r, _ in rows.values()])
        for cid in chunk_ids:
            if cid not in rows:  # a vector without a row would be a bug; never show it
                continue
            row, filename = rows[cid]
            segs = [x for x in segments.get(row.document_id, [])
                    if row.first_segment <= x.idx <= row.last_segment]
            speakers = list(dict.fromkeys(x.speaker for x in segs if x.speaker))
            first = next((x for x in segs if x.kind != "header"), segs[0] if segs else None)
            out.append(Passage(
                chunk_id=cid, document_id=row.document_id, source=filename,
                text=row.text, start=row.start, end=row.end, score=scores.get(cid, 0.0),
                speakers=speakers, timestamp=first.timestamp if first else None,
                locator=first.locator if first else "",
                kinds=list(dict.fromkeys(x.kind for x in segs)),
                hidden=any(x.hidden for x in segs),
                vector_rank=vec_ids.index(cid) + 1 if vec_ids and cid in vec_ids else None,
                lexical_rank=lex_ids.index(cid) + 1 if lex_ids and cid in lex_ids else None,
            ))
    return out


def _segments(s: Session, chunks: list[ChunkRow]) -> dict[str, list[SegmentRow]]:
    """The segments the chunks span, by document, in one query (not one per passage)."""
    if not chunks:
        return {}
    spans = or_(*(and_(SegmentRow.document_id == c.document_id,
                       SegmentRow.idx >= c.first_segment, SegmentRow.idx <= c.last_segment)
                  for c in chunks))
    out: dict[str, list[SegmentRow]] = {}
    for seg in s.scalars(select(SegmentRow).where(spans).order_by(SegmentRow.idx)):
        out.setdefault(seg.document_id, []).append(seg)
    return out
