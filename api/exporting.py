"""Downloads of the web app: who the drafts name, then the one export dispatcher.

Rendering is :func:`exports.package.export`, the same function ``handoff export`` calls; this
module only adds what the web side knows: the format as an enum for the API's schema, the
people from their user profiles (the assigned CSM, the owning rep), the contract signature
from the handoff timeline, and the vendor's offering from the settings.
"""

from __future__ import annotations

from enum import StrEnum

from api.timeline_events import latest, timeline_of
from api.users import User, assigned_csms, user_by_id
from exports.draft_context import Colleague
from exports.package import FORMATS, DraftPeople, Export, export
from handoff.domain import HandoffBrief, Offering
from index.db import DealRow
from index.store import Store


class ExportFormat(StrEnum):
    """The downloads of the handoff package, as the API's schema lists them."""

    DOCX = "docx"
    MD = "md"
    JSON = "json"
    EMAIL = "email"              # the rep's intro email to the customer
    AGENDA = "agenda"            # internal handoff meeting and joint call agendas
    CALL_AGENDA = "call-agenda"  # the joint call's agenda alone
    CHECKLIST = "checklist"      # CRM / CS platform update checklist
    PLAN = "plan"                # 30/60/90-day success plan


assert tuple(ExportFormat) == FORMATS, "the API lists every format the dispatcher renders"


def colleague(user: User | None) -> Colleague | None:
    """A user's profile as the drafts name them; the name is never made from the email."""
    if user is None:
        return None
    return Colleague(name=user.display_name, title=user.title, phone=user.phone,
                     email=user.email)


def draft_people(store: Store, deal: DealRow) -> DraftPeople:
    """The assigned CSM and the owning rep (their profiles) and the contract signature."""
    csms = assigned_csms(store, deal.id)
    owner = user_by_id(store, deal.owner_id) if deal.owner_id is not None else None
    timeline = timeline_of(latest(store, deal.id))
    return DraftPeople(csm=colleague(csms[0]) if csms else None, rep=colleague(owner),
                       signed_at=timeline.signed_at if timeline else None)


def render(brief: HandoffBrief, fmt: str, lang: str | None, people: DraftPeople,
           offering: Offering | None = None) -> Export:
    """Render one download of the brief (bytes, media type and file name).

    Raises:
        InputError: ``lang`` or ``fmt`` is not one the product writes.
    """
    return export(brief, str(fmt), lang=lang, people=people, offering=offering)
