"""Measure the two ways of scoping a vector query to one deal, straight on chromadb.

    python scripts/bench_vector_layout.py [--deals 1000] [--per-deal 100] [--url http://...]

"one": a single collection, every vector tagged with its deal, queried with a ``where``
filter (the layout before issue 14). "per-deal": one collection per deal, queried without a
filter. Vectors are seeded random unit vectors of the product embedder's dimension (512), so
building is cheap and the figures are reproducible. Prints build time and query p50/p95;
asserts nothing. Imports chromadb directly (a benchmark of Chroma itself, not of the product).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid

import numpy as np

DIM = 512


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _pct(lat: list[float]) -> tuple[float, float]:
    lat = sorted(lat)
    return statistics.median(lat), lat[max(0, int(round(0.95 * len(lat))) - 1)]


def run(client, deals: int, per_deal: int, queries: int, tag: str,  # noqa: ANN001
        cleanup: bool = True) -> None:
    rng = np.random.default_rng(7)
    prefix = f"bench-{uuid.uuid4().hex[:8]}-"
    meta = {"hnsw:space": "cosine"}
    try:
        t0 = time.perf_counter()
        one = client.get_or_create_collection(prefix + "one", metadata=meta,
                                              embedding_function=None)
        batch_ids: list[str] = []
        batch_meta: list[dict[str, str]] = []
        batch_vecs: list[np.ndarray] = []
        for d in range(deals):
            batch_ids += [f"d{d}:{i}" for i in range(per_deal)]
            batch_meta += [{"deal_id": f"deal-{d}"}] * per_deal
            batch_vecs.append(_unit(rng, per_deal))
            if len(batch_ids) >= 5000 or d == deals - 1:
                one.add(ids=batch_ids, embeddings=np.vstack(batch_vecs), metadatas=batch_meta)
                batch_ids, batch_meta, batch_vecs = [], [], []
        t_one = time.perf_counter() - t0
        rng = np.random.default_rng(7)
        t0 = time.perf_counter()
        cols = {}
        for d in range(deals):
            col = client.get_or_create_collection(f"{prefix}deal-{d}", metadata=meta,
                                                  embedding_function=None)
            col.add(ids=[f"d{d}:{i}" for i in range(per_deal)], embeddings=_unit(rng, per_deal))
            cols[d] = col.name
        t_per = time.perf_counter() - t0
        qrng = np.random.default_rng(11)
        lat: dict[str, list[float]] = {k: [] for k in ("one cold", "one warm", "per cold",
                                                       "per warm")}
        agree = 0
        handles: dict[int, object] = {}
        for d in (int(x) for x in qrng.choice(deals, size=queries // 5, replace=False)):
            for rep in range(5):  # a brief asks a deal many questions in a row
                q = _unit(qrng, 1)
                phase = "cold" if rep == 0 else "warm"
                t = time.perf_counter()
                r1 = one.query(query_embeddings=q, n_results=40,
                               where={"deal_id": f"deal-{d}"}, include=["distances"])
                lat[f"one {phase}"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                if d not in handles:  # the product keeps the handle of a deal's collection
                    handles[d] = client.get_collection(cols[d], embedding_function=None)
                r2 = handles[d].query(query_embeddings=q, n_results=40,  # type: ignore[attr-defined]
                                      include=["distances"])
                lat[f"per {phase}"].append((time.perf_counter() - t) * 1000)
                agree += set(r1["ids"][0]) == set(r2["ids"][0])
        for name, build in (("one", t_one), ("per", t_per)):
            label = "one collection + where" if name == "one" else "per-deal collections"
            cold, warm = _pct(lat[f"{name} cold"]), _pct(lat[f"{name} warm"])
            print(f"{tag} {deals}x{per_deal} {label:24s} build {build:6.1f} s  first query "
                  f"of a deal p50 {cold[0]:6.1f} p95 {cold[1]:6.1f} ms; next queries p50 "
                  f"{warm[0]:6.1f} p95 {warm[1]:6.1f} ms", flush=True)
        print(f"{tag} same top-40 ids in {agree}/{len(lat['one cold']) * 5} queries", flush=True)
    finally:
        for c in client.list_collections() if cleanup else []:
            if c.name.startswith(prefix):
                client.delete_collection(c.name)


def main() -> None:
    import chromadb
    from chromadb.config import Settings

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--deals", type=int, default=1000)
    p.add_argument("--per-deal", type=int, default=100)
    p.add_argument("--queries", type=int, default=100)
    p.add_argument("--url", default=None, help="a Chroma server; default: embedded")
    a = p.parse_args()
    settings = Settings(anonymized_telemetry=False)
    if a.url:
        from urllib.parse import urlsplit

        u = urlsplit(a.url)
        from index.chroma_store import create_database, drop_database

        db = f"bench-layout-{uuid.uuid4().hex[:8]}"  # one call drops it all at the end
        create_database(a.url, db)
        try:
            client = chromadb.HttpClient(host=u.hostname, port=u.port,
                                         ssl=u.scheme == "https", database=db,
                                         settings=settings)
            run(client, a.deals, a.per_deal, a.queries, "server  ", cleanup=False)
        finally:
            drop_database(a.url, db)
    else:
        with tempfile.TemporaryDirectory() as tmp:  # removed with the folder
            client = chromadb.PersistentClient(path=tmp, settings=settings)
            run(client, a.deals, a.per_deal, a.queries, "embedded", cleanup=False)


if __name__ == "__main__":
    main()
