"""Bad input: every problem is a ParseError naming the file and saying what is wrong."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from handoff.errors import ParseError
from index.parsers import parse_bytes, parse_file


def parse_error(data: bytes, filename: str, **kwargs) -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_bytes(data, filename, **kwargs)
    error = caught.value
    assert error.filename == filename
    assert str(error).startswith(f"{filename}: ")
    return error


def zip_with(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def declare_uncompressed_size(data: bytes, size: int) -> bytes:
    """Rewrite every central-directory entry's uncompressed size, as a crafted bomb does."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at != -1:
        struct.pack_into("<I", patched, at + 24, size)
        at = patched.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t  "])
def test_empty_file(data):
    assert parse_error(data, "call.vtt").problem == "file is empty"


def test_binary_garbage():
    data = random.Random(7).randbytes(4096)

    error = parse_error(data, "notes.txt")

    assert error.problem == (
        "not a recognised transcript, email, CRM export or document (looks like binary data)")


def test_image_renamed_to_text():
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))

    assert "looks like binary data" in parse_error(png, "screenshot.txt").problem


def test_truncated_mime(source):
    error = parse_error(source("truncated.eml"), "kickoff.eml")

    assert error.problem == "truncated email: multipart boundary never closed"


def test_corrupt_utf8_names_the_byte_and_offset():
    good = "Anna Keller möchte den Go-Live im Juni. ".encode()
    data = good * 3 + b"\x9f\xfe broken" + good

    error = parse_error(data, "notes.md")

    offset = len(good) * 3
    assert error.problem == f"not valid UTF-8 text (undecodable byte 0x9f at offset {offset})"


def test_legacy_windows_1252_text_is_not_an_error():
    data = "Größte Sorge: SAP-Anbindung für Disponenten – Entscheidung bei Herrn Weiß.".encode(
        "cp1252")

    doc = parse_bytes(data, "notiz.txt")

    assert doc.segments[0].text == (
        "Größte Sorge: SAP-Anbindung für Disponenten – Entscheidung bei Herrn Weiß.")


def test_vtt_broken_timing_line(source):
    error = parse_error(source("broken_timing.vtt"), "call.vtt")

    assert error.problem == "WebVTT cue 3 has a broken timing line '00:01:xx --> 00:02'"


def test_vtt_timing_with_a_single_dash_arrow():
    data = b"WEBVTT\n\n1\n00:00:01.000 -> 00:00:02.000\nAnna Keller: Hi.\n"

    error = parse_error(data, "call.vtt")

    assert error.problem == "WebVTT cue 1 has a broken timing line '00:00:01.000 -> 00:00:02.000'"


def test_srt_broken_timing_line():
    data = (b"1\n00:00:01,000 --> 00:00:02,000\nAnna: Hi.\n\n"
            b"2\n00:00:03,000 --> 00:00:99,000\nTom: Bye.\n")

    error = parse_error(data, "call.srt")

    assert error.problem == (
        "SRT subtitle 2 has a broken timing line '00:00:03,000 --> 00:00:99,000'")


def test_csv_without_body_column(source):
    error = parse_error(source("no_body.csv"), "owners.csv")

    assert error.problem.startswith(
        "CSV has no body column (found: Id, Owner, Date); expected one of Body, Description, Note")


def test_csv_with_a_quoted_body_never_closed():
    data = b'Title,Body\nKickoff,"We agreed on 6 April\nand then the export stopped\n'

    assert "never closed" in parse_error(data, "notes.csv").problem


def test_file_over_the_size_limit():
    data = b"a" * int(31 * 1024 * 1024)

    error = parse_error(data, "huge.txt")

    assert error.problem == "file is 31.0 MB, over the 25 MB limit"


