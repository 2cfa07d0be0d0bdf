"""The SQL side of the store: SQLAlchemy tables for deals, documents, segments and chunks.

SQLite by default (one file under HANDOFF_HOME); PostgreSQL works by URL. Other layers
(briefs, users, audit) declare their tables on the same :class:`Base`. The models describe
the schema at its head; the database gets there by the migrations of :mod:`index.migrations`,
and a change to a model needs a new revision there (the schema test fails without one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, sessionmaker

from handoff.domain import utcnow


class Base(DeclarativeBase):
    pass


class DealRow(Base):
    __tablename__ = "deals"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    documents: Mapped[list[DocumentRow]] = relationship(
        back_populates="deal", cascade="all, delete-orphan", passive_deletes=True
    )


class DocumentRow(Base):
    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("deal_id", "sha256", name="uq_document_deal_sha"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    deal: Mapped[DealRow] = relationship(back_populates="documents")
    segments: Mapped[list[SegmentRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True,
        order_by="SegmentRow.idx",
    )
    chunks: Mapped[list[ChunkRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", passive_deletes=True,
        order_by="ChunkRow.ordinal",
    )


class SegmentRow(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    idx: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str | None] = mapped_column(String(300), nullable=True)
    speaker_title: Mapped[str | None] = mapped_column(String(300), nullable=True)
    timestamp: Mapped[str | None] = mapped_column(String(64), nullable=True)
    locator: Mapped[str] = mapped_column(String(500), default="")
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    document: Mapped[DocumentRow] = relationship(back_populates="segments")


class ChunkRow(Base):
    __tablename__ = "chunks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    deal_id: Mapped[str] = mapped_column(ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    first_segment: Mapped[int] = mapped_column(Integer)
    last_segment: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    # its count of \w+ word tokens, the length PostgreSQL's BM25 normalises by (index.lexical)
    token_count: Mapped[int] = mapped_column(Integer, server_default="0")

    document: Mapped[DocumentRow] = relationship(back_populates="chunks")


def make_engine(url: str) -> Engine:
    """An engine with foreign keys enforced and deleted content zeroed on SQLite."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA secure_delete=ON")  # freed pages are zeroed: see index.scrub
            cur.close()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(bind=engine, expire_on_commit=False)
