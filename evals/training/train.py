"""Train the sentence classifier's head and print its leave-one-deal-out scores.

    python -m evals.training.train [--out extractor/weights/classifier.v2.npz] [--no-lodo]

Data: every labelled deal of the dev set (a gold fact's evidence marks its sentence with the
fact's key and alt keys; a sentence that restates a fact, matching its keywords, is left out
rather than taught as a negative; every other sentence is a negative, at a lower weight,
because a gold file labels each fact once while a deal may say it twice) and the written
training sentences of ``evals/training/*.jsonl`` (paraphrases per key in English and German,
and hard negatives). The blind set is never read.

Leave-one-deal-out: for each dev deal, a head is trained on the written sentences and the
other deals, and scored on that deal's sentences: the share of its facts whose evidence
sentence reaches its key's threshold (recall) and the share of the sentences above a
threshold that carry a label of that key (a lower bound on precision, since labels are
incomplete). The pooled held-out predictions also set each key's threshold.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.gold import DealCase, load_dataset
from evals.matching import keywords_match, normalise
from extractor import deal
from extractor.classifier import ENCODER_ID, Head, SentenceView, features, view_of
from extractor.deal import DealContext, build_context
from extractor.values import extract_values
from handoff.domain import ALL_KEYS, SegmentKind, SourceKind
from index.e5 import E5Embedder
from index.parsers import parse_file

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "evals" / "datasets" / "dev"
TRAINING = Path(__file__).resolve().parent
KEYS = ALL_KEYS
DEV_NEGATIVE_WEIGHT = 0.15
HIDDEN = 192
EPOCHS = 40
SEED = 7
MEMBERS = 3  # heads from different seeds, averaged (see extractor.classifier.Head)
_SOURCES = {"call": SourceKind.TRANSCRIPT, "email": SourceKind.EMAIL,
            "crm": SourceKind.CRM_NOTE, "document": SourceKind.DOCUMENT}


@dataclass
class Example:
    view: SentenceView
    labels: frozenset[str]
    weight: float
    group: str           # the deal it came from, or "written"
    fact_ids: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- data


def _evidence_sentences(ctx: DealContext, source: str, evidence: str) -> list[int]:
    """Ids of the deal sentences a fact's evidence lies in (by offsets, else by words)."""
    want = normalise(evidence)
    if not want:
        return []
    cands = [s for s in ctx.sentences if s.source == source]
    hits = [s.id for s in cands if want in normalise(s.text) or normalise(s.text) in want
            and len(normalise(s.text)) > 12]
    if hits:
        return hits
    words = set(want.split())
    best = max(cands, key=lambda s: len(words & set(normalise(s.text).split())), default=None)
    if best is not None and len(words & set(normalise(best.text).split())) >= 0.6 * len(words):
        return [best.id]
    return []


def deal_examples(case: DealCase) -> list[Example]:
    """The labelled sentences of one dev deal."""
    docs = [parse_file(p) for p in case.source_files()]
    ctx = build_context(docs)
    labels: dict[int, set[str]] = {}
    facts: dict[int, list[str]] = {}
    for fact in case.gold.facts:
        for sid in _evidence_sentences(ctx, fact.source, fact.evidence):
            labels.setdefault(sid, set()).update(fact.keys)
            facts.setdefault(sid, []).append(fact.id)
    restated = {s.id for s in ctx.sentences if s.id not in labels and any(
        keywords_match(f.keywords, s.text) for f in case.gold.facts)}
    out = []
    for s in ctx.sentences:
        if s.id in restated:
            continue
        keys = frozenset(labels.get(s.id, set()))
        out.append(Example(view_of(ctx, s), keys, 1.0 if keys else DEV_NEGATIVE_WEIGHT,
                           case.deal_id, tuple(facts.get(s.id, []))))
    return out


