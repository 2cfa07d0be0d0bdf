"""The deal store: SQL rows, the full-text index and the vector index, kept in step.

Design note: a document is stored all or nothing. Its rows, full-text entries and vectors are
written inside one SQL transaction that commits only after Chroma accepted the vectors; if
anything fails the transaction rolls back and the vectors already added are deleted, so no
half-stored document or orphan vector stays behind. Re-uploading the same bytes to the same
deal (same sha256), or the same text with other line endings (:mod:`index.fingerprints`), is a
no-op, also when two uploads race: the database's unique indexes decide, and the loser gets
:class:`DuplicateDocument`. The audit row of an upload is written in the same transaction, and
every delete ends with :func:`index.scrub.scrub`, so deleted text leaves the data folder.
Opening the store first brings its database to the newest schema (:mod:`index.migrations`).
"""

from __future__ import annotations

import hashlib
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from handoff.domain import ParsedDocument, Segment, SegmentKind, SourceKind
from handoff.errors import InputError, NotFoundError
from handoff.settings import Settings
from index import fingerprints, lexical, migrations
from index import records as _records  # registers the review tables
from index.chroma_store import ChromaStore
from index.chunking import chunk_document
from index.db import ChunkRow, DealRow, DocumentRow, SegmentRow, make_engine
from index.embedders import Embedder, make_embedder
from index.scrub import scrub, zero_freed_memory

_DEAL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class DealSummary:
    id: str
    name: str
    documents: int
    chunks: int
    owner_id: int | None


@dataclass(frozen=True)
class StoredDocument:
    id: str
    deal_id: str
    sha256: str
    doc: ParsedDocument


class DuplicateDocument(InputError):
    """The deal already holds this source: the same bytes or the same normalised text."""

    def __init__(self, existing: str) -> None:
        self.existing = existing
        super().__init__(f"same content as {existing}")


def check_deal_id(deal_id: str) -> str:
    if not _DEAL_ID.match(deal_id):
        raise InputError(
            f"invalid deal id {deal_id!r}: use 1-64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return deal_id


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48]
    return slug or "deal"


