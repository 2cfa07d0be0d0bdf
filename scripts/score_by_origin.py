"""Re-score an eval run's briefs by who found each item: the model, the rules, or both.

    python scripts/score_by_origin.py DATASET_DIR REPORT_DIR

Needs a run of `handoff eval` (which writes REPORT_DIR/briefs/<deal>.json). Shows what the
model adds over the rules floor, from one run. Prints figures.
"""

from __future__ import annotations

import sys
from pathlib import Path

from evals.gold import load_dataset
from evals.metrics import score_deal, summarise
from handoff.domain import HandoffBrief


def main() -> None:
    dataset, report_dir = Path(sys.argv[1]), Path(sys.argv[2])
    cases = {c.deal_id: c for c in load_dataset(dataset)}
    views = {"all": lambda o: True, "model (any)": lambda o: "model" in o,
             "rules (any)": lambda o: "rules" in o, "model only": lambda o: o == "model"}
    for name, keep in views.items():
        scores = []
        for path in sorted((report_dir / "briefs").glob("*.json")):
            brief = HandoffBrief.model_validate_json(path.read_text(encoding="utf-8"))
            brief.items = [i for i in brief.items if keep(i.origin)]
            case = cases[path.stem]
            scores.append(score_deal(case.deal_id, case.gold, brief))
        s = summarise(scores)
        print(f"{name:12} items from it: fact_recall {s['fact_recall']:.3f}  "
              f"citation_accuracy {s['citation_accuracy']:.3f}  trap_rate {s['trap_rate']:.3f}"
              f"  grounding {s['grounding_rate']:.3f}  ({s['deals']} deals, {s['facts']} facts)")


if __name__ == "__main__":
    main()
