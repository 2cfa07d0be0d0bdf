"""Labelled deals: the ``gold.json`` models and the dataset loader (handoff-spec section 4).

Design note: datasets are written by several teams against the spec, and the spec lets them
add fields the harness does not know (a ``note`` on a conflict, a day rate in
``offering.yaml``). Every gold model therefore ignores unknown fields, and a problem that does
not make scoring impossible (a key outside the schema, a cited file missing from ``sources/``,
an offering value of an unexpected type) becomes a warning on the case instead of an error.
Only what cannot be scored at all (bad JSON, a missing required field, an empty keyword
group) raises :class:`~handoff.errors.InputError` naming the file.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from handoff.domain import ALL_KEYS, Offering
from handoff.errors import InputError

GOLD_FILE = "gold.json"
OFFERING_FILE = "offering.yaml"
SOURCES_DIR = "sources"


class _GoldModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Keyworded(_GoldModel):
    """A label matched by ``keywords``: groups that must all have an alternative in the text."""

    keywords: list[list[str]]

    @field_validator("keywords", mode="before")
    @classmethod
    def _coerce_groups(cls, value: Any) -> Any:
        # A bare string group (["SSO", ["single sign-on", "SAML"]]) is a one-alternative group.
        if isinstance(value, list):
            return [[g] if isinstance(g, str) else g for g in value]
        return value

    @field_validator("keywords")
    @classmethod
    def _check_groups(cls, groups: list[list[str]]) -> list[list[str]]:
        for n, group in enumerate(groups):
            if not group:
                raise ValueError(f"keyword group {n} is empty and can never match")
            if any(not alt.strip() for alt in group):
                raise ValueError(f"keyword group {n} has a blank alternative, matching anything")
        return groups


class Fact(_Keyworded):
    """A fact a good brief states, under ``key`` (or one of ``alt_keys``), citing ``source``."""

    id: str
    key: str
    alt_keys: list[str] = []
    source: str
    evidence: str = ""

    @property
    def keys(self) -> frozenset[str]:
        """The key and its alternatives."""
        return frozenset((self.key, *self.alt_keys))

    @property
    def category(self) -> str:
        """The category part of ``key``."""
        return self.key.split(".", 1)[0]


class Trap(_Keyworded):
    """Something a careless brief would state but must not (a declined request, say)."""

    id: str
    key: str
    alt_keys: list[str] = []
    why: str = ""

    @property
    def keys(self) -> frozenset[str]:
        """The key and its alternatives."""
        return frozenset((self.key, *self.alt_keys))


class ConflictGold(_Keyworded):
    """Two sources that disagree, or a commitment beyond the standard offering."""

    id: str
    sources: list[str] = []


class Question(_Keyworded):
    """A question about the deal whose answer matches ``keywords`` and cites ``source``."""

    id: str
    question: str
    source: str | None = None


class Gold(_GoldModel):
    """The labels of one deal: the contents of its ``gold.json``."""

    deal: str
    language: str = "en"
    facts: list[Fact] = []
    traps: list[Trap] = []
    gaps: list[str] = []
    conflicts: list[ConflictGold] = []
    questions: list[Question] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> Gold:
        for name in ("facts", "traps", "conflicts", "questions"):
            ids = [entry.id for entry in getattr(self, name)]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"duplicate {name} ids: {', '.join(dupes)}")
        return self

    def covered_keys(self) -> frozenset[str]:
        """Every key some gold fact covers (its key or an alternative)."""
        return frozenset(k for fact in self.facts for k in fact.keys)


@dataclass(frozen=True)
class DealCase:
    """One labelled deal of a dataset, ready for a run.

    Attributes:
        deal_id: The deal folder's name.
        path: The deal folder.
        sources: The deal's ``sources/`` folder (the files a rep would upload).
        gold: The parsed ``gold.json``.
        offering: The deal's ``offering.yaml``, else the dataset's, else None.
        warnings: Problems that do not stop scoring but deserve the author's eye.
    """

    deal_id: str
    path: Path
    sources: Path
    gold: Gold
    offering: Offering | None = None
    warnings: tuple[str, ...] = field(default=())

    def source_files(self) -> list[Path]:
        """The files under ``sources/``, sorted by name."""
        return sorted(p for p in self.sources.iterdir() if p.is_file())


def load_gold(path: Path) -> Gold:
    """Parse one ``gold.json``.

    Raises:
        InputError: the file is unreadable, not JSON, or does not follow the spec.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from exc
    try:
        return Gold.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise InputError(f"{path}: invalid gold labels: {problems}") from exc


def _drop(data: Any, loc: tuple[int | str, ...]) -> bool:
    """Remove the value at ``loc`` (or its nearest existing parent entry); False if none."""
    parents: list[tuple[Any, int | str]] = []
    node = data
    for part in loc:
        try:
            parents.append((node, part))
            node = node[part]
        except (KeyError, IndexError, TypeError):
            parents.pop()
            break
    if not parents:
        return False
    container, part = parents[-1]
    del container[part]
    return True


