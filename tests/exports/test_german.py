"""A German brief is German throughout: no English sentence of the product's own texts.

The product's English texts are gathered from where they live (every label and page word
whose German differs, the English gap questions, the English draft templates' sentences,
the English month names), and none may appear in what a German reader gets: the Markdown
brief, the Word document (and that document rendered to PDF by LibreOffice, when installed),
and every draft. The brief itself is German, with values the extraction writes in English
form ("Go-live: 30 June 2026 (2026-06-30)", "Katrin Fischer, CFO: Executive sponsor") and a
gap question stored in English, so the test fails if any of those reach the reader as is.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

import prompts
from api import web_labels
from exports.drafts import all_drafts
from exports.markdown import render_markdown
from exports.package import export
from handoff import labels
from handoff.domain import HandoffBrief

TEMPLATES = Path(__file__).resolve().parents[2] / "exports" / "templates"
MONTHS_EN = ("January", "February", "March", "May", "June", "July", "October", "December")
_JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)


def _phrases(text: str) -> list[str]:
    """Runs of three or more words of a text, cut where placeholders or markup were."""
    out = []
    for part in re.split(r"[{}\[\]()|*#:;\n]|\s[–—-]\s|\.\s", _JINJA.sub("\n", text)):
        words = re.findall(r"[A-Za-z][A-Za-z'’-]*", part)
        if len(words) >= 3:
            out.append(" ".join(words))
    return out


def english_texts() -> set[str]:
    """The product's own English phrases that a German reader must never see."""
    pairs: list[tuple[str, str]] = []
    every = labels.all_labels()
    for table in every.values():
        pairs += [(v["en"], v["de"]) for v in table.values()]
    pairs += [web_labels._UI[k] for k in web_labels.keys()]
    _, questions = prompts.load_yaml("gap_questions")
    pairs += [(v["en"], v["de"]) for v in questions.values()]
    german = " ".join([de for _, de in pairs] + [t.read_text(encoding="utf-8")
                                                 for t in TEMPLATES.glob("*.de.md.j2")])
    german = german.casefold()
    found: set[str] = set()
    for en, de in pairs:
        if en == de:
            continue
        for phrase in _phrases(en):
            if phrase.casefold() not in german:
                found.add(phrase)
        word = en.strip()
        if re.fullmatch(r"[A-Za-z][a-z]{4,}", word) and word.casefold() not in german:
            found.add(word)  # single label words: "Industry", "Customer", "Seats"
    for template in TEMPLATES.glob("*.en.md.j2"):
        found |= {p for p in _phrases(template.read_text(encoding="utf-8"))
                  if p.casefold() not in german}
    return found | set(MONTHS_EN)


def leaks(text: str, english: set[str]) -> list[str]:
    """The English phrases that occur in ``text`` (link targets and anchors are not read)."""
    text = re.sub(r"\]\(#[^)]*\)|<a id=\"[^\"]*\"></a>", " ", text)
    flat = " ".join(re.findall(r"[A-Za-z][A-Za-z'’-]*", text)).casefold()
    return sorted(p for p in english
                  if re.search(rf"(?<![a-zäöüß]){re.escape(p.casefold())}(?![a-zäöüß])", flat))


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_the_english_texts_are_found_at_all() -> None:
    english = english_texts()
    # the collector itself must work, or the checks below would pass on nothing
    assert {"Customer background and context", "Open promises that need CS validation",
            "When does the implementation start", "I would like to introduce"} <= english
    assert "Open promises that need CS validation" in leaks(
        "Bitte: Open promises that need CS validation!", english)
    assert leaks("Offene Zusagen, die CS prüfen muss", english) == []


def test_german_markdown_and_docx_have_no_english_product_text(brief_de: HandoffBrief) -> None:
    english = english_texts()
    md = render_markdown(brief_de, "de")
    doc = docx_text(export(brief_de, "docx", lang="de").body)

    for name, text in (("markdown", md), ("docx", doc)):
        assert leaks(text, english) == [], name
    for text in (md, doc):
        assert "30. Juni 2026" in text  # the ISO date, in German
        assert "Budgetfreigabe" in text and "Economic buyer" not in text  # role labels
        assert "Laut Quellen ist das noch offen: „die DSFA ist noch nicht abgeschlossen“" in text
        assert "Wer leitet das Projekt auf Kundenseite" in text


def test_german_drafts_have_no_english_product_text(brief_de: HandoffBrief) -> None:
    english = english_texts()
    for name, text in all_drafts(brief_de, lang="de").items():
        assert leaks(text, english) == [], name


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice is not installed: apt-get install libreoffice-writer-nogui")
def test_german_docx_rendered_to_pdf_has_no_english_product_text(brief_de: HandoffBrief,
                                                                 tmp_path: Path) -> None:
    from pypdf import PdfReader

    source = tmp_path / "brief-de.docx"
    source.write_bytes(export(brief_de, "docx", lang="de").body)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=300)
    pdf = PdfReader(str(tmp_path / "brief-de.pdf"))
    text = "\n".join(page.extract_text() or "" for page in pdf.pages)

    assert "Zusammenfassung" in text and "Eckdaten" in text
    assert leaks(text, english_texts()) == []
