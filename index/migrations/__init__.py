"""Schema migrations (Alembic): every open of the store brings its database to the head revision.

Design note. The schema used to be whatever ``Base.metadata.create_all`` made when the store
opened, so a column added by a new version never reached a deployed database (the job queue
needed an ad-hoc ``ALTER TABLE`` to keep old ``jobs`` tables working). Now the revisions in
``versions/`` are the only path to a schema: a fresh database is created by running them all,
and :func:`upgrade` runs the missing ones on every open, so an upgrade of the product keeps
the data of a deployed SQLite file or PostgreSQL database.

Alembic is configured here, in code (:func:`config`), with the scripts shipped inside the
package, so no ``alembic.ini`` is needed at run time. The revisions spell their tables out
instead of reading the models: a revision is what the schema *was* at that step, and the models
only describe the head (``tests/index/test_migrations.py`` compares the two).

A database made by a version before migrations has tables but no ``alembic_version``: it is
*adopted* by looking at what it has (:func:`_legacy_revision`) and stamping that revision,
or, when it predates the job queue, by running the baseline, which keeps the tables it finds.

Several processes (web workers, ``handoff worker``, the CLI) may open the store at once, so the
upgrade runs in one transaction that first takes a lock: ``pg_advisory_xact_lock`` on
PostgreSQL, ``BEGIN IMMEDIATE`` (the database's write lock) on SQLite. The second process
waits, then finds the database at head and does nothing.

A new revision, after changing a model: upgrade a scratch database to head, then let Alembic
write the difference, naming the revision after the last one (``0004_what_it_does``)::

    import api.models  # the app's tables too
    from alembic import command
    from index import migrations
    cfg = migrations.config()
    cfg.set_main_option("sqlalchemy.url", "sqlite:////tmp/scratch.db")
    command.revision(cfg, "what it does", autogenerate=True, rev_id="0004_what_it_does")
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

from handoff.errors import ConfigError

log = logging.getLogger("handoff.migrations")

BASELINE = "0001_baseline"
JOB_QUEUE = "0002_job_queue"
CHUNK_TOKEN_COUNT = "0003_chunk_token_count"

# a key of our own for pg_advisory_xact_lock: any bigint, the same in every process
_PG_LOCK_KEY = 0x68616E646F6666  # "handoff"

# full-text objects of the lexical index, made by the baseline and absent from the models: the
# FTS5 virtual table with its shadow tables on SQLite, the GIN expression index on PostgreSQL
_LEXICAL_TABLE = "chunks_fts"
_LEXICAL_INDEX = "ix_chunks_fts"


def is_lexical_object(name: str | None, type_: str) -> bool:
    """Whether a database object belongs to the full-text index, which the models do not
    declare (so autogenerate and the schema comparison leave it alone)."""
    if name is None:
        return False
    if type_ == "table":
        return name == _LEXICAL_TABLE or name.startswith(_LEXICAL_TABLE + "_")
    return type_ == "index" and name == _LEXICAL_INDEX


def config(connection: Connection | None = None) -> Config:
    """The Alembic configuration of the product, with the scripts shipped in this package.

    Args:
        connection: The connection the commands run on (``env.py`` uses it and leaves the
            transaction to the caller).
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).resolve().parent))
    cfg.set_main_option("file_template", "%%(rev)s")  # a revision's file is named by its id
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@cache
def _scripts() -> ScriptDirectory:
    """The revision scripts, read once per process (every open of the store consults them)."""
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision the scripts know."""
    rev = _scripts().get_current_head()
    if rev is None:  # pragma: no cover - the package ships its revisions
        raise RuntimeError("no migration scripts found in index/migrations/versions: "
                           "reinstall the package")
    return rev


def current(engine: Engine) -> str | None:
    """The revision the database is at; None for a database without ``alembic_version``."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Bring the database to ``revision`` (the head by default), adopting an unversioned one.

    Safe to call from several processes at once: the first takes the lock and migrates, the
    others wait for it and find nothing to do. A database already there is only read.

    Returns:
        The revision the database was at before (None: a new or unversioned database).

    Raises:
        ConfigError: The database is at a revision these scripts do not know (a newer
            version of the product upgraded it).
    """
    scripts = _scripts()
    target = scripts.get_current_head() if revision == "head" else revision
    at = current(engine)
    if at is not None and at == target:
        return at  # the usual open: no lock, no write
    with _locked(engine) as conn:
        before = MigrationContext.configure(conn).get_current_revision()
        if before is not None:
            _check_known(scripts, before)
        cfg = config(conn)
        if before is None:
            adopted = _legacy_revision(conn)
            if adopted is not None:
                log.info("database made before migrations: stamped at %s", adopted)
                command.stamp(cfg, adopted)
        command.upgrade(cfg, revision)
        after = MigrationContext.configure(conn).get_current_revision()
        conn.commit()
    if after != before:
        log.info("database upgraded from %s to %s", before or "nothing", after)
    return before


def _check_known(scripts: ScriptDirectory, revision: str) -> None:
    try:
        scripts.get_revision(revision)
    except CommandError as exc:
        raise ConfigError(
            f"the database is at schema revision {revision!r}, which this version of handoff "
            f"does not know (its newest is {scripts.get_current_head()!r}): a newer version "
            "upgraded it; install that version (or newer) to use this database") from exc


def _legacy_revision(conn: Connection) -> str | None:
    """The revision an unversioned database made by ``create_all`` is at; None when the
    baseline has to run (a new database, or one from before the job queue)."""
    insp = inspect(conn)
    tables = set(insp.get_table_names())
    if "jobs" not in tables or "chunks" not in tables:
        return None  # new, or made without the app's tables (CLI only): the baseline adopts
    jobs = {c["name"] for c in insp.get_columns("jobs")}
    if "attempts" not in jobs:
        return None  # before the job queue: the baseline keeps its tables, 0002 adds columns
    chunks = {c["name"] for c in insp.get_columns("chunks")}
    return CHUNK_TOKEN_COUNT if "token_count" in chunks else JOB_QUEUE


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that holds the database's migration lock."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # the write lock now, not at the first write: a second process waits here (up to
            # the busy timeout) instead of both reading "no version" and both migrating
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            # held until the transaction ends
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        yield conn  # closing the connection rolls back what was not committed
