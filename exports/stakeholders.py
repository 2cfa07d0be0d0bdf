"""The stakeholder map: one row per person, however many roles the sources gave them.

Extractors may emit one item per role ("Keller is champion", "Keller is economic buyer")
or one item listing several roles; both become a single row here, keyed by the person's
name. A role that rests only on unverified items is marked as such in its cell, and a
person with no grounded item at all is flagged unverified as a whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from exports.citations import SourceRegistry, clean
from exports.formatting import attr_text
from handoff.domain import CATEGORIES, Citation, HandoffBrief, Item
from handoff.labels import Lang, field_label, term

_ROLE_KEYS = CATEGORIES["stakeholders"]
_ALIASES = {
    "sponsor": "executive_sponsor", "exec_sponsor": "executive_sponsor",
    "project_lead": "champion", "buyer": "economic_buyer", "budget_owner": "economic_buyer",
    "technical_lead": "technical_evaluator", "it_lead": "technical_evaluator",
    "user": "end_user", "end_users": "end_user", "users": "end_user",
}


@dataclass
class StakeholderRow:
    """One person (or user group) of the stakeholder map, ready to display."""

    name: str
    roles: list[str]                       # display labels in the brief's language
    role_keys: list[str]                   # stable keys such as "champion"
    title: str = ""
    goals: str = ""
    notes: list[str] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    unverified: bool = False
    _grounded_roles: set[str] = field(default_factory=set, repr=False)
    _citations: list[Citation] = field(default_factory=list, repr=False)

    @property
    def citations(self) -> list[Citation]:
        """Every citation of the person's items, in the brief's order."""
        return list(self._citations)


def role_key(role: str) -> str:
    """Map a role as written ("Executive Sponsor", "budget owner") to its field name."""
    key = clean(role).casefold().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key in _ROLE_KEYS:
        return key
    for candidate in _ROLE_KEYS:  # German labels, too
        if clean(role).casefold() == field_label(f"stakeholders.{candidate}", "de").casefold():
            return candidate
    return clean(role)


def roles_of(item: Item) -> list[str]:
    """The role keys of a stakeholder item: its field plus any roles it lists."""
    raw = item.attributes.get("roles") or item.attributes.get("role") or []
    listed = [raw] if isinstance(raw, str) else list(raw)
    split = [part for r in listed for part in str(r).replace(";", ",").split(",")]
    keys = [item.field] + [role_key(r) for r in split if r.strip()]
    return list(dict.fromkeys(keys))


def role_label(key: str, lang: Lang) -> str:
    """The display label of a role key ("economic_buyer" -> "Budgetfreigabe")."""
    return field_label(f"stakeholders.{key}", lang) if key in _ROLE_KEYS else key


def _notes(item: Item, name: str, lang: Lang) -> list[str]:
    a = item.attributes
    out: list[str] = []
    value = clean(item.shown_value)
    # "Name, Title: role" only repeats the row's own cells; a correction or a value that says
    # something else about the person is a note.
    if value and (item.corrected_value or name.casefold() not in value.casefold()):
        suffix = f" ({term('corrected', lang)})" if item.corrected_value else ""
        out.append(value + suffix)
    labelled = (
        ("why_advocated", ("why_advocated", "advocacy", "why")),
        ("concerns", ("concerns", "concern")),
        ("engagement", ("engagement",)),
        ("communication", ("communication_preference", "communication")),
    )
    for label, keys in labelled:
        for key in keys:
            text = attr_text(a.get(key))
            if text:
                out.append(f"{term(label, lang)}: {text}")
                break
    return out


def stakeholder_rows(brief: HandoffBrief, registry: SourceRegistry,
                     lang: Lang) -> list[StakeholderRow]:
    """Merge the stakeholder items into rows, sponsor first, in the order of the roles.

    Args:
        brief: The brief; rejected items are skipped.
        registry: Hands out the citation numbers shown in the rows.
        lang: Display language.
    """
    rows: dict[str, StakeholderRow] = {}
    for item in brief.visible_items():
        if item.category != "stakeholders":
            continue
        name = attr_text(item.attributes.get("name")) or clean(item.shown_value)
        row = rows.setdefault(name.casefold(), StakeholderRow(name=name, roles=[],
                                                              role_keys=[], unverified=True))
        for key in roles_of(item):
            if key not in row.role_keys:
                row.role_keys.append(key)
            if item.grounded:
                row._grounded_roles.add(key)
        row.title = row.title or attr_text(item.attributes.get("title"))
        goals = attr_text(item.attributes.get("goals") or item.attributes.get("goal"))
        if goals and goals not in row.goals:
            row.goals = f"{row.goals}; {goals}" if row.goals else goals
        row.notes += [n for n in _notes(item, name, lang) if n not in row.notes]
        row._citations += item.citations
        row.unverified = row.unverified and not item.grounded

    unverified = term("unverified", lang)
    for row in rows.values():
        row.roles = [
            role_label(k, lang) + ("" if row.unverified or k in row._grounded_roles
                                    else f" ({unverified})")
            for k in row.role_keys
        ]

    def rank(row: StakeholderRow) -> int:
        known = [_ROLE_KEYS.index(k) for k in row.role_keys if k in _ROLE_KEYS]
        return min(known, default=len(_ROLE_KEYS))

    ordered = sorted(rows.values(), key=rank)  # stable: equal ranks keep the brief's order
    for row in ordered:  # numbered after sorting, so markers count up down the table
        row.refs = registry.refs(row._citations)
    return ordered


def people_with_role(rows: list[StakeholderRow], role: str) -> list[StakeholderRow]:
    """The rows whose person holds ``role`` (a field name such as ``"champion"``)."""
    return [r for r in rows if role in r.role_keys]
