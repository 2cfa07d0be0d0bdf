"""The domain model of ../shared/handoff-spec.md as pydantic models.

Two halves:

* sources: a parsed document is its extracted text plus segments (speaker turns, email
  messages, CRM notes, paragraphs) with character offsets into that text, so any quote can
  be located and cited;
* the brief: items under stable ``category.field`` keys, each with citations that the
  product itself re-located in the source, plus gaps, conflicts and metadata.

Field keys and the required checklist are the contract with every labelled dataset: do not
rename them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

# --------------------------------------------------------------------------- categories

CATEGORIES: dict[str, tuple[str, ...]] = {
    "account": (
        "industry", "market_position", "company_size", "locations", "org_structure",
        "business_model", "challenges", "priorities", "competitive_pressure", "growth_plans",
        "tech_landscape", "lead_source", "sales_cycle", "competitors_evaluated", "why_us",
        "why_now",
    ),
    "stakeholders": (
        "executive_sponsor", "champion", "economic_buyer", "technical_evaluator", "end_user",
        "influencer", "blocker",
    ),
    "goals": (
        "primary_goal", "success_metric", "roi_expectation", "adoption_target",
        "results_timeframe", "personal_win",
    ),
    "commitments": ("scope", "service", "timeline", "commercial", "verbal"),
    "technical": (
        "systems", "integration", "data_migration", "security_compliance", "technical_contact",
        "poc_result", "resolved_objection", "open_question", "security_review",
    ),
    "implementation": (
        "start_date", "milestone", "go_live_date", "training_plan", "customer_resource",
        "dependency", "constraint", "timeline_risk",
    ),
    "risks": (
        "objection", "competitive_concern", "political_risk", "churn_indicator",
        "budget_constraint", "unrealistic_expectation",
    ),
}

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "account": {"en": "Customer background and context", "de": "Kundenhintergrund und Kontext"},
    "stakeholders": {"en": "Decision-making stakeholders", "de": "Entscheidende Stakeholder"},
    "goals": {"en": "Business goals and success criteria",
              "de": "Geschäftsziele und Erfolgskriterien"},
    "commitments": {"en": "Commitments and promises", "de": "Zusagen und Versprechen"},
    "technical": {"en": "Technical requirements", "de": "Technische Anforderungen"},
    "implementation": {"en": "Implementation plan", "de": "Implementierungsplan"},
    "risks": {"en": "Risks and concerns", "de": "Risiken und Bedenken"},
}

REQUIRED_KEYS: tuple[str, ...] = (
    "account.industry", "account.why_us",
    "stakeholders.executive_sponsor", "stakeholders.champion",
    "stakeholders.economic_buyer", "stakeholders.technical_evaluator",
    "goals.primary_goal", "goals.success_metric",
    "technical.integration", "technical.security_compliance",
    "implementation.start_date", "implementation.go_live_date",
    "implementation.customer_resource", "risks.objection",
)

# Keys a deal has one answer for (handoff-spec section 4, key_precision): a second, different
# value under one of them is a conflict or a mistake, never a second fact.
SINGLE_ANSWER_KEYS: tuple[str, ...] = (
    "account.industry",
    "stakeholders.executive_sponsor", "stakeholders.champion",
    "stakeholders.economic_buyer", "stakeholders.technical_evaluator",
    "implementation.start_date", "implementation.go_live_date",
)

ALL_KEYS: tuple[str, ...] = tuple(f"{c}.{f}" for c, fields in CATEGORIES.items() for f in fields)


def split_key(key: str) -> tuple[str, str]:
    """Split ``category.field`` and check it names a known key.

    Raises:
        ValueError: the key is not part of the schema.
    """
    category, _, field = key.partition(".")
    if field not in CATEGORIES.get(category, ()):
        raise ValueError(f"unknown field key {key!r}")
    return category, field


def utcnow() -> datetime:
    return datetime.now(UTC)


# --------------------------------------------------------------------------- sources


class SourceKind(StrEnum):
    TRANSCRIPT = "transcript"
    EMAIL = "email"
    CRM_NOTE = "crm_note"
    DOCUMENT = "document"
    REP_CONFIRMATION = "rep_confirmation"


class SegmentKind(StrEnum):
    TURN = "turn"            # one speaker turn in a call
    MESSAGE = "message"      # the new text of an email
    QUOTED = "quoted"        # a quoted reply inside an email: said first elsewhere
    SIGNATURE = "signature"  # an email signature block
    HEADER = "header"        # email headers rendered as text
    NOTE = "note"            # one CRM note or engagement
    PARAGRAPH = "paragraph"  # a paragraph of a document or free-text note
    TABLE_ROW = "table_row"  # a row of a table in a document


class Segment(BaseModel):
    """A citable passage of a document: offsets index into ``ParsedDocument.text``."""

    index: int
    kind: SegmentKind
    text: str
    start: int
    end: int
    speaker: str | None = None
    speaker_title: str | None = None
    timestamp: str | None = None  # "00:12:03" in a call, an ISO date for emails and notes
    locator: str = ""  # human-readable: "00:12:03 Anna Keller", "Message-ID <x>", "row 4"
    hidden: bool = False          # text hidden in HTML (display:none, white on white)
    meta: dict[str, str] = Field(default_factory=dict)


class ParsedDocument(BaseModel):
    """One uploaded file turned into text and segments."""

    filename: str
    format: str
    kind: SourceKind
    text: str
    segments: list[Segment]
    meta: dict[str, str] = Field(default_factory=dict)

    def segment_at(self, offset: int) -> Segment | None:
        """The segment whose span contains ``offset``, if any."""
        for seg in self.segments:
            if seg.start <= offset < seg.end:
                return seg
        return None


# --------------------------------------------------------------------------- the brief


class AlignmentStatus(StrEnum):
    """How a quote was found in its source (langextract-style)."""

    EXACT = "exact"            # verbatim
    NORMALIZED = "normalized"  # equal after case folding and whitespace collapsing
    FUZZY = "fuzzy"            # close enough; snapped to the real source text
    UNGROUNDED = "ungrounded"  # not found: never shown as sourced


class Citation(BaseModel):
    source: str                        # the file name as uploaded
    quote: str                         # verbatim text of the source (after snapping)
    locator: str | None = None
    speaker: str | None = None
    timestamp: str | None = None
    document_id: str | None = None
    segment_index: int | None = None
    start: int | None = None           # character offsets into the document's text
    end: int | None = None
    alignment: AlignmentStatus = AlignmentStatus.UNGROUNDED
    claimed_quote: str | None = None   # what the model said, when it differs from ``quote``

    @property
    def grounded(self) -> bool:
        return self.alignment != AlignmentStatus.UNGROUNDED


class ItemStatus(StrEnum):
    EXTRACTED = "extracted"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"
    REJECTED = "rejected"


class Item(BaseModel):
    """One fact of the brief under a ``category.field`` key.

    ``value`` is the statement a CSM reads. ``attributes`` holds what the category adds:
    name/title/roles for stakeholders; promised_by/promised_to/said_on/due/needs_validation for
    commitments; raised_by/handling/open for objections.
    """

    id: str
    key: str
    value: str
    attributes: dict[str, Any] = Field(default_factory=dict)
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.5
    status: ItemStatus = ItemStatus.EXTRACTED
    verbal: bool = False
    unresolved: bool = False  # its source says the fact is not known or decided yet
    corrected_value: str | None = None
    origin: str = ""  # who found it: "model", "rules", "model+rules", or "rep"

    @property
    def category(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def field(self) -> str:
        return self.key.split(".", 1)[1]

    @property
    def grounded(self) -> bool:
        return any(c.grounded for c in self.citations)

    @property
    def shown_value(self) -> str:
        return self.corrected_value if self.corrected_value else self.value


class GapReason(StrEnum):
    MISSING = "missing"            # required key without any grounded item
    VERBAL_ONLY = "verbal_only"    # rests only on an unconfirmed verbal promise
    LOW_CONFIDENCE = "low_confidence"
    UNGROUNDED = "ungrounded"      # the model said something but no quote could be found
    UNRESOLVED = "unresolved"      # a source says it is not known or decided yet


class GapStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class Gap(BaseModel):
    id: str
    key: str
    reason: GapReason
    question: str
    item_id: str | None = None
    status: GapStatus = GapStatus.OPEN
    answer: str | None = None


class ConflictKind(StrEnum):
    SOURCES_DISAGREE = "sources_disagree"
    BEYOND_OFFERING = "beyond_offering"


class ConflictResolution(BaseModel):
    """How the rep settled a conflict: which side holds (None: neither), with a note."""

    holds: int | None = None  # index into Conflict.sides
    note: str = ""
    by: str = ""
    at: datetime | None = None


class Conflict(BaseModel):
    id: str
    kind: ConflictKind
    topic: str              # date, duration, money, tier, integration, person, roadmap, training
    description: str
    sides: list[Citation]   # both sides quoted; an offering side has source "offering.yaml"
    item_ids: list[str] = Field(default_factory=list)
    resolution: ConflictResolution | None = None  # set by the rep's review, never extracted


class TokenUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0  # answered from the response cache, at no token cost

    def add(self, prompt: int, completion: int, *, cached: bool = False) -> None:
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.calls += 1
        self.cached_calls += int(cached)


class BriefMetadata(BaseModel):
    backend: str
    model: str | None = None
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    token_usage: TokenUsage = Field(default_factory=TokenUsage)
    timings: dict[str, float] = Field(default_factory=dict)
    created_at: datetime = Field(default_factory=utcnow)
    sources: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)  # e.g. a category the model failed


class HandoffBrief(BaseModel):
    deal_id: str
    deal_name: str
    language: str = "en"
    items: list[Item] = Field(default_factory=list)
    gaps: list[Gap] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    completeness: float = 0.0
    metadata: BriefMetadata

    def items_for(self, key: str) -> list[Item]:
        return [i for i in self.items if i.key == key and i.status != ItemStatus.REJECTED]

    def visible_items(self) -> list[Item]:
        return [i for i in self.items if i.status != ItemStatus.REJECTED]


def covered_keys(items: list[Item]) -> set[str]:
    """Keys with a grounded, non-rejected item that states a fact.

    A key the sources themselves call open ("Go-live: TBD") is covered by a fact the rules
    read or the rep confirmed, not by a model's guess alone (measured: the embedded 1.5B
    model filled "Go-live: TBD" with a kickoff date, and an unstaffed project with the
    sponsor's name).
    """
    live = [i for i in items if i.status != ItemStatus.REJECTED and i.grounded]
    said_open = {i.key for i in live if i.unresolved}

    def guess(i: Item) -> bool:
        return i.origin == "model" and i.status not in (ItemStatus.CONFIRMED,
                                                        ItemStatus.CORRECTED)

    return {i.key for i in live if not i.unresolved and not (i.key in said_open and guess(i))}


def completeness(items: list[Item], confirmed_keys: set[str] | None = None) -> float:
    """Share of REQUIRED_KEYS with a grounded, non-rejected item or a rep confirmation."""
    covered = covered_keys(items) | (confirmed_keys or set())
    return round(sum(1 for k in REQUIRED_KEYS if k in covered) / len(REQUIRED_KEYS), 4)


class Answer(BaseModel):
    """A Q&A answer about a deal."""

    question: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    supported: bool = True
    backend: str = ""


# --------------------------------------------------------------------------- offering


class SupportTier(BaseModel):
    name: str
    includes: list[str] = Field(default_factory=list)


class Offering(BaseModel):
    """The vendor's standard offering (spec section 5); unknown keys are kept."""

    model_config = {"extra": "allow"}

    vendor: str | None = None
    product: str | None = None
    implementation_weeks: dict[str, float] | None = None
    support_tiers: list[SupportTier] = Field(default_factory=list)
    integrations: dict[str, Any] = Field(default_factory=dict)
    roadmap: list[str] = Field(default_factory=list)
    training: dict[str, Any] = Field(default_factory=dict)
