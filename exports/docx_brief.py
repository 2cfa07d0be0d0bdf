"""The brief as a Word document; the only module that imports python-docx.

Design note: this module draws :class:`exports.outline.Outline` and decides nothing about
content: the summary first (key facts, stakeholder map, open promises, top risks, missing and
contradictory), a table of contents, then one section per category. Citation markers and the
contents are internal hyperlinks to bookmarks, so a reader can click ``[3]`` in Word or
LibreOffice and land on the quote. Fonts are Arial
(metric-compatible Liberation Sans on Linux), which keeps the layout the same in both
programs.
"""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime
from typing import IO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from exports.citations import quoted
from exports.conflicts_view import ConflictView, GapView
from exports.formatting import Flag
from exports.outline import Block, Entry, Outline, Section, build_outline
from exports.summary import Point, Summary
from handoff.domain import HandoffBrief, Offering
from handoff.labels import Lang, section_label, term, term_with

FONT = "Arial"
TABLE_STYLE = "Light Grid Accent 1"
_GREY = RGBColor(0x59, 0x59, 0x59)
_ORANGE = RGBColor(0xB3, 0x4A, 0x00)
_RED = RGBColor(0xA3, 0x00, 0x00)
_HEADER_FILL = "DCE6F2"
_STAKEHOLDER_WIDTHS = (Cm(3.4), Cm(3.1), Cm(2.9), Cm(3.2), Cm(4.0))
_BOOKMARK = "source_{}"
_SECTION_MARK = "section_{}"
_SUMMARY_PEOPLE_WIDTHS = (Cm(4.4), Cm(4.6), Cm(7.6))


# --------------------------------------------------------------------------- low-level OXML


def _bookmark(paragraph: Paragraph, name: str, ident: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(ident))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(ident))
    p = paragraph._p
    p.insert(1 if p.pPr is not None else 0, start)  # w:pPr must stay the first child
    p.append(end)


def _link(paragraph: Paragraph, text: str, anchor: str) -> None:
    """Append ``text`` as a hyperlink to the bookmark ``anchor`` in this document."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1F4E79")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    props.append(color)
    props.append(size)
    run.append(props)
    text_el = OxmlElement("w:t")
    text_el.text = text
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def _shade(cell_element: object, fill: str) -> None:
    tc_pr = cell_element.get_or_add_tcPr()  # type: ignore[attr-defined]
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _plain_first_row(table: Table) -> None:
    """Switch off the style's header-row emphasis (for tables whose rows are all alike)."""
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        tbl_pr.append(look)
    look.set(qn("w:firstRow"), "0")
    look.set(qn("w:val"), "0000")


