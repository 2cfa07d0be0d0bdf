"""Text a person cannot see is kept and marked hidden, technique by technique, HTML and DOCX.

Each hiding technique gets its own case; each has a twin that a person does see, so a
renderer that hides everything fails as surely as one that hides nothing.
"""

from __future__ import annotations

import io

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from handoff.domain import ParsedDocument
from index.parsers import docx as docx_parser
from index.parsers.html import html_to_lines

SECRET = "Vendor promised free licenses forever."


def shown(markup: str) -> dict[str, bool]:
    """Rendered line text -> hidden."""
    return {line.text: line.hidden for line in html_to_lines(markup) if line.text}


def secret_hidden(markup: str) -> bool:
    lines = shown(markup)
    assert SECRET in lines, f"the text must be kept: {lines}"
    assert lines.get("Visible text.") is False, lines
    return lines[SECRET]


HIDDEN_HTML = {
    # the seven that passed as visible before
    "font-size 1px": f'<span style="font-size:1px">{SECRET}</span>',
    "near-white on white": f'<span style="color:#fefefe">{SECRET}</span>',
    "off-screen": f'<div style="position:absolute;left:-9999px">{SECRET}</div>',
    "clip-path": f'<div style="clip-path:inset(50%)">{SECRET}</div>',
    "text-indent": f'<div style="text-indent:-9999px;overflow:hidden">{SECRET}</div>',
    # and more of the same family
    "sr-only clip rect": ('<div style="position:absolute;width:1px;height:1px;overflow:hidden;'
                          f'clip:rect(0,0,0,0)">{SECRET}</div>'),
    "tiny em": f'<div style="font-size:10px"><span style="font-size:.2em">{SECRET}</span></div>',
    "translate": f'<div style="transform:translateX(-10000px)">{SECRET}</div>',
    "negative margin": f'<div style="margin-left:-5000px">{SECRET}</div>',
    "dark on dark": (f'<div style="background:#101010"><span style="color:#141414">{SECRET}'
                     "</span></div>"),
    "transparent colour": f'<span style="color:rgba(0,0,0,0)">{SECRET}</span>',
    "hsl white": f'<span style="color:hsl(0, 0%, 99%)">{SECRET}</span>',
    "named colour on itself": (f'<td bgcolor="ivory"><font color="Ivory">{SECRET}</font></td>'),
    "scale 0": f'<div style="transform:scale(0)">{SECRET}</div>',
    "descendant rule": ("<style>table.x td span { font-size: 0.5px }</style>"
                        f'<table class="x"><tr><td><span>{SECRET}</span></td></tr></table>'),
    "id rule": f"<style>#p1 {{ color: white }}</style><p id=p1>{SECRET}</p>",
    "important beats inline": ('<style>.k { display: none !important }</style>'
                               f'<p class=k style="display:block">{SECRET}</p>'),
    "media screen": ("<style>@media screen { .m { visibility: hidden } }</style>"
                     f"<p class=m>{SECRET}</p>"),
    "one-pixel box": f'<div style="max-width:1px;overflow:hidden">{SECRET}</div>',
}

VISIBLE_HTML = {
    "grey footer": f'<span style="color:#999999">{SECRET}</span>',
    "white on dark": f'<div style="background-color:#1a1a1a;color:#fff">{SECRET}</div>',
    "small but readable": f'<span style="font-size:9px">{SECRET}</span>',
    "hanging indent": f'<p style="text-indent:-2em;margin-left:2em">{SECRET}</p>',
    "positioned on the page": f'<div style="position:absolute;left:12px">{SECRET}</div>',
    "print-only rule": ("<style>@media print { .p { display: none } }</style>"
                        f"<p class=p>{SECRET}</p>"),
    "visible child of a hidden parent": ('<div style="visibility:hidden"><span style='
                                         f'"visibility:visible">{SECRET}</span></div>'),
    "specificity lets the id win": ("<style>#v { color: black } .w { color: white }</style>"
                                    f"<p id=v class=w>{SECRET}</p>"),
    "image background": (f'<div style="background:url(x.png) #fff"><span style="color:#fff">'
                         f"{SECRET}</span></div>"),
}


@pytest.mark.parametrize("technique", sorted(HIDDEN_HTML))
def test_html_text_a_person_cannot_see_is_marked_hidden(technique: str) -> None:
    markup = f"<p>Visible text.</p>{HIDDEN_HTML[technique]}"
    assert secret_hidden(markup) is True


