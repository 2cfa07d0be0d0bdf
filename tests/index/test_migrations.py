"""Schema migrations: an upgrade of the product keeps a deployed database and its rows.

Runs on the test's own database: a SQLite file, or a fresh PostgreSQL database when
HANDOFF_TEST_DATABASE_URL is set (see tests/live_services.py). Old databases are made the way
the old versions made them: by the migrations up to an older revision, or by ``create_all``
without any ``alembic_version`` (every version before migrations).
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from api import models  # noqa: F401  (the app's tables are part of the schema)
from handoff.domain import ParsedDocument, Segment, SegmentKind, SourceKind
from handoff.errors import ConfigError
from handoff.settings import Settings
from index import lexical, migrations
from index.db import Base, make_engine
from index.store import Store
from tests.conftest import HashEmbedder

WORD = re.compile(r"\w+")
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
CHUNKS = {
    "doc1:0": "Markus Fischer (CFO) confirmed the budget: 96,000 EUR a year for 120 seats.",
    "doc1:1": "Die Budgetfreigabe über 96.000 € kommt vom CFO; Go-live zehn Wochen nach Kickoff.",
}
QUEUE_COLUMNS = {"params", "attempts", "worker", "lease_expires_at", "cancel_requested",
                 "retry_at"}

_deals = sa.table("deals", sa.column("id", sa.String), sa.column("name", sa.String),
                  sa.column("owner_id", sa.Integer), sa.column("language", sa.String),
                  sa.column("created_at", sa.DateTime(timezone=True)))
_documents = sa.table(
    "documents", sa.column("id", sa.String), sa.column("deal_id", sa.String),
    sa.column("filename", sa.String), sa.column("sha256", sa.String),
    sa.column("format", sa.String), sa.column("kind", sa.String), sa.column("size", sa.Integer),
    sa.column("text", sa.Text), sa.column("meta", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)))
_chunks = sa.table(
    "chunks", sa.column("id", sa.String), sa.column("deal_id", sa.String),
    sa.column("document_id", sa.String), sa.column("ordinal", sa.Integer),
    sa.column("start", sa.Integer), sa.column("end", sa.Integer),
    sa.column("first_segment", sa.Integer), sa.column("last_segment", sa.Integer),
    sa.column("text", sa.Text))
_segments = sa.table(
    "segments", sa.column("document_id", sa.String), sa.column("idx", sa.Integer),
    sa.column("kind", sa.String), sa.column("start", sa.Integer), sa.column("end", sa.Integer),
    sa.column("locator", sa.String), sa.column("hidden", sa.Boolean),
    sa.column("meta", sa.JSON))
_jobs = sa.table(
    "jobs", sa.column("id", sa.String), sa.column("deal_id", sa.String),
    sa.column("kind", sa.String), sa.column("status", sa.String),
    sa.column("message", sa.Text), sa.column("created_by", sa.String),
    sa.column("created_at", sa.DateTime(timezone=True)))


@pytest.fixture
def engine(settings: Settings) -> Any:
    """The test's database (SQLite file or fresh PostgreSQL database), still empty."""
    engine = make_engine(settings.db_url)
    yield engine
    engine.dispose()


def _seed(engine: Engine) -> None:
    """A deal with a document, its chunks (indexed as the old store indexed them) and a job,
    written with the columns every revision has."""
    text = " ".join(CHUNKS.values())
    with engine.begin() as conn:
        conn.execute(_deals.insert().values(id="nordwind", name="Nordwind Logistik",
                                            owner_id=None, language="de", created_at=T0))
        conn.execute(_documents.insert().values(
            id="doc1", deal_id="nordwind", filename="discovery.md", sha256="a" * 64,
            format="markdown", kind="crm_note", size=len(text.encode()), text=text, meta={},
            created_at=T0))
        start = 0
        for ordinal, (cid, body) in enumerate(CHUNKS.items()):
            conn.execute(_segments.insert().values(
                document_id="doc1", idx=ordinal, kind="paragraph", start=start,
                end=start + len(body), locator=f"paragraph {ordinal + 1}", hidden=False,
                meta={}))
            conn.execute(_chunks.insert().values(
                id=cid, deal_id="nordwind", document_id="doc1", ordinal=ordinal, start=start,
                end=start + len(body), first_segment=ordinal, last_segment=ordinal, text=body))
            start += len(body) + 1
        lexical.add_chunks(conn, "nordwind", list(CHUNKS.items()))
        conn.execute(_jobs.insert().values(id="job1", deal_id="nordwind", kind="brief",
                                           status="succeeded", message="done",
                                           created_by="rep@example.com", created_at=T0))


