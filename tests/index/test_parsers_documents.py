"""Documents: .docx order forms and .pdf proposals, built in the tests."""

from __future__ import annotations

import io

from handoff.domain import SegmentKind, SourceKind
from index.parsers import parse_bytes


def test_docx_paragraphs_and_table_rows_in_body_order(order_form_docx, check_offsets):
    doc = parse_bytes(order_form_docx, "order-form.docx")

    check_offsets(doc)
    assert doc.format == "docx" and doc.kind == SourceKind.DOCUMENT
    kinds = [(s.kind, s.text) for s in doc.segments]
    assert kinds == [
        (SegmentKind.PARAGRAPH,
         "This order form is entered into between Flowbase GmbH and Nordwind Logistik GmbH."),
        (SegmentKind.PARAGRAPH, "Go-live is planned ten weeks after kickoff."),
        (SegmentKind.PARAGRAPH, "Vendor waives all fees."),
        (SegmentKind.TABLE_ROW, "Item | Price"),
        (SegmentKind.TABLE_ROW, "Flowbase Ops Platform, 120 seats | 96,000 EUR / year"),
        (SegmentKind.TABLE_ROW, "Premium support"),  # merged cell counted once
        (SegmentKind.PARAGRAPH, "Signed by Markus Fischer, CFO, on 20 March 2026."),
    ]
    assert doc.meta["title"] == "Order Form"


def test_docx_headings_sections_locators_and_hidden_runs(order_form_docx):
    doc = parse_bytes(order_form_docx, "order-form.docx")

    go_live, waiver = doc.segments[1], doc.segments[2]
    assert go_live.meta["section"] == "Implementation"
    assert go_live.locator == "paragraph 2" and not go_live.hidden
    assert waiver.hidden  # Word's hidden-text formatting
    assert doc.segments[3].locator == "table 1, row 1"
    assert doc.segments[-1].meta["section"] == "Signatures"
    assert "Order Form - Nordwind Logistik GmbH" in doc.text  # the title heading is text


def test_pdf_pages_and_paragraphs(proposal_pdf, check_offsets):
    doc = parse_bytes(proposal_pdf, "proposal.pdf")

    check_offsets(doc)
    assert doc.format == "pdf" and doc.kind == SourceKind.DOCUMENT
    assert doc.meta["pages"] == "2"
    assert doc.segments[0].text == "Proposal for Nordwind Logistik GmbH"
    body = doc.segments[1]
    assert body.locator == "page 1"
    assert " ".join(body.text.split()).startswith(
        "Flowbase will deliver the SAP connector as part of the custom integration package.")
    assert [s.text for s in doc.segments if s.text.startswith("- ")] == [
        "- Two training sessions included", "- Premium support tier"]
    pricing = [s for s in doc.segments if s.locator == "page 2"]
    assert pricing[0].text == "Pricing"
    assert "Discount: 15% if signed by 31 March." in pricing[1].text


def test_docx_text_inside_content_controls_and_hyperlinks():
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    field = document.add_paragraph("Customer: Nordwind Logistik GmbH")
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    field._p.addprevious(sdt)
    content.append(field._p)
    sdt.append(content)
    linked = document.add_paragraph("Terms: ")
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), "rId99")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "flowbase.io/terms"
    run.append(text)
    link.append(run)
    linked._p.append(link)
    buffer = io.BytesIO()
    document.save(buffer)

    doc = parse_bytes(buffer.getvalue(), "order.docx")

    assert [s.text for s in doc.segments] == [
        "Customer: Nordwind Logistik GmbH", "Terms: flowbase.io/terms"]
