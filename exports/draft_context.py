"""What the drafts say, gathered from the brief as plain strings for the templates.

Templates only arrange words; the choices live here: which goals are safe to restate to the
customer (only those with a grounded quote or a rep confirmation, written as goals), which
commitments still need CS validation, and which handoff checklist points the brief already
covers. Our own people (the CSM, the rep who signs) come from their user profiles; a name
the profile does not give is left as a placeholder, never guessed from an email address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from exports.citations import SourceRegistry, clean
from exports.conflicts_view import conflict_description, gap_question
from exports.formatting import customer_name, format_date, format_percent, truthy
from exports.goals import goals_for_customer
from exports.outline import item_entry
from exports.stakeholders import StakeholderRow, people_with_role, stakeholder_rows
from exports.summary import needs_validation
from handoff.domain import GapStatus, HandoffBrief, Item, ItemStatus, Offering
from handoff.labels import Lang, field_label
from handoff.timeline import DEFAULT_RULES, Step

REQUIRED_ROLES = ("executive_sponsor", "champion", "economic_buyer", "technical_evaluator")
PLACEHOLDER = {"csm": {"en": "[name of your CSM]", "de": "[Name Ihres CSM]"},
               "rep": {"en": "[your name]", "de": "[Ihr Name]"}}


@dataclass(frozen=True)
class Colleague:
    """One of our own people as their profile describes them (the CSM, the rep)."""

    name: str = ""
    title: str = ""
    phone: str = ""
    email: str = ""

    def signature(self) -> list[str]:
        """Title and contact lines under the name (the name itself is written separately)."""
        lines = [self.title] if self.title else []
        contact = " · ".join(p for p in (self.phone, self.email) if p)
        return lines + ([contact] if contact else [])


@dataclass
class Person:
    """A stakeholder as the drafts mention them."""

    name: str
    title: str
    roles: str  # display labels joined

    @property
    def line(self) -> str:
        """"Name (Title) – roles"."""
        who = f"{self.name} ({self.title})" if self.title else self.name
        return f"{who} – {self.roles}" if self.roles else who

    @property
    def first_name(self) -> str:
        """The given name, for an English greeting ("Hello Rob,")."""
        return self.name.split()[0] if " " in self.name.strip() else self.name


@dataclass
class DraftContext:
    """Everything the draft templates may use; all text is already in ``lang``."""

    lang: Lang
    customer: str
    deal: str
    csm: str | None
    rep: str | None
    vendor: str | None
    csm_profile: Colleague | None
    rep_profile: Colleague | None
    champion: Person | None
    sponsor: Person | None
    people: list[Person]
    invitees: list[Person]  # champion first, then verified decision makers
    missing_roles: list[str]
    goals_for_customer: list[str]
    lines: dict[str, list[str]] = field(default_factory=dict)
    open_questions: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    needs_validation: list[str] = field(default_factory=list)
    open_objections: list[str] = field(default_factory=list)
    completeness: str = ""
    completeness_ok: bool = False
    deadlines: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def _reliable(item: Item) -> bool:
    return item.grounded or item.status in (ItemStatus.CONFIRMED, ItemStatus.CORRECTED)


def _line(item: Item, lang: Lang) -> str:
    entry = item_entry(item, SourceRegistry(), lang)
    flags = ", ".join(f.text for f in entry.flags)
    details = f" — {'; '.join(entry.details)}" if entry.details else ""
    return f"{entry.text}{details}" + (f" ({flags})" if flags else "")


def _person(row: StakeholderRow) -> Person:
    return Person(name=row.name, title=row.title, roles=", ".join(row.roles))


def _first(rows: list[StakeholderRow], role: str) -> Person | None:
    found = people_with_role(rows, role)
    return _person(found[0]) if found else None


def _invitees(rows: list[StakeholderRow]) -> list[Person]:
    """Who joins the customer call: verified people holding a decision role, champion first.

    Influencers and blockers are left to the CSM's judgement, and nobody whose role is
    unverified gets an invitation drafted in their name.
    """
    roles = ("champion", *REQUIRED_ROLES, "end_user")
    chosen: list[StakeholderRow] = []
    for role in roles:
        chosen += [r for r in people_with_role(rows, role) if not r.unverified and r not in chosen]
    return [_person(r) for r in chosen]


# The content groups the agendas and the success plan draw on, by field key.
GROUPS: dict[str, tuple[str, ...]] = {
    "background": ("account.industry", "account.market_position", "account.company_size",
                   "account.challenges", "account.priorities", "account.lead_source",
                   "account.competitors_evaluated", "account.why_us", "account.why_now"),
    "goals": ("goals.primary_goal", "goals.success_metric", "goals.roi_expectation",
              "goals.adoption_target", "goals.results_timeframe", "goals.personal_win"),
    "implementation": ("implementation.start_date", "implementation.go_live_date",
                       "implementation.milestone", "implementation.customer_resource",
                       "implementation.training_plan", "implementation.dependency",
                       "implementation.constraint", "implementation.timeline_risk"),
    "technical": ("technical.systems", "technical.integration", "technical.data_migration",
                  "technical.security_compliance", "technical.security_review",
                  "technical.open_question"),
    "commitments": ("commitments.scope", "commitments.service", "commitments.timeline",
                    "commitments.commercial", "commitments.verbal"),
    "risks": ("risks.objection", "risks.competitive_concern", "risks.budget_constraint",
              "risks.political_risk", "risks.churn_indicator", "risks.unrealistic_expectation"),
}
# Single keys the templates ask for on their own.
SINGLE_KEYS = ("goals.success_metric", "goals.roi_expectation", "goals.adoption_target",
               "implementation.start_date", "implementation.go_live_date",
               "implementation.milestone", "implementation.training_plan",
               "implementation.customer_resource", "technical.integration",
               "technical.data_migration", "implementation.dependency",
               "implementation.timeline_risk")


def _labelled(brief: HandoffBrief, keys: tuple[str, ...], lang: Lang) -> list[str]:
    return [f"{field_label(i.key, lang)}: {_line(i, lang)}"
            for k in keys for i in brief.items_for(k)]


def _deadlines(signed_at: datetime | None, lang: Lang) -> dict[str, str]:
    if signed_at is None:
        return {}
    due = {rule.step: rule.due(signed_at) for rule in DEFAULT_RULES}
    return {
        "internal": f"{format_date(due[Step.INTERNAL_HANDOFF_MEETING], lang, weekday=True)}, "
                    f"{due[Step.INTERNAL_HANDOFF_MEETING]:%H:%M}",
        "intro_email": format_date(due[Step.INTRO_EMAIL], lang, weekday=True),
        "joint_call": format_date(due[Step.JOINT_CALL], lang, weekday=True),
        "kickoff": format_date(due[Step.KICKOFF], lang, weekday=True),
    }


def _named(person: Colleague | None, role: str, lang: Lang) -> str | None:
    """The colleague's name; a placeholder when they exist but their profile has no name."""
    if person is None:
        return None
    return clean(person.name) if person.name.strip() else PLACEHOLDER[role][lang]


