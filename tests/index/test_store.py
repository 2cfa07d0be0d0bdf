"""The store: all-or-nothing documents, duplicates, per-deal scoping, deletes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from handoff.errors import NotFoundError
from index.ingest import IngestStatus, ingest_bytes, ingest_paths
from index.search import hybrid_search
from index.store import Store
from tests.conftest import HashEmbedder

VTT = b"""WEBVTT

00:00:01.000 --> 00:00:04.000
Anna Keller: We want to cut empty kilometres by fifteen percent this year.

00:00:05.000 --> 00:00:09.000
Tom Berg: Great, and the SAP connector is part of the plan.
"""

NOTES = b"""# Rep notes

Champion is Anna Keller, Head of Operations. She drives this internally.

Budget is signed off by the CFO, Klaus Brandt.
"""

MAX = 25 * 1024 * 1024


def test_accepted_file_is_searchable_with_speaker_and_timestamp(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    r = ingest_bytes(hash_store, "acme", "call.vtt", VTT, max_bytes=MAX)
    assert r.status == IngestStatus.ACCEPTED and r.chunks >= 1
    hits = hybrid_search(hash_store, "acme", "empty kilometres", k=3)
    assert hits and hits[0].source == "call.vtt"
    assert "Anna Keller" in hits[0].speakers
    assert hits[0].timestamp == "00:00:01"


def test_same_bytes_twice_is_a_duplicate_noop(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    ingest_bytes(hash_store, "acme", "call.vtt", VTT, max_bytes=MAX)
    again = ingest_bytes(hash_store, "acme", "copy-of-call.vtt", VTT, max_bytes=MAX)
    assert again.status == IngestStatus.DUPLICATE and "call.vtt" in again.reason
    assert len(hash_store.documents("acme")) == 1
    assert hash_store.vectors.count("acme") == len(hash_store.all_chunks("acme"))


def test_search_never_crosses_deals(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    hash_store.create_deal("other")
    ingest_bytes(hash_store, "acme", "call.vtt", VTT, max_bytes=MAX)
    ingest_bytes(hash_store, "other", "notes.md", NOTES, max_bytes=MAX)
    assert all(h.source == "notes.md" for h in hybrid_search(hash_store, "other", "kilometres"))
    assert all(h.source == "call.vtt" for h in hybrid_search(hash_store, "acme", "CFO budget"))


def test_vector_failure_leaves_nothing_behind(hash_store: Store,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    hash_store.create_deal("acme")

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(hash_store.vectors, "add", boom)
    r = ingest_bytes(hash_store, "acme", "call.vtt", VTT, max_bytes=MAX)
    assert r.status == IngestStatus.REJECTED and "internal error" in r.reason
    assert hash_store.documents("acme") == []
    assert hash_store.all_chunks("acme") == []
    assert hybrid_search(hash_store, "acme", "empty kilometres") == []


def test_sql_failure_after_vectors_removes_the_vectors(hash_store: Store,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    hash_store.create_deal("acme")
    real_add = hash_store.vectors.add

    def add_then_fail(*a: object, **k: object) -> None:
        real_add(*a, **k)  # type: ignore[arg-type]
        raise RuntimeError("commit failed")

    monkeypatch.setattr(hash_store.vectors, "add", add_then_fail)
    r = ingest_bytes(hash_store, "acme", "call.vtt", VTT, max_bytes=MAX)
    assert r.status == IngestStatus.REJECTED and "nothing of it was kept" in r.reason
    assert hash_store.vectors.count("acme") == 0
    assert hash_store.documents("acme") == []


def test_rejected_file_does_not_stop_the_others(hash_store: Store, tmp_path: Path) -> None:
    (tmp_path / "good.vtt").write_bytes(VTT)
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "garbage.bin").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "notes.md").write_bytes(NOTES)
    results = ingest_paths(hash_store, "acme", [tmp_path], max_bytes=MAX)
    by_name = {r.filename: r for r in results}
    assert by_name["good.vtt"].status == IngestStatus.ACCEPTED
    assert by_name["notes.md"].status == IngestStatus.ACCEPTED
    assert by_name["empty.txt"].status == IngestStatus.REJECTED
    assert "empty" in by_name["empty.txt"].reason
    assert by_name["garbage.bin"].status == IngestStatus.REJECTED
    assert {d.doc.filename for d in hash_store.documents("acme")} == {"good.vtt", "notes.md"}


def test_file_over_the_limit_is_rejected_before_reading(hash_store: Store, tmp_path: Path) -> None:
    big = tmp_path / "huge.txt"
    big.write_bytes(b"word " * 300_000)
    [r] = ingest_paths(hash_store, "acme", [big], max_bytes=1024 * 1024)
    assert r.status == IngestStatus.REJECTED and "over the 1 MB limit" in r.reason
    assert hash_store.documents("acme") == []


def test_delete_deal_removes_rows_and_vectors(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    ingest_bytes(hash_store, "acme", "call.vtt", VTT, max_bytes=MAX)
    hash_store.delete_deal("acme")
    assert hash_store.vectors.count("acme") == 0
    with pytest.raises(NotFoundError):
        hash_store.get_deal("acme")


def test_unknown_deal_is_not_found(hash_store: Store) -> None:
    with pytest.raises(NotFoundError):
        hybrid_search(hash_store, "nope", "anything")


def test_documents_roundtrip_segments_with_offsets(hash_store: Store) -> None:
    hash_store.create_deal("acme")
    ingest_bytes(hash_store, "acme", "call.vtt", VTT, max_bytes=MAX)
    [stored] = hash_store.documents("acme")
    for seg in stored.doc.segments:
        assert stored.doc.text[seg.start:seg.end] == seg.text
    assert [s.speaker for s in stored.doc.segments] == ["Anna Keller", "Tom Berg"]


def test_vectors_of_another_embedder_are_refused(settings: object) -> None:
    from handoff.errors import ConfigError
    from index.chroma_store import ChromaStore

    ChromaStore.open(settings.chroma_path, "embedder-a")  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match="reindex"):
        ChromaStore.open(settings.chroma_path, "embedder-b")  # type: ignore[attr-defined]


def _other_embedder(fail_after: int | None = None) -> HashEmbedder:
    """Another vector space (32-d, another id), as after changing HANDOFF_EMBEDDER; with
    ``fail_after``, the user stops the run after that many embedding calls."""

    class Halting(HashEmbedder):
        def embed(self, texts: list[str]) -> np.ndarray:
            if fail_after is not None and self.calls >= fail_after:
                raise KeyboardInterrupt
            return super().embed(texts)

    return Halting(dim=32)


def test_reindex_moves_every_deal_to_a_new_embedder_and_survives_an_interruption(
        hash_store: Store, settings: object) -> None:
    from handoff.errors import ConfigError

    for deal, data in (("acme", VTT), ("beta", NOTES)):
        hash_store.create_deal(deal)
        assert ingest_bytes(hash_store, deal, f"{deal}.md" if deal == "beta" else "call.vtt",
                            data, max_bytes=MAX).status == IngestStatus.ACCEPTED
    chunks = {d.id: d.chunks for d in hash_store.list_deals()}

    with pytest.raises(ConfigError, match="handoff reindex"):
        Store.open(settings, embedder=_other_embedder())  # type: ignore[arg-type]

    # stopped after the first deal's batch: the index says it is incomplete, not "fine"
    halted = Store.open(settings, embedder=_other_embedder(fail_after=1),  # type: ignore[arg-type]
                        for_reindex=True)
    with pytest.raises(KeyboardInterrupt):
        halted.reindex(batch=1)
    with pytest.raises(ConfigError, match="interrupted"):
        Store.open(settings, embedder=_other_embedder())  # type: ignore[arg-type]

    again = Store.open(settings, embedder=_other_embedder(),  # type: ignore[arg-type]
                       for_reindex=True)
    assert again.reindex(batch=1) == (2, sum(chunks.values()))
    store = Store.open(settings, embedder=_other_embedder())  # type: ignore[arg-type]
    assert {d: store.vectors.count(d) for d in chunks} == chunks
    hits = hybrid_search(store, "acme", "empty kilometres", k=3)
    assert hits and hits[0].source == "call.vtt"
    assert all(h.source == "beta.md" for h in hybrid_search(store, "beta", "CFO budget"))
    with pytest.raises(ConfigError, match="handoff reindex"):  # the old space is gone
        Store.open(settings, embedder=HashEmbedder())  # type: ignore[arg-type]