def test_parse_file_checks_the_size_before_reading(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"x" * 3000)

    with pytest.raises(ParseError) as caught:
        parse_file(path, max_bytes=2 * 1024 * 1024 // 1024)
    assert caught.value.filename == "notes.txt"
    assert "over the 2048 bytes limit" in caught.value.problem


def test_parse_file_missing_file(tmp_path):
    with pytest.raises(ParseError) as caught:
        parse_file(tmp_path / "gone.vtt")
    assert caught.value.filename == "gone.vtt"
    assert caught.value.problem.startswith("could not be read")


def test_zip_bomb_named_docx_is_refused_before_extracting():
    small = zip_with({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    bomb = declare_uncompressed_size(small, 1_500_000_000)

    error = parse_error(bomb, "order-form.docx")

    assert error.problem == "looks like a zip bomb: expands to over 200 MB"


def test_zip_bomb_by_compression_ratio():
    bomb = zip_with({"word/document.xml": b"\0" * (20 * 1024 * 1024)})

    error = parse_error(bomb, "proposal.docx")

    assert error.problem.startswith("looks like a zip bomb: word/document.xml expands")


def test_docx_that_is_not_a_zip():
    error = parse_error(b"\x01\x02\x03 this was never a Word file \xff\x00" * 20, "order.docx")

    assert error.problem == (
        "not a valid Word .docx file (a .docx is a zip archive; this file is not)")


def test_damaged_docx_zip():
    data = zip_with({"word/document.xml": b"<w:document>"})[:40]

    assert "not a valid Word .docx file" in parse_error(data, "order.docx").problem


def test_zip_without_word_document():
    data = zip_with({"notes/readme.txt": b"hello"})

    error = parse_error(data, "order.docx")

    assert error.problem == "not a Word document: the zip archive has no word/document.xml"


def test_excel_workbook_gets_a_helpful_message():
    data = zip_with({"xl/workbook.xml": b"<workbook/>"})

    assert "export the sheet as CSV" in parse_error(data, "notes.xlsx").problem


@pytest.mark.parametrize("cut", [200, 600])
def test_corrupt_pdf(proposal_pdf, cut):
    error = parse_error(proposal_pdf[:cut], "proposal.pdf")

    assert error.problem.startswith("damaged PDF: could not be read")


def test_pdf_without_text():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 50, 50)

    error = parse_error(bytes(pdf.output()), "scan.pdf")

    assert error.problem.startswith("no text found")


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"WEBVTT\n\nNOTE nothing was said\n", "silence.vtt"),
        (b"# Heading only\n\n## Another\n", "empty-notes.md"),
        (b'{"results": [{"engagement": {"id": 1}, "metadata": {"body": "<p> </p>"}}]}', "h.json"),
    ],
)
def test_no_text_found(data, filename):
    assert parse_error(data, filename).problem == "no text found"


def test_invalid_json():
    error = parse_error(b'{"transcript": [1, 2,, 3]}', "gong.json")

    assert error.problem.startswith("not valid JSON (line 1, column")


def test_json_of_unknown_shape():
    error = parse_error(b'{"deal": "Nordwind", "stage": "closed won"}', "deal.json")

    assert error.problem == (
        "JSON is neither a call transcript (Gong, or a list of utterances with a speaker and "
        "text) nor a HubSpot engagements export")


def test_eml_without_headers():
    error = parse_error(b"Just some words someone saved with the wrong extension.\n", "mail.eml")

    assert error.problem == "not an email (no From, To, Date or Subject header)"


def test_old_binary_office_file():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512

    assert ".docx, .csv or .eml" in parse_error(data, "proposal.doc").problem


@pytest.mark.parametrize(
    "fixture",
    ["zoom_discovery.vtt", "teams_pricing.vtt", "demo_call.srt", "gong_call.json",
     "pricing_reply.eml", "html_only.eml", "golive_thread.mbox", "salesforce_notes.csv",
     "hubspot_engagements.json", "rep_notes.md"],
)
def test_damaged_copies_raise_only_parse_errors(source, fixture):
    """Truncations and flipped bytes either still parse or fail with a ParseError."""
    original = source(fixture)
    rng = random.Random(fixture)
    for _ in range(12):
        data = bytearray(original[: rng.randrange(1, len(original) + 1)])
        for _ in range(rng.randrange(0, 4)):
            if data:
                data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            doc = parse_bytes(bytes(data), fixture)
        except ParseError as error:
            assert error.filename == fixture and error.problem
        else:
            assert all(doc.text[s.start : s.end] == s.text for s in doc.segments)
