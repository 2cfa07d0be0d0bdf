"""The SQLite full-text index: per-deal rowid ranges, the rebuild of an older index, deletes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import text

from handoff.settings import Settings, get_settings
from index import lexical
from index.ingest import IngestStatus, ingest_bytes
from index.search import hybrid_search
from index.store import Store
from tests.conftest import HashEmbedder

MAX = 25 * 1024 * 1024
SHARED = ("budget approval kickoff integration security training rollout pilot driver "
          "warehouse invoice renewal risk Freigabe Schulung Lieferung").split()
QUESTIONS = ["who approves the budget?", "security and integration", "Wer gibt die Freigabe?",
             "training for the pilot", "renewal risk", "warehouse driver invoice"]
# the index before per-deal rowid ranges, as index/lexical.py created and filled it
OLD_TABLE = ("CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(body, chunk_id UNINDEXED, "
             "deal_id UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
OLD_SEARCH = ("SELECT chunk_id, bm25(chunks_fts) AS s FROM chunks_fts WHERE chunks_fts MATCH :m "
              "AND deal_id = :d ORDER BY round(s, 9), rowid LIMIT :k")


@pytest.fixture
def sqlite_settings(home: Path) -> Settings:
    """The SQLite database (the index under test), whatever services the run is given."""
    return get_settings(database_url=None)


def _fill(store: Store, deals: int, docs: int) -> list[str]:
    """Deals whose notes share most words, paragraphs of varied length (bm25 length norm)."""
    store.chunk_words = 12
    rng = random.Random(3)
    ids = [f"deal-{d}" for d in range(deals)]
    for deal in ids:
        store.create_deal(deal)
    for n in range(docs):  # documents of the deals interleaved, as uploads arrive
        for deal in ids:
            paras = [" ".join(rng.choice(SHARED) for _ in range(rng.randint(3, 12)))
                     + f" {deal}-marker-{n}-{p}." for p in range(4)]
            body = "# Notes\n\n" + "\n\n".join(paras) + "\n"
            r = ingest_bytes(store, deal, f"notes-{n}.md", body.encode(), max_bytes=MAX)
            assert r.status == IngestStatus.ACCEPTED, r.reason
    return ids


def _lexical(store: Store, deal: str, question: str) -> list[tuple[str, float]]:
    with store.engine.connect() as conn:
        return [(h.chunk_id, h.score) for h in lexical.search(conn, deal, question, 40)]


def _to_old_layout(store: Store) -> None:
    """Replace the index by one of the old layout: rowids 1, 2, ... in indexing order."""
    with store.engine.begin() as conn:
        conn.execute(text("DROP TABLE chunks_fts"))
        conn.execute(text(OLD_TABLE))
        conn.execute(text(
            "INSERT INTO chunks_fts (body, chunk_id, deal_id) SELECT c.text, c.id, c.deal_id "
            "FROM chunks c JOIN documents d ON d.id = c.document_id "
            "ORDER BY d.created_at, c.ordinal"))


def test_a_deals_search_returns_only_its_chunks(hash_store: Store) -> None:
    deals = _fill(hash_store, deals=6, docs=2)
    owner = {c.id: d for d in deals for c in hash_store.all_chunks(d)}
    for deal in deals:
        for q in QUESTIONS:
            hits = _lexical(hash_store, deal, q)
            assert hits and {owner[c] for c, _ in hits} == {deal}, (deal, q)
            assert {owner[h.chunk_id] for h in hybrid_search(hash_store, deal, q)} == {deal}


def test_deals_sharing_a_rowid_range_stay_apart(hash_store: Store,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Two deal ids whose digests meet share a range; the exact deal check still splits them."""
    real = lexical.deal_rowids
    monkeypatch.setattr(lexical, "deal_rowids", lambda deal_id: real("same-slot"))
    deals = _fill(hash_store, deals=3, docs=2)
    owner = {c.id: d for d in deals for c in hash_store.all_chunks(d)}
    for deal in deals:
        for q in QUESTIONS:
            assert {owner[c] for c, _ in _lexical(hash_store, deal, q)} == {deal}
    hash_store.delete_document("deal-1", hash_store.documents("deal-1")[0].id)
    hash_store.delete_deal("deal-2")
    for deal in ("deal-0", "deal-1"):
        marked = {c.id for c in hash_store.all_chunks(deal) if "marker" in c.text}
        assert {c for c, _ in _lexical(hash_store, deal, "marker")} == marked
    assert not _lexical(hash_store, "deal-2", "marker")


