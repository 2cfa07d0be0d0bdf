"""Every export of the demo deal and every dev-set deal, in both languages, read back.

Briefs come from the rules backend over the real sources (fast and deterministic), so this
checks what a CSM receives for realistic deals, not for hand-made briefs.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document

from evals.gold import load_dataset
from exports.package import FORMATS, export
from extractor.backends import Backend
from extractor.service import make_brief
from handoff.domain import HandoffBrief
from index.ingest import ingest_paths
from index.store import Store

REPO = Path(__file__).resolve().parents[2]
CASES = load_dataset(REPO / "evals" / "datasets" / "dev") + load_dataset(
    REPO / "handoff" / "demo_deal")
SECTIONS = {"en": ["Summary", "Customer background and context", "Decision-making stakeholders",
                   "Business goals and success criteria", "Commitments and promises",
                   "Implementation plan", "Risks and concerns", "Sources"],
            "de": ["Zusammenfassung", "Kundenhintergrund und Kontext",
                   "Entscheidende Stakeholder", "Geschäftsziele und Erfolgskriterien",
                   "Zusagen und Versprechen", "Implementierungsplan", "Risiken und Bedenken",
                   "Quellen"]}
MARKER = re.compile(r"\[(\d+)\]")


@pytest.fixture(scope="module")
def briefs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, HandoffBrief]:
    from handoff.settings import get_settings
    from tests.conftest import HashEmbedder

    out = {}
    for case in CASES:
        home = tmp_path_factory.mktemp(case.deal_id)
        store = Store.open(get_settings(home=home), embedder=HashEmbedder())
        ingest_paths(store, case.deal_id, case.source_files(), max_bytes=25 * 2**20)
        out[case.deal_id] = make_brief(store, case.deal_id, Backend("rules", None, "test"),
                                       offering=case.offering)
        store.engine.dispose()
    return out


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "de"])
@pytest.mark.parametrize("deal", [c.deal_id for c in CASES])
def test_every_export_reads_back(briefs: dict[str, HandoffBrief], deal: str, lang: str) -> None:
    brief = briefs[deal]
    doc = Document(io.BytesIO(export(brief, "docx", lang=lang).body))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    for section in SECTIONS[lang]:
        assert any(h.startswith(section) for h in headings), (section, headings)
    texts = [p.text for p in doc.paragraphs]
    start = next(i for i, p in enumerate(doc.paragraphs)
                 if p.style.name == "Heading 1" and p.text == SECTIONS[lang][-1])
    appendix = {int(m.group(1)) for t in texts[start:] if (m := re.match(r"^\[(\d+)\]", t))}
    body = " ".join(texts[:start] + [c.text for t in doc.tables for r in t.rows
                                      for c in r.cells])
    used = {int(n) for n in MARKER.findall(body)}
    assert used and used <= appendix, "every citation marker resolves to a quoted source"
    quotes = {c.quote for i in brief.visible_items() for c in i.citations}
    assert any(q[:40] in " ".join(texts[start:]) for q in quotes)
    md = export(brief, "md", lang=lang).body.decode()
    assert all(f"## {s}" in md or f"# {s}" in md for s in SECTIONS[lang][:-1])
    for fmt in FORMATS:
        body_bytes = export(brief, fmt, lang=lang).body
        assert len(body_bytes) > 200, fmt
