"""HTML to plain-text lines, keeping hidden text but marking it hidden.

Design note: HTML email bodies and CRM note bodies can carry text a reader never sees: a
preheader in ``display:none``, white text on a white background, a ``font-size:0`` span. Such
text is sometimes innocent (tracking preheaders) and sometimes an attempt to slip instructions
or false facts past a human into an automated brief. Dropping it would hide the attempt;
mixing it into the visible text would let it pass as something the customer said. So it is
kept, on lines of its own, with ``hidden=True``, and later stages never use it as evidence.
Whether a person can see a piece of text is decided from its computed style
(:mod:`index.parsers.css`).

Layout follows what a mail client shows: blocks (``p``, ``div``, ``li``, table rows) become
lines, ``<br>`` breaks a line, blockquotes are prefixed with ``> `` like a plain-text reply,
table cells are joined with `` | ``.

Rendering is linear in the size of the markup: lxml parses (libxml2, ``huge_tree`` for
multi-megabyte single-line bodies), the tree is walked without recursion, and a line's text
is joined once (measured before: a 5 MB single-line HTML email took 480 s to ingest, most of
it re-concatenating one growing line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import lxml.etree
import lxml.html

from .css import Stylesheet, Visibility, cascade, compute

_SKIP = frozenset("script style head title meta link template noscript svg object iframe "
                  "math canvas video audio select option datalist".split())
_PARAGRAPH = frozenset(
    "p h1 h2 h3 h4 h5 h6 blockquote ul ol table hr pre address section article header "
    "footer figure dl".split()
)
_LINE = frozenset("div tr li dt dd caption center form fieldset".split())
_CELL = frozenset(("td", "th"))
_WS = re.compile(r"[ \t\n\r\f]+")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


@dataclass
class HtmlLine:
    """One line of rendered text; an empty ``text`` is a paragraph break."""

    text: str
    hidden: bool = False


@dataclass
class _Ctx:
    look: Visibility = field(default_factory=Visibility)
    depth: int = 0
    pre: bool = False


@dataclass
class _Run:
    text: str
    hidden: bool
    cell: int


@dataclass
class _Renderer:
    lines: list[HtmlLine] = field(default_factory=list)
    runs: list[_Run] = field(default_factory=list)
    depth: int = 0
    cell: int = 0

    def text(self, value: str, ctx: _Ctx) -> None:
        if not self.runs:
            self.depth = ctx.depth
        self.runs.append(_Run(value, ctx.look.text_hidden, self.cell))

    def newline(self, *, keep_empty: bool = False) -> None:
        runs, self.runs, self.cell = self.runs, [], 0
        prefix = "> " * self.depth
        if {r.hidden for r in runs if r.text.strip()} == {True, False}:
            groups: list[tuple[bool, list[str]]] = []
            for run in runs:
                if groups and groups[-1][0] == run.hidden:
                    groups[-1][1].append(run.text)
                else:
                    groups.append((run.hidden, [run.text]))
            for hidden, texts in groups:
                self._emit(prefix, " ".join("".join(texts).split()), hidden)
            return
        cells: dict[int, list[str]] = {}
        for run in runs:
            cells.setdefault(run.cell, []).append(run.text)
        text = " | ".join(t for t in ("".join(parts).strip() for parts in cells.values()) if t)
        if text:
            self._emit(prefix, text, any(r.hidden for r in runs if r.text.strip()))
        elif keep_empty:
            self.paragraph()

    def _emit(self, prefix: str, text: str, hidden: bool) -> None:
        text = text.replace("\u00a0", " ").strip()
        if text:
            self.lines.append(HtmlLine(prefix + text, hidden))

    def paragraph(self) -> None:
        self.newline()
        if self.lines and self.lines[-1].text:
            self.lines.append(HtmlLine(""))


def _parse(markup: str) -> Any:
    """The document's root element; None when there is no markup at all."""
    markup = _XML_DECL.sub("", markup)
    if not markup.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=False)
    try:
        return lxml.html.document_fromstring(markup.encode("utf-8", "surrogatepass"),
                                             parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return None


def html_to_lines(markup: str) -> list[HtmlLine]:
    """Render HTML as text lines, each marked hidden or visible.

    Args:
        markup: An HTML document or fragment.

    Returns:
        The lines, paragraph breaks as empty lines, without leading or trailing breaks.
    """
    root = _parse(markup)
    if root is None:
        return []
    sheet = Stylesheet([el.text_content() for el in root.iter("style")])
    renderer = _Renderer()
    _walk(root, sheet.styles(root), renderer)
    renderer.newline()
    lines = renderer.lines
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def html_to_text(markup: str) -> str:
    """The visible text of HTML as one string (hidden lines left out)."""
    return "\n".join(line.text for line in html_to_lines(markup) if not line.hidden)


def _text(value: str | None, ctx: _Ctx, out: _Renderer) -> None:
    if not value:
        return
    if ctx.pre:
        for number, part in enumerate(value.split("\n")):
            if number:
                out.newline(keep_empty=True)
            out.text(part, ctx)
    else:
        value = _WS.sub(" ", value)
        if value.strip() or out.runs:
            out.text(value, ctx)


def _children(el: Any) -> Iterator[Any]:
    return reversed(list(el))


def _walk(root: Any, matched: dict[Any, Any], out: _Renderer) -> None:
    """Render the tree depth-first with an explicit stack (no recursion limit on nesting)."""
    stack: list[tuple[str, Any, _Ctx, _Ctx | None, str]] = [("open", root, _Ctx(), None, "")]
    while stack:
        phase, el, parent, inner, name = stack.pop()
        if phase == "close":
            assert inner is not None
            _close(name, out)
            _text(el.tail, parent, out)
            continue
        if not isinstance(el.tag, str):  # comments, processing instructions, entities
            _text(el.tail, parent, out)
            continue
        name = el.tag.lower()
        if name in _SKIP:
            _text(el.tail, parent, out)
            continue
        if name == "br":
            out.newline(keep_empty=True)
            _text(el.tail, parent, out)
            continue
        attrs = {k.lower(): v for k, v in el.attrib.items()}
        style = cascade(matched.get(el), attrs.get("style", ""))
        ctx = _Ctx(compute(name, attrs, style, parent.look), parent.depth, parent.pre)
        if name == "blockquote":
            ctx.depth += 1
        if name == "pre":
            ctx.pre = True
        is_paragraph = name in _PARAGRAPH and not (
            name == "p" and "MsoNormal" in attrs.get("class", ""))
        if is_paragraph:
            out.paragraph()
        elif name in _LINE or name == "p":
            out.newline()
        elif name in _CELL:
            out.cell += 1
        if name == "li":
            out.text("- ", ctx)
        close = "paragraph" if is_paragraph else name
        stack.append(("close", el, parent, ctx, close))
        _text(el.text, ctx, out)
        stack.extend(("open", child, ctx, None, "") for child in _children(el))


def _close(name: str, out: _Renderer) -> None:
    if name == "paragraph":
        out.paragraph()
    elif name == "p":
        out.newline(keep_empty=True)  # Outlook writes an empty line as <p>&nbsp;</p>
    elif name in _LINE:
        out.newline()
