"""The rules backend's cue lexicons: YAML data files next to this module, compiled once.

Every cue is a regular expression fragment, matched case-insensitively and only as whole
words (a cue never matches inside a longer word unless it ends in ``\\w*``). Two
placeholders stand for lists that are not fixed: ``@systems`` (the names in systems.yaml,
matched case-sensitively) and ``@competitors`` (the competitor names found in the deal's
own sources, see :mod:`extractor.rules.context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

_DIR = Path(__file__).parent
FIELD_FILES = ("account.yaml", "goals.yaml", "technical.yaml", "implementation.yaml",
               "risks.yaml")
SYSTEMS = "@systems"
COMPETITORS = "@competitors"


def cue_regex(fragments: list[str] | str, *, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One pattern matching any fragment as a whole word (or phrase).

    An inflection ending may follow (plural -s/-es, German -e/-en/-n/-er/-ern), so "session"
    finds "sessions" and "Schulung" finds "Schulungen".
    """
    items = [fragments] if isinstance(fragments, str) else fragments
    body = "|".join(f"(?:{f})" for f in items)
    return re.compile(rf"(?<![\w-])(?:{body})(?:s|es|e|en|n|er|ern)?(?![\w])", flags)


@cache
def load(name: str) -> Any:
    """A YAML file of this package, parsed."""
    return yaml.safe_load((_DIR / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class FieldSpec:
    """How to find one ``category.field`` key in sentences (see account.yaml)."""

    key: str
    cues: tuple[re.Pattern[str], ...] = ()
    strong: re.Pattern[str] | None = None
    labels: re.Pattern[str] | None = None
    needs: tuple[re.Pattern[str], ...] = ()
    exclude: re.Pattern[str] | None = None
    values: frozenset[str] = frozenset()
    speaker: str = "any"
    guards: frozenset[str] = frozenset()
    questions: bool = False
    max: int = 3
    cue_refs: frozenset[str] = field(default_factory=frozenset)
    need_refs: frozenset[str] = field(default_factory=frozenset)


def _patterns(raw: list[str] | None) -> tuple[tuple[re.Pattern[str], ...], frozenset[str]]:
    refs = frozenset(r for r in raw or [] if r.startswith("@"))
    plain = [r for r in raw or [] if not r.startswith("@")]
    return tuple(cue_regex(p) for p in plain), refs


def _label_regex(labels: list[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(x) for x in sorted(labels, key=len, reverse=True))
    return re.compile(rf"^[\W_]*(?:{alts})\s*(?:[:=–—>-]|\(|\s-\s)", re.IGNORECASE)


def _spec(key: str, raw: dict[str, Any]) -> FieldSpec:
    cues, cue_refs = _patterns(raw.get("cues"))
    needs, need_refs = _patterns(raw.get("needs"))
    return FieldSpec(
        key=key, cues=cues, cue_refs=cue_refs, needs=needs, need_refs=need_refs,
        labels=_label_regex(raw["labels"]) if raw.get("labels") else None,
        strong=cue_regex(raw["strong"]) if raw.get("strong") else None,
        exclude=cue_regex(raw["exclude"]) if raw.get("exclude") else None,
        values=frozenset(raw.get("values") or ()), speaker=raw.get("speaker", "any"),
        guards=frozenset(raw.get("guards") or ()), questions=bool(raw.get("questions")),
        max=int(raw.get("max", 3)),
    )


@cache
def field_specs() -> tuple[FieldSpec, ...]:
    """Every generic field of every category file, in file order."""
    specs: list[FieldSpec] = []
    for name in FIELD_FILES:
        for key, raw in load(name).items():
            specs.append(_spec(key, raw))
    return tuple(specs)


@cache
def systems_regex() -> re.Pattern[str]:
    """Known business systems, case-sensitive whole words."""
    names = sorted(load("systems.yaml")["systems"], key=len, reverse=True)
    return re.compile(rf"(?<![\w-])(?:{'|'.join(re.escape(n) for n in names)})(?![\w])")


@cache
def guard(name: str) -> re.Pattern[str]:
    """A compiled guard list of guards.yaml (decline, hypothetical, retraction ...)."""
    return cue_regex(load("guards.yaml")[name])


@cache
def commitment_cues() -> dict[str, Any]:
    """Commitment cues: ``vendor`` and ``you`` patterns, kinds, customer-only phrases."""
    raw = load("commitments.yaml")
    return {
        "vendor": cue_regex(raw["vendor"]),
        "you": cue_regex(raw["you"]),
        "customer_only": cue_regex(raw["customer_only"]),
        "kinds": {kind: cue_regex(p) for kind, p in raw["kinds"].items()},
    }


@cache
def stakeholder_cues() -> dict[str, Any]:
    """Title-to-role maps, role cues, CRM labels and end-user groups."""
    raw = load("stakeholders.yaml")
    labels = {role: re.compile(rf"^[\W_]*(?:{alts})\s*(?:[:=–—-]|\s-\s)\s*", re.IGNORECASE)
              for role, alts in raw["labels"].items()}
    return {
        "title_roles": {role: [cue_regex(p) for p in tiers]
                        for role, tiers in raw["title_roles"].items()},
        "role_cues": {role: [cue_regex(p) for p in tiers]
                      for role, tiers in raw["role_cues"].items()},
        "labels": labels,
        "user_groups": cue_regex(raw["user_groups"]),
    }
