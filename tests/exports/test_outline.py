"""What the brief document shows, independent of the output format."""

from __future__ import annotations

import pytest

from exports.citations import SourceRef, SourceRegistry, readable_time
from exports.formatting import customer_name, format_percent, mentions_money
from exports.outline import build_outline
from handoff.domain import AlignmentStatus, Citation, HandoffBrief, Item


def test_stakeholder_rows_merge_roles_of_one_person(brief_en):
    rows = build_outline(brief_en, "en").section("stakeholders").stakeholders

    chen = next(r for r in rows if r.name == "Marcus Chen")
    assert chen.role_keys == ["executive_sponsor", "economic_buyer"]
    assert len(chen.refs) == 2 and not chen.unverified
    assert [r.name for r in rows].count("Marcus Chen") == 1


def test_an_unverified_role_is_marked_on_a_verified_person(brief_en):
    brief_en.items.append(Item(
        id="s9", key="stakeholders.blocker", value="Dana may block the budget",
        attributes={"name": "Dana Whitfield"},
        citations=[Citation(source="x", quote="y", alignment=AlignmentStatus.UNGROUNDED)]))
    rows = build_outline(brief_en, "en").section("stakeholders").stakeholders

    dana = next(r for r in rows if r.name == "Dana Whitfield")
    assert dana.roles == ["Champion", "End users", "Blocker (unverified)"]
    assert not dana.unverified


def test_markers_count_up_through_the_document(brief_en):
    outline = build_outline(brief_en, "en")

    seen: list[int] = []
    summary = outline.summary
    for refs in ([f.refs for f in summary.facts] + [r.refs for r in summary.people]
                 + [p.refs for p in summary.promises + summary.risks]
                 + [s.refs for c in summary.conflicts for s in c.sides]):
        seen += [n for n in refs if n not in seen]
    for section in outline.sections:
        for block in section.blocks:
            for entry in block.entries:
                seen += [n for n in entry.refs if n not in seen]
        for row in section.stakeholders:
            seen += [n for n in row.refs if n not in seen]
    assert seen == sorted(seen)


def test_missing_required_keys_respect_listed_roles_and_answers(brief_de, brief_en):
    de = build_outline(brief_de, "de").section("completeness").blocks
    en = build_outline(brief_en, "en").section("completeness").blocks

    missing_de = [e.text for e in de[0].entries]
    assert "Budgetfreigabe" not in missing_de  # Fischer lists economic_buyer among her roles
    assert "Ressourcen beim Kunden" in missing_de
    assert "Security and compliance" not in [e.text for e in en[0].entries]  # gap answered


def test_registry_numbers_only_grounded_quotes():
    registry = SourceRegistry()
    good = Citation(source="a.vtt", quote="Yes  we\nwill", alignment=AlignmentStatus.EXACT,
                    locator="00:01:00")
    same = Citation(source="a.vtt", quote="yes we will", alignment=AlignmentStatus.FUZZY,
                    locator="00:01:00")
    bad = Citation(source="a.vtt", quote="never said", alignment=AlignmentStatus.UNGROUNDED)

    assert registry.refs([good, bad, same]) == [1]
    assert registry.entries[0].quote == "Yes we will"


@pytest.mark.parametrize(("ref", "expected"), [
    (SourceRef(1, "call.vtt", "q", "Anna Keller", "00:12:03", "00:12:03 Anna Keller"),
     "call.vtt · Anna Keller · 00:12:03"),
    (SourceRef(2, "mail.eml", "q", None, None, "Message-ID <a@b>"),
     "mail.eml · Message-ID <a@b>"),
    (SourceRef(3, "crm.csv", "q", "Tom", None, "row 4"), "crm.csv · Tom · row 4"),
])
def test_source_locations_do_not_repeat_themselves(ref, expected):
    assert ref.where() == expected


def test_formatting_helpers():
    assert readable_time("2026-02-25T10:02:00+01:00", "de") == "25.02.2026, 10:02"
    assert readable_time("2026-02-25", "en") == "25 Feb 2026"
    assert readable_time("00:12:03", "de") == "00:12:03"
    assert format_percent(0.7857, "de") == "79 %" and format_percent(1.2, "en") == "100%"
    assert mentions_money("Jahresgebühr 72.000 € netto") and mentions_money("USD 9,500")
    assert not mentions_money("net 30 days, 12 months")


def test_customer_name_prefers_an_attribute(brief_en):
    assert customer_name(brief_en) == "Brightwater Health Partners"
    brief = HandoffBrief(deal_id="x", deal_name="Renewal 2026", metadata=brief_en.metadata,
                         items=[Item(id="a", key="account.industry", value="Retail",
                                     attributes={"company": "Kaufhaus Nord AG"})])
    assert customer_name(brief) == "Kaufhaus Nord AG"
