"""HTML to plain-text lines, keeping hidden text but marking it hidden.

Design note: HTML email bodies and CRM note bodies can carry text a reader never sees: a
preheader in ``display:none``, white text on a white background, a ``font-size:0`` span. Such
text is sometimes innocent (tracking preheaders) and sometimes an attempt to slip instructions
or false facts past a human into an automated brief. Dropping it would hide the attempt;
mixing it into the visible text would let it pass as something the customer said. So it is
kept, on lines of its own, with ``hidden=True``, and later stages decide what to trust.

Layout follows what a mail client shows: blocks (``p``, ``div``, ``li``, table rows) become
lines, ``<br>`` breaks a line, blockquotes are prefixed with ``> `` like a plain-text reply,
table cells are joined with `` | ``.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PreformattedString, Tag

_SKIP = frozenset("script style head title meta link template noscript svg object iframe".split())
_PARAGRAPH = frozenset(
    "p h1 h2 h3 h4 h5 h6 blockquote ul ol table hr pre address section article header "
    "footer figure dl".split()
)
_LINE = frozenset("div tr li dt dd caption center form fieldset".split())
_CELL = frozenset(("td", "th"))
_WS = re.compile(r"[ \t\n\r\f]+")
_HEX3 = re.compile(r"#([0-9a-f])([0-9a-f])([0-9a-f])")
_RGB = re.compile(r"rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)")
_ZERO = re.compile(r"0*\.?0+(px|pt|em|rem|%|vw|vh)?")
_CLASS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_NAMED = {"white": "#ffffff", "black": "#000000", "transparent": None}
WHITE = "#ffffff"


@dataclass
class HtmlLine:
    """One line of rendered text; an empty ``text`` is a paragraph break."""

    text: str
    hidden: bool = False


@dataclass
class _Ctx:
    hidden: bool = False
    color: str | None = None
    background: str | None = WHITE
    depth: int = 0
    pre: bool = False


@dataclass
class _Run:
    text: str
    hidden: bool
    cell: int


@dataclass
class _Renderer:
    class_styles: dict[str, dict[str, str]]
    lines: list[HtmlLine] = field(default_factory=list)
    runs: list[_Run] = field(default_factory=list)
    depth: int = 0
    cell: int = 0

    def text(self, value: str, ctx: _Ctx) -> None:
        if not self.runs:
            self.depth = ctx.depth
        self.runs.append(_Run(value, ctx.hidden, self.cell))

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
        cells: dict[int, str] = {}
        for run in runs:
            cells[run.cell] = cells.get(run.cell, "") + run.text
        text = " | ".join(t.strip() for t in cells.values() if t.strip())
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


def html_to_lines(markup: str) -> list[HtmlLine]:
    """Render HTML as text lines, each marked hidden or visible.

    Args:
        markup: An HTML document or fragment.

    Returns:
        The lines, paragraph breaks as empty lines, without leading or trailing breaks.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(markup, "lxml")
    renderer = _Renderer(_class_styles(soup))
    _walk(soup, _Ctx(), renderer)
    renderer.newline()
    lines = renderer.lines
    while lines and not lines[-1].text:
        lines.pop()
    return lines


def html_to_text(markup: str) -> str:
    """The visible text of HTML as one string (hidden lines left out)."""
    return "\n".join(line.text for line in html_to_lines(markup) if not line.hidden)


def _walk(node: Tag, ctx: _Ctx, out: _Renderer) -> None:
    for child in node.children:
        if isinstance(child, PreformattedString):
            continue  # comments, doctypes, CDATA, processing instructions
        if isinstance(child, NavigableString):
            _text(str(child), ctx, out)
        elif isinstance(child, Tag):
            _element(child, ctx, out)


def _text(value: str, ctx: _Ctx, out: _Renderer) -> None:
    if ctx.pre:
        for number, part in enumerate(value.split("\n")):
            if number:
                out.newline(keep_empty=True)
            out.text(part, ctx)
    else:
        value = _WS.sub(" ", value)
        if value.strip() or out.runs:
            out.text(value, ctx)


