"""Honest dev-set figures in seconds: each dev deal briefed with the classifier head trained
without it (``python -m evals.training.train --save-lodo DIR``), scored without a store or
questions. For trying a resolver change before a full ``handoff eval``. Prints figures.

    python scripts/lodo_eval.py DIR [--dataset evals/datasets/dev]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evals.gold import load_dataset
from evals.metrics import by_origin, per_category, score_deal, summarise
from extractor.chain import build_brief
from extractor.classifier import load_head
from index.e5 import E5Embedder
from index.parsers import parse_file

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("weights", type=Path)
    parser.add_argument("--dataset", type=Path, default=REPO / "evals" / "datasets" / "dev")
    args = parser.parse_args()
    encoder = E5Embedder()
    scores = []
    for case in load_dataset(args.dataset):
        docs = [parse_file(p) for p in case.source_files()]
        head = load_head(str(args.weights / f"{case.deal_id}.npz"))
        brief = build_brief(case.deal_id, case.gold.deal, documents=docs, encoder=encoder,
                            offering=case.offering, head=head)
        scores.append(score_deal(case.deal_id, case.gold, brief))
    s = summarise(scores)
    keys = ("fact_recall", "key_precision", "items_per_deal", "gap_recall",
            "false_gaps_per_deal", "conflict_recall", "trap_rate", "citation_accuracy")
    print(json.dumps({k: s[k] for k in keys}))
    print(json.dumps({c: round(v["fact_recall"], 3) for c, v in per_category(scores).items()}))
    print(json.dumps(by_origin(scores)))


if __name__ == "__main__":
    main()
