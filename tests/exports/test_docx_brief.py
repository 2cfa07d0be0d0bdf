"""The Word brief, read back with python-docx the way a reviewer would check it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from exports.docx_brief import TABLE_STYLE, docx_bytes, render_docx
from handoff.domain import CATEGORIES, BriefMetadata, HandoffBrief
from handoff.errors import InputError

HEADINGS = {
    "en": ["Summary", "Contents", "Customer background and context",
           "Decision-making stakeholders", "Business goals and success criteria",
           "Commitments and promises", "Technical requirements", "Implementation plan",
           "Risks and concerns", "Answered questions", "Completeness", "Sources"],
    "de": ["Zusammenfassung", "Inhalt", "Kundenhintergrund und Kontext",
           "Entscheidende Stakeholder", "Geschäftsziele und Erfolgskriterien",
           "Zusagen und Versprechen", "Technische Anforderungen", "Implementierungsplan",
           "Risiken und Bedenken", "Vollständigkeit", "Quellen"],
}
SUMMARY = {"en": ["Key facts", "Stakeholder map", "Open promises that need CS validation",
                  "Top risks", "Missing and contradictory"],
           "de": ["Eckdaten", "Stakeholder-Übersicht", "Offene Zusagen, die CS prüfen muss",
                  "Wichtigste Risiken", "Fehlend und widersprüchlich"]}
SOURCE_LINE = re.compile(r"^\[(\d+)\]\t[“„](.+)[”“] — (.+)$")


def _render(brief: HandoffBrief, lang: str, tmp_path: Path):
    path = tmp_path / f"brief-{lang}.docx"
    render_docx(brief, lang=lang, path=path)
    return Document(str(path))


def _headings(doc, level: int) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def _body_and_sources(doc) -> tuple[list[str], dict[int, tuple[str, str]]]:
    """Texts before the Sources heading (tables included) and the appendix by number."""
    body: list[str] = []
    sources: dict[int, tuple[str, str]] = {}
    in_sources = False
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            in_sources = p.text in ("Sources", "Quellen")
        elif in_sources and (m := SOURCE_LINE.match(p.text)):
            sources[int(m.group(1))] = (m.group(2), m.group(3))
        elif not in_sources:
            body.append(p.text)
    body += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return body, sources


def _paragraph_with(doc, needle: str) -> str:
    found = [p.text for p in doc.paragraphs if needle in p.text]
    assert found, f"no paragraph contains {needle!r}"
    return found[0]


def _stakeholder_table(doc, first_header: str):
    return next(t for t in doc.tables if t.rows[0].cells[0].text == first_header)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_sections_follow_the_template_in_the_chosen_language(brief_en, brief_de, lang,
                                                             tmp_path):
    doc = _render(brief_en if lang == "en" else brief_de, lang, tmp_path)

    assert _headings(doc, 1) == HEADINGS[lang]
    assert _headings(doc, 2)[:5] == SUMMARY[lang]  # the summary comes first, in this order
    assert doc.paragraphs[0].style.name == "Title"
    assert len(_headings(doc, 2)) >= 12  # field groups are real sub-headings


def test_contents_link_to_every_category_section(brief_en, tmp_path):
    doc = _render(brief_en, "en", tmp_path)

    links = {h.get(qn("w:anchor")): "".join(t.text for t in h.iter(qn("w:t")))
             for h in doc.element.body.iter(qn("w:hyperlink"))
             if h.get(qn("w:anchor")).startswith("section_")}
    assert links["section_account"] == "Customer background and context (3)"
    assert links["section_stakeholders"] == "Decision-making stakeholders (5)"
    assert set(links) >= {f"section_{c}" for c in CATEGORIES}


def test_key_facts_strip_reads_contract_people_and_dates(brief_de, tmp_path):
    doc = _render(brief_de, "de", tmp_path)
    facts = {r.cells[0].text: r.cells[1].text for r in doc.tables[1].rows}

    assert list(facts) == ["Kunde", "Vertragswert und Laufzeit", "Unterzeichner", "Go-Live",
                           "Kickoff", "Support-Stufe", "Nutzer"]
    assert facts["Kunde"].startswith("Nordwind Logistik GmbH")
    assert facts["Vertragswert und Laufzeit"].startswith("72.000 € pro Jahr · Laufzeit 36 Monate[")
    assert facts["Unterzeichner"].startswith("Katrin Fischer, CFO[")
    assert facts["Kickoff"].startswith("13. April 2026[")  # the rep's correction
    assert facts["Nutzer"] == "nicht in den Quellen"


def test_stakeholder_table_has_one_row_per_person_with_all_roles(brief_en, tmp_path):
    doc = _render(brief_en, "en", tmp_path)
    table = _stakeholder_table(doc, "Role")

    header = [c.text for c in table.rows[0].cells]
    rows = {r.cells[1].text.split("[")[0].split(" (")[0]: [c.text for c in r.cells]
            for r in table.rows[1:]}
    assert header == ["Role", "Name", "Title", "Goals", "Advocacy and concerns"]
    assert table.style.name == TABLE_STYLE
    assert list(rows) == ["Marcus Chen", "Dana Whitfield", "Priya Raman", "Tom Becker"]
    assert rows["Marcus Chen"][0].splitlines() == ["Executive sponsor", "Economic buyer"]
    assert rows["Marcus Chen"][2] == "COO"
    assert "payback within a year" in rows["Marcus Chen"][4]
    assert rows["Dana Whitfield"][0].splitlines() == ["Champion", "End users"]
    assert "tired of spreadsheet rosters" in rows["Dana Whitfield"][4]
    assert "halve scheduling effort" in rows["Dana Whitfield"][3]
    assert "SOC 2 report" in rows["Priya Raman"][4]
    assert "(unverified)" in rows["Tom Becker"][1] and "[" not in rows["Tom Becker"][1]


def test_german_stakeholder_with_listed_roles_gets_both(brief_de, tmp_path):
    doc = _render(brief_de, "de", tmp_path)
    table = _stakeholder_table(doc, "Rolle")

    fischer = next(r for r in table.rows if r.cells[1].text.startswith("Katrin Fischer"))
    assert fischer.cells[0].text.splitlines() == ["Executive Sponsor", "Budgetfreigabe"]
    assert [c.text for c in table.rows[0].cells][:3] == ["Rolle", "Name", "Position"]


@pytest.mark.parametrize(("lang", "needle", "verbal", "validate"), [
    ("en", "Premium support with a dedicated CSM", "(verbal)", "(needs CS validation)"),
    ("de", "SAP-Anbindung ohne Aufpreis", "(mündlich)", "(muss von CS geprüft werden)"),
])
def test_verbal_commitment_is_marked(brief_en, brief_de, tmp_path, lang, needle, verbal,
                                     validate):
    doc = _render(brief_en if lang == "en" else brief_de, lang, tmp_path)
    summary, details = [p.text for p in doc.paragraphs if needle in p.text]

    assert verbal in summary  # listed under the open promises that need CS validation
    text = details
    assert verbal in text and validate in text
    assert ("promised by Jordan Lee to Dana Whitfield" in text if lang == "en"
            else "zugesagt von Lukas Wagner an Jonas Brandt" in text)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_marker_resolves_to_a_source_with_file_speaker_and_time(brief_en, brief_de,
                                                                     lang, tmp_path):
    doc = _render(brief_en if lang == "en" else brief_de, lang, tmp_path)
    body, sources = _body_and_sources(doc)

    used = {int(n) for text in body for n in re.findall(r"\[(\d+)\]", text)}
    assert used and used == set(sources)
    assert sorted(sources) == list(range(1, len(sources) + 1))
    anchors = {h.get(qn("w:anchor")) for h in doc.element.body.iter(qn("w:hyperlink"))}
    bookmarks = {b.get(qn("w:name")) for b in doc.element.body.iter(qn("w:bookmarkStart"))}
    assert anchors <= bookmarks


def test_a_goal_cites_the_exact_call_line(brief_en, tmp_path):
    doc = _render(brief_en, "en", tmp_path)
    _, sources = _body_and_sources(doc)

    text = _paragraph_with(doc, "Halve the time spent on clinic scheduling")
    number = int(re.search(r"\[(\d+)\]", text).group(1))
    quote, where = sources[number]
    assert quote == "we want to cut scheduling time in half"
    assert where == "2026-03-04-discovery.vtt · Dana Whitfield · 00:07:12"


def test_shared_quote_keeps_one_number(brief_en, tmp_path):
    doc = _render(brief_en, "en", tmp_path)
    _, sources = _body_and_sources(doc)

    quotes = [q for q, _ in sources.values()]
    assert quotes.count("you'll be live in four weeks") == 1  # item and conflict share it


@pytest.mark.parametrize(("lang", "label"), [("en", "(unverified)"), ("de", "(nicht belegt)")])
def test_ungrounded_item_is_labelled_and_never_sourced(brief_en, brief_de, tmp_path, lang,
                                                       label):
    brief = brief_en if lang == "en" else brief_de
    doc = _render(brief, lang, tmp_path)
    needle, quote = (("The CFO still prefers the incumbent vendor",
                      "our CFO would rather stay with ShiftWise") if lang == "en"
                     else ("Budget für 2026 ist gedeckelt", "mehr als das ist 2026 nicht drin"))
    body, sources = _body_and_sources(doc)

    text = _paragraph_with(doc, needle)
    assert label in text
    assert not re.search(r"\[\d+\]", text)
    assert all(quote not in t for t in body)
    assert all(quote not in q for q, _ in sources.values())


def test_rejected_item_is_omitted_and_corrected_value_shown(brief_en, tmp_path):
    doc = _render(brief_en, "en", tmp_path)
    body, sources = _body_and_sources(doc)
    everything = "\n".join(body)

    assert "All 14 clinics live in the first week" not in everything
    assert all("every clinic on day one" not in q for q, _ in sources.values())
    corrected = _paragraph_with(doc, "15 June 2026 (after the audit)")
    assert "(corrected by rep)" in corrected
    assert "1 May 2026" not in everything


def test_conflicts_quote_both_sides_and_gaps_carry_questions(brief_en, tmp_path):
    doc = _render(brief_en, "en", tmp_path)
    body, _ = _body_and_sources(doc)
    everything = "\n".join(body)

    assert "Sources disagree: duration" in _headings(doc, 3)
    assert "“you'll be live in four weeks” — 2026-03-04-discovery.vtt" in everything
    assert "“Implementation period: 10 weeks” — order-form.pdf · page 2" in everything
    assert "offering.yaml (standard offering)" in everything
    assert "When does the implementation start (kickoff date)?" in everything
    assert "The SOC 2 Type II report, sent on 12 March." in everything
    assert "Completeness score: 79% (target 95% or more)" in everything


def test_signature_date_fills_the_close_date(brief_en, tmp_path):
    from datetime import date

    path = tmp_path / "b.docx"
    render_docx(brief_en, lang="en", path=path, signed_at=date(2026, 3, 13))

    rows = {r.cells[0].text: r.cells[1].text for r in Document(str(path)).tables[0].rows}
    assert rows["Purchase / close date"] == "13 March 2026"


def test_document_properties_margins_and_styles(brief_de, tmp_path):
    doc = _render(brief_de, "de", tmp_path)

    props = doc.core_properties
    assert props.title == "Übergabe-Briefing: Nordwind Logistik GmbH - Fleet Ops Rollout"
    assert props.subject == "Sales-to-CS-Übergabe"
    assert props.language == "de-DE"
    section = doc.sections[0]
    assert abs(section.left_margin - Cm(2.2)) < Cm(0.01)
    assert abs(section.page_width - Cm(21.0)) < Cm(0.01)
    assert "Seite" in section.footer.paragraphs[0].text


def test_language_override_and_unknown_language(brief_de, tmp_path):
    doc = _render(brief_de, "en", tmp_path)
    assert _headings(doc, 1)[0] == "Summary"
    with pytest.raises(InputError):
        render_docx(brief_de, lang="fr", path=tmp_path / "x.docx")


def test_empty_brief_still_renders_every_section(tmp_path):
    brief = HandoffBrief(deal_id="d0", deal_name="Acme", metadata=BriefMetadata(backend="rules"))
    data = docx_bytes(brief, lang="en")
    path = tmp_path / "empty.docx"
    path.write_bytes(data)
    doc = Document(str(path))

    assert _headings(doc, 1) == [h for h in HEADINGS["en"] if h != "Answered questions"]
    texts = [p.text for p in doc.paragraphs]
    assert "Nothing in the sources yet." in texts and "No sourced statements." in texts