def build_context(
    brief: HandoffBrief,
    lang: Lang,
    *,
    csm: Colleague | None = None,
    rep: Colleague | None = None,
    vendor_name: str | None = None,
    signed_at: datetime | None = None,
    offering: Offering | None = None,
) -> DraftContext:
    """Collect the drafts' content from the brief.

    Args:
        brief: The handoff brief (rejected items are ignored throughout).
        lang: Language of the drafts.
        csm: The CSM taking over, when already assigned (from their profile).
        rep: The sales rep who signs the introduction email (from their profile).
        vendor_name: Our company's name for the email subject (else the offering's vendor).
        signed_at: Contract signature; turns the SLA rules into concrete dates.
        offering: The vendor's standard offering.
    """
    rows = stakeholder_rows(brief, SourceRegistry(), lang)
    goal_keys = ("goals.primary_goal", "goals.success_metric", "goals.roi_expectation")
    goals = goals_for_customer([i.shown_value for k in goal_keys for i in brief.items_for(k)
                                if _reliable(i)], lang)
    vendor_name = vendor_name or (offering.vendor if offering else None)
    lines = {name: _labelled(brief, keys, lang) for name, keys in GROUPS.items()}
    lines |= {key: [_line(i, lang) for i in brief.items_for(key)] for key in SINGLE_KEYS}
    commitments = [i for k in GROUPS["commitments"] for i in brief.items_for(k)]
    validate = [i for i in brief.visible_items() if needs_validation(i)]
    objections = [i for i in brief.items_for("risks.objection")
                  if truthy(i.attributes.get("open"))]
    open_gaps = [g for g in brief.gaps if g.status == GapStatus.OPEN]
    return DraftContext(
        lang=lang,
        customer=customer_name(brief),
        deal=clean(brief.deal_name),
        csm=_named(csm, "csm", lang),
        rep=_named(rep, "rep", lang),
        vendor=clean(vendor_name) if vendor_name else None,
        csm_profile=csm,
        rep_profile=rep,
        champion=_first(rows, "champion") or _first(rows, "executive_sponsor"),
        sponsor=_first(rows, "executive_sponsor"),
        people=[_person(r) for r in rows],
        invitees=_invitees(rows),
        missing_roles=[field_label(f"stakeholders.{r}", lang) for r in REQUIRED_ROLES
                       if not people_with_role(rows, r)],
        goals_for_customer=goals,
        lines=lines,
        open_questions=[gap_question(g, lang, brief) for g in open_gaps],
        conflicts=[conflict_description(c, lang, brief.language) for c in brief.conflicts
                   if c.resolution is None],
        needs_validation=[_line(i, lang) for i in validate],
        open_objections=[_line(i, lang) for i in objections],
        completeness=format_percent(brief.completeness, lang),
        completeness_ok=brief.completeness >= 0.95,
        deadlines=_deadlines(signed_at, lang),
        counts={
            "people": len(rows),
            "commitments": len(commitments),
            "needs_validation": len(validate),
            "open_gaps": len(open_gaps),
            "conflicts": len(brief.conflicts),
            "sources": len(brief.metadata.sources),
            "risks": len(lines["risks"]),
            "unverified": sum(1 for i in brief.visible_items() if not i.grounded),
            "background": len(lines["background"]),
            "goals": len(lines["goals"]),
            "plan": len(lines["implementation"]),
            "dated_plan": int(bool(lines["implementation.start_date"]
                                   and lines["implementation.go_live_date"])),
            "success_plan": int(bool(brief.items_for("goals.primary_goal")
                                     and brief.items_for("goals.success_metric"))),
            "contract_sourced": sum(1 for i in brief.items_for("commitments.commercial")
                                    if i.grounded),
        },
    )
