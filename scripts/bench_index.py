"""Benchmark the index: ingest throughput beside the embedder's raw speed, search latency.

    python scripts/bench_index.py [--sizes 1000,100000] [--queries 50]

Prints figures; asserts nothing (these machines are noisy). Ingest uses the dev dataset's
sources; search latency uses synthetic chunks (random text and unit vectors inserted
directly), with real query embedding, scoped to one deal among several.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from handoff.settings import get_settings
from index import lexical
from index.db import ChunkRow, DealRow, DocumentRow
from index.embedders import USEEmbedder
from index.ingest import IngestStatus, expand_paths, ingest_paths
from index.search import hybrid_search
from index.store import Store

REPO = Path(__file__).resolve().parents[1]
WORDS = ("delivery route driver warehouse invoice budget approval kickoff integration SAP "
         "Salesforce security GDPR training rollout pilot dispatcher Lieferung Fahrer Lager "
         "Rechnung Freigabe Schnittstelle Datenschutz Schulung Einführung customer goal "
         "reduce cost weeks promise support dedicated premium contract renewal risk").split()
QUERIES = ["who approves the budget?", "when is the go-live?", "Wer gibt das Budget frei?",
           "what integrations are needed?", "security requirements", "Welche Bedenken gibt es?",
           "training for dispatchers", "what was promised about support?"]


def bench_ingest(embedder: USEEmbedder) -> None:
    files = [p for p in expand_paths([REPO / "evals" / "datasets" / "dev"])
             if "sources" in p.parts]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(get_settings(home=Path(tmp)), embedder=embedder)
        embedder.embed(["warm up"])  # load the model outside the timing
        t0 = time.perf_counter()
        results = []
        for deal in sorted({p.parents[1].name for p in files}):
            deal_files = [p for p in files if p.parents[1].name == deal]
            results += ingest_paths(store, deal, deal_files, max_bytes=25 * 2**20)
        seconds = time.perf_counter() - t0
        ok = [r for r in results if r.status == IngestStatus.ACCEPTED]
        chunks = sum(r.chunks for r in ok)
        texts = [c.text for d in store.list_deals() for c in store.all_chunks(d.id)]
        store.engine.dispose()
    t1 = time.perf_counter()
    embedder.embed(texts)
    embed_seconds = time.perf_counter() - t1
    words = sum(len(t.split()) for t in texts)
    print(f"ingest: {len(ok)} documents, {chunks} chunks in {seconds:.1f} s = "
          f"{len(ok) / seconds:.2f} documents/s, {chunks / seconds:.1f} chunks/s")
    print(f"embedder alone on the same {len(texts)} chunks ({words} words): "
          f"{embed_seconds:.1f} s = {len(texts) / embed_seconds:.1f} chunks/s, "
          f"{words / embed_seconds:.0f} words/s")
    print(f"embedding share of ingest time: {embed_seconds / seconds:.0%}")


def _synthetic_store(n: int, tmp: Path, embedder: USEEmbedder, deals: int = 10) -> Store:
    store = Store.open(get_settings(home=tmp), embedder=embedder)
    rng = random.Random(7)
    per_deal = n // deals
    with store.engine.begin() as conn:
        for d in range(deals):
            deal_id = f"deal-{d}"
            conn.execute(insert(DealRow).values(id=deal_id, name=deal_id))
            doc_id = uuid.uuid4().hex
            conn.execute(insert(DocumentRow).values(
                id=doc_id, deal_id=deal_id, filename=f"synthetic-{d}.txt", sha256=doc_id * 2,
                format="text", kind="crm_note", size=0, text="", meta={}))
            rows = []
            for i in range(per_deal):
                text = " ".join(rng.choice(WORDS) for _ in range(120))
                rows.append({"id": f"{doc_id}:{i}", "deal_id": deal_id, "document_id": doc_id,
                             "ordinal": i, "start": 0, "end": 0, "first_segment": 0,
                             "last_segment": 0, "text": text})
            for i in range(0, len(rows), 5000):
                conn.execute(insert(ChunkRow), rows[i:i + 5000])
                lexical.add_chunks(conn, deal_id, [(r["id"], r["text"])
                                                   for r in rows[i:i + 5000]])
            vecs = np.random.default_rng(d).normal(size=(per_deal, 512)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            for i in range(0, per_deal, 5000):
                store.vectors.add(deal_id, doc_id, [r["id"] for r in rows[i:i + 5000]],
                                  vecs[i:i + 5000])
    return store


def bench_search(n: int, queries: int, embedder: USEEmbedder) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        store = _synthetic_store(n, Path(tmp), embedder)
        build = time.perf_counter() - t0
        embedder.embed(["warm up"])
        latencies = []
        for q in range(queries):
            query = QUERIES[q % len(QUERIES)]
            t = time.perf_counter()
            hybrid_search(store, f"deal-{q % 10}", query, k=8)
            latencies.append((time.perf_counter() - t) * 1000)
        latencies.sort()
        p50 = statistics.median(latencies)
        p95 = latencies[max(0, int(round(0.95 * len(latencies))) - 1)]
        print(f"hybrid search over {n} chunks (10 deals, {n // 10} per deal; built in "
              f"{build:.0f} s): p50 {p50:.1f} ms, p95 {p95:.1f} ms over {queries} queries")
        store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--skip-ingest", action="store_true")
    args = parser.parse_args()
    embedder = USEEmbedder()
    if not args.skip_ingest:
        bench_ingest(embedder)
    for n in (int(s) for s in args.sizes.split(",")):
        bench_search(n, args.queries, embedder)


if __name__ == "__main__":
    main()
