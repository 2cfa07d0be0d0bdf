"""Hybrid search with the real offline multilingual encoder: plain questions, EN and DE."""

from __future__ import annotations

import os

import pytest

from index.ingest import IngestStatus, ingest_bytes
from index.search import hybrid_search, rrf
from index.store import Store

CALL_EN = """WEBVTT

00:01:10.000 --> 00:01:20.000
Maria Lopez: So we run about four hundred refrigerated trucks out of Valencia and Porto.

00:03:02.000 --> 00:03:12.000
Maria Lopez: Honestly our biggest headache is drivers waiting at the docks, sometimes two hours.

00:07:45.000 --> 00:07:58.000
Peter Novak: Anything above fifty thousand has to go through our finance director, Ines Duarte.

00:12:30.000 --> 00:12:44.000
Peter Novak: From the IT side we need single sign-on through Azure AD, that's non-negotiable.

00:15:05.000 --> 00:15:15.000
Sam Reed: We can usually get customers live within eight to ten weeks after kickoff.
"""

NOTIZ_DE = """# Notizen zum Termin

Frau Albers (Leiterin Disposition) möchte die Leerfahrten bis Jahresende um zwölf Prozent senken.

Der Betriebsrat hat Bedenken wegen der Ortung der Fahrer und will eine Betriebsvereinbarung.

Die Rechnungsfreigabe liegt beim kaufmännischen Geschäftsführer, Herrn Vogt.
"""

CASES = [
    ("How big is their fleet?", "four hundred refrigerated trucks"),
    ("Who approves the budget?", "finance director"),
    ("What are the customer's security requirements?", "single sign-on"),
    ("How long does implementation take?", "eight to ten weeks"),
    ("What is the main operational problem?", "waiting at the docks"),
    ("Wer gibt das Budget frei?", "Herrn Vogt"),
    ("Welche Einwände gibt es?", "Betriebsrat hat Bedenken"),
    ("Was ist das Ziel des Kunden?", "Leerfahrten"),
    ("What does the works council worry about?", "Betriebsrat"),
]


@pytest.fixture
def deal(use_store: Store) -> Store:
    use_store.chunk_words = 20  # one chunk per turn or paragraph, so a wrong hit shows
    use_store.create_deal("fleet")
    for name, body in (("discovery.vtt", CALL_EN), ("notizen.md", NOTIZ_DE)):
        r = ingest_bytes(use_store, "fleet", name, body.encode(), max_bytes=10**7)
        assert r.status == IngestStatus.ACCEPTED, r.reason
    assert len(use_store.all_chunks("fleet")) >= 8
    return use_store


@pytest.mark.parametrize(("question", "expected"), CASES)
def test_plain_question_finds_the_passage(deal: Store, question: str, expected: str) -> None:
    hits = hybrid_search(deal, "fleet", question, k=2)
    assert any(expected in h.text for h in hits), [h.text for h in hits]


def test_rrf_rewards_agreement() -> None:
    scores = rrf([["a", "b", "c"], ["b", "a", "d"]])
    assert max(scores, key=scores.__getitem__) in {"a", "b"}
    assert scores["a"] == scores["b"] > scores["c"] > 0


@pytest.mark.skipif(not os.environ.get("HANDOFF_TEST_DATABASE_URL"),
                    reason="needs HANDOFF_TEST_DATABASE_URL (a live PostgreSQL server)")
def test_postgresql_lexical_search_ranks_as_fts5_does(tmp_path, use_embedder) -> None:
    from handoff.settings import get_settings
    from index import lexical
    from tests.live_services import service_overrides

    stores = {}
    for name, extra in (("sqlite", {}), ("postgresql", service_overrides(tmp_path / "pg"))):
        store = Store.open(get_settings(home=tmp_path / name, **{"database_url": None, **extra}),
                           embedder=use_embedder)
        assert store.engine.dialect.name == name
        store.chunk_words = 20
        store.create_deal("fleet")
        for file, body in (("discovery.vtt", CALL_EN), ("notizen.md", NOTIZ_DE)):
            ingest_bytes(store, "fleet", file, body.encode(), max_bytes=10**7)
        stores[name] = store

    def ranked(store: Store, question: str) -> list[str]:
        texts = {c.id: c.text for c in store.all_chunks("fleet")}
        with store.engine.connect() as conn:
            return [texts[h.chunk_id] for h in lexical.search(conn, "fleet", question, 5)]

    for question, _ in CASES:
        pg, lite = ranked(stores["postgresql"], question), ranked(stores["sqlite"], question)
        assert pg == lite, question
