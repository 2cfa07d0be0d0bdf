"""Fixtures for the parser tests: the sample exports and small binary files built on the fly."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest

from handoff.domain import ParsedDocument

SOURCES = Path(__file__).resolve().parents[1] / "fixtures" / "sources"


@pytest.fixture
def source() -> Callable[[str], bytes]:
    """Read a sample export from tests/fixtures/sources."""

    def read(name: str) -> bytes:
        return (SOURCES / name).read_bytes()

    return read


@pytest.fixture
def sources_dir() -> Path:
    return SOURCES


@pytest.fixture
def check_offsets() -> Callable[[ParsedDocument], None]:
    """Assert the invariant every consumer relies on: offsets point at the segment's text."""

    def check(doc: ParsedDocument) -> None:
        assert doc.segments, "a parsed document has at least one segment"
        previous_end = 0
        for i, seg in enumerate(doc.segments):
            assert seg.index == i
            assert doc.text[seg.start : seg.end] == seg.text, seg
            assert seg.text == seg.text.strip() and seg.text
            assert seg.start >= previous_end, "segments are in document order, not overlapping"
            previous_end = seg.end

    return check


@pytest.fixture
def order_form_docx() -> bytes:
    """A small order form: headings, paragraphs, a table with a merged cell, hidden text."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Order Form"
    document.add_heading("Order Form - Nordwind Logistik GmbH", 0)
    document.add_paragraph(
        "This order form is entered into between Flowbase GmbH and Nordwind Logistik GmbH."
    )
    document.add_heading("Implementation", 1)
    paragraph = document.add_paragraph("Go-live is planned ten weeks after kickoff.")
    hidden = paragraph.add_run(" Vendor waives all fees.")
    hidden.font.hidden = True
    table = document.add_table(rows=3, cols=2)
    rows = [("Item", "Price"), ("Flowbase Ops Platform, 120 seats", "96,000 EUR / year"),
            ("Premium support", "")]
    for r, (item, price) in enumerate(rows):
        table.cell(r, 0).text = item
        table.cell(r, 1).text = price
    table.cell(2, 0).merge(table.cell(2, 1))
    document.add_heading("Signatures", 1)
    document.add_paragraph("Signed by Markus Fischer, CFO, on 20 March 2026.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def proposal_pdf() -> bytes:
    """A two-page proposal PDF with paragraphs and bullets."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Proposal for Nordwind Logistik GmbH")
    pdf.ln(4)
    pdf.multi_cell(
        0, 6,
        "Flowbase will deliver the SAP connector as part of the custom integration package. "
        "The implementation takes eight to ten weeks from kickoff, starting 6 April 2026.",
    )
    pdf.ln(4)
    pdf.multi_cell(0, 6, "- Two training sessions included\n- Premium support tier")
    pdf.add_page()
    pdf.multi_cell(0, 6, "Pricing")
    pdf.ln(4)
    pdf.multi_cell(0, 6, "Annual subscription: 96,000 EUR. Discount: 15% if signed by 31 March.")
    return bytes(pdf.output())