def written_examples() -> list[Example]:
    """The written training sentences (``evals/training/*.jsonl``)."""
    out = []
    for path in sorted(TRAINING.glob("*.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"{path.name} line {n}: not JSON ({exc})") from exc
            keys = [k for k in [row.get("key"), *(row.get("also") or [])] if k]
            bad = [k for k in keys if k not in KEYS]
            if bad:
                print(f"{path.name} line {n}: unknown key {bad[0]}, skipped", file=sys.stderr)
                continue
            out.append(Example(_view(row), frozenset(keys), 1.0, "written"))
    return out


def _view(row: dict[str, object]) -> SentenceView:
    """A written line as the classifier sees a deal sentence, with the same guards."""
    text = " ".join(str(row["text"]).split())
    source = _SOURCES.get(str(row.get("source", "")), SourceKind.TRANSCRIPT)
    side = str(row.get("side", "unknown"))
    return SentenceView(
        text=text, prev=" ".join(str(row.get("prev") or "").split()),
        side=side if side in ("vendor", "customer") else None, source=source,
        segment=SegmentKind.NOTE if source == SourceKind.CRM_NOTE else SegmentKind.TURN,
        question=deal.is_question(text), declines=deal.declines(text),
        hypothetical=deal.hypothetical(text), competitor=deal.competitor_words(text),
        unknown=deal.says_unknown(text), retracts=deal.retracts(text),
        value_kinds=frozenset(v.kind for v in extract_values(text, year=2026)),
        people=len(_NAMEISH.findall(text)))


_NAMEISH = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]+\s+[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?\b")


# ----------------------------------------------------------------------------- model


def _targets(examples: list[Example]) -> np.ndarray:
    y = np.zeros((len(examples), len(KEYS)), dtype=np.float32)
    index = {k: i for i, k in enumerate(KEYS)}
    for n, ex in enumerate(examples):
        for k in ex.labels:
            y[n, index[k]] = 1.0
    return y


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, members: int = MEMBERS) -> Head:
    """An ensemble head: ``members`` single heads from seeds SEED, SEED+1, ... stacked."""
    heads = [fit_one(x, y, w, seed=SEED + n) for n in range(members)]
    return Head(**{**heads[0].__dict__, **{
        name: np.stack([getattr(h, name)[0] for h in heads]) for name in ("w1", "b1", "w2", "b2")
    }})


def fit_one(x: np.ndarray, y: np.ndarray, w: np.ndarray, *, seed: int = SEED) -> Head:
    """Train the head with Adam on weighted cross-entropy over the keys and "nothing".

    A sentence labelled with two keys is taught both, each at a reduced weight.
    """
    rng = np.random.default_rng(seed)
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-3
    xs = (x - mean) / scale
    k = y.shape[1]
    rows, target, weight = [], [], []
    for i in range(len(y)):
        labels = np.flatnonzero(y[i] > 0)
        if not len(labels):
            rows.append(i), target.append(k), weight.append(w[i])
        for label in labels:
            rows.append(i), target.append(label), weight.append(w[i] / len(labels) ** 0.5)
    rows_a, target_a = np.array(rows), np.array(target)
    weight_a = np.array(weight, dtype=np.float32)
    n, d = len(rows_a), xs.shape[1]
    w1 = rng.normal(0, np.sqrt(2.0 / d), (d, HIDDEN)).astype(np.float32)
    b1 = np.zeros(HIDDEN, dtype=np.float32)
    w2 = rng.normal(0, np.sqrt(1.0 / HIDDEN), (HIDDEN, k + 1)).astype(np.float32)
    b2 = np.zeros(k + 1, dtype=np.float32)
    params = [w1, b1, w2, b2]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    lr, beta1, beta2, decay, batch, drop = 2e-3, 0.9, 0.999, 3e-4, 128, 0.3
    step = 0
    for _epoch in range(EPOCHS):
        order = rng.permutation(n)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            xb, tb, wb = xs[rows_a[idx]], target_a[idx], weight_a[idx][:, None]
            mask = (rng.random((len(idx), HIDDEN)) > drop) / (1 - drop)
            pre = xb @ w1 + b1
            h = np.maximum(0.0, pre) * mask
            z = h @ w2 + b2
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            grad_out = p
            grad_out[np.arange(len(idx)), tb] -= 1.0
            grad_out *= wb / len(idx)
            g_w2 = h.T @ grad_out + decay * w2
            g_b2 = grad_out.sum(axis=0)
            g_h = (grad_out @ w2.T) * mask * (pre > 0)
            g_w1 = xb.T @ g_h + decay * w1
            g_b1 = g_h.sum(axis=0)
            step += 1
            for i, g in enumerate((g_w1, g_b1, g_w2, g_b2)):
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                mhat = m[i] / (1 - beta1 ** step)
                vhat = v[i] / (1 - beta2 ** step)
                params[i] -= lr * mhat / (np.sqrt(vhat) + 1e-8)
        lr *= 0.95
    return Head(keys=KEYS, mean=mean, scale=scale, w1=w1[None], b1=b1[None], w2=w2[None],
                b2=b2[None],
                thresholds=np.full(k, 0.5, dtype=np.float32), encoder=ENCODER_ID,
                version="classifier.v2")


def choose_thresholds(probs: np.ndarray, y: np.ndarray, *, beta: float = 0.7) -> np.ndarray:
    """Per key, the threshold with the best F-beta on held-out predictions (beta < 1 weighs
    precision higher: a CSM reads every line); keys with too few positives get the median."""
    out = np.full(y.shape[1], np.nan, dtype=np.float32)
    grid = np.concatenate([np.arange(0.08, 0.2, 0.02), np.arange(0.2, 0.96, 0.05)])
    for j in range(y.shape[1]):
        positives = y[:, j].sum()
        if positives < 4:
            continue
        best, best_t = -1.0, 0.5
        for t in grid:
            pred = probs[:, j] >= t
            tp = float((pred & (y[:, j] > 0)).sum())
            if not pred.any():
                continue
            precision, recall = tp / pred.sum(), tp / positives
            if precision + recall == 0:
                continue
            f = (1 + beta ** 2) * precision * recall / (beta ** 2 * precision + recall)
            if f > best:
                best, best_t = f, float(t)
        out[j] = best_t
    chosen = out[~np.isnan(out)]
    out[np.isnan(out)] = float(np.median(chosen)) if len(chosen) else 0.3
    return out


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ROOT / "extractor" / "weights" / "classifier.v2.npz"))
    parser.add_argument("--no-lodo", action="store_true", help="skip leave-one-deal-out")
    parser.add_argument("--save-lodo", type=Path, default=None,
                        help="also write each held-out head to DIR/<deal>.npz, for "
                             "`handoff eval --lodo-weights DIR` (honest dev-set numbers)")
    parser.add_argument("--dev", type=Path, default=DEV, help="the labelled deals to learn from")
    args = parser.parse_args(argv)
    t0 = time.monotonic()
    cases = load_dataset(args.dev)
    dev = [ex for case in cases for ex in deal_examples(case)]
    written = written_examples()
    examples = written + dev
    encoder = E5Embedder()
    x = features([e.view for e in examples], encoder)
    y = _targets(examples)
    w = np.array([e.weight for e in examples], dtype=np.float32)
    groups = np.array([e.group for e in examples])
    print(f"{len(written)} written sentences, {len(dev)} dev sentences from {len(cases)} deals "
          f"({int((y[len(written):].sum(axis=1) > 0).sum())} labelled); features "
          f"{x.shape[1]}; {time.monotonic() - t0:.1f} s")
    thresholds = np.full(len(KEYS), 0.5, dtype=np.float32)
    if not args.no_lodo:
        held = np.zeros_like(y)
        folds = {}
        for case in cases:
            test = groups == case.deal_id
            folds[case.deal_id] = head = fit(x[~test], y[~test], w[~test])
            held[test] = head.predict(x[test])
        dev_rows = groups != "written"
        thresholds = choose_thresholds(held[dev_rows], y[dev_rows])
        if args.save_lodo:
            args.save_lodo.mkdir(parents=True, exist_ok=True)
            for deal_id, head in folds.items():
                Head(**{**head.__dict__, "thresholds": thresholds}).save(
                    str(args.save_lodo / f"{deal_id}.npz"))
        report_lodo(cases, examples, held, y, thresholds, groups)
    head = fit(x, y, w)
    head = Head(**{**head.__dict__, "thresholds": thresholds})
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    head.save(args.out)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1024:.0f} KiB) in "
          f"{time.monotonic() - t0:.1f} s")


