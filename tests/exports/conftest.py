"""Hand-built briefs for the export tests: one English and one German deal.

Both deals hold what a real brief holds on a bad day: a person with several roles, a verbal
promise, an item whose quote was never found (ungrounded), an item the rep rejected, an
item the rep corrected, conflicts with both sides quoted, and open and answered gaps.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handoff.domain import (
    AlignmentStatus,
    BriefMetadata,
    Citation,
    Conflict,
    ConflictKind,
    Gap,
    GapReason,
    GapStatus,
    HandoffBrief,
    Item,
    ItemStatus,
)

CALL = "2026-03-04-discovery.vtt"
MAIL = "2026-03-11-pricing.eml"
ORDER = "order-form.pdf"
CRM = "crm-notes.csv"


def cite(source: str, quote: str, speaker: str | None = None, ts: str | None = None,
         *, grounded: bool = True, locator: str | None = None) -> Citation:
    """A citation; grounded ones look like the grounding step re-located them."""
    if locator is None and (ts or speaker):
        locator = " ".join(p for p in (ts, speaker) if p)
    return Citation(source=source, quote=quote, speaker=speaker, timestamp=ts, locator=locator,
                    alignment=AlignmentStatus.EXACT if grounded else AlignmentStatus.UNGROUNDED)


def item(ident: str, key: str, value: str, *cites: Citation, **extra: object) -> Item:
    return Item(id=ident, key=key, value=value, citations=list(cites), **extra)


@pytest.fixture
def brief_en() -> HandoffBrief:
    items = [
        item("a1", "account.industry", "Outpatient healthcare network (14 clinics)",
             cite(CALL, "we run fourteen outpatient clinics", "Dana Whitfield", "00:02:10")),
        item("a2", "account.market_position", "Third-largest outpatient network in the region",
             cite(CRM, "third largest outpatient group in the Pacific Northwest",
                  locator="row 4")),
        item("a3", "account.why_us", "Native Salesforce integration and faster rollout",
             cite(MAIL, "the native Salesforce connector tipped the scales", "Marcus Chen",
                  "2026-03-11T09:14:00Z")),
        item("s1", "stakeholders.champion", "Dana Whitfield drives the project internally",
             cite(CALL, "I'm the one pushing this internally", "Dana Whitfield", "00:05:41"),
             attributes={"name": "Dana Whitfield", "title": "Director of Clinic Operations",
                         "roles": ["champion", "end_user"],
                         "goals": ["halve scheduling effort"],
                         "why_advocated": "tired of spreadsheet rosters"}),
        item("s2", "stakeholders.executive_sponsor", "Marcus Chen sponsors the rollout",
             cite(MAIL, "I will sponsor this on the leadership team", "Marcus Chen",
                  "2026-03-11T09:14:00Z"),
             attributes={"name": "Marcus Chen", "title": "COO", "goals": "lower agency spend"}),
        item("s3", "stakeholders.economic_buyer", "Marcus Chen owns the budget",
             cite(ORDER, "Approved by: Marcus Chen, COO", locator="page 3"),
             attributes={"name": "Marcus Chen", "title": "COO",
                         "concerns": "payback within a year"}),
        item("s4", "stakeholders.technical_evaluator", "Priya Raman reviews security",
             cite(CALL, "security sign-off sits with me", "Priya Raman", "00:21:03"),
             attributes={"name": "Priya Raman", "title": "IT Security Lead",
                         "concerns": ["SSO", "SOC 2 report"]}),
        item("s5", "stakeholders.influencer", "Tom Becker, night-shift lead, is sceptical",
             cite(CALL, "Tom thinks this is a waste of money", grounded=False),
             attributes={"name": "Tom Becker", "title": "Night Shift Lead"}),
        item("g1", "goals.primary_goal", "Halve the time spent on clinic scheduling",
             cite(CALL, "we want to cut scheduling time in half", "Dana Whitfield",
                  "00:07:12")),
        item("g2", "goals.success_metric", "Shift fill rate above 95% within two quarters",
             cite(MAIL, "fill rate above 95 percent by Q4", "Marcus Chen")),
        item("g3", "goals.roi_expectation", "Payback within 12 months via lower agency costs",
             cite(MAIL, "needs to pay back within twelve months", "Marcus Chen")),
        item("g4", "goals.adoption_target", "All 14 clinics live in the first week",
             cite(CALL, "every clinic on day one", "Dana Whitfield", "00:30:00"),
             status=ItemStatus.REJECTED),
        item("c1", "commitments.scope", "Salesforce integration for scheduling data",
             cite(ORDER, "Salesforce connector (native)", locator="page 2")),
        item("c2", "commitments.service", "Premium support with a dedicated CSM",
             cite(CALL, "you'll get a dedicated CSM, don't worry", "Jordan Lee", "00:33:15"),
             verbal=True,
             attributes={"promised_by": "Jordan Lee", "promised_to": "Dana Whitfield",
                         "said_on": "2026-03-04", "needs_validation": True}),
        item("c3", "commitments.commercial", "Annual subscription EUR 96,000, net 30",
             cite(ORDER, "Annual fee: EUR 96,000; payment terms net 30", locator="page 2")),
        item("c4", "commitments.timeline", "Live within four weeks",
             cite(CALL, "you'll be live in four weeks", "Jordan Lee", "00:34:02"),
             verbal=True, attributes={"promised_by": "Jordan Lee"}),
        item("t1", "technical.integration", "Salesforce (native) and a Workday CSV export",
             cite(CALL, "Salesforce plus a CSV drop from Workday", "Priya Raman", "00:22:40")),
        item("i1", "implementation.go_live_date", "1 May 2026",
             cite(CALL, "go live first of May", "Dana Whitfield", "00:35:20"),
             status=ItemStatus.CORRECTED, corrected_value="15 June 2026 (after the audit)"),
        item("i2", "implementation.customer_resource", "Two schedulers half-time, one SF admin",
             cite(CRM, "2 schedulers at 50%, 1 Salesforce admin", locator="row 9")),
        item("r1", "risks.objection", "Night-shift nurses may not adopt a new tool",
             cite(CALL, "night shift won't touch another app", "Marcus Chen", "00:40:11"),
             attributes={"raised_by": "Marcus Chen", "handling": "two extra on-site trainings",
                         "open": False}),
        item("r2", "risks.political_risk", "The CFO still prefers the incumbent vendor",
             cite(MAIL, "our CFO would rather stay with ShiftWise", grounded=False)),
    ]
    return HandoffBrief(
        deal_id="brightwater-2026",
        deal_name="Brightwater Health Partners - Ops Platform rollout",
        language="en",
        items=items,
        gaps=[
            Gap(id="G1", key="implementation.start_date", reason=GapReason.MISSING,
                question="When does Brightwater expect the implementation to start?"),
            Gap(id="G2", key="commitments.service", reason=GapReason.VERBAL_ONLY,
                item_id="c2", question="Was the dedicated CSM approved, or only said on the call?"),
            Gap(id="G3", key="technical.security_compliance", reason=GapReason.MISSING,
                question="Which security documents does Priya need?",
                status=GapStatus.ANSWERED, answer="The SOC 2 Type II report, sent on 12 March."),
        ],
        conflicts=[
            Conflict(id="C1", kind=ConflictKind.SOURCES_DISAGREE, topic="duration",
                     description="The call promises go-live in four weeks; the order form "
                                 "plans a ten-week implementation.",
                     sides=[cite(CALL, "you'll be live in four weeks", "Jordan Lee", "00:34:02"),
                            cite(ORDER, "Implementation period: 10 weeks", locator="page 2")],
                     item_ids=["c4"]),
            Conflict(id="C2", kind=ConflictKind.BEYOND_OFFERING, topic="tier",
                     description="A dedicated CSM is part of Premium, but the order form "
                                 "lists Standard support.",
                     sides=[cite(CALL, "you'll get a dedicated CSM, don't worry", "Jordan Lee",
                                 "00:33:15"),
                            cite("offering.yaml", "Premium: dedicated CSM, 24/7 phone support")],
                     item_ids=["c2"]),
        ],
        completeness=0.7857,
        metadata=BriefMetadata(backend="rules", created_at=datetime(2026, 3, 12, 8, 0, tzinfo=UTC),
                               sources=[CALL, MAIL, ORDER, CRM]),
    )


@pytest.fixture
def brief_de() -> HandoffBrief:
    return nordwind_brief()


def nordwind_brief(deal_id: str = "nordwind-2026") -> HandoffBrief:
    """The German deal as a plain function, for tests outside this folder (the web page)."""
    call, mail, order = "2026-02-18-discovery.vtt", "2026-02-25-angebot.eml", "auftrag.pdf"
    items = [
        item("a1", "account.industry", "Kontraktlogistik mit eigener LKW-Flotte",
             cite(call, "wir sind Kontraktlogistiker mit 220 eigenen LKW", "Anna Keller",
                  "00:01:30")),
        item("a2", "account.why_us", "SAP-Anbindung und deutsches Rechenzentrum",
             cite(mail, "den Ausschlag gaben die SAP-Anbindung und Frankfurt als Standort",
                  "Katrin Fischer", "2026-02-25T10:02:00+01:00")),
        item("s1", "stakeholders.champion", "Anna Keller treibt das Projekt intern voran",
             cite(call, "ich treibe das intern voran", "Anna Keller", "00:04:12"),
             attributes={"name": "Anna Keller", "title": "Leiterin Operations",
                         "goals": "weniger Leerfahrten", "communication_preference": "Teams"}),
        # The value as the extraction writes it (English role label); the German page shows
        # name, title and roles in German.
        item("s2", "stakeholders.executive_sponsor", "Katrin Fischer, CFO: Executive sponsor",
             cite(mail, "ich gebe das Budget frei", "Katrin Fischer", "2026-02-25T10:02:00+01:00"),
             attributes={"name": "Katrin Fischer", "title": "CFO",
                         "roles": ["executive_sponsor", "economic_buyer"],
                         "concerns": "Budgetdisziplin"}),
        item("s3", "stakeholders.technical_evaluator", "Jonas Brandt prüft Technik und SAP",
             cite(call, "die SAP-Schnittstelle muss ich abnehmen", "Jonas Brandt", "00:18:44"),
             attributes={"name": "Jonas Brandt", "title": "IT-Leiter"}),
        item("s4", "stakeholders.blocker", "Betriebsrat skeptisch wegen Fahrerdaten",
             cite(call, "der Betriebsrat will da mitreden", grounded=False),
             attributes={"name": "Betriebsrat"}),
        item("g1", "goals.primary_goal", "Leerfahrten um 15 Prozent senken",
             cite(call, "wir wollen die Leerfahrten um fünfzehn Prozent drücken", "Anna Keller",
                  "00:06:02")),
        item("g2", "goals.success_metric", "Auslastung der Flotte über 85 Prozent",
             cite(mail, "Zielwert Auslastung über 85 %", "Katrin Fischer")),
        item("g3", "goals.personal_win", "Keller will das Projekt vor dem Vorstand präsentieren",
             cite(call, "das will ich im Juni dem Vorstand zeigen", "Anna Keller", "00:44:10"),
             status=ItemStatus.REJECTED),
        item("c1", "commitments.scope", "SAP-Anbindung ohne Aufpreis",
             cite(call, "die SAP-Anbindung machen wir Ihnen ohne Aufpreis", "Lukas Wagner",
                  "00:27:31"),
             verbal=True, attributes={"promised_by": "Lukas Wagner", "promised_to": "Jonas Brandt",
                                      "said_on": "2026-02-18", "needs_validation": True}),
        item("c2", "commitments.commercial", "Jahresgebühr 72.000 € bei 3 Jahren Laufzeit",
             cite(order, "Jahresgebühr: 72.000 EUR, Laufzeit 36 Monate", locator="Seite 2")),
        item("t1", "technical.integration", "SAP S/4HANA und Microsoft Teams",
             cite(call, "SAP S/4 und Teams müssen angebunden werden", "Jonas Brandt",
                  "00:19:05")),
        item("i1", "implementation.start_date", "März 2026",
             cite(call, "Start im März", "Anna Keller", "00:35:02"),
             status=ItemStatus.CORRECTED, corrected_value="13. April 2026"),
        item("i2", "implementation.go_live_date", "Go-live: 30 June 2026 (2026-06-30)",
             cite(order, "Produktivstart: 30.06.2026", locator="Seite 1"),
             attributes={"date": "2026-06-30", "statement": "Produktivstart: 30.06.2026"}),
        item("i3", "technical.security_compliance", "Datenschutz-Folgenabschätzung offen",
             cite(mail, "die DSFA ist noch nicht abgeschlossen", "Katrin Fischer",
                  "2026-02-25T10:02:00+01:00"), unresolved=True),
        item("r1", "risks.objection", "Sorge, dass Disponenten das Tool nicht annehmen",
             cite(call, "meine Disponenten haben schon drei Tools", "Anna Keller", "00:39:50"),
             attributes={"raised_by": "Anna Keller", "handling": "Pilot mit einem Standort",
                         "open": True}),
        item("r2", "risks.budget_constraint", "Budget für 2026 ist gedeckelt",
             cite(mail, "mehr als das ist 2026 nicht drin", grounded=False)),
    ]
    return HandoffBrief(
        deal_id=deal_id,
        deal_name="Nordwind Logistik GmbH - Fleet Ops Rollout",
        language="de",
        items=items,
        gaps=[
            Gap(id="G1", key="implementation.customer_resource", reason=GapReason.MISSING,
                question="Wen stellt Nordwind für die Einführung ab, und mit wie viel Zeit?"),
            Gap(id="G2", key="commitments.scope", reason=GapReason.VERBAL_ONLY, item_id="c1",
                question="Ist die kostenlose SAP-Anbindung freigegeben?"),
            # Stored in English by an older run: shown in the reader's language anyway.
            Gap(id="G3", key="technical.security_compliance", reason=GapReason.UNRESOLVED,
                item_id="i3", question="The sources say this is still open. What security "
                                       "and compliance requirements apply?"),
        ],
        conflicts=[
            Conflict(id="C1", kind=ConflictKind.BEYOND_OFFERING, topic="integration",
                     description="SAP ist eine kostenpflichtige Individualanbindung, wurde "
                                 "aber ohne Aufpreis zugesagt.",
                     sides=[cite(call, "die SAP-Anbindung machen wir Ihnen ohne Aufpreis",
                                 "Lukas Wagner", "00:27:31"),
                            cite("offering.yaml", "custom: [SAP, Oracle]")],
                     item_ids=["c1"]),
        ],
        completeness=0.7143,
        metadata=BriefMetadata(backend="rules", created_at=datetime(2026, 2, 26, 9, 0, tzinfo=UTC),
                               sources=[call, mail, order]),
    )