def _drop_version_table(engine: Engine) -> None:
    """What a version before migrations left: the same tables, no ``alembic_version``."""
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns(table)}


def _open(settings: Settings) -> Store:
    return Store.open(settings, embedder=HashEmbedder())


def _assert_upgraded_with_rows(store: Store) -> None:
    engine = store.engine
    assert migrations.current(engine) == migrations.head()
    assert QUEUE_COLUMNS <= _columns(engine, "jobs")
    assert "uq_jobs_one_active" in {i["name"] for i in sa.inspect(engine).get_indexes("jobs")}
    assert [d.id for d in store.list_deals()] == ["nordwind"]
    stored = store.document("nordwind", "doc1").doc
    assert stored.filename == "discovery.md"
    assert [seg.text for seg in stored.segments] == list(CHUNKS.values())
    chunks = store.all_chunks("nordwind")
    assert {c.id: c.text for c in chunks} == CHUNKS
    assert {c.id: c.token_count for c in chunks} == {
        cid: len(WORD.findall(body)) for cid, body in CHUNKS.items()}
    with engine.connect() as conn:
        job = conn.execute(sa.text("SELECT status, attempts, cancel_requested FROM jobs "
                                   "WHERE id = 'job1'")).one()
        assert (job[0], job[1], bool(job[2])) == ("succeeded", 0, False)
        hits = lexical.search(conn, "nordwind", "Who gives the Budgetfreigabe?", 5)
    assert hits and hits[0].chunk_id == "doc1:1"


@pytest.mark.parametrize("revision", [migrations.BASELINE, migrations.JOB_QUEUE])
def test_a_database_at_an_older_revision_keeps_its_rows_through_the_upgrade(
        settings: Settings, engine: Engine, revision: str) -> None:
    migrations.upgrade(engine, revision)
    assert migrations.current(engine) == revision
    assert ("attempts" in _columns(engine, "jobs")) == (revision != migrations.BASELINE)
    assert "token_count" not in _columns(engine, "chunks")
    _seed(engine)

    store = _open(settings)
    _assert_upgraded_with_rows(store)

    # the store goes on working: a new document's chunks get their count at ingest
    note = "Über das SAP-Konnektor-Budget entscheidet Anna Weber."
    doc = ParsedDocument(filename="follow-up.md", format="markdown", kind=SourceKind.CRM_NOTE,
                         text=note, segments=[Segment(index=0, kind=SegmentKind.PARAGRAPH,
                                                      start=0, end=len(note), text=note)])
    doc_id, _ = store.add_document("nordwind", doc, doc.text.encode())
    new = [c for c in store.all_chunks("nordwind") if c.document_id == doc_id]
    assert [c.token_count for c in new] == [len(WORD.findall(note))] == [8]
    with store.engine.connect() as conn:
        assert [h.chunk_id for h in lexical.search(conn, "nordwind", "Anna Weber", 5)] == [
            new[0].id]

    # opening again finds nothing to do
    assert migrations.upgrade(store.engine) == migrations.head()
    again = _open(settings)
    assert len(again.all_chunks("nordwind")) == 3
    with again.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    store.engine.dispose()
    again.engine.dispose()


@pytest.mark.parametrize("made_by", ["before the job queue", "the job queue's release"])
def test_a_database_made_by_create_all_before_migrations_is_adopted(
        settings: Settings, engine: Engine, made_by: str) -> None:
    revision = migrations.BASELINE if made_by == "before the job queue" else migrations.JOB_QUEUE
    migrations.upgrade(engine, revision)  # the same tables as that version's create_all made
    _seed(engine)
    _drop_version_table(engine)
    assert migrations.current(engine) is None

    store = _open(settings)
    _assert_upgraded_with_rows(store)
    store.engine.dispose()