@pytest.mark.parametrize("case", sorted(VISIBLE_HTML))
def test_html_text_a_person_sees_stays_visible(case: str) -> None:
    markup = f"<p>Visible text.</p>{VISIBLE_HTML[case]}"
    assert secret_hidden(markup) is False


def test_deeply_nested_markup_renders_without_recursion_limits() -> None:
    markup = "<div>" * 1500 + "Deep text." + "</div>" * 1500  # beyond Python's 1000 frames
    assert shown(markup) == {"Deep text.": False}


# ----------------------------------------------------------------------------- DOCX


def _docx(build: object) -> ParsedDocument:
    document = docx.Document()
    document.add_paragraph("Visible text.")
    build(document)  # type: ignore[operator]
    buf = io.BytesIO()
    document.save(buf)
    return docx_parser.parse(buf.getvalue(), "order-form.docx")


def _with_run(document: docx.document.Document, **font: object) -> docx.text.run.Run:
    run = document.add_paragraph().add_run(SECRET)
    for name, value in font.items():
        setattr(run.font, name, value)
    return run


def _flag(run: docx.text.run.Run, tag: str) -> None:
    rpr = run._r.get_or_add_rPr()
    rpr.append(OxmlElement(tag))


def _char_style(document: docx.document.Document) -> None:
    style = document.styles.add_style("Sneaky", WD_STYLE_TYPE.CHARACTER)
    style.font.hidden = True
    document.add_paragraph().add_run(SECRET, style="Sneaky")


def _para_style(document: docx.document.Document) -> None:
    base = document.styles.add_style("Tiny base", WD_STYLE_TYPE.PARAGRAPH)
    base.font.size = Pt(1)
    style = document.styles.add_style("Fine print", WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = base
    document.add_paragraph(SECRET, style="Fine print")


def _table_cell(document: docx.document.Document) -> None:
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Licenses"
    run = table.cell(0, 1).paragraphs[0].add_run(SECRET)
    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _heading(document: docx.document.Document) -> None:
    heading = document.add_heading("Terms", level=1)
    run = heading.add_run(" " + SECRET)
    run.font.hidden = True


def _shaded(document: docx.document.Document, fill: str, color: RGBColor) -> None:
    paragraph = document.add_paragraph()
    ppr = paragraph._p.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    ppr.append(shd)
    paragraph.add_run(SECRET).font.color.rgb = color


HIDDEN_DOCX = {
    "hidden effect": lambda d: _with_run(d, hidden=True),
    "white text": lambda d: _with_run(d).font.color.__setattr__(
        "rgb", RGBColor(0xFF, 0xFF, 0xFF)),
    "near-white text": lambda d: _with_run(d).font.color.__setattr__(
        "rgb", RGBColor(0xFD, 0xFD, 0xFD)),
    "1 pt text": lambda d: _with_run(d, size=Pt(1)),
    "web hidden": lambda d: _flag(_with_run(d), "w:webHidden"),
    "hidden character style": _char_style,
    "tiny paragraph style (basedOn)": _para_style,
    "white text in a table cell": _table_cell,
    "hidden run in a heading": _heading,
    "dark text on dark shading": lambda d: _shaded(d, "202020", RGBColor(0x22, 0x22, 0x22)),
}


@pytest.mark.parametrize("technique", sorted(HIDDEN_DOCX))
def test_docx_text_a_reader_cannot_see_is_marked_hidden(technique: str) -> None:
    doc = _docx(HIDDEN_DOCX[technique])
    secret = [s for s in doc.segments if SECRET in s.text]
    assert secret and all(s.hidden for s in secret), doc.segments
    assert SECRET in doc.text  # kept
    assert any(s.text == "Visible text." and not s.hidden for s in doc.segments)
    if technique == "white text in a table cell":
        assert any(s.text == "Licenses" and not s.hidden for s in doc.segments)


VISIBLE_DOCX = {
    "9 pt grey": lambda d: _with_run(d, size=Pt(9)).font.color.__setattr__(
        "rgb", RGBColor(0x80, 0x80, 0x80)),
    "white on dark shading": lambda d: _shaded(d, "1F3864", RGBColor(0xFF, 0xFF, 0xFF)),
    "hidden explicitly switched off": lambda d: _with_run(d, hidden=False),
}


@pytest.mark.parametrize("case", sorted(VISIBLE_DOCX))
def test_docx_text_a_reader_sees_stays_visible(case: str) -> None:
    doc = _docx(VISIBLE_DOCX[case])
    secret = [s for s in doc.segments if SECRET in s.text]
    assert secret and not any(s.hidden for s in secret), doc.segments