def _element(tag: Tag, ctx: _Ctx, out: _Renderer) -> None:
    name = tag.name.lower()
    if name in _SKIP:
        return
    if name == "br":
        out.newline(keep_empty=True)
        return
    inner = _child_ctx(tag, ctx, out.class_styles)
    if name == "blockquote":
        inner.depth += 1
    if name == "pre":
        inner.pre = True
    classes = " ".join(tag.get_attribute_list("class") or [])
    is_paragraph = name in _PARAGRAPH and not (name == "p" and "MsoNormal" in classes)
    if is_paragraph:
        out.paragraph()
    elif name in _LINE or name == "p":
        out.newline()
    elif name in _CELL:
        out.cell += 1
    if name == "li":
        out.text("- ", inner)
    _walk(tag, inner, out)
    if is_paragraph:
        out.paragraph()
    elif name == "p":
        out.newline(keep_empty=True)  # Outlook writes an empty line as <p>&nbsp;</p>
    elif name in _LINE:
        out.newline()


def _child_ctx(tag: Tag, ctx: _Ctx, class_styles: dict[str, dict[str, str]]) -> _Ctx:
    style: dict[str, str] = {}
    for cls in tag.get_attribute_list("class") or []:
        if cls:
            style.update(class_styles.get(cls, {}))
    style.update(parse_style(str(tag.get("style") or "")))
    inner = _Ctx(ctx.hidden, ctx.color, ctx.background, ctx.depth, ctx.pre)
    if tag.get("bgcolor"):
        inner.background = _color(str(tag["bgcolor"])) or inner.background
    background = style.get("background-color") or _first_color(style.get("background", ""))
    if background:
        inner.background = _color(background)
    color = style.get("color") or (str(tag.get("color") or "") if tag.name == "font" else "")
    if color:
        inner.color = _color(color)
    inner.hidden = ctx.hidden or _hides(tag, style) or (
        inner.color is not None and inner.color == (inner.background or WHITE)
    )
    return inner


def _hides(tag: Tag, style: dict[str, str]) -> bool:
    if tag.has_attr("hidden"):
        return True
    if style.get("display") == "none" or style.get("visibility") in ("hidden", "collapse"):
        return True
    if style.get("mso-hide") == "all" or _ZERO.fullmatch(style.get("opacity", "1")):
        return True
    if _ZERO.fullmatch(style.get("font-size", "1")):
        return True
    zero_box = any(_ZERO.fullmatch(style.get(k, "1")) for k in ("max-height", "height", "width"))
    return zero_box and style.get("overflow") == "hidden"


def parse_style(value: str) -> dict[str, str]:
    """Parse an inline CSS ``style`` value into lower-case property names and values."""
    out = {}
    for declaration in value.split(";"):
        name, sep, val = declaration.partition(":")
        if sep:
            out[name.strip().lower()] = val.replace("!important", "").strip().lower()
    return out


def _class_styles(soup: BeautifulSoup) -> dict[str, dict[str, str]]:
    """Declarations of simple ``.class { ... }`` rules in ``<style>`` blocks."""
    styles: dict[str, dict[str, str]] = {}
    for block in soup.find_all("style"):
        for selectors, body in _CLASS_RULE.findall(block.get_text()):
            for selector in selectors.split(","):
                selector = selector.strip()
                if re.fullmatch(r"\.[\w-]+", selector):
                    styles.setdefault(selector[1:], {}).update(parse_style(body))
    return styles


def _first_color(shorthand: str) -> str:
    tokens: list[str] = re.findall(r"rgba?\([^)]*\)|#[0-9a-fA-F]{3,6}\b|[a-zA-Z]+", shorthand)
    for token in tokens:
        if _color(token) is not None and (token.startswith(("#", "rgb")) or token in _NAMED):
            return token
    return ""


def _color(value: str) -> str | None:
    """A colour as ``#rrggbb`` (names other than white/black stay as they are)."""
    value = value.strip().lower()
    if value in _NAMED:
        return _NAMED[value]
    if match := _HEX3.fullmatch(value):
        return "#" + "".join(c * 2 for c in match.groups())
    if match := _RGB.fullmatch(value):
        if match[4] is not None and float(match[4]) == 0:
            return None
        return "#" + "".join(f"{min(int(c), 255):02x}" for c in match.groups()[:3])
    return value