def report_lodo(cases: list[DealCase], examples: list[Example], held: np.ndarray,
                y: np.ndarray, thresholds: np.ndarray, groups: np.ndarray) -> None:
    """Print per-deal held-out recall of facts and precision of flagged sentences."""
    index = {k: i for i, k in enumerate(KEYS)}
    print(f"\n{'held-out deal':32} {'facts':>6} {'recall':>7} {'flagged':>8} {'labelled':>9}")
    tot_f = tot_found = tot_flag = tot_lab = 0
    for case in cases:
        rows = np.where(groups == case.deal_id)[0]
        found_facts: set[str] = set()
        located: set[str] = set()
        for r in rows:
            ex = examples[r]
            located.update(ex.fact_ids)
            for fid in ex.fact_ids:
                fact = next(f for f in case.gold.facts if f.id == fid)
                if any(held[r, index[k]] >= thresholds[index[k]] for k in fact.keys):
                    found_facts.add(fid)
        flags = held[rows] >= thresholds
        flagged = int(flags.sum())
        labelled = int((flags & (y[rows] > 0)).sum())
        n = len(case.gold.facts)
        tot_f, tot_found = tot_f + n, tot_found + len(found_facts)
        tot_flag, tot_lab = tot_flag + flagged, tot_lab + labelled
        print(f"{case.deal_id:32} {n:6d} {len(found_facts) / n:7.3f} {flagged:8d} "
              f"{labelled / max(flagged, 1):9.3f}   ({len(located)} facts located)")
    print(f"{'all':32} {tot_f:6d} {tot_found / tot_f:7.3f} {tot_flag:8d} "
          f"{tot_lab / max(tot_flag, 1):9.3f}")


if __name__ == "__main__":
    main()
