"""How SQLite FTS5 could stop ranking other deals' chunks: a measurement for index/lexical.py.

    python scripts/bench_fts_deal_filter.py [--deals 1000] [--per-deal 100]

``current``: the schema of index/lexical.py, ``deal_id UNINDEXED`` filtered after MATCH, so
FTS5 finds and ranks every matching chunk of every deal, then drops the other deals.
``deal token``: the deal as an indexed column holding one token (``d`` + a digest of the id),
ANDed into the MATCH, so FTS5 only visits the deal's rows; the ``deal_id = :d`` check stays as
the exact filter. Same synthetic text as scripts/bench_index.py; prints p50/p95 and whether
both return the same ids in the same order. Asserts nothing.
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
from bench_index import FILLER, QUERIES, WORDS  # noqa: E402

from index.lexical import fts5_match  # noqa: E402


def _token(deal_id: str) -> str:
    return "d" + hashlib.sha1(deal_id.encode()).hexdigest()[:16]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--deals", type=int, default=1000)
    p.add_argument("--per-deal", type=int, default=100)
    p.add_argument("--queries", type=int, default=60)
    a = p.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(str(Path(tmp) / "fts.db"))
        tok = "tokenize='unicode61 remove_diacritics 2'"
        db.execute(f"CREATE VIRTUAL TABLE cur USING fts5(body, chunk_id UNINDEXED, "
                   f"deal_id UNINDEXED, {tok})")
        db.execute(f"CREATE VIRTUAL TABLE tokd USING fts5(body, chunk_id UNINDEXED, "
                   f"deal_id UNINDEXED, deal_key, {tok})")
        for d in range(a.deals):
            rows = []
            for i in range(a.per_deal):
                words = [rng.choice(WORDS) for _ in range(12)]
                words += [rng.choice(FILLER) for _ in range(108)]
                rng.shuffle(words)
                rows.append((" ".join(words), f"{d}:{i}", f"deal-{d}", _token(f"deal-{d}")))
            db.executemany("INSERT INTO cur VALUES (?, ?, ?)", [r[:3] for r in rows])
            db.executemany("INSERT INTO tokd VALUES (?, ?, ?, ?)", rows)
        db.commit()
        lat: dict[str, list[float]] = {"current": [], "deal token": []}
        same = 0
        for q in range(a.queries):
            deal = f"deal-{rng.randrange(a.deals)}"
            match = fts5_match(QUERIES[q % len(QUERIES)])
            t = time.perf_counter()
            r1 = db.execute("SELECT chunk_id, bm25(cur) AS s FROM cur WHERE cur MATCH ? "
                            "AND deal_id = ? ORDER BY s LIMIT 40", (match, deal)).fetchall()
            lat["current"].append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            r2 = db.execute("SELECT chunk_id, bm25(tokd, 1.0, 0.0, 0.0, 0.0) AS s FROM tokd "
                            "WHERE tokd MATCH ? AND deal_id = ? ORDER BY s LIMIT 40",
                            (f"deal_key:{_token(deal)} AND ({match})", deal)).fetchall()
            lat["deal token"].append((time.perf_counter() - t) * 1000)
            same += [r[0] for r in r1] == [r[0] for r in r2]
        for name, ms in lat.items():
            ms.sort()
            print(f"{a.deals * a.per_deal} chunks / {a.deals} deals, FTS5 {name:10s}: "
                  f"p50 {statistics.median(ms):6.1f} ms, "
                  f"p95 {ms[max(0, round(0.95 * len(ms)) - 1)]:6.1f} ms")
        print(f"same ids in the same order: {same}/{a.queries} queries")


if __name__ == "__main__":
    main()
