"""The eval harness: score briefs against labelled deals (handoff-spec section 4).

Data flows one way through the modules:

    gold.py      load a dataset folder: gold.json labels and offering.yaml per deal
    matching.py  the spec's matching rules (normalisation, keywords, keys, citations)
    metrics.py   pure scores of one brief against its gold, and the run's summary
    passages.py  locate gold evidence in source text, for highlighting
    report.py    report.json (the contract), report.md and a self-contained report.html
    compare.py   two reports side by side: deltas, flipped facts, regressions, exit code
    runner.py    run_eval: build each deal through an injected function, score, report

Nothing here is imported by the product; the CLI wires the real build function in.
"""
