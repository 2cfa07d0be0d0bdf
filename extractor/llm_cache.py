"""A response cache for structured model calls, so an unchanged question is asked only once.

Design note. The chain asks at temperature 0, so the same prompt to the same model gives the
same answer; on the embedded CPU model that answer costs one to two minutes per category.
Re-running extraction after a rep's confirmations, after a code change to grounding or merging,
or in an eval therefore pays again for nothing. :class:`CachedLLM` wraps any
:class:`~extractor.llm.StructuredLLM` and keeps each *validated* answer in a SQLite file,
keyed by a hash of everything that shapes it: the endpoint and model (the namespace), the
messages, the output schema and the token limit. A changed prompt, example or passage is a
different key, so a prompt edit is never answered from the cache. Failures and answers cut off
at the token limit are not cached: measured, a re-asked cut-off answer sometimes finishes.
A hit costs no tokens: it is counted in ``TokenUsage.cached_calls``, not in the token totals.
Each row also keeps what the answer cost when it was asked (tokens, seconds, when), so the
file answers "what did the model time go on" with one SQL query.
Turn it off with ``HANDOFF_LLM_CACHE=false``; delete the file to empty it.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from extractor.llm import StructuredLLM, Usage

T = TypeVar("T", bound=BaseModel)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    namespace TEXT NOT NULL,
    output TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    seconds REAL NOT NULL,
    created_at TEXT NOT NULL DEFAULT (datetime('now'))
)
"""


def cache_key(namespace: str, messages: list[tuple[str, str]], output: type[BaseModel],
              max_tokens: int) -> str:
    basis = json.dumps({"ns": namespace, "messages": [list(m) for m in messages],
                        "schema": output.model_json_schema(), "max_tokens": max_tokens},
                       sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(basis.encode()).hexdigest()


class CachedLLM:
    """A StructuredLLM that answers repeated questions from a SQLite file."""

    def __init__(self, inner: StructuredLLM, path: Path, namespace: str) -> None:
        self.inner = inner
        self.backend = inner.backend
        self.model = inner.model
        self.path = path
        self.namespace = namespace
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(_SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock, closing(sqlite3.connect(self.path, timeout=30)) as db, db:
            yield db

    def complete(self, messages: list[tuple[str, str]], output: type[T], *,
                 max_tokens: int = 1024) -> tuple[T, Usage]:
        key = cache_key(self.namespace, messages, output, max_tokens)
        with self._db() as db:
            row = db.execute("SELECT output FROM answers WHERE key = ?", (key,)).fetchone()
        if row is not None:
            try:
                return output.model_validate_json(row[0]), Usage(cached=True)
            except ValidationError:
                pass  # written by an older schema: ask again and overwrite
        result, usage = self.inner.complete(messages, output, max_tokens=max_tokens)
        if usage.truncated:
            return result, usage  # a cut-off answer: ask again next time, it may finish
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO answers (key, namespace, output, prompt_tokens, "
                       "completion_tokens, seconds) VALUES (?, ?, ?, ?, ?, ?)",
                       (key, self.namespace, result.model_dump_json(), usage.prompt_tokens,
                        usage.completion_tokens, usage.seconds))
        return result, usage


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def forget_texts(path: Path, texts: list[str], *, min_chars: int = 12) -> int:
    """Delete the cached answers that quote any of ``texts`` (a deleted document's text).

    The cache is keyed by a hash of the request, so the rows a document's passages shaped
    cannot be found by their key; the answers that repeat its words can. Freed pages are
    zeroed (``secure_delete``) so the quotes leave the file, not only the index.

    Returns:
        How many answers were deleted.
    """
    if not path.is_file() or not texts:
        return 0
    haystacks = [" ".join(t.split()).casefold() for t in texts if t.strip()]
    with closing(sqlite3.connect(path, timeout=30)) as db, db:
        db.execute("PRAGMA secure_delete=ON")
        doomed = []
        for key, output in db.execute("SELECT key, output FROM answers"):
            try:
                values = [" ".join(v.split()).casefold() for v in _strings(json.loads(output))]
            except ValueError:
                continue
            if any(len(v) >= min_chars and any(v in h for h in haystacks) for v in values):
                doomed.append((key,))
        db.executemany("DELETE FROM answers WHERE key = ?", doomed)
    return len(doomed)
