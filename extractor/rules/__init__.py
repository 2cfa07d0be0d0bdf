"""The ``rules`` backend: brief items from cue lexicons, with no LLM at all.

    extract_items(docs) -> list[Item]

Modules: ``context`` (citable units, roster, competitors, guards), ``generic`` (cue-driven
fields of account, goals, technical, implementation and risks), ``commitments``,
``stakeholders``; the cue lexicons are the YAML files of this package.
"""

from __future__ import annotations

from .pipeline import extract_items

__all__ = ["extract_items"]
