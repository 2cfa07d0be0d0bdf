"""The roster: who is who, which side they are on, and who must not be a stakeholder."""

from __future__ import annotations

from extractor.roster import Person, build_roster, resolve
from handoff.domain import SourceKind
from tests.extractor.builders import call, crm, email


def _people() -> list[Person]:
    docs = [
        call("2026-03-04-discovery.vtt", [
            ("Jonas Weber", "Ich bin Jonas Weber, Account Executive bei Flowbase."),
            ("Anna Keller", "Ich bin Leiterin Operations hier bei Nordwind."),
            ("Tom Fischer", "Wir brauchen vor allem SSO."),
        ]),
        email("2026-03-11-pricing.eml", "Tom Fischer <t.fischer@nordwind.de>",
              "Jonas Weber <jonas.weber@flowbase.io>", "Die Freigabe erteile ich.",
              cc="Anna Keller <a.keller@nordwind.de>, Petra Lang <p.lang@nordwind.de>",
              signature="Mit freundlichen Grüßen\nTom Fischer\nKaufmännischer Leiter"),
        crm("crm.csv", ["Champion: Anna Keller (Head of Ops)",
                        "Jens Poppe (ehem. IT-Leiter) hat Nordwind im Januar verlassen."]),
    ]
    return build_roster(docs)


def _find(people: list[Person], name: str) -> Person:
    found = resolve(name, people)
    assert found is not None, [p.name for p in people]
    return found


def test_titles_come_from_signatures_and_self_introductions_with_their_line() -> None:
    people = _people()
    fischer = _find(people, "Tom Fischer")
    assert fischer.title == "Kaufmännischer Leiter"
    assert fischer.title_at is not None and fischer.title_at.text == "Kaufmännischer Leiter"
    keller = _find(people, "Anna Keller")
    assert keller.title == "Leiterin Operations"
    assert keller.title_at is not None and keller.title_at.source == "2026-03-04-discovery.vtt"


def test_aliases_resolve_to_one_person() -> None:
    people = _people()
    keller = _find(people, "Anna Keller")
    assert resolve("Frau Keller", people) is keller
    assert resolve("Keller", people) is keller
    assert resolve("Anna", people) is keller
    assert resolve("anna keller", people) is keller
    assert resolve("Nobody Known", people) is None


def test_sides_from_email_domains_and_crm_authors() -> None:
    people = _people()
    assert _find(people, "Jonas Weber").side == "vendor"
    assert _find(people, "Tom Fischer").side == "customer"
    assert _find(people, "Anna Keller").organisation == "nordwind.de"


def test_cc_only_and_departed_people_cannot_be_stakeholders() -> None:
    people = _people()
    lang = _find(people, "Petra Lang")
    assert lang.cc_only and not lang.can_be_stakeholder
    keller = _find(people, "Anna Keller")
    assert not keller.cc_only and keller.can_be_stakeholder  # cc'd, but she spoke
    poppe = _find(people, "Jens Poppe")
    assert poppe.left and not poppe.can_be_stakeholder
    assert not _find(people, "Jonas Weber").can_be_stakeholder


def test_english_mentions_and_left_the_company() -> None:
    doc = crm("notes.csv", [
        "Met Maya Castellanos (Dir. Warehouse Ops) at the expo.",
        "Ruth Abernathy, our CFO, signs anything over fifty thousand.",
        "Kevin Osei = Head of IT, technical sign-off.",
        "Prev. contact Derek Hollis (VP Ops) - LEFT co. Dec 2025, do not contact.",
    ], author="Dana Whitfield")
    people = build_roster([doc])
    assert _find(people, "Maya Castellanos").title == "Dir. Warehouse Ops"
    assert _find(people, "Ruth Abernathy").title == "CFO"
    assert _find(people, "Kevin Osei").title == "Head of IT"
    hollis = _find(people, "Derek Hollis")
    assert hollis.left
    assert not _find(people, "Maya Castellanos").left
    assert doc.kind == SourceKind.CRM_NOTE
