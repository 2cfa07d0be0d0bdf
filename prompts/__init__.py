"""Versioned prompt files (data, not code), loaded with importlib.resources.

A shipped version is never edited: a change is a new file (``extract_goals.v2.md``), and the
brief's metadata records which versions produced it, so eval runs can be compared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True)
class Prompt:
    id: str  # e.g. "extract_goals.v1"
    text: str


def _versions(name: str) -> list[tuple[int, str]]:
    pattern = re.compile(rf"^{re.escape(name)}\.v(\d+)\.(md|yaml)$")
    found = []
    for entry in resources.files(__package__).iterdir():
        m = pattern.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name))
    return sorted(found)


@cache
def load(name: str, version: int | None = None) -> Prompt:
    """The prompt ``name`` at ``version`` (default: the newest shipped)."""
    versions = _versions(name)
    if not versions:
        raise FileNotFoundError(f"no prompt named {name!r}")
    if version is None:
        v, filename = versions[-1]
    else:
        matches = [f for n, f in versions if n == version]
        if not matches:
            raise FileNotFoundError(f"prompt {name!r} has no version {version}")
        v, filename = version, matches[0]
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    return Prompt(f"{name}.v{v}", text)


@cache
def load_yaml(name: str) -> tuple[str, Any]:
    p = load(name)
    return p.id, yaml.safe_load(p.text)