class Store:
    """Everything the product keeps about deals and their sources."""

    def __init__(self, engine: Engine, vectors: ChromaStore, embedder: Embedder,
                 *, chunk_words: int = 200) -> None:
        self.engine = engine
        self.vectors = vectors
        self.embedder = embedder
        self.chunk_words = chunk_words
        migrations.upgrade(engine)
        # SQLite's full-text index is derived data: its layout is checked (and rebuilt from
        # the chunks if it is an older one) on every open, apart from the schema's revisions
        lexical.create_lexical(engine)
        fingerprints.backfill(engine)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, embedder: Embedder | None = None, *,
             for_reindex: bool = False) -> Store:
        """The store the settings name; ``for_reindex``: its vectors are to be rebuilt."""
        zero_freed_memory()  # before any text passes through the heap: see index.scrub
        embedder = embedder or make_embedder(settings)
        if settings.chroma_url:
            vectors = ChromaStore.connect(
                settings.chroma_url, embedder.id, tenant=settings.chroma_tenant,
                database=settings.chroma_database, prefix=settings.chroma_prefix,
                rebuilding=for_reindex)
        else:
            vectors = ChromaStore.open(settings.chroma_path, embedder.id,
                                       rebuilding=for_reindex)
        return cls(make_engine(settings.db_url), vectors, embedder,
                   chunk_words=settings.chunk_words)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    # ------------------------------------------------------------------ deals

    def create_deal(self, deal_id: str | None = None, name: str | None = None,
                    owner_id: int | None = None) -> DealRow:
        """Create a deal, or return it if it exists. Without an id one is made from the name."""
        if deal_id is None:
            if not name:
                raise InputError("a deal needs an id or a name")
            deal_id = f"{slugify(name)}-{uuid.uuid4().hex[:6]}"
        check_deal_id(deal_id)
        with self.session() as s, s.begin():
            row = s.get(DealRow, deal_id)
            if row is None:
                row = DealRow(id=deal_id, name=name or deal_id, owner_id=owner_id)
                s.add(row)
            return row

    def get_deal(self, deal_id: str) -> DealRow:
        with self.session() as s:
            row = s.get(DealRow, deal_id)
            if row is None:
                raise NotFoundError(f"deal {deal_id!r} not found")
            return row

    def list_deals(self) -> list[DealSummary]:
        with self.session() as s:
            docs = dict(s.execute(select(DocumentRow.deal_id, func.count())
                                  .group_by(DocumentRow.deal_id)).all())
            chunks = dict(s.execute(select(ChunkRow.deal_id, func.count())
                                    .group_by(ChunkRow.deal_id)).all())
            return [DealSummary(d.id, d.name, docs.get(d.id, 0), chunks.get(d.id, 0), d.owner_id)
                    for d in s.scalars(select(DealRow).order_by(DealRow.created_at))]

    def delete_deal(self, deal_id: str) -> None:
        self.get_deal(deal_id)
        with self.engine.begin() as conn:
            lexical.delete_deal(conn, deal_id)
        with self.session() as s, s.begin():
            s.execute(delete(ChunkRow).where(ChunkRow.deal_id == deal_id))
            s.delete(s.get(DealRow, deal_id))
        self.vectors.delete_deal(deal_id)
        scrub(self.engine)

    # ------------------------------------------------------------------ documents

    def deal_lock(self, deal_id: str) -> threading.Lock:
        """The lock that makes "is it new? then store it" one step for a deal in this process.

        Uploads hold it from the duplicate check to the commit; across processes the unique
        indexes still decide (see :meth:`add_document`).
        """
        with self._locks_lock:
            return self._locks.setdefault(deal_id, threading.Lock())

    def find_duplicate(self, deal_id: str, sha256: str,
                       text_sha256: str | None = None) -> str | None:
        """The file name of a stored document with these bytes or this normalised text."""
        with self.session() as s:
            found = s.scalar(select(DocumentRow.filename).where(
                DocumentRow.deal_id == deal_id, DocumentRow.sha256 == sha256))
            if found is None and text_sha256 is not None:
                found = fingerprints.same_text(s, deal_id, text_sha256)
            return found

    def add_document(self, deal_id: str, doc: ParsedDocument, data: bytes, *,
                     actor: str | None = None, replaces: str | None = None) -> tuple[str, int]:
        """Store a parsed document with its chunks and vectors, all or nothing.

        Args:
            deal_id: The deal.
            doc: The parsed document.
            data: Its raw bytes (their sha256 identifies the upload).
            actor: Who uploaded it; given, the upload's audit row is written with it.
            replaces: The id of an earlier version of this source, removed in the same
                transaction (its vectors right after).

        Returns:
            The new document's id and its number of chunks.

        Raises:
            DuplicateDocument: The deal already holds the same bytes or normalised text,
                possibly stored a moment ago by a concurrent upload.
        """
        sha = hashlib.sha256(data).hexdigest()
        chunks = chunk_document(doc, self.chunk_words)
        doc_id = uuid.uuid4().hex
        chunk_ids = [f"{doc_id}:{c.ordinal}" for c in chunks]
        vectors = self.embedder.embed([c.text for c in chunks])  # before any write
        added = False
        with self.session() as s:
            try:
                with s.begin():
                    s.add(DocumentRow(
                        id=doc_id, deal_id=deal_id, filename=doc.filename, sha256=sha,
                        format=doc.format, kind=doc.kind.value, size=len(data), text=doc.text,
                        meta=doc.meta,
                    ))
                    s.flush()
                    if replaces is not None:  # after the first write: the lock is ours
                        self._delete_rows(s, replaces)
                    fingerprint = fingerprints.fingerprint_row(doc_id, deal_id, doc)
                    if fingerprint is not None:
                        s.add(fingerprint)
                        s.flush()  # a concurrent copy fails here, before any vector is written
                    if actor is not None:
                        s.add(_records.stored_document_audit(deal_id, actor, doc_id, {
                            "filename": doc.filename, "format": doc.format, "sha256": sha,
                            "chunks": len(chunks), **({"replaces": replaces} if replaces
                                                      else {})}))
                    s.add_all(_segment_row(doc_id, seg) for seg in doc.segments)
                    s.add_all(
                        ChunkRow(id=cid, deal_id=deal_id, document_id=doc_id, ordinal=c.ordinal,
                                 start=c.start, end=c.end, first_segment=c.first_segment,
                                 last_segment=c.last_segment, text=c.text,
                                 token_count=lexical.token_count(c.text))
                        for cid, c in zip(chunk_ids, chunks, strict=True)
                    )
                    lexical.add_chunks(s.connection(), deal_id,
                                       [(cid, c.text) for cid, c in zip(chunk_ids, chunks,
                                                                        strict=True)])
                    added = True  # set first: add() may fail after writing some vectors
                    self.vectors.add(deal_id, doc_id, chunk_ids, vectors)
            except IntegrityError as exc:
                if added:
                    self.vectors.delete_ids(deal_id, chunk_ids)
                existing = self.find_duplicate(deal_id, sha, fingerprints.text_digest(doc))
                if existing is None:
                    raise
                raise DuplicateDocument(existing) from exc
            except BaseException:
                if added:
                    self.vectors.delete_ids(deal_id, chunk_ids)
                raise
        if replaces is not None:
            self.vectors.delete_document(deal_id, replaces)
            scrub(self.engine)
        return doc_id, len(chunks)

    def documents(self, deal_id: str) -> list[StoredDocument]:
        """Every document of a deal, rebuilt as ParsedDocument with its segments."""
        with self.session() as s:
            rows = s.scalars(select(DocumentRow).where(DocumentRow.deal_id == deal_id)
                             .order_by(DocumentRow.created_at, DocumentRow.filename)).all()
            return [StoredDocument(r.id, r.deal_id, r.sha256, _to_parsed(r)) for r in rows]

    def document(self, deal_id: str, document_id: str) -> StoredDocument:
        with self.session() as s:
            row = s.get(DocumentRow, document_id)
            if row is None or row.deal_id != deal_id:
                raise NotFoundError(f"document {document_id!r} not found in deal {deal_id!r}")
            return StoredDocument(row.id, row.deal_id, row.sha256, _to_parsed(row))

    def delete_document(self, deal_id: str, document_id: str, *,
                        scrub_after: bool = True) -> None:
        """Delete a document with its chunks and vectors, and scrub its text from the files.

        Args:
            scrub_after: False when the caller rewrites more rows (the brief) first and
                calls :meth:`scrub` itself.
        """
        self.document(deal_id, document_id)
        with self.session() as s, s.begin():
            self._delete_rows(s, document_id)
        self.vectors.delete_document(deal_id, document_id)
        if scrub_after:
            self.scrub()

    def scrub(self) -> None:
        """Purge deleted text from the full-text index and the write-ahead log."""
        scrub(self.engine)

    @staticmethod
    def _delete_rows(s: Session, document_id: str) -> None:
        # Write first: on SQLite a transaction that reads and then writes fails at once
        # ("database is locked") when another write committed in between; writing first
        # takes the lock, waiting for it up to the busy timeout.
        s.execute(update(DocumentRow).where(DocumentRow.id == document_id)
                  .values(size=DocumentRow.size))
        chunks = s.execute(select(ChunkRow.id, ChunkRow.deal_id)
                           .where(ChunkRow.document_id == document_id)).all()
        for deal_id in {d for _, d in chunks}:
            lexical.delete_chunks(s.connection(), deal_id, [c for c, d in chunks if d == deal_id])
        s.execute(delete(ChunkRow).where(ChunkRow.document_id == document_id))
        row = s.get(DocumentRow, document_id)
        if row is not None:
            s.delete(row)

    def reindex(self, on_deal: Callable[[str, int], None] | None = None,
                batch: int = 256) -> tuple[int, int]:
        """Rebuild every deal's vectors from its stored chunks with this store's embedder.

        For a changed ``HANDOFF_EMBEDDER`` or a damaged vector index; open the store with
        ``for_reindex=True``. Chunks are embedded in batches of ``batch``. An interruption
        leaves the index marked incomplete (opening the store says so); running it again
        finishes it. Run it with the web app and workers stopped.

        Returns:
            How many deals and chunks were indexed.
        """
        self.vectors.begin_rebuild()
        deals = chunks = 0
        for deal in self.list_deals():
            with self.session() as s:
                rows = s.execute(select(ChunkRow.id, ChunkRow.document_id, ChunkRow.text)
                                 .where(ChunkRow.deal_id == deal.id)
                                 .order_by(ChunkRow.document_id, ChunkRow.ordinal)).all()
            for at in range(0, len(rows), batch):
                part = rows[at:at + batch]
                vectors = self.embedder.embed([r.text for r in part])
                by_doc: dict[str, list[int]] = {}
                for i, r in enumerate(part):
                    by_doc.setdefault(r.document_id, []).append(i)
                for doc_id, idx in by_doc.items():
                    self.vectors.add(deal.id, doc_id, [part[i].id for i in idx], vectors[idx],
                                     upsert=True)
            deals += 1
            chunks += len(rows)
            if on_deal is not None:
                on_deal(deal.id, len(rows))
        self.vectors.end_rebuild()
        return deals, chunks

    def all_chunks(self, deal_id: str) -> list[ChunkRow]:
        with self.session() as s:
            return list(s.scalars(select(ChunkRow).where(ChunkRow.deal_id == deal_id)
                                  .order_by(ChunkRow.document_id, ChunkRow.ordinal)))


def _segment_row(doc_id: str, seg: Segment) -> SegmentRow:
    return SegmentRow(
        document_id=doc_id, idx=seg.index, kind=seg.kind.value, start=seg.start, end=seg.end,
        speaker=seg.speaker, speaker_title=seg.speaker_title, timestamp=seg.timestamp,
        locator=seg.locator, hidden=seg.hidden, meta=seg.meta,
    )


def _to_parsed(row: DocumentRow) -> ParsedDocument:
    segments = [
        Segment(index=r.idx, kind=SegmentKind(r.kind), text=row.text[r.start:r.end],
                start=r.start, end=r.end, speaker=r.speaker, speaker_title=r.speaker_title,
                timestamp=r.timestamp, locator=r.locator, hidden=r.hidden, meta=dict(r.meta or {}))
        for r in row.segments
    ]
    meta: dict[str, Any] = dict(row.meta or {})
    return ParsedDocument(filename=row.filename, format=row.format, kind=SourceKind(row.kind),
                          text=row.text, segments=segments, meta=meta)