def test_old_index_is_rebuilt_on_open_with_the_same_results(sqlite_settings: Settings) -> None:
    store = Store.open(sqlite_settings, embedder=HashEmbedder())
    deals = _fill(store, deals=5, docs=3)
    hybrid_before = {(d, q): [(p.chunk_id, p.score) for p in hybrid_search(store, d, q)]
                     for d in deals for q in QUESTIONS}
    _to_old_layout(store)
    with store.engine.connect() as conn:  # the old code's query on the old index
        before = {(d, q): [(r[0], -float(r[1])) for r in conn.execute(text(OLD_SEARCH), {
            "m": lexical.fts5_match(q), "d": d, "k": 40})] for d in deals for q in QUESTIONS}
    assert all(before.values())
    store.engine.dispose()

    reopened = Store.open(sqlite_settings, embedder=HashEmbedder())
    with reopened.engine.connect() as conn:
        low = conn.execute(text("SELECT min(rowid) FROM chunks_fts")).scalar()
        count = conn.execute(text("SELECT count(*) FROM chunks_fts")).scalar()
    assert low >= 2**32  # the new layout
    assert count == sum(len(reopened.all_chunks(d)) for d in deals)
    after = {(d, q): _lexical(reopened, d, q) for d in deals for q in QUESTIONS}
    assert after == before  # same chunks, same order, same scores
    assert {(d, q): [(p.chunk_id, p.score) for p in hybrid_search(reopened, d, q)]
            for d in deals for q in QUESTIONS} == hybrid_before


def test_a_rebuild_that_fails_leaves_the_old_index(sqlite_settings: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store.open(sqlite_settings, embedder=HashEmbedder())
    _fill(store, deals=2, docs=1)
    _to_old_layout(store)
    with store.engine.connect() as conn:
        old = conn.execute(text("SELECT rowid, chunk_id FROM chunks_fts ORDER BY rowid")).all()
    real = lexical._rebuild

    def killed(conn: object) -> None:
        real(conn)  # dropped, created and filled the new table; dies before the commit
        raise RuntimeError("killed")

    monkeypatch.setattr(lexical, "_rebuild", killed)
    with pytest.raises(RuntimeError, match="killed"):
        lexical.create_lexical(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(text(
            "SELECT rowid, chunk_id FROM chunks_fts ORDER BY rowid")).all() == old
    monkeypatch.undo()
    store.engine.dispose()
    reopened = Store.open(sqlite_settings, embedder=HashEmbedder())
    with reopened.engine.connect() as conn:
        assert conn.execute(text("SELECT min(rowid) FROM chunks_fts")).scalar() >= 2**32
    assert _lexical(reopened, "deal-0", "budget")


def test_deleting_a_document_removes_its_chunks_from_the_index(hash_store: Store) -> None:
    deals = _fill(hash_store, deals=2, docs=2)
    doc = hash_store.documents("deal-0")[0]
    gone = {c.id for c in hash_store.all_chunks("deal-0") if c.document_id == doc.id}
    others = len(_lexical(hash_store, "deal-1", "marker"))
    hash_store.delete_document("deal-0", doc.id)
    hits = {c for d in deals for c, _ in _lexical(hash_store, d, "marker")}
    assert not hits & gone
    assert len(_lexical(hash_store, "deal-1", "marker")) == others
