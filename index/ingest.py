"""Ingestion: files and folders in, one result per file out.

Each file is named safely (:mod:`index.filenames`), size-checked, de-duplicated within its
deal, parsed and stored on its own: a rejected file never stops the others of the same upload,
and never leaves anything behind (see :mod:`index.store`).

Design note. "Is it new? then store it" must be one step, or two uploads of the same file
at the same moment are both new (measured: 1 accepted, 4 HTTP 500 from the unique index).
Parsing, the slow part, runs outside any lock; the duplicate checks and the write run under
the deal's lock in this process, and the store's unique indexes settle a race with another
process. A duplicate is a duplicate, whatever the timing. A transcript that is a re-export of
a stored one (:func:`index.fingerprints.earlier_version`) replaces it in the same transaction,
so the deal keeps one version of each call and the brief cites it once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from handoff.domain import ParsedDocument
from handoff.errors import InputError, ParseError
from index import fingerprints
from index.filenames import printable, safe_filename
from index.parsers import parse_bytes
from index.store import DuplicateDocument, Store

log = logging.getLogger("handoff.ingest")

INTERNAL_PROBLEM = ("could not be stored because of an internal error (see the server log); "
                    "nothing of it was kept, the other files are not affected")


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
    replaced_id: str | None = None  # the earlier version this upload replaced
    replaced_name: str | None = None


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


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit"


def ingest_bytes(store: Store, deal_id: str, filename: str, data: bytes,
                 *, max_bytes: int, actor: str | None = None) -> IngestResult:
    """Parse and store one file for a deal; never raises for bad input, reports it instead.

    Args:
        store: The store.
        deal_id: The deal (must exist).
        filename: The name as received; stored as :func:`index.filenames.safe_filename`.
        data: The file's bytes.
        max_bytes: The per-file limit.
        actor: Who uploads; given, each stored document gets its audit row.
    """
    name = safe_filename(filename)
    if len(data) > max_bytes:
        return IngestResult(name, IngestStatus.REJECTED, _too_big(len(data), max_bytes))
    sha = hashlib.sha256(data).hexdigest()
    dup = store.find_duplicate(deal_id, sha)
    if dup is not None:  # cheap, before parsing; checked again under the lock
        return IngestResult(name, IngestStatus.DUPLICATE, f"same content as {dup}")
    try:
        doc = parse_bytes(data, name, max_bytes=max_bytes)
    except ParseError as exc:
        return IngestResult(name, IngestStatus.REJECTED, exc.problem)
    if name != filename:
        doc.meta["original_filename"] = printable(filename)[:1000]
    try:
        return _store(store, deal_id, name, doc, data, actor)
    except DuplicateDocument as exc:
        return IngestResult(name, IngestStatus.DUPLICATE, str(exc))
    except Exception:  # a bug or a failing disk: this file fails alone, with a reason
        log.exception("storing %s in deal %s failed", name, deal_id)
        return IngestResult(name, IngestStatus.REJECTED, INTERNAL_PROBLEM)


def _store(store: Store, deal_id: str, name: str, doc: ParsedDocument, data: bytes,
           actor: str | None) -> IngestResult:
    with store.deal_lock(deal_id):
        dup = store.find_duplicate(deal_id, hashlib.sha256(data).hexdigest(),
                                   fingerprints.text_digest(doc))
        if dup is not None:
            return IngestResult(name, IngestStatus.DUPLICATE, f"same content as {dup}")
        stored = {d.id: d.doc for d in store.documents(deal_id)}
        earlier = fingerprints.earlier_version(doc, stored.items())
        old = stored[earlier[0]] if earlier else None
        if old is not None:
            doc.meta["replaces"] = old.filename
            doc.meta["version"] = str(int(old.meta.get("version", "1")) + 1)
        doc_id, n_chunks = store.add_document(deal_id, doc, data, actor=actor,
                                              replaces=earlier[0] if earlier else None)
    if earlier is None or old is None:
        return IngestResult(name, IngestStatus.ACCEPTED, document_id=doc_id, format=doc.format,
                            segments=len(doc.segments), chunks=n_chunks)
    return IngestResult(name, IngestStatus.ACCEPTED,
                        f"new version of {old.filename} ({earlier[1]:.0%} the same); it "
                        "replaces that version", document_id=doc_id, format=doc.format,
                        segments=len(doc.segments), chunks=n_chunks, replaced_id=earlier[0],
                        replaced_name=old.filename)


def ingest_paths(store: Store, deal_id: str, paths: Iterable[Path], *, max_bytes: int,
                 on_result: Callable[[IngestResult], None] | None = None,
                 actor: str | None = None) -> list[IngestResult]:
    """Ingest files and folders into a deal (created if missing)."""
    store.create_deal(deal_id)
    results = []
    for path in expand_paths(paths):
        if not path.exists():
            result = IngestResult(safe_filename(path.name), IngestStatus.REJECTED,
                                  f"no such file: {printable(str(path))}")
        else:
            try:
                size = path.stat().st_size
                if size > max_bytes:  # do not read a huge file into memory just to refuse it
                    result = IngestResult(safe_filename(path.name), IngestStatus.REJECTED,
                                          _too_big(size, max_bytes))
                else:
                    result = ingest_bytes(store, deal_id, path.name, path.read_bytes(),
                                          max_bytes=max_bytes, actor=actor)
            except (OSError, InputError) as exc:
                result = IngestResult(safe_filename(path.name), IngestStatus.REJECTED, str(exc))
        results.append(result)
        if on_result:
            on_result(result)
    return results