def _page_field(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


# --------------------------------------------------------------------------- document setup


def _replace_theme_fonts(styles_element: object) -> None:
    """Point every theme font reference in the styles at :data:`FONT`.

    Word lets a theme font attribute win over a named font, so headings and the table
    style would otherwise come out in the template's Calibri/Cambria instead of Arial.
    """
    for fonts in styles_element.iter(qn("w:rFonts")):  # type: ignore[attr-defined]
        themed = False
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            themed = fonts.attrib.pop(qn(attr), None) is not None or themed
        if themed:
            for attr in ("w:ascii", "w:hAnsi", "w:cs"):
                fonts.set(qn(attr), FONT)


def _setup(doc: DocxDocument, outline: Outline, brief: HandoffBrief) -> None:
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        footer = section.footer.paragraphs[0]
        footer.text = f"{outline.subtitle} · {term('page', outline.lang)} "
        _page_field(footer)
        for run in footer.runs:
            run.font.size, run.font.color.rgb = Pt(8), _GREY
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    normal.paragraph_format.space_after = Pt(4)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
        styles[name].font.name = FONT
    _replace_theme_fonts(styles.element)
    styles["Title"].font.size = Pt(22)
    styles["Heading 1"].paragraph_format.space_before = Pt(16)
    styles["Heading 2"].paragraph_format.space_before = Pt(8)
    defaults = styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")) if defaults is not None else None
    if r_pr is not None:  # proofing language, so Word does not underline every German word
        lang_el = r_pr.find(qn("w:lang"))
        if lang_el is None:
            lang_el = OxmlElement("w:lang")
            r_pr.append(lang_el)
        lang_el.set(qn("w:val"), "de-DE" if outline.lang == "de" else "en-US")
    props = doc.core_properties
    props.title = outline.title
    props.subject = term("doc_subject", outline.lang)
    props.author = "Handoff brief generator"
    props.keywords = f"handoff, {brief.deal_id}"
    props.language = "de-DE" if outline.lang == "de" else "en-US"
    props.created = brief.metadata.created_at.astimezone(UTC).replace(tzinfo=None)
    props.comments = outline.legend


# --------------------------------------------------------------------------- content


def _flag_run(paragraph: Paragraph, flag: Flag) -> None:
    run = paragraph.add_run(f" ({flag.text})")
    run.font.size = Pt(9)
    if flag.kind == "warning":
        run.bold, run.font.color.rgb = True, _ORANGE
    elif flag.kind == "unverified":
        run.italic, run.font.color.rgb = True, _RED
    else:
        run.italic, run.font.color.rgb = True, _GREY


def _entry_runs(paragraph: Paragraph, entry: Entry) -> None:
    paragraph.add_run(entry.text)
    for n in entry.refs:
        _link(paragraph, f"[{n}]", _BOOKMARK.format(n))
    for flag in entry.flags:
        _flag_run(paragraph, flag)
    if entry.details:
        detail = paragraph.add_run()
        detail.add_break(WD_BREAK.LINE)
        detail.add_text(" · ".join(entry.details))
        detail.font.size, detail.font.color.rgb = Pt(8.5), _GREY


def _new_row(table: Table) -> list[_Cell]:
    """Append a row and return its cells (python-docx leaves ``add_row`` unannotated)."""
    row = table.add_row()  # type: ignore[no-untyped-call]
    return list(row.cells)


def _table(doc: DocxDocument, headers: list[str]) -> Table:
    table: Table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, text in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
        _shade(cell._tc, _HEADER_FILL)
    _repeat_header(table)
    return table


def _fit(table: Table, widths: tuple[Cm, ...]) -> None:
    # Word reads the cell widths, LibreOffice the grid columns: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(2)
                for run in p.runs:
                    run.font.size = Pt(9)


def _key_value_table(doc: DocxDocument, rows: list[tuple[str, list[Entry]]]) -> None:
    table: Table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles[TABLE_STYLE]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _plain_first_row(table)
    for label, entries in rows:
        cells = _new_row(table)
        cells[0].paragraphs[0].add_run(label).bold = True
        _shade(cells[0]._tc, _HEADER_FILL)
        for i, entry in enumerate(entries):
            para = cells[1].paragraphs[0] if i == 0 else cells[1].add_paragraph()
            _entry_runs(para, entry)
    _fit(table, (Cm(4.6), Cm(12.0)))


def _blocks(doc: DocxDocument, blocks: list[Block]) -> None:
    for block in blocks:
        doc.add_heading(block.title, level=2)
        for entry in block.entries:
            _entry_runs(doc.add_paragraph(style="List Bullet"), entry)


def _stakeholders(doc: DocxDocument, section: Section, lg: Lang) -> None:
    if not section.stakeholders:
        return
    headers = [term(k, lg) for k in ("role", "name", "job_title", "stakeholder_goals",
                                     "stakeholder_notes")]
    table = _table(doc, headers)
    for row in section.stakeholders:
        cells = _new_row(table)
        cells[0].text = "\n".join(row.roles)
        name = cells[1].paragraphs[0]
        name.add_run(row.name).bold = True
        for n in row.refs:
            _link(name, f"[{n}]", _BOOKMARK.format(n))
        if row.unverified:
            _flag_run(name, Flag(term("unverified", lg), "unverified"))
        cells[2].text = row.title
        cells[3].text = row.goals
        cells[4].text = "\n".join(row.notes)
    _fit(table, _STAKEHOLDER_WIDTHS)


def _conflicts(doc: DocxDocument, conflicts: list[ConflictView], lang: Lang) -> None:
    for conflict in conflicts:
        doc.add_heading(conflict.heading, level=3)
        doc.add_paragraph(conflict.description)
        for side in conflict.sides:
            para = doc.add_paragraph(style="List Bullet")
            para.add_run(quoted(side.quote, lang)).italic = True
            meta = para.add_run(f" — {side.where}")
            meta.font.size, meta.font.color.rgb = Pt(9), _GREY
            for n in side.refs:
                _link(para, f"[{n}]", _BOOKMARK.format(n))
            for flag in side.flags:
                _flag_run(para, flag)
        if conflict.resolution:
            note = doc.add_paragraph().add_run(conflict.resolution)
            note.bold, note.font.color.rgb = True, _GREY


def _gaps(doc: DocxDocument, gaps: list[GapView], lang: Lang, *, answered: bool) -> None:
    if not gaps:
        return
    if answered:
        headers = [term("gap_topic", lang), term("question", lang), term("answer", lang)]
        widths = (Cm(4.2), Cm(6.2), Cm(6.2))
        rows = [(g.label, g.question, g.answer) for g in gaps]
    else:
        headers = [term("gap_topic", lang), term("gap_reason", lang), term("question", lang)]
        widths = (Cm(4.2), Cm(3.0), Cm(9.4))
        rows = [(g.label, g.reason, g.question) for g in gaps]
    table = _table(doc, headers)
    for values in rows:
        for cell, text in zip(_new_row(table), values, strict=True):
            cell.text = text
    _fit(table, widths)


def _points(doc: DocxDocument, points: list[Point], empty: str) -> None:
    if not points:
        doc.add_paragraph(empty)
    for point in points:
        _entry_runs(doc.add_paragraph(style="List Bullet"),
                    Entry(point.text, refs=point.refs, flags=point.flags,
                          details=point.details))


def _summary(doc: DocxDocument, summary: Summary, lg: Lang) -> None:
    doc.add_heading(section_label("summary", lg), level=1)
    doc.add_heading(section_label("key_facts", lg), level=2)
    _key_value_table(doc, [(f.label, [Entry(f.text, refs=f.refs, flags=f.flags)])
                           for f in summary.facts])
    doc.add_heading(section_label("stakeholder_map", lg), level=2)
    if summary.people:
        table = _table(doc, [term("name", lg), term("job_title", lg), term("role", lg)])
        for row in summary.people:
            cells = _new_row(table)
            name = cells[0].paragraphs[0]
            name.add_run(row.name).bold = True
            for n in row.refs:
                _link(name, f"[{n}]", _BOOKMARK.format(n))
            if row.unverified:
                _flag_run(name, Flag(term("unverified", lg), "unverified"))
            cells[1].text = row.title
            cells[2].text = ", ".join(row.roles)
        _fit(table, _SUMMARY_PEOPLE_WIDTHS)
    else:
        doc.add_paragraph(term("no_people", lg))
    doc.add_heading(section_label("open_promises", lg), level=2)
    _points(doc, summary.promises, term("no_promises", lg))
    doc.add_heading(section_label("top_risks", lg), level=2)
    _points(doc, summary.risks, term("no_risks", lg))
    if summary.more_risks:
        more = doc.add_paragraph()
        _link(more, term_with("more_risks", lg, n=summary.more_risks),
              _SECTION_MARK.format("risks"))
    doc.add_heading(section_label("missing_contradictory", lg), level=2)
    if not summary.gaps and not summary.conflicts:
        doc.add_paragraph(f"{term('no_gaps', lg)} {term('no_conflicts', lg)}")
    _gaps(doc, summary.gaps, lg, answered=False)
    _conflicts(doc, summary.conflicts, lg)


def _contents(doc: DocxDocument, outline: Outline) -> None:
    doc.add_heading(section_label("contents", outline.lang), level=1)
    for section in outline.contents:
        para = doc.add_paragraph(style="List Bullet")
        _link(para, f"{section.title} ({section.count})", _SECTION_MARK.format(section.key))


def _sources(doc: DocxDocument, section: Section, lang: Lang) -> None:
    for ref in section.sources:
        para = doc.add_paragraph()
        para.paragraph_format.left_indent = Cm(0.9)
        para.paragraph_format.first_line_indent = Cm(-0.9)
        para.paragraph_format.keep_together = True
        para.add_run(f"{ref.marker()}\t").bold = True
        para.add_run(quoted(ref.quote, lang)).italic = True
        where = para.add_run(f" — {ref.where(lang)}")
        where.font.size, where.font.color.rgb = Pt(9), _GREY
        _bookmark(para, _BOOKMARK.format(ref.number), ref.number)


def _build(brief: HandoffBrief, lang: str | None, signed_at: date | datetime | None,
           offering: Offering | None) -> DocxDocument:
    outline = build_outline(brief, lang, signed_at=signed_at, offering=offering)
    lg = outline.lang
    doc = Document()
    _setup(doc, outline, brief)
    doc.add_heading(outline.title, level=0)
    if outline.subtitle:
        doc.add_paragraph(outline.subtitle, style="Subtitle")
    _key_value_table(doc, [(k, [Entry(v)]) for k, v in outline.header])
    legend_paragraph = doc.add_paragraph()
    legend_paragraph.paragraph_format.space_before = Pt(8)
    legend = legend_paragraph.add_run(outline.legend)
    legend.italic, legend.font.size, legend.font.color.rgb = True, Pt(8.5), _GREY
    _summary(doc, outline.summary, lg)
    _contents(doc, outline)
    for number, section in enumerate(outline.sections, start=1):
        heading = doc.add_heading(section.title, level=1)
        _bookmark(heading, _SECTION_MARK.format(section.key), 10_000 + number)
        for text in section.paragraphs:
            doc.add_paragraph(text)
        if section.key == "stakeholders":
            _stakeholders(doc, section, lg)
            continue
        _gaps(doc, section.gaps, lg, answered=section.key == "answered")
        _blocks(doc, section.blocks)
        _sources(doc, section, lg)
    return doc


def render_docx(
    brief: HandoffBrief,
    *,
    lang: str | None = None,
    path: str | os.PathLike[str] | IO[bytes],
    signed_at: date | datetime | None = None,
    offering: Offering | None = None,
) -> None:
    """Write the brief as a Word document following the deal overview template.

    Args:
        brief: The handoff brief.
        lang: ``"de"`` or ``"en"``; ``None`` uses the brief's language.
        path: A file path or a binary file object to write the ``.docx`` to.
        signed_at: Contract signature date for the header, when known.
        offering: The vendor's standard offering, to name the support tier.

    Raises:
        InputError: ``lang`` is not a supported language.
    """
    target = os.fspath(path) if isinstance(path, os.PathLike) else path
    _build(brief, lang, signed_at, offering).save(target)


def docx_bytes(brief: HandoffBrief, *, lang: str | None = None,
               signed_at: date | datetime | None = None,
               offering: Offering | None = None) -> bytes:
    """The Word document as bytes, for an HTTP download."""
    buffer = io.BytesIO()
    render_docx(brief, lang=lang, path=buffer, signed_at=signed_at, offering=offering)
    return buffer.getvalue()