def test_a_database_made_by_the_current_models_create_all_is_stamped_at_head(
        engine: Engine) -> None:
    Base.metadata.create_all(engine)  # a development build made it without migrations
    with engine.begin() as conn:
        conn.execute(_deals.insert().values(id="d1", name="D", created_at=T0))
    migrations.upgrade(engine)
    assert migrations.current(engine) == migrations.head()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id FROM deals")).scalars().all() == ["d1"]


def test_a_jobs_table_of_the_thread_pool_runner_is_upgraded(settings: Settings,
                                                             engine: Engine) -> None:
    """The jobs table as the thread-pool runner made it, in a database the app never opened
    again since; two of its jobs were left running by a process that died."""
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE deals (id VARCHAR(64) PRIMARY KEY, name "
                             "VARCHAR(300) NOT NULL, owner_id INTEGER, language VARCHAR(8), "
                             "created_at TIMESTAMP NOT NULL)"))
        conn.execute(sa.text(
            "CREATE TABLE jobs (id VARCHAR(32) PRIMARY KEY, deal_id VARCHAR(64) NOT NULL "
            "REFERENCES deals(id) ON DELETE CASCADE, kind VARCHAR(16) NOT NULL, status "
            "VARCHAR(16) NOT NULL, message TEXT NOT NULL, error TEXT, result JSON, "
            "created_by VARCHAR(320) NOT NULL, created_at TIMESTAMP NOT NULL, started_at "
            "TIMESTAMP, finished_at TIMESTAMP)"))
        conn.execute(_deals.insert().values(id="d1", name="D1", created_at=T0))
        for job_id, minute in (("old", 0), ("new", 5)):
            conn.execute(_jobs.insert().values(
                id=job_id, deal_id="d1", kind="brief", status="running", message="",
                created_by="rep", created_at=T0.replace(minute=minute)))

    store = _open(settings)
    assert migrations.current(store.engine) == migrations.head()
    assert QUEUE_COLUMNS <= _columns(store.engine, "jobs")
    assert {"users", "chunks", "job_files"} <= set(sa.inspect(store.engine).get_table_names())
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, status, attempts, cancel_requested, error "
                                    "FROM jobs ORDER BY id")).all()
    assert [(r[0], r[1], r[2], bool(r[3])) for r in rows] == [
        ("new", "running", 0, False), ("old", "failed", 0, False)]
    assert "interrupted by an upgrade" in rows[1][4]
    store.engine.dispose()


def test_the_migrations_at_head_match_the_models(engine: Engine) -> None:
    """A model changed without a revision shows up here as a difference."""
    migrations.upgrade(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "include_name": lambda name, type_, _: not migrations.is_lexical_object(name, type_),
            "compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_two_processes_opening_a_new_database_at_once_migrate_it_once(
        settings: Settings) -> None:
    engines = [make_engine(settings.db_url) for _ in range(2)]
    start = threading.Barrier(2)
    results: list[object] = []

    def open_it(engine: Engine) -> None:
        start.wait()
        try:
            results.append(migrations.upgrade(engine))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            results.append(exc)

    threads = [threading.Thread(target=open_it, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "an open is still waiting after 60 s"
    # one migrated a new database (it was at no revision), the other found it at head
    assert sorted(results, key=str) == sorted([None, migrations.head()], key=str)
    assert migrations.current(engines[0]) == migrations.head()
    for e in engines:
        e.dispose()


def test_a_database_upgraded_by_a_newer_version_is_refused_with_what_to_do(
        engine: Engine) -> None:
    migrations.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099_from_the_future'"))
    with pytest.raises(ConfigError, match="0099_from_the_future.*install that version"):
        migrations.upgrade(engine)
    assert migrations.current(engine) == "0099_from_the_future"


def test_a_downgrade_to_the_baseline_and_back_keeps_the_rows(settings: Settings,
                                                              engine: Engine) -> None:
    migrations.upgrade(engine)
    _seed(engine)
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(migrations.config(conn), migrations.BASELINE)
    assert migrations.current(engine) == migrations.BASELINE
    assert not QUEUE_COLUMNS & _columns(engine, "jobs")
    assert "token_count" not in _columns(engine, "chunks")

    store = _open(settings)
    _assert_upgraded_with_rows(store)
    store.engine.dispose()
