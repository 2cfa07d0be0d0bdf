"""Lexical search over chunks: SQLite FTS5 (BM25), or PostgreSQL full-text search by URL.

Queries are natural questions ("who signs off the budget?"), so they are turned into an OR
of their content words; German compounds are caught with prefix matching ("Budget*" finds
"Budgetfreigabe"). Every query is scoped to one deal.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError

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


_FTS_COLUMNS = "body, chunk_id UNINDEXED, deal_id UNINDEXED, " \
    "tokenize='unicode61 remove_diacritics 2'"
_SLOT_BITS = 32  # a deal's rows are rowids slot * 2**32 + 1, + 2, ... in indexing order


def deal_rowids(deal_id: str) -> tuple[int, int]:
    """The first and last FTS5 rowid of the deal's range.

    Design note. ``deal_id`` is UNINDEXED, so ``MATCH ... AND deal_id = :d`` made FTS5 find and
    rank every matching chunk of every deal before the filter dropped the others: 60 ms of a
    74 ms hybrid search at 100k chunks over 1,000 deals. FTS5 seeks a rowid range inside its
    doclists, so each deal owns a range (its slot, from a digest of the id, in the high bits)
    and a search reads the deal's rows only. An indexed deal token ANDed into the MATCH is as
    fast but changes the scores: bm25() adds the token to every row's length and the average
    (bit-identical scores in 10 of 80 queries of chunks of varied length, same order in 45);
    a rowid range leaves the table, so BM25's whole-table statistics and the scores, as they
    were. Two deals whose digests meet share a range, and the exact ``deal_id`` check keeps
    them apart. Slots start at 1, so an index of the layout before (rowids 1, 2, ...) shows
    itself by a rowid under 2**32 and is rebuilt when the store opens (:func:`create_lexical`).
    """
    digest = hashlib.sha256(deal_id.encode()).digest()
    first = (1 + int.from_bytes(digest[:8], "big") % (2**31 - 1)) << _SLOT_BITS
    return first, first + 2**_SLOT_BITS - 1


def token_count(body: str) -> int:
    """A chunk's length as the ranking counts it: its ``\\w+`` word tokens (FTS5's count)."""
    return len(_WORD.findall(body))


def create_lexical(engine: Engine) -> None:
    """Check SQLite's full-text index and rebuild it if it is missing or of an older layout.

    The index is derived from the ``chunks`` table: one that is missing while chunks
    exist, declared with other columns, or in the rowid layout before per-deal ranges is
    rebuilt from ``chunks`` in one transaction, keeping the order the chunks were indexed in
    (so equal scores come back in the same order as before).
    """
    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's GIN index is schema, made by the baseline migration
    with engine.connect() as conn:
        stale = _stale(conn)
    if stale is None:
        return
    with engine.connect() as conn:
        # BEGIN IMMEDIATE: the write lock before the second look, so two processes opening
        # the store at once rebuild once; pysqlite would not open a transaction before DDL
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            if _stale(conn) is not None:
                _rebuild(conn)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _stale(conn: Connection) -> str | None:
    """Why the SQLite full-text index must be (re)built, or None."""
    row = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'chunks_fts'")).first()
    if row is None:
        return "missing"
    sql = str(row[0])
    if sql[sql.find("(") + 1:sql.rfind(")")].strip() != _FTS_COLUMNS:
        return "other columns"
    if conn.execute(text("SELECT 1 FROM chunks_fts WHERE rowid < :r LIMIT 1"),
                    {"r": 1 << _SLOT_BITS}).first():
        return "rowids of the layout without deal ranges"
    return None


def _rebuild(conn: Connection) -> None:
    """Build ``chunks_fts`` anew from ``chunks`` (inside the caller's transaction)."""
    old: dict[str, int] = {}
    if conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'chunks_fts'")).first():
        try:
            old = {c: r for c, r in conn.execute(
                text("SELECT chunk_id, rowid FROM chunks_fts")).all()}
        except OperationalError:  # a layout without chunk_id: fall back to document order
            old = {}
        conn.execute(text("DROP TABLE chunks_fts"))
    conn.execute(text(f"CREATE VIRTUAL TABLE chunks_fts USING fts5({_FTS_COLUMNS})"))
    chunks = conn.execute(text(
        "SELECT c.id, c.deal_id, d.created_at, c.ordinal FROM chunks c "
        "JOIN documents d ON d.id = c.document_id")).all()
    last = 1 << 64  # after every old rowid: chunks the old index missed come last
    chunks.sort(key=lambda r: (old.get(r[0], last), str(r[2]), r[3], r[0]))
    next_rowid: dict[str, int] = {}
    params = []
    for cid, deal_id, _, _ in chunks:
        rowid = next_rowid.get(deal_id) or deal_rowids(deal_id)[0] + 1
        next_rowid[deal_id] = rowid + 1
        params.append({"r": rowid, "c": cid})
    if params:  # the text goes from table to table, not through Python
        conn.execute(text("INSERT INTO chunks_fts (rowid, body, chunk_id, deal_id) "
                          "SELECT :r, text, id, deal_id FROM chunks WHERE id = :c"), params)


def add_chunks(conn: Connection, deal_id: str, rows: list[tuple[str, str]]) -> None:
    """Index ``(chunk_id, text)`` rows (PostgreSQL indexes the chunks table directly)."""
    if conn.dialect.name == "sqlite" and rows:
        first, end = deal_rowids(deal_id)
        top = conn.execute(text("SELECT max(rowid) FROM chunks_fts WHERE rowid BETWEEN :a AND :b"),
                           {"a": first, "b": end}).scalar()
        start = (top or first) + 1
        if start + len(rows) - 1 > end:
            raise OverflowError(f"deal {deal_id!r} has used its 2**32 full-text rowids")
        conn.execute(
            text("INSERT INTO chunks_fts (rowid, body, chunk_id, deal_id) "
                 "VALUES (:r, :b, :c, :d)"),
            [{"r": start + i, "b": body, "c": cid, "d": deal_id}
             for i, (cid, body) in enumerate(rows)],
        )


def delete_chunks(conn: Connection, deal_id: str, chunk_ids: list[str]) -> None:
    if conn.dialect.name == "sqlite" and chunk_ids:
        first, end = deal_rowids(deal_id)
        gone = set(chunk_ids)
        rowids = [r for r, c in conn.execute(
            text("SELECT rowid, chunk_id FROM chunks_fts WHERE rowid BETWEEN :a AND :b"),
            {"a": first, "b": end}).all() if c in gone]
        if rowids:
            conn.execute(text("DELETE FROM chunks_fts WHERE rowid = :r"),
                         [{"r": r} for r in rowids])


def delete_deal(conn: Connection, deal_id: str) -> None:
    if conn.dialect.name == "sqlite":
        first, end = deal_rowids(deal_id)
        conn.execute(text("DELETE FROM chunks_fts WHERE rowid BETWEEN :a AND :b "
                          "AND deal_id = :d"), {"a": first, "b": end, "d": deal_id})


def search(conn: Connection, deal_id: str, query: str, k: int) -> list[LexicalHit]:
    """Best ``k`` chunks of one deal for ``query`` by BM25, on SQLite (FTS5) or PostgreSQL."""
    if conn.dialect.name == "sqlite":
        match = fts5_match(query)
        if match is None:
            return []
        first, end = deal_rowids(deal_id)
        rows = conn.execute(
            text(
                "SELECT chunk_id, bm25(chunks_fts) AS s FROM chunks_fts "
                "WHERE chunks_fts MATCH :m AND rowid BETWEEN :a AND :b AND deal_id = :d "
                "ORDER BY round(s, :t), rowid LIMIT :k"
            ),
            {"m": match, "a": first, "b": end, "d": deal_id, "k": k, "t": _TIE_DIGITS},
        ).all()
        return [LexicalHit(r[0], -float(r[1])) for r in rows]
    return _postgres_bm25(conn, deal_id, query, k)


_K1, _B = 1.2, 0.75  # FTS5's bm25() constants
# equal scores (a tie up to float rounding) keep the order the chunks were indexed in, on both
# databases, so two equally good passages come back in the same order on either
_TIE_DIGITS = 9


def _fold(word: str) -> str:
    """Lower case without diacritics, as FTS5's unicode61 tokenizer with remove_diacritics."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _postgres_bm25(conn: Connection, deal_id: str, query: str, k: int) -> list[LexicalHit]:
    """PostgreSQL: the GIN-indexed tsvector finds the deal's chunks that hold a term, and
    they are ranked by the same BM25 FTS5 uses, over the deal's own statistics.

    Design note. ``ts_rank`` has no inverse document frequency, so a chunk with three common
    words outranked the one with the rare word a question is about, and the search tests
    returned other passages than on SQLite. A deal holds tens to hundreds of chunks, so its
    matching rows are few and ranking them here costs less than a millisecond; terms of four
    letters or more match as prefixes on both databases (German compounds).
    """
    terms = expand_terms(query_terms(query))
    # a term is a phrase of its words ("sign-on" is "sign" then "on"), as FTS5 reads it; a
    # term of four letters or more matches its last word as a prefix
    # (the index keeps diacritics, the ranking folds them as FTS5 does)
    split = [(words, len(t) >= 4) for t in terms if (words := _WORD.findall(t.lower()))]
    if not split:
        return []
    tsq = " | ".join("(" + " <-> ".join(words) + (":*" if prefix else "") + ")"
                     for words, prefix in split)
    phrases = [([_fold(w) for w in words], prefix) for words, prefix in split]
    rows = conn.execute(
        text("SELECT c.id, c.text FROM chunks c "
             "JOIN documents d ON d.id = c.document_id WHERE c.deal_id = :d AND "
             "to_tsvector('simple', c.text) @@ to_tsquery('simple', :q) "
             "ORDER BY d.created_at, c.ordinal, c.id"),
        {"q": tsq, "d": deal_id},
    ).all()
    if not rows:
        return []
    # a chunk's length is its count of word tokens, as FTS5 counts them (not whitespace runs),
    # counted once when the chunk was stored
    total, avg_words = conn.execute(
        text("SELECT count(*), avg(token_count) FROM chunks WHERE deal_id = :d"),
        {"d": deal_id}).one()
    docs = [(cid, [_fold(w) for w in _WORD.findall(body)]) for cid, body in rows]

    def hits(phrase: tuple[list[str], bool], words: list[str], counts: dict[str, int],
             starts: dict[str, list[int]]) -> int:
        """Occurrences of the phrase in the chunk's words (by word counts and positions, not a
        scan of every position per phrase: the thesaurus makes a question many phrases)."""
        parts, prefix = phrase
        if len(parts) == 1:
            if prefix:
                return sum(c for w, c in counts.items() if w.startswith(parts[0]))
            return counts.get(parts[0], 0)
        n, last = len(parts), parts[-1]
        found = 0
        for i in starts.get(parts[0], ()):
            if i + n > len(words) or any(words[i + j] != parts[j] for j in range(1, n - 1)):
                continue
            if words[i + n - 1].startswith(last) if prefix else words[i + n - 1] == last:
                found += 1
        return found

    counts = []
    for _, words in docs:
        tally: dict[str, int] = {}
        starts: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            tally[w] = tally.get(w, 0) + 1
            starts.setdefault(w, []).append(i)
        counts.append([hits(p, words, tally, starts) for p in phrases])
    df = [sum(1 for c in counts if c[j]) for j in range(len(phrases))]
    avgdl = float(avg_words or 1.0)
    scored = []
    for (cid, words), tf in zip(docs, counts, strict=True):
        score = 0.0
        for j, f in enumerate(tf):
            if not f:
                continue
            # FTS5's idf, floored where a term is in more than half the chunks
            idf = max(math.log((total - df[j] + 0.5) / (df[j] + 0.5)), 1e-6)
            score += idf * f * (_K1 + 1) / (f + _K1 * (1 - _B + _B * len(words) / avgdl))
        scored.append(LexicalHit(cid, score))
    # rows are in the order the chunks were indexed (FTS5's rowid): older document first, and
    # sort() is stable, so equal scores keep that order
    return sorted(scored, key=lambda h: -round(h.score, _TIE_DIGITS))[:k]
