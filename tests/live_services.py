"""Live services for the test suite: the same tests on SQLite/embedded Chroma or on servers.

With no ``HANDOFF_TEST_*`` variable set, a test's settings point at its own HANDOFF_HOME
(SQLite file, embedded Chroma), as a single-machine user runs the product. With them set (as
``.ci/run`` does after ``scripts/services.sh start``), every test home gets a fresh database
on the live PostgreSQL server and a fresh place on the live Chroma server, so tests stay
isolated from each other while exercising the team back-ends.

    HANDOFF_TEST_DATABASE_URL   e.g. postgresql+psycopg://handoff:handoff@127.0.0.1:55432/handoff
    HANDOFF_TEST_CHROMA_URL     e.g. http://127.0.0.1:58000
    HANDOFF_TEST_DB_PREFIX      prefix of the per-test databases (default ``t_``)
"""

from __future__ import annotations

import atexit
import hashlib
import os
from pathlib import Path

_chroma_databases: list[tuple[str, str]] = []  # (server URL, database) made by this session
_pg_databases: list[tuple[str, str]] = []


_made: dict[Path, dict[str, object]] = {}  # test home -> its overrides, made once


def service_overrides(home: Path) -> dict[str, object]:
    """Settings overrides that put the test home ``home`` on the configured live services.

    Made once per home: a test that builds settings for the same home again (another backend,
    a second app) gets the same database, not a fresh one that drops the first under it.
    """
    key = home.resolve()
    if key not in _made:
        overrides: dict[str, object] = {}
        overrides.update(_database(home))
        overrides.update(_vectors(home))
        _made[key] = overrides
    return dict(_made[key])


def _database(home: Path) -> dict[str, object]:
    """A fresh database on the live PostgreSQL server for this test home, dropped at exit."""
    url = os.environ.get("HANDOFF_TEST_DATABASE_URL")
    if not url:
        return {}
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    prefix = os.environ.get("HANDOFF_TEST_DB_PREFIX", "t_")
    name = prefix + hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:24]
    server = make_url(url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    if not _pg_databases:
        atexit.register(_drop_pg_databases)
    _pg_databases.append((url, name))
    return {"database_url": server.set(database=name).render_as_string(hide_password=False)}


def _drop_pg_databases() -> None:
    from sqlalchemy import create_engine, text

    while _pg_databases:
        url, name = _pg_databases.pop()
        try:
            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        except Exception as exc:  # noqa: BLE001 - report and go on: the server may be gone
            print(f"live_services: could not drop database {name}: {exc}")


def _vectors(home: Path) -> dict[str, object]:
    """A fresh Chroma database on the live server for this test home, dropped at exit."""
    url = os.environ.get("HANDOFF_TEST_CHROMA_URL")
    if not url:
        return {}
    from index import chroma_store

    name = "t-" + hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:24]
    if not _chroma_databases:
        atexit.register(_drop_chroma_databases)
    chroma_store.create_database(url, name)
    _chroma_databases.append((url, name))
    return {"chroma_url": url, "chroma_database": name}


def _drop_chroma_databases() -> None:
    from index import chroma_store

    while _chroma_databases:
        url, name = _chroma_databases.pop()
        try:
            chroma_store.drop_database(url, name)
        except Exception as exc:  # noqa: BLE001 - report and go on: the server may be gone
            print(f"live_services: could not drop Chroma database {name} at {url}: {exc}")
