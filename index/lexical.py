"""Lexical search over chunks: SQLite FTS5 (BM25), or PostgreSQL full-text search by URL.

Queries are natural questions ("who signs off the budget?"), so they are turned into an OR
of their content words; German compounds are caught with prefix matching ("Budget*" finds
"Budgetfreigabe"). Every query is scoped to one deal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import Connection, text

_STOPWORDS = frozenset(
    """
    a an and are as at be by did do does for from had has have he her his how i if in is it its
    me my of on or our she so that the their them they this to was we were what when where which
    who whom why will with would you your can could should about any there been also just
    der die das den dem des ein eine einer eines einem einen und oder ist sind war waren wer wie
    was wann wo warum welche welcher welches wird werden hat haben hatte mit von zu zum zur im in
    auf für an am bei aus nach über unter vor nicht kein keine ich du er sie es wir ihr uns euch
    mich dich sich auch noch schon nur dass ob als so da denn doch mal ja nein gibt gab es
    """.split()
)

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: str
    score: float  # higher is better


def query_terms(query: str) -> list[str]:
    """Content words of a question, lower-cased, stopwords dropped, order kept, no repeats."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(query.lower()):
        if len(w) >= 2 and w not in _STOPWORDS:
            seen.setdefault(w, None)
    return list(seen)


@cache
def _thesaurus() -> dict[str, tuple[str, ...]]:
    text = resources.files("index").joinpath("thesaurus.yaml").read_text(encoding="utf-8")
    groups: list[list[str]] = yaml.safe_load(text)
    out: dict[str, tuple[str, ...]] = {}
    for group in groups:
        words = tuple(str(w).lower() for w in group)
        for w in words:
            out[w] = tuple(dict.fromkeys(out.get(w, ()) + words))
    return out


def expand_terms(terms: list[str]) -> list[str]:
    """The terms plus the words of their concept groups (see thesaurus.yaml)."""
    thesaurus = _thesaurus()
    out = dict.fromkeys(terms)
    for t in terms:
        for w in thesaurus.get(t, ()):
            out.setdefault(w, None)
    return list(out)


def fts5_match(query: str) -> str | None:
    terms = expand_terms(query_terms(query))
    if not terms:
        return None
    parts = [f'"{t.replace(chr(34), "")}"*' if len(t) >= 4 else f'"{t.replace(chr(34), "")}"'
             for t in terms]
    return " OR ".join(parts)


def create_lexical(conn: Connection) -> None:
    """Create the full-text index if the database needs one of its own."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5("
            "body, chunk_id UNINDEXED, deal_id UNINDEXED, "
            "tokenize='unicode61 remove_diacritics 2')"
        ))
    elif conn.dialect.name == "postgresql":
        conn.execute(text(
            "CREATE INDEX IF NOT EXISTS ix_chunks_fts ON chunks "
            "USING gin (to_tsvector('simple', text))"
        ))


def add_chunks(conn: Connection, deal_id: str, rows: list[tuple[str, str]]) -> None:
    """Index ``(chunk_id, text)`` rows (PostgreSQL indexes the chunks table directly)."""
    if conn.dialect.name == "sqlite" and rows:
        conn.execute(
            text("INSERT INTO chunks_fts (body, chunk_id, deal_id) VALUES (:b, :c, :d)"),
            [{"b": body, "c": cid, "d": deal_id} for cid, body in rows],
        )


def delete_chunks(conn: Connection, chunk_ids: list[str]) -> None:
    if conn.dialect.name == "sqlite" and chunk_ids:
        conn.execute(text("DELETE FROM chunks_fts WHERE chunk_id = :c"),
                     [{"c": c} for c in chunk_ids])


def delete_deal(conn: Connection, deal_id: str) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DELETE FROM chunks_fts WHERE deal_id = :d"), {"d": deal_id})


def search(conn: Connection, deal_id: str, query: str, k: int) -> list[LexicalHit]:
    """Best ``k`` chunks of one deal for ``query`` by BM25 (SQLite) or ts_rank (PostgreSQL)."""
    if conn.dialect.name == "sqlite":
        match = fts5_match(query)
        if match is None:
            return []
        rows = conn.execute(
            text(
                "SELECT chunk_id, bm25(chunks_fts) AS s FROM chunks_fts "
                "WHERE chunks_fts MATCH :m AND deal_id = :d ORDER BY s LIMIT :k"
            ),
            {"m": match, "d": deal_id, "k": k},
        ).all()
        return [LexicalHit(r[0], -float(r[1])) for r in rows]
    terms = expand_terms(query_terms(query))
    if not terms:
        return []
    cleaned = [re.sub(r"[^\w]", "", t) for t in terms]
    tsq = " | ".join(f"{t}:*" for t in cleaned if t)
    rows = conn.execute(
        text(
            "SELECT id, ts_rank(to_tsvector('simple', text), to_tsquery('simple', :q)) AS s "
            "FROM chunks WHERE deal_id = :d AND to_tsvector('simple', text) @@ "
            "to_tsquery('simple', :q) ORDER BY s DESC LIMIT :k"
        ),
        {"q": tsq, "d": deal_id, "k": k},
    ).all()
    return [LexicalHit(r[0], float(r[1])) for r in rows]
