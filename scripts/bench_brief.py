"""Benchmark a brief end to end: the classifier alone, then the embedded model on top of it.

    python scripts/bench_brief.py [DEAL_OR_DATASET_DIR ...] [--backend classifier,local]

For each deal (default: the bundled demo deal): ingest into a fresh store, build the brief and
print seconds, sentences, the sentences the model read, batches, prompt and completion
tokens. For ``local`` the response cache is off, so nothing is answered from it, and the
llama.cpp server's own log is read for its prompt cache: per batch, how many prompt tokens
were re-used from the shared prefix and how many were evaluated. Prints figures, asserts
nothing; a noisy machine shows in the seconds, not in the token counts.
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from pathlib import Path

from extractor.backends import open_backend
from extractor.service import make_brief
from handoff.settings import get_settings
from index.embedders import make_embedder
from index.ingest import ingest_paths
from index.store import Store

REPO = Path(__file__).resolve().parents[1]
_HIT = re.compile(r"Llama\.generate: (\d+) prefix-match hit, remaining (\d+) prompt tokens")


def deals_in(paths: list[Path]) -> list[Path]:
    out = []
    for p in paths:
        if (p / "sources").is_dir():
            out.append(p)
        else:
            out.extend(sorted(d for d in p.iterdir() if (d / "sources").is_dir()))
    return out


def run(deal: Path, backend_name: str) -> None:
    with tempfile.TemporaryDirectory(prefix="handoff-bench-") as tmp:
        settings = get_settings(home=Path(tmp), llm_cache=False)
        store = Store.open(settings, embedder=make_embedder(settings))
        store.create_deal("bench", name=deal.name)
        ingest_paths(store, "bench", sorted((deal / "sources").iterdir()),
                     max_bytes=settings.max_file_bytes)
        log = get_settings().home / "llama-server.log"
        log_start = log.stat().st_size if log.is_file() else 0
        with open_backend(get_settings(llm_cache=False), backend_name) as be:
            started = time.monotonic()
            brief = make_brief(store, "bench", be)
            seconds = time.monotonic() - started
        meta = brief.metadata
        read = [k for k in meta.timings if k.startswith("read_")]
        usage = meta.token_usage
        print(f"{deal.name:32} {be.name:10} {seconds:7.1f} s  items {len(brief.items):3d}  "
              f"batches {len(read):2d}  prompt tokens {usage.prompt_tokens:6d}  "
              f"completion tokens {usage.completion_tokens:5d}  "
              f"classifier {meta.timings.get('classifier', 0):.1f} s")
        if be.name == "local" and log.is_file():
            with log.open("rb") as fh:
                fh.seek(log_start)
                text = fh.read().decode(errors="ignore")
            hits = [(int(a), int(b)) for a, b in _HIT.findall(text)]
            if hits:
                reused = sum(a for a, _ in hits)
                evaluated = sum(b for _, b in hits)
                print(f"{'':32} prompt cache: {len(hits)} of {len(read)} batches hit the "
                      f"prefix; {reused} tokens re-used, {evaluated} evaluated "
                      f"(of {usage.prompt_tokens} sent)")
        store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", type=Path,
                        default=[REPO / "handoff" / "demo_deal"])
    parser.add_argument("--backend", default="classifier,local")
    args = parser.parse_args()
    for deal in deals_in(args.paths):
        for name in args.backend.split(","):
            run(deal, name.strip())


if __name__ == "__main__":
    main()
