"""How SQLite FTS5 could stop ranking other deals' chunks: a measurement for index/lexical.py.

    python scripts/bench_fts_deal_filter.py [--deals 1000] [--per-deal 100] [--queries 80]

``unindexed``: the schema before per-deal ranges, ``deal_id UNINDEXED`` filtered after MATCH,
so FTS5 finds and ranks every matching chunk of every deal, then drops the other deals.
``deal token``: the deal as an indexed column holding one token (``d`` + a digest of the id),
ANDed into the MATCH with weight 0 in bm25(), so FTS5 only visits the deal's rows.
``deal range`` (what index/lexical.py does): the same table as ``unindexed``, but each deal's
rows are a rowid range of their own (:func:`index.lexical.deal_rowids`) and the MATCH is
bounded by it. The ``deal_id = :d`` check stays as the exact filter in all three; the query and
the tie order are index/lexical.py's. Same synthetic words as scripts/bench_index.py, but of
varied length (10 to 200 filler words: bm25() normalises by length) and with the deals'
chunks inserted interleaved, as uploads arrive. Prints p50/p95 and, against ``unindexed``,
whether each returns the same ids in the same order and bit-identical scores. Asserts nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this checkout's index package
from bench_index import FILLER, QUERIES, WORDS  # noqa: E402

from index.lexical import deal_rowids, fts5_match  # noqa: E402

ORDER = "ORDER BY round(s, 9), rowid LIMIT 40"


def _token(deal_id: str) -> str:
    return "d" + hashlib.sha1(deal_id.encode()).hexdigest()[:16]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--deals", type=int, default=1000)
    p.add_argument("--per-deal", type=int, default=100)
    p.add_argument("--queries", type=int, default=80)
    a = p.parse_args()
    rng = random.Random(7)
    rows = []
    for d in range(a.deals):
        for i in range(a.per_deal):
            words = [rng.choice(WORDS) for _ in range(12)]
            words += [rng.choice(FILLER) for _ in range(rng.randint(10, 200))]
            rng.shuffle(words)
            rows.append((" ".join(words), f"{d}:{i}", f"deal-{d}"))
    rng.shuffle(rows)
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(str(Path(tmp) / "fts.db"))
        tok = "tokenize='unicode61 remove_diacritics 2'"
        cols = f"body, chunk_id UNINDEXED, deal_id UNINDEXED, {tok}"
        db.execute(f"CREATE VIRTUAL TABLE unindexed USING fts5({cols})")
        db.execute(f"CREATE VIRTUAL TABLE ranged USING fts5({cols})")
        db.execute(f"CREATE VIRTUAL TABLE tokd USING fts5(body, chunk_id UNINDEXED, "
                   f"deal_id UNINDEXED, deal_key, {tok})")
        db.executemany("INSERT INTO unindexed VALUES (?, ?, ?)", rows)
        db.executemany("INSERT INTO tokd VALUES (?, ?, ?, ?)",
                       [(*r, _token(r[2])) for r in rows])
        nxt: dict[str, int] = {}
        ranged = []
        for r in rows:
            nxt[r[2]] = nxt.get(r[2]) or deal_rowids(r[2])[0] + 1
            ranged.append((nxt[r[2]], *r))
            nxt[r[2]] += 1
        db.executemany("INSERT INTO ranged (rowid, body, chunk_id, deal_id) VALUES (?, ?, ?, ?)",
                       ranged)
        db.commit()
        lat: dict[str, list[float]] = {"unindexed": [], "deal token": [], "deal range": []}
        same = {"deal token": 0, "deal range": 0}
        bits = {"deal token": 0, "deal range": 0}
        for q in range(a.queries):
            deal = f"deal-{rng.randrange(a.deals)}"
            match = fts5_match(QUERIES[q % len(QUERIES)])
            lo, hi = deal_rowids(deal)
            runs = {
                "unindexed": ("SELECT chunk_id, bm25(unindexed) AS s FROM unindexed WHERE "
                              f"unindexed MATCH ? AND deal_id = ? {ORDER}", (match, deal)),
                "deal token": ("SELECT chunk_id, bm25(tokd, 1.0, 0.0, 0.0, 0.0) AS s FROM tokd "
                               f"WHERE tokd MATCH ? AND deal_id = ? {ORDER}",
                               (f"deal_key:{_token(deal)} AND ({match})", deal)),
                "deal range": ("SELECT chunk_id, bm25(ranged) AS s FROM ranged WHERE ranged "
                               f"MATCH ? AND rowid BETWEEN ? AND ? AND deal_id = ? {ORDER}",
                               (match, lo, hi, deal)),
            }
            got = {}
            for name, (sql, args) in runs.items():
                t = time.perf_counter()
                got[name] = db.execute(sql, args).fetchall()
                lat[name].append((time.perf_counter() - t) * 1000)
            for name in same:
                same[name] += [r[0] for r in got[name]] == [r[0] for r in got["unindexed"]]
                bits[name] += got[name] == got["unindexed"]
        for name, ms in lat.items():
            ms.sort()
            extra = (f"; same ids in the same order {same[name]}/{a.queries}, bit-identical "
                     f"scores {bits[name]}/{a.queries}" if name in same else "")
            print(f"{a.deals * a.per_deal} chunks / {a.deals} deals, FTS5 {name:10s}: "
                  f"p50 {statistics.median(ms):6.1f} ms, "
                  f"p95 {ms[max(0, round(0.95 * len(ms)) - 1)]:6.1f} ms{extra}")


if __name__ == "__main__":
    main()
