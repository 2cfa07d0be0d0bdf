"""When is an upload the same source again: same text, or a re-export of the same call.

Design note. Byte equality (the documents' sha256) misses the copies a careless user makes:
the same transcript saved with CRLF endings, with a trailing newline, with a BOM. Each was
stored again, its chunks counted twice and the brief changed. So every uploaded source also
gets the digest of its *normalised* text (line endings, trailing whitespace, BOM, Unicode
form), kept in a table of its own with a unique index per deal: two concurrent uploads of
such copies cannot both be stored, whatever the timing, on SQLite and PostgreSQL alike.

A re-export of a call with small edits (a corrected name, a re-transcribed sentence, shifted
timestamps) is not a copy but a new version of the same source. Two transcripts are versions
of one call when the word 5-shingles of what was said overlap by at least
``VERSION_SIMILARITY`` (Jaccard); a different call of the same deal overlaps by a few percent.
Only transcripts are compared: an email reply quotes its predecessor and a proposal's next
draft states new terms, and both are sources of their own.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import Engine, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from handoff.domain import ParsedDocument, SourceKind
from index.db import Base, DocumentRow

VERSION_SIMILARITY = 0.8
_SHINGLE = 5
_WORD = re.compile(r"\w+", re.UNICODE)
_TRAILING = re.compile(r"[ \t\u00a0\u3000]+$", re.MULTILINE)
_VERSIONED_KINDS = frozenset({SourceKind.TRANSCRIPT})


class FingerprintRow(Base):
    """The normalised-text digest of an uploaded source, unique within its deal."""

    __tablename__ = "document_fingerprints"
    __table_args__ = (UniqueConstraint("deal_id", "text_sha256", name="uq_fingerprint_text"),)

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    deal_id: Mapped[str] = mapped_column(String(64), index=True)
    text_sha256: Mapped[str] = mapped_column(String(64))


def normalized_text(text: str) -> str:
    """Text with line endings, trailing whitespace, BOMs and Unicode form made uniform."""
    text = unicodedata.normalize("NFC", text.replace("\ufeff", ""))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _TRAILING.sub("", text).strip()


def text_digest(doc: ParsedDocument) -> str | None:
    """The digest two copies of one source share; None for kinds that are never compared.

    A rep's gap answers are exempt: two gaps may well get the same answer ("yes").
    """
    if doc.kind == SourceKind.REP_CONFIRMATION:
        return None
    return hashlib.sha256(normalized_text(doc.text).encode("utf-8")).hexdigest()


def fingerprint_row(document_id: str, deal_id: str, doc: ParsedDocument) -> FingerprintRow | None:
    digest = text_digest(doc)
    return None if digest is None else FingerprintRow(document_id=document_id, deal_id=deal_id,
                                                      text_sha256=digest)


def same_text(session: Session, deal_id: str, digest: str) -> str | None:
    """The file name of the deal's document whose normalised text has ``digest``."""
    return session.scalar(
        select(DocumentRow.filename).join(FingerprintRow,
                                          FingerprintRow.document_id == DocumentRow.id)
        .where(FingerprintRow.deal_id == deal_id, FingerprintRow.text_sha256 == digest))


def _shingles(doc: ParsedDocument) -> set[int]:
    words = [w.casefold() for seg in doc.segments if not seg.hidden
             for w in _WORD.findall(seg.text)]
    if len(words) < _SHINGLE:
        return {hash(tuple(words))} if words else set()
    return {hash(tuple(words[i:i + _SHINGLE])) for i in range(len(words) - _SHINGLE + 1)}


def similarity(a: ParsedDocument, b: ParsedDocument) -> float:
    """Jaccard overlap of the word 5-shingles of what two documents visibly say."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def earlier_version(doc: ParsedDocument,
                    candidates: Iterable[tuple[str, ParsedDocument]]) -> tuple[str, float] | None:
    """The stored document ``doc`` is a re-export of, with their similarity, if any.

    Args:
        doc: The new upload.
        candidates: ``(document_id, document)`` of the deal's stored sources.
    """
    if doc.kind not in _VERSIONED_KINDS:
        return None
    best: tuple[str, float] | None = None
    for doc_id, other in candidates:
        if other.kind != doc.kind:
            continue
        score = similarity(doc, other)
        if score >= VERSION_SIMILARITY and (best is None or score > best[1]):
            best = (doc_id, score)
    return best


def backfill(engine: Engine) -> int:
    """Add digests for documents stored before this table existed; returns how many.

    Where old copies already share a digest, only the oldest gets it (the unique index
    allows one); the others stay stored as they were.
    """
    with Session(engine) as s, s.begin():
        rows = s.execute(
            select(DocumentRow.id, DocumentRow.deal_id, DocumentRow.kind, DocumentRow.text)
            .outerjoin(FingerprintRow, FingerprintRow.document_id == DocumentRow.id)
            .where(FingerprintRow.document_id.is_(None))
            .order_by(DocumentRow.created_at)).all()
        if not rows:
            return 0
        taken = set(s.execute(select(FingerprintRow.deal_id, FingerprintRow.text_sha256)).all())
        added = 0
        for doc_id, deal_id, kind, text in rows:
            if kind == SourceKind.REP_CONFIRMATION.value:
                continue
            digest = hashlib.sha256(normalized_text(text).encode("utf-8")).hexdigest()
            if (deal_id, digest) in taken:
                continue
            taken.add((deal_id, digest))
            s.add(FingerprintRow(document_id=doc_id, deal_id=deal_id, text_sha256=digest))
            added += 1
        return added
