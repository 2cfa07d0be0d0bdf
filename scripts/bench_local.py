"""Benchmark the embedded model: the per-category chain against stuffing every source into one
prompt.

    python scripts/bench_local.py [DATASET_OR_DEAL_DIR] [--deals ID,ID]
    python scripts/bench_local.py DATASET_DIR --from-report REPORT_DIR


For each deal: the chain's real seconds and prompt tokens (from the brief's metadata), and the
prompt tokens the stuff-everything baseline would need (counted by the server's tokenizer),
with its prompt-reading time estimated from the prompt speed measured in the same run. The
baseline is only run for real when it fits the context window. Prints figures, asserts
nothing.

With ``--from-report`` the chain is not run again: the seconds and prompt tokens come from the
briefs an earlier ``handoff eval --backend local`` saved, and the baseline's tokens are counted
with the model's own tokenizer (loaded vocabulary-only, no server). The baseline's reading time
is then estimated at the chain's overall tokens/second, which counts generation too, so it is
an upper bound.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx

import prompts
from evals.gold import load_dataset
from extractor.backends import open_backend
from extractor.local_model import model_path
from extractor.service import make_brief
from handoff.domain import CATEGORIES, HandoffBrief
from handoff.settings import get_settings
from index.embedders import make_embedder
from index.ingest import ingest_paths
from index.parsers import parse_file
from index.store import Store

REPO = Path(__file__).resolve().parents[1]


def count_tokens(base_url: str, text: str) -> int:
    root = base_url.removesuffix("/v1")
    r = httpx.post(f"{root}/extras/tokenize", json={"input": text}, timeout=600)
    r.raise_for_status()
    return len(r.json()["tokens"])


def stuffed_text(case_sources: list[Path]) -> str:
    docs = [parse_file(p) for p in case_sources]
    return prompts.load("system").text + "\n\n".join(f"[{d.filename}]\n{d.text}" for d in docs)


def from_report(cases: list, report_dir: Path) -> None:  # type: ignore[type-arg]
    from llama_cpp import Llama

    settings = get_settings()
    vocab = Llama(model_path=str(model_path(settings)), vocab_only=True, verbose=False)
    print(f"{'deal':34} {'chain s':>8} {'prompt tok':>10} {'out tok':>8} {'calls':>6} "
          f"{'stuffed tok':>11} {'stuffed s (upper est.)':>22} fits {settings.local_ctx}?")
    totals = [0.0, 0, 0]
    for case in cases:
        path = report_dir / "briefs" / f"{case.deal_id}.json"
        if not path.is_file():
            print(f"{case.deal_id:34} (no brief in {report_dir})")
            continue
        brief = HandoffBrief.model_validate_json(path.read_text(encoding="utf-8"))
        usage = brief.metadata.token_usage
        seconds = sum(v for k, v in brief.metadata.timings.items() if k in CATEGORIES)
        stuffed = len(vocab.tokenize(stuffed_text(case.source_files()).encode(), add_bos=False))
        speed = usage.prompt_tokens / max(seconds, 1e-9)
        fits = "yes" if stuffed + 1000 < settings.local_ctx else "no"
        print(f"{case.deal_id:34} {seconds:8.1f} {usage.prompt_tokens:10d} "
              f"{usage.completion_tokens:8d} {usage.calls:6d} {stuffed:11d} "
              f"{stuffed / max(speed, 1e-9):22.1f} {fits}")
        totals[0] += seconds
        totals[1] += usage.prompt_tokens
        totals[2] += stuffed
    n = max(1, sum(1 for c in cases if (report_dir / "briefs" / f"{c.deal_id}.json").is_file()))
    print(f"{'mean':34} {totals[0] / n:8.1f} {totals[1] / n:10.0f} {'':>8} {'':>6} "
          f"{totals[2] / n:11.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("dataset", nargs="?", default=str(REPO / "handoff" / "demo_deal"))
    parser.add_argument("--deals", default=None)
    parser.add_argument("--from-report", type=Path, default=None,
                        help="an eval report folder of a local run: count, do not run")
    args = parser.parse_args()
    cases = load_dataset(args.dataset)
    if args.deals:
        cases = [c for c in cases if c.deal_id in set(args.deals.split(","))]
    if args.from_report:
        from_report(cases, args.from_report)
        return
    settings = get_settings()
    embedder = make_embedder(settings)
    rows = []
    with open_backend(settings, "local") as backend:
        base_url = backend._server.base_url  # noqa: SLF001 - the bench needs the tokenizer
        for case in cases:
            with tempfile.TemporaryDirectory() as tmp:
                store = Store.open(settings.model_copy(update={"home": Path(tmp),
                                                               "database_url": None}),
                                   embedder=embedder)
                ingest_paths(store, case.deal_id, case.source_files(), max_bytes=25 * 2**20)
                t0 = time.perf_counter()
                brief = make_brief(store, case.deal_id, backend, offering=case.offering,
                                   with_rules=False)
                seconds = time.perf_counter() - t0
                everything = "\n\n".join(f"[{d.doc.filename}]\n{d.doc.text}"
                                         for d in store.documents(case.deal_id))
                stuffed = count_tokens(base_url, prompts.load("system").text + everything)
                store.engine.dispose()
            usage = brief.metadata.token_usage
            prompt_speed = usage.prompt_tokens / max(seconds, 1e-9)
            rows.append((case.deal_id, seconds, usage.prompt_tokens, usage.completion_tokens,
                         len(brief.items), stuffed, stuffed / max(prompt_speed, 1e-9)))
    print(f"{'deal':34} {'chain s':>8} {'prompt tok':>10} {'out tok':>8} {'items':>6} "
          f"{'stuffed tok':>11} {'stuffed read s (est.)':>22} fits {settings.local_ctx}?")
    for deal, sec, ptok, ctok, items, stuffed, est in rows:
        fits = "yes" if stuffed + 1000 < settings.local_ctx else "no"
        print(f"{deal:34} {sec:8.1f} {ptok:10d} {ctok:8d} {items:6d} {stuffed:11d} "
              f"{est:22.1f} {fits}")


if __name__ == "__main__":
    main()
