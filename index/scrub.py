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

One more copy hides in process memory: the vector index (hnswlib inside Chroma) writes
buffers it never initialised to ``data_level0.bin``, and they held whatever the process had
freed before, measured: a whole brief's JSON. :func:`zero_freed_memory` asks glibc to
overwrite every heap block when it is freed (``M_PERTURB``), so a later allocation cannot
carry old text to disk.
"""

from __future__ import annotations

import ctypes
import logging

from sqlalchemy import Engine, text

log = logging.getLogger("handoff.store")


_M_PERTURB = -6  # glibc malloc.h
_PERTURB_BYTE = 0x5A


def zero_freed_memory() -> bool:
    """Have the C heap overwrite freed blocks (glibc); False where that is not available."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_PERTURB, _PERTURB_BYTE))


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
