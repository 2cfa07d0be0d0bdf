"""Ingestion: files and folders in, one result per file out.

Each file is read, size-checked, de-duplicated by sha256 within its deal, parsed and stored
on its own: a rejected file never stops the others of the same upload, and never leaves
anything behind (see :mod:`index.store`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from handoff.errors import InputError, ParseError
from index.parsers import parse_bytes
from index.store import Store


class IngestStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class IngestResult:
    filename: str
    status: IngestStatus
    reason: str = ""
    document_id: str | None = None
    format: str | None = None
    segments: int = 0
    chunks: int = 0


def expand_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, folders walked recursively in name order (hidden files skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path)
                if child.is_file() and not any(p.startswith(".") for p in rel.parts):
                    yield child
        else:
            yield path


def ingest_bytes(store: Store, deal_id: str, filename: str, data: bytes,
                 *, max_bytes: int) -> IngestResult:
    """Parse and store one file for a deal; never raises for bad input, reports it instead."""
    if len(data) > max_bytes:
        return IngestResult(filename, IngestStatus.REJECTED,
                            f"file is {len(data) / 1048576:.1f} MB, over the "
                            f"{max_bytes / 1048576:.0f} MB limit")
    dup = store.find_duplicate(deal_id, hashlib.sha256(data).hexdigest())
    if dup is not None:
        return IngestResult(filename, IngestStatus.DUPLICATE, f"same content as {dup}")
    try:
        doc = parse_bytes(data, filename, max_bytes=max_bytes)
    except ParseError as exc:
        return IngestResult(filename, IngestStatus.REJECTED, exc.problem)
    doc_id, n_chunks = store.add_document(deal_id, doc, data)
    return IngestResult(filename, IngestStatus.ACCEPTED, document_id=doc_id, format=doc.format,
                        segments=len(doc.segments), chunks=n_chunks)


def ingest_paths(store: Store, deal_id: str, paths: Iterable[Path], *, max_bytes: int,
                 on_result: Callable[[IngestResult], None] | None = None) -> list[IngestResult]:
    """Ingest files and folders into a deal (created if missing)."""
    store.create_deal(deal_id)
    results = []
    for path in expand_paths(paths):
        if not path.exists():
            result = IngestResult(path.name, IngestStatus.REJECTED, f"no such file: {path}")
        else:
            try:
                size = path.stat().st_size
                if size > max_bytes:  # do not read a huge file into memory just to refuse it
                    result = IngestResult(path.name, IngestStatus.REJECTED,
                                          f"file is {size / 1048576:.1f} MB, over the "
                                          f"{max_bytes / 1048576:.0f} MB limit")
                else:
                    result = ingest_bytes(store, deal_id, path.name, path.read_bytes(),
                                          max_bytes=max_bytes)
            except (OSError, InputError) as exc:
                result = IngestResult(path.name, IngestStatus.REJECTED, str(exc))
        results.append(result)
        if on_result:
            on_result(result)
    return results
