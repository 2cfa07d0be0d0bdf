"""The vector store: server URLs, errors a user can act on, and one collection per deal.

These run on the embedded store, and on the live Chroma server when HANDOFF_TEST_CHROMA_URL
is set (each test home then gets a database of its own, see tests/live_services.py).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from handoff.errors import BackendUnavailable, ConfigError
from handoff.settings import Settings, get_settings
from index.chroma_store import LEGACY, ChromaStore, collection_name, parse_url
from index.ingest import ingest_bytes
from index.search import hybrid_search
from index.store import Store

LIVE = os.environ.get("HANDOFF_TEST_CHROMA_URL")
MAX = 25 * 2**20
NOTE_A = b"Budget approval comes from Markus Fischer, the CFO of Nordwind.\n"
NOTE_B = b"Budget approval comes from Jana Novak, the CFO of Sudwind.\n"


def test_server_url_gives_host_port_and_tls() -> None:
    assert parse_url("http://127.0.0.1:58000") == parse_url("http://127.0.0.1:58000/")
    addr = parse_url("http://127.0.0.1:58000")
    assert (addr.host, addr.port, addr.ssl) == ("127.0.0.1", 58000, False)
    addr = parse_url("https://vectors.example.com")
    assert (addr.host, addr.port, addr.ssl) == ("vectors.example.com", 443, True)
    assert parse_url("http://chroma").port == 8000  # chroma run's default


@pytest.mark.parametrize("url", ["127.0.0.1:58000", "ftp://host", "http://", "http://h:x",
                                 "http://h:8000/api/v2"])
def test_a_wrong_url_is_a_config_error_naming_it(url: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(repr(url))):
        parse_url(url)


def test_an_unreachable_server_says_which_url_and_what_to_do(home: Path) -> None:
    settings = get_settings(chroma_url="http://127.0.0.1:1")
    with pytest.raises(BackendUnavailable) as err:
        Store.open(settings, embedder=_Fixed())
    message = str(err.value)
    assert "http://127.0.0.1:1" in message and "HANDOFF_CHROMA_URL" in message
    assert not (home / "chroma").exists()  # no silent fallback to the embedded store


@pytest.mark.skipif(not LIVE, reason="needs HANDOFF_TEST_CHROMA_URL (a live Chroma server)")
def test_a_missing_database_on_the_server_is_a_config_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="no-such-database-xyz"):
        ChromaStore.connect(str(LIVE), "e", database="no-such-database-xyz")


def test_the_test_home_uses_the_live_server_when_asked(settings: Settings,
                                                       hash_store: Store) -> None:
    assert settings.chroma_url == LIVE
    hash_store.create_deal("acme")
    ingest_bytes(hash_store, "acme", "note.txt", NOTE_A, max_bytes=MAX)
    assert hash_store.vectors.count("acme") == 1
    assert (settings.chroma_path.exists()) == (LIVE is None)


def test_collection_names_are_valid_and_distinct_for_any_deal_id() -> None:
    ids = ["acme", "Acme", "a..b", "x-", "_", "9", "a" * 64, "nordwind.de_2026"]
    names = [collection_name("", d) for d in ids]
    assert len(set(names)) == len(ids)
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{1,510}[A-Za-z0-9]", name), name
        assert ".." not in name


def test_each_deal_has_its_own_collection_and_search_stays_in_it(hash_store: Store) -> None:
    for deal, note in (("nordwind", NOTE_A), ("sudwind", NOTE_B)):
        hash_store.create_deal(deal)
        ingest_bytes(hash_store, deal, "note.txt", note, max_bytes=MAX)
    hits = hash_store.vectors.query("nordwind", hash_store.embedder.embed(["budget CFO"])[0], 10)
    nordwind_ids = {c.id for c in hash_store.all_chunks("nordwind")}
    assert hits and {h.chunk_id for h in hits} == nordwind_ids
    [passage] = hybrid_search(hash_store, "sudwind", "who approves the budget?")
    assert "Jana Novak" in passage.text
    names = {c.name for c in hash_store.vectors._client.list_collections()}
    assert collection_name("", "nordwind") in names
    assert collection_name("", "sudwind") in names


def test_deleting_a_deal_drops_its_collection_and_nothing_else(hash_store: Store) -> None:
    for deal, note in (("nordwind", NOTE_A), ("sudwind", NOTE_B)):
        hash_store.create_deal(deal)
        ingest_bytes(hash_store, deal, "note.txt", note, max_bytes=MAX)
    hash_store.delete_deal("nordwind")
    names = {c.name for c in hash_store.vectors._client.list_collections()}
    assert collection_name("", "nordwind") not in names
    assert hash_store.vectors.count("nordwind") == 0
    assert hash_store.vectors.count("sudwind") == 1
    assert hash_store.vectors.count() == 1
    # the same deal id can be used again from scratch
    hash_store.create_deal("nordwind")
    ingest_bytes(hash_store, "nordwind", "note.txt", NOTE_A, max_bytes=MAX)
    assert hybrid_search(hash_store, "nordwind", "budget")[0].text.startswith("Budget")


def test_a_collection_dropped_by_another_process_is_recreated(hash_store: Store,
                                                              settings: Settings) -> None:
    hash_store.create_deal("acme")
    ingest_bytes(hash_store, "acme", "a.txt", NOTE_A, max_bytes=MAX)
    other = Store.open(settings, embedder=hash_store.embedder)
    other.vectors.delete_deal("acme")  # this store still holds the collection's handle
    assert hash_store.vectors.query("acme", hash_store.embedder.embed(["x"])[0], 5) == []
    ingest_bytes(hash_store, "acme", "b.txt", NOTE_B, max_bytes=MAX)
    assert hash_store.vectors.count("acme") == 1


def test_an_index_of_the_single_collection_layout_is_moved_per_deal(tmp_path: Path) -> None:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(tmp_path / "c"),
                                       settings=ChromaSettings(anonymized_telemetry=False))
    old = client.get_or_create_collection(LEGACY, embedding_function=None,
                                          metadata={"embedder": "e", "hnsw:space": "cosine"})
    vecs = np.eye(3, 8, dtype=np.float32)
    old.add(ids=["d1:0", "d1:1", "d2:0"], embeddings=vecs,
            metadatas=[{"deal_id": "a", "document_id": "d1"}] * 2
            + [{"deal_id": "b", "document_id": "d2"}])
    store = ChromaStore(client, "e")
    assert (store.count("a"), store.count("b"), store.count()) == (2, 1, 3)
    assert [h.chunk_id for h in store.query("a", vecs[1], 1)] == ["d1:1"]
    assert LEGACY not in {c.name for c in client.list_collections()}
    store.delete_document("a", "d1")
    assert store.count("a") == 0


class _Fixed:
    id = "fixed-4"

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 4), dtype=np.float32) / 2