def load_offering(path: Path) -> tuple[Offering, list[str]]:
    """Parse an ``offering.yaml`` into :class:`~handoff.domain.Offering`.

    Values of an unexpected type are dropped with a warning rather than failing the whole
    dataset, since the spec allows keys the model does not know.

    Returns:
        The offering and the warnings about dropped values.

    Raises:
        InputError: the file is not YAML, not a mapping, or unusable even after dropping.
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path}: cannot read the offering: {exc}") from exc
    if not isinstance(raw, dict):
        raise InputError(f"{path}: the offering must be a YAML mapping")
    data = copy.deepcopy(raw)
    warnings: list[str] = []
    for _ in range(50):
        try:
            return Offering.model_validate(data), warnings
        except ValidationError as exc:
            errors = exc.errors()
            loc = tuple(errors[0]["loc"])
            if not _drop(data, loc):
                break
            where = ".".join(str(p) for p in loc)
            warnings.append(f"{path}: ignored {where}: {errors[0]['msg']}")
    raise InputError(f"{path}: not a valid offering (handoff-spec section 5)")


def check_case(gold: Gold, sources: Path) -> list[str]:
    """Warnings about labels that can never score: unknown keys, cited files not in sources.

    Args:
        gold: The deal's labels.
        sources: The deal's ``sources/`` folder.
    """
    known = set(ALL_KEYS)
    warnings: list[str] = []
    labelled = [(f"fact {f.id}", k) for f in gold.facts for k in f.keys]
    labelled += [(f"trap {t.id}", k) for t in gold.traps for k in t.keys]
    labelled += [("gaps", k) for k in gold.gaps]
    for where, key in labelled:
        if key not in known:
            warnings.append(f"{where}: key {key!r} is not in the schema")
    files = {p.name for p in sources.iterdir()} if sources.is_dir() else set()
    cited = [(f"fact {f.id}", f.source) for f in gold.facts]
    cited += [(f"question {q.id}", q.source) for q in gold.questions if q.source]
    cited += [(f"conflict {c.id}", s) for c in gold.conflicts for s in c.sources]
    for where, name in cited:
        if name not in files and name != OFFERING_FILE:
            warnings.append(f"{where}: source {name!r} is not in {sources.name}/")
    return warnings


def _load_case(deal_dir: Path, dataset_offering: Offering | None,
               dataset_warnings: list[str]) -> DealCase:
    sources = deal_dir / SOURCES_DIR
    if not sources.is_dir():
        raise InputError(f"{deal_dir}: missing the {SOURCES_DIR}/ folder")
    gold = load_gold(deal_dir / GOLD_FILE)
    offering, warnings = dataset_offering, list(dataset_warnings)
    if (deal_dir / OFFERING_FILE).is_file():
        offering, own = load_offering(deal_dir / OFFERING_FILE)
        warnings = own
    warnings += [f"{deal_dir.name}: {w}" for w in check_case(gold, sources)]
    return DealCase(deal_id=deal_dir.name, path=deal_dir, sources=sources, gold=gold,
                    offering=offering, warnings=tuple(warnings))


def load_dataset(path: Path | str) -> list[DealCase]:
    """Load every deal of a dataset folder, sorted by deal id.

    ``path`` may also be a single deal folder (one holding ``gold.json``); its parent's
    ``offering.yaml`` then applies as the dataset's. Hidden folders and folders without
    ``gold.json`` are skipped; a skipped folder that has ``sources/`` (a deal still being
    labelled) is named in every case's warnings, so the report shows the dataset shrank.

    Raises:
        InputError: the folder is missing or empty, or some deal's files are invalid.
    """
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"{root}: not a dataset folder")
    single = (root / GOLD_FILE).is_file()
    dataset_dir = root.parent if single else root
    offering: Offering | None = None
    warnings: list[str] = []
    if (dataset_dir / OFFERING_FILE).is_file():
        offering, warnings = load_offering(dataset_dir / OFFERING_FILE)
    if single:
        return [_load_case(root, offering, warnings)]
    cases, skipped = [], []
    for deal_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if deal_dir.name.startswith((".", "_")):
            continue
        if (deal_dir / GOLD_FILE).is_file():
            cases.append(_load_case(deal_dir, offering, warnings))
        elif (deal_dir / SOURCES_DIR).is_dir():
            skipped.append(f"{deal_dir}: has {SOURCES_DIR}/ but no {GOLD_FILE}; skipped")
    if not cases:
        raise InputError(f"{root}: no deal folders with {GOLD_FILE}")
    return [replace(c, warnings=(*skipped, *c.warnings)) for c in cases]
