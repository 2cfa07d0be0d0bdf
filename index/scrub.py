"""After a delete, no copy of the deleted text stays in the data folder.

Design note. Deleting rows from SQLite does not delete their text: the freed pages keep it
until reused, the write-ahead log (``handoff.db-wal``) keeps every page version written since
the last checkpoint, and an FTS5 index only records a deletion marker beside the indexed
terms until its segments are merged. A grep of HANDOFF_HOME found a deleted transcript's words
in all three, also after the server was killed with ``kill -9``. So the engine runs with
``PRAGMA secure_delete=ON`` (freed content is overwritten with zeros, see
:func:`index.db.make_engine`), and after every delete :func:`scrub` merges the full-text
index (``optimize`` rewrites it without the deleted rows) and checkpoints the log with
``TRUNCATE``, which copies the pages into the database file and empties the log. PostgreSQL
keeps dead tuples until VACUUM; there, deleted rows are left to autovacuum.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, text

log = logging.getLogger("handoff.store")


def scrub(engine: Engine) -> None:
    """Purge deleted content from the full-text index and the write-ahead log (SQLite)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as conn:
        exists = conn.execute(text(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'chunks_fts'")).first()
        if exists:
            conn.execute(text("INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')"))
    with engine.connect() as conn:
        busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if busy:  # a reader kept the log; the next delete or a clean stop checkpoints it
            log.warning("the write-ahead log could not be emptied: a reader is active")
