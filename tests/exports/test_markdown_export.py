"""The Markdown brief: same sections as the Word document, citations as footnotes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from exports.docx_brief import render_docx
from exports.markdown import render_markdown
from handoff.domain import AlignmentStatus, Citation, Item


@pytest.mark.parametrize("lang", ["en", "de"])
def test_same_sections_as_the_docx(brief_en, brief_de, lang, tmp_path: Path):
    brief = brief_en if lang == "en" else brief_de
    path = tmp_path / "b.docx"
    render_docx(brief, lang=lang, path=path)
    docx_headings = [p.text for p in Document(str(path)).paragraphs
                     if p.style.name == "Heading 1"]

    md = render_markdown(brief, lang)

    assert re.findall(r"^## (.+)$", md, flags=re.M) == docx_headings
    assert md.startswith("# ")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_footnote_is_defined_once(brief_en, brief_de, lang):
    md = render_markdown(brief_en if lang == "en" else brief_de, lang)

    used = set(re.findall(r"\[\^(\d+)\](?!:)", md))
    defined = re.findall(r"^\[\^(\d+)\]: ", md, flags=re.M)
    assert used and used == set(defined)
    assert len(defined) == len(set(defined))


def test_flags_quotes_and_omissions(brief_en):
    md = render_markdown(brief_en, "en")

    assert "Premium support with a dedicated CSM[^" in md
    assert "**(verbal)** **(needs CS validation)**" in md
    assert "The CFO still prefers the incumbent vendor *(unverified)*" in md
    assert "our CFO would rather stay with ShiftWise" not in md
    assert "All 14 clinics live in the first week" not in md
    assert "15 June 2026 (after the audit)" in md and "*(corrected by rep)*" in md
    assert "| Executive sponsor<br>Economic buyer | **Marcus Chen**[^" in md
    assert re.search(r"^\[\^\d+\]: “we want to cut scheduling time in half” — "
                     r"2026-03-04-discovery\.vtt · Dana Whitfield · 00:07:12$", md, flags=re.M)


def test_german_markdown(brief_de):
    md = render_markdown(brief_de)  # the brief's own language

    assert "## Quellen" in md and "**(mündlich)**" in md
    assert "*(nicht belegt)*" in md
    assert "Vollständigkeitswert: 71 % (Ziel: mindestens 95 %)" in md
    assert "„ich treibe das intern voran“" in md


def test_brief_text_cannot_break_tables_or_fake_citations(brief_en):
    brief_en.items.append(Item(
        id="x1", key="account.challenges", value="Margins | pressure [^1] *urgent*",
        citations=[Citation(source="a.txt", quote="x", alignment=AlignmentStatus.EXACT)]))
    md = render_markdown(brief_en, "en")

    line = next(line for line in md.splitlines() if "Margins" in line)
    assert r"Margins \| pressure \[^1\] \*urgent\*" in line
    assert len(re.findall(r"(?<!\\)\[\^", line)) == 1  # only the real marker is unescaped
