"""The ``rules`` backend: brief items from cue lexicons, with no LLM at all.

    extract_items(docs) -> list[Item]

Modules: ``pipeline`` (the entry point), ``context`` (citable units, roster, competitors,
guards), ``generic`` (cue-driven fields of account, goals, technical, implementation and
risks), ``commitments``, ``stakeholders``, ``people`` (name and title patterns), ``lexicon``
(the YAML cue files of this package, compiled).

``extract_items`` is loaded on first use (PEP 562): ``extractor.roster`` reads the name and
title patterns of ``extractor.rules.people`` and is itself used by the rules, so importing
the pipeline eagerly here would make an import cycle.
"""

from __future__ import annotations

from typing import Any

__all__ = ["extract_items"]


def __getattr__(name: str) -> Any:
    if name == "extract_items":
        from .pipeline import extract_items

        return extract_items
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
