"""A hand-built brief of the demo deal, in the shape the new extraction writes.

The page tests must not depend on what today's rules happen to extract, so they render this
brief instead: short normalised values, the sentences they rest on as citations located in
the uploaded demo sources (offsets, speaker, time: a click opens the real passage), an open
promise that needs CS validation, a date the sources call open, a conflict with the offering.
"""

from __future__ import annotations

import re

from handoff.domain import (
    AlignmentStatus,
    BriefMetadata,
    Citation,
    Conflict,
    ConflictKind,
    Gap,
    GapReason,
    HandoffBrief,
    Item,
)
from index.store import Store

CALL = "2026-04-02-discovery-demo-zoom.vtt"
MAIL = "2026-04-09-re-pinecrest-proposal-questions.eml"
NOTE = "rep-handoff-note-sam.md"
CRM = "salesforce-notes-pinecrest.csv"

# What the key-facts strip must show for this brief (English page).
FACTS_EN = {
    "customer": "Pinecrest Facility Services Ltd",
    "contract": "€54,000 per year · 12-month term",
    "signer": "Alan Cotter, Finance Manager",
    "go_live": "1 August 2026",
    "kickoff": "not agreed yet",
    "support_tier": "Standard",
    "seats": "150 users",
}


class Sources:
    """Finds quotes in the deal's stored documents and cites them like the grounding does."""

    def __init__(self, store: Store, deal_id: str) -> None:
        self.docs = {d.doc.filename: d for d in store.documents(deal_id)}

    def cite(self, source: str, quote: str) -> Citation:
        stored = self.docs[source]
        pattern = r"\s+".join(re.escape(w) for w in quote.split())
        m = re.search(pattern, stored.doc.text)
        assert m, f"{quote!r} is not in {source}"
        seg = stored.doc.segment_at(m.start())
        return Citation(source=source, quote=m.group(0), start=m.start(), end=m.end(),
                        document_id=stored.id, speaker=seg.speaker if seg else None,
                        timestamp=seg.timestamp if seg else None,
                        locator=seg.locator if seg else None,
                        segment_index=seg.index if seg else None,
                        alignment=AlignmentStatus.EXACT)


def demo_brief(store: Store, deal_id: str, deal_name: str) -> HandoffBrief:
    """The hand-built brief of the demo deal whose sources ``deal_id`` holds."""
    s = Sources(store, deal_id)

    def person(ident: str, role: str, name: str, title: str, *cites: Citation) -> Item:
        label = role.replace("_", " ").capitalize()
        return Item(id=ident, key=f"stakeholders.{role}", value=f"{name}, {title}: {label}",
                    citations=list(cites), origin="rules",
                    attributes={"name": name, "title": title, "roles": [role],
                                "organisation": "Pinecrest Facility Services Ltd"})

    items = [
        Item(id="Iind", key="account.industry", origin="rules",
             value="Commercial cleaning and building maintenance",
             attributes={"company": "Pinecrest Facility Services Ltd"},
             citations=[s.cite(CALL, "We do commercial cleaning and building maintenance, "
                                     "offices, pharma plants, a couple of universities.")]),
        Item(id="Iwhy", key="account.why_us", origin="rules",
             value="The HubSpot connector plus the crew app",
             citations=[s.cite(CALL, "Honestly the HubSpot piece plus the crew app is why "
                                     "we're talking to you and not the others.")]),
        person("Ispo", "executive_sponsor", "Deirdre Collins", "Managing Director",
               s.cite(CALL, "Deirdre Collins, Managing Director.")),
        person("Icha", "champion", "Rob Hennessy", "Operations Manager",
               s.cite(CALL, "Rob Hennessy, Operations Manager.")),
        person("Ibuy", "economic_buyer", "Alan Cotter", "Finance Manager",
               s.cite(NOTE, "Alan Cotter | Finance Manager | Economic buyer."),
               s.cite(CRM, "Alan Cotter (finance mgr) = econ buyer, max EUR55k/yr.")),
        Item(id="Igoal", key="goals.success_metric", origin="rules",
             value="Missed or late visits from 7% to under 2%",
             attributes={"statement": "Missed or late visits from seven percent to under "
                                      "two percent."},
             citations=[s.cite(CALL, "Missed or late visits from seven percent to under two "
                                     "percent.")]),
        Item(id="Iprice", key="commitments.commercial", origin="rules",
             value="150 users, €54,000 per year, 12-month term, annual in advance",
             citations=[s.cite(MAIL, "With the supervisors added you are at 150 users, so "
                                     "the subscription comes to €54,000 per year, 12-month "
                                     "term, annual in advance.")]),
        Item(id="Itier", key="commitments.service", origin="rules",
             value="Standard support: business hours, email, shared support queue",
             citations=[s.cite(MAIL, "You are on our Standard support: business hours, "
                                     "email, shared support queue.")]),
        Item(id="Ipromise", key="commitments.scope", origin="rules", verbal=True,
             value="Crew app quick guide translated into Polish and Portuguese",
             attributes={"promised_by": "Sam Delgado", "said_on": "2026-04-02",
                         "needs_validation": True},
             citations=[s.cite(CALL, "Tell you what, we'll translate the crew app quick "
                                     "guide into Polish and Portuguese for you.")]),
        Item(id="Igolive", key="implementation.go_live_date", origin="rules",
             value="Go-live: 1 August 2026 (2026-08-01)",
             attributes={"date": "2026-08-01", "statement": "Go-live target 1 Aug."},
             citations=[s.cite(CRM, "Pilot: 12 Corrib sites. Go-live target 1 Aug."),
                        s.cite(CALL, "I'd say live by the first of August, so we have "
                                     "August data to show them.")]),
        Item(id="Ikick", key="implementation.start_date", origin="rules", unresolved=True,
             value="Kickoff date not agreed yet",
             citations=[s.cite(NOTE, "Kickoff date: not agreed yet – waiting for Alan's "
                                     "signature.")]),
        Item(id="Irisk", key="risks.objection", origin="rules",
             value="Sean O'Callaghan wants tight control over what clients see in the portal",
             attributes={"raised_by": "Sean O'Callaghan", "open": True},
             citations=[s.cite(CALL, "I'd want to control that very tightly. I'm not "
                                     "convinced yet.")]),
    ]
    weeks = s.cite(CALL, "Honestly, Deirdre, you could be live in four weeks with this setup.")
    return HandoffBrief(
        deal_id=deal_id, deal_name=deal_name, language="en", items=items,
        gaps=[Gap(id="Gtech", key="stakeholders.technical_evaluator",
                  reason=GapReason.MISSING, question="Who evaluated the technical fit?")],
        conflicts=[Conflict(
            id="Cweeks", kind=ConflictKind.BEYOND_OFFERING, topic="implementation_weeks",
            description="Live in four weeks was promised on the call; the standard "
                        "implementation takes 8 to 10 weeks.",
            sides=[weeks, Citation(source="offering.yaml",
                                   quote="implementation_weeks: min 8, max 10")],
            item_ids=["Igolive"])],
        completeness=0.5,
        metadata=BriefMetadata(backend="rules", sources=[CALL, MAIL, NOTE, CRM]),
    )
