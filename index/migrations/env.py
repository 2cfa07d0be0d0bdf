"""Alembic's environment for the product's migrations: runs them on the caller's connection.

Design note. :func:`index.migrations.upgrade` opens the connection, takes the migration lock
and owns the transaction; this script only configures the context on that connection
(``render_as_batch`` on SQLite, whose ALTER TABLE cannot change much, so an operation that
needs it is done by copying the table). Without a connection (the ``alembic`` command line of
a developer) it connects to ``sqlalchemy.url``. Offline ``--sql`` mode is not supported: the
token-count revision computes its backfill in Python.

``target_metadata`` is the models' metadata as imported so far; autogenerate needs the app's
tables too, so import ``api.models`` before running it (the schema test does).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from index import fingerprints, records  # noqa: F401  (they register their tables)
from index.db import Base, make_engine
from index.migrations import is_lexical_object


def _include_name(name: str | None, type_: str, _parents: object) -> bool:
    return not is_lexical_object(name, type_)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_name=_include_name,
    )
    with context.begin_transaction():  # a no-op when the caller's transaction is open
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported: the token-count "
                         "revision backfills rows in Python; run them on a database")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("no database to migrate: set sqlalchemy.url, or open the store "
                         "(it upgrades the database itself)")
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


main()
