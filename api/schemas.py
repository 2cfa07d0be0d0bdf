"""Request and response bodies of the JSON API (what OpenAPI documents).

The brief itself, gaps, conflicts, answers and SLA statuses are the domain models of
:mod:`handoff.domain` and :mod:`handoff.timeline`, returned as they are; the models here are
what only the web API adds around them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from api.models import JobStatus, Role
from handoff.timeline import DealMetrics, SlaStatus, Step


class UserOut(BaseModel):
    """A user as the API shows it."""

    id: int
    email: str
    role: Role
    team: str


class DealCreate(BaseModel):
    """A new deal: only its name; the id is made from it."""

    name: str = Field(min_length=1, max_length=300, examples=["Pinecrest Facility Services"])


class HandoffStage(StrEnum):
    """How far a deal's handoff has come."""

    NEW = "new"                # no sources yet
    SOURCES = "sources"        # sources uploaded, no brief
    BRIEF = "brief"            # brief ready, contract not signed yet
    SIGNED = "signed"          # signed, handoff under way
    KICKED_OFF = "kicked_off"  # the implementation kickoff happened


class SlaHealth(StrEnum):
    """The worst SLA state of a signed deal."""

    ON_TRACK = "on_track"  # nothing late
    BREACHED = "breached"  # a step happened late
    OVERDUE = "overdue"    # a step is late and still not done


class HandoffStatus(BaseModel):
    """A deal's handoff stage and, once signed, its SLA health."""

    stage: HandoffStage
    sla: SlaHealth | None = Field(None, description="Only once the contract is signed")
    sla_met: int = 0
    sla_decided: int = 0


class DealOut(BaseModel):
    """A deal with its owner, sources, completeness, status and CSMs."""

    id: str = Field(examples=["pinecrest-facility-services-3f9a1c"])
    name: str
    owner: str | None = Field(None, description="The owning rep's email")
    team: str = ""
    created_at: datetime
    documents: int
    has_brief: bool
    completeness: float | None = Field(None, ge=0, le=1)
    language: str | None = None
    status: HandoffStatus
    csms: list[str] = Field(default_factory=list, description="Assigned CSMs' emails")


class UploadStatus(StrEnum):
    """What happened to one uploaded file."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class UploadResult(BaseModel):
    """One uploaded file's result, with the reason when it was not accepted."""

    filename: str
    status: UploadStatus
    reason: str = ""
    document_id: str | None = None
    format: str | None = None
    segments: int = 0
    chunks: int = 0


class UploadOut(BaseModel):
    """The results of an upload, one per file, and their counts."""

    results: list[UploadResult]
    accepted: int
    duplicates: int
    rejected: int


class DocumentOut(BaseModel):
    """A stored source document."""

    id: str
    filename: str
    format: str
    kind: str
    size: int
    created_at: datetime


class JobKind(StrEnum):
    """What a background job does."""

    BRIEF = "brief"
    INGEST = "ingest"


class JobOut(BaseModel):
    """A background job: poll it until it succeeded, failed or was cancelled."""

    id: str
    deal_id: str
    kind: str = Field(description="brief or ingest (a deployment may register more kinds)",
                      examples=["brief"])
    status: JobStatus
    message: str = ""
    error: str | None = None
    result: dict[str, Any] | None = None
    created_by: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    attempts: int = Field(0, description="Runs started so far (a transient error or a "
                                         "stopped worker starts it again)")
    cancel_requested: bool = Field(False, description="Cancelling: stops at its next step")
    worker: str | None = Field(None, description="host:pid:tag of the process that runs it, or "
                                                 "ran it last")


class ReviewAction(StrEnum):
    """What the rep does with an item."""

    CONFIRM = "confirm"
    CORRECT = "correct"
    REJECT = "reject"


class ReviewIn(BaseModel):
    """The corrected value, for ``correct``."""

    text: str | None = Field(None, max_length=5000,
                             description="The corrected value (required to correct)")


class GapAnswerIn(BaseModel):
    """The rep's answer to a gap."""

    answer: str = Field(min_length=1, max_length=5000)


class AskIn(BaseModel):
    """A question about the deal."""

    question: str = Field(min_length=1, max_length=2000, examples=["Who signs off the budget?"])


class AssignIn(BaseModel):
    """The CSM to assign, by email."""

    email: str = Field(min_length=3, max_length=320)


class PassageOut(BaseModel):
    """A window of a source document around a cited span."""

    document_id: str
    source: str
    start: int
    end: int
    before: str
    quote: str
    after: str
    speaker: str | None = None
    timestamp: str | None = None
    locator: str = ""


class AuditEntry(BaseModel):
    """One change to the deal: who, when, what, before and after."""

    at: str
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


TimelineKind = Literal["signed", "internal_handoff_meeting", "intro_email", "joint_call",
                       "kickoff", "first_cs_contact"]


class TimelineEventIn(BaseModel):
    """A moment of the handoff: the contract signature or a step."""

    step: TimelineKind = Field(description="'signed' for the contract signature, else a step")
    at: AwareDatetime = Field(description="When it happened, with a UTC offset",
                              examples=["2026-04-20T15:00:00+02:00"])


class RatingIn(BaseModel):
    """A 1-5 rating of the handoff."""

    kind: Literal["csm", "customer"] = Field(
        description="csm: the CSM rates the rep's handoff; customer: the survey result")
    rating: int = Field(strict=True, ge=1, le=5)


class TimelineEventOut(BaseModel):
    """A recorded timeline event or rating."""

    kind: str
    at: datetime | None = None
    rating: int | None = None
    actor: str
    recorded_at: datetime


class TimelineOut(BaseModel):
    """The deal's handoff timeline with SLA statuses and quality metrics."""

    deal_id: str
    signed_at: datetime | None = None
    steps: dict[Step, datetime | None]
    csm_rating: int | None = None
    customer_rating: int | None = None
    sla: list[SlaStatus] = Field(default_factory=list)
    metrics: DealMetrics | None = None
    events: list[TimelineEventOut] = Field(default_factory=list)
