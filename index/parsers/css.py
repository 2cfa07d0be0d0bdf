"""Computed styles of HTML elements, as far as deciding "can a person see this text" needs.

Design note. An email or CRM note can carry text a reader never sees, and a hidden
instruction or a false "promise" is exactly what someone slipping text into an automated brief
would write. Checking a few inline properties missed most ways to hide text (measured: 7 of
12 techniques passed as visible, among them ``font-size:1px``, ``#fefefe`` on white, off-screen
positioning, ``clip-path`` and ``text-indent``). So visibility is decided the way a browser
draws, from the *computed* style: ``<style>`` rules matched by real selectors (cssselect2)
with specificity, ``!important`` and inline styles in cascade order, inherited properties
inherited, lengths resolved against the parent's font size, and colours (tinycss2, all CSS
colour syntaxes) compared with the background actually behind the text by WCAG contrast.

Text is invisible (``Visibility.hidden``) when any of these holds for it or an ancestor:

* ``display:none``, the ``hidden`` attribute, ``mso-hide:all``, ``opacity`` under 0.1,
  ``transform: scale(0)``;
* ``visibility: hidden|collapse`` (inherited, and undone by ``visible`` on a descendant);
* a computed font size under ``TINY_PX``;
* a text colour whose contrast with the background behind it is under ``MIN_CONTRAST``
  (transparent text included); an unknown background (an image) is given the benefit;
* positioned or shifted ``OFFSCREEN_PX`` or more off the page (``left/top/right/bottom``,
  negative margins, ``translate``), or a ``text-indent`` that far;
* clipped away (``clip: rect(...)`` of at most 1px, ``clip-path: inset(50%)``, a zero
  circle) or squeezed into a box of at most 1px with ``overflow:hidden``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import cssselect2
import tinycss2
from tinycss2 import color3

TINY_PX = 4.0  # 3pt: below this a line of text is a row of specks
MIN_CONTRAST = 1.5  # WCAG ratio; #fefefe on white is 1.01, light grey #cccccc is 1.6
OFFSCREEN_PX = 900.0
DEFAULT_PX = 16.0
WHITE = (1.0, 1.0, 1.0)
BLACK = (0.0, 0.0, 0.0)

_KEYWORD_SIZES = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0,
                  "large": 18.0, "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0}
_FONT_TAG_SIZES = {"1": 10.0, "2": 13.0, "3": 16.0, "4": 18.0, "5": 24.0, "6": 32.0, "7": 48.0}
_LENGTH = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(px|pt|pc|em|rem|ex|ch|%|in|cm|mm|q|vw|vh"
                     r"|vmin|vmax)?$")
_TRANSLATE = re.compile(r"translate(?:x|y|3d)?\(\s*([^,)\s]+)(?:\s*,\s*([^,)\s]+))?")
_SCALE_ZERO = re.compile(r"scale(?:x|y|3d)?\(\s*0*\.?0+\s*[,)]")
_CLIP_RECT = re.compile(r"rect\(([^)]*)\)")
_INSET = re.compile(r"inset\(\s*([^)\s]+)")
_ZERO_SHAPE = re.compile(r"(?:circle|ellipse)\(\s*0(?:px|%)?(?:\s+0(?:px|%)?)?\s*(?:at|\))")
_URL = re.compile(r"url\(|gradient\(", re.IGNORECASE)

_PRESENTATIONAL = frozenset(("hidden", "bgcolor", "color", "size"))
Rgb = tuple[float, float, float]


@dataclass(frozen=True)
class Visibility:
    """What an element passes on to its content and children."""

    hidden: bool = False           # hidden for good: no descendant can undo it
    invisible: bool = False        # visibility:hidden, which a descendant may undo
    font_px: float = DEFAULT_PX
    color: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    background: Rgb | None = WHITE  # None: an image or gradient, colour unknown

    @property
    def text_hidden(self) -> bool:
        """Whether text directly in this element is drawn where a person cannot see it."""
        return _text_hidden(self)


@lru_cache(maxsize=1024)
def _text_hidden(look: Visibility) -> bool:
    if look.hidden or look.invisible or look.font_px < TINY_PX or look.color[3] < 0.1:
        return True
    if look.background is None:
        return False
    return contrast(_blend(look.color, look.background), look.background) < MIN_CONTRAST


def _blend(color: tuple[float, float, float, float], under: Rgb) -> Rgb:
    a = color[3]
    return (color[0] * a + under[0] * (1 - a), color[1] * a + under[1] * (1 - a),
            color[2] * a + under[2] * (1 - a))


def _luminance(rgb: Rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    """WCAG 2 contrast ratio of two colours, 1 (same) to 21 (black on white)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@lru_cache(maxsize=4096)
def parse_color(value: str) -> tuple[float, float, float, float] | str | None:
    """An RGBA colour, ``"currentcolor"``, or None for anything that is not a colour."""
    try:
        parsed = color3.parse_color(value.strip())
    except (TypeError, ValueError):
        return None
    if parsed is None:
        return None
    if isinstance(parsed, str):
        return "currentcolor"
    return (parsed.red, parsed.green, parsed.blue, parsed.alpha)


Declarations = tuple[tuple[str, str, bool], ...]


@lru_cache(maxsize=8192)
def parse_declarations(css: str) -> Declarations:
    """``name: value`` declarations of a style attribute or rule body, lower-cased."""
    out = []
    for d in tinycss2.parse_blocks_contents(css, skip_whitespace=True, skip_comments=True):
        if d.type == "declaration":
            out.append((d.lower_name, tinycss2.serialize(d.value).strip().lower(), d.important))
    return tuple(out)


class Stylesheet:
    """The ``<style>`` rules of a document, matched against its elements."""

    def __init__(self, css_texts: list[str]) -> None:
        self._matcher = cssselect2.Matcher()
        self.rules = 0
        for css in css_texts:
            for rule in tinycss2.parse_stylesheet(css, skip_whitespace=True,
                                                  skip_comments=True):
                self._add(rule)

    def _add(self, rule: Any) -> None:
        if rule.type == "at-rule":
            # @media screen/all applies to a reader's screen; print-only rules do not
            if rule.lower_at_keyword == "media" and rule.content is not None:
                query = tinycss2.serialize(rule.prelude).lower()
                if "print" in query and "screen" not in query:
                    return
                for inner in tinycss2.parse_rule_list(rule.content, skip_whitespace=True,
                                                      skip_comments=True):
                    self._add(inner)
            return
        if rule.type != "qualified-rule":
            return
        declarations = parse_declarations(tinycss2.serialize(rule.content))
        if not declarations:
            return
        try:
            selectors = cssselect2.compile_selector_list(rule.prelude)
        except cssselect2.SelectorError:
            return
        for selector in selectors:
            if selector.pseudo_element is None:
                self._matcher.add_selector(selector, declarations)
                self.rules += 1

    def styles(self, root: Any) -> dict[Any, list[tuple[tuple[int, int, int], int,
                                                       Declarations]]]:
        """Matched declarations per element, with specificity and order.

        Keyed by the element itself: lxml's proxies are only stable while referenced, so an
        ``id()`` could be reused by another element.
        """
        found: dict[Any, list[tuple[tuple[int, int, int], int, Declarations]]] = {}
        if not self.rules:
            return found
        for wrapper in cssselect2.ElementWrapper.from_html_root(root).iter_subtree():
            matches = self._matcher.match(wrapper)
            if matches:
                found[wrapper.etree_element] = [(spec, order, payload)
                                                    for spec, order, _, payload in matches]
        return found


def cascade(matched: list[tuple[tuple[int, int, int], int, Declarations]] | None,
            inline: str) -> dict[str, str]:
    """The winning value of each property: rules by specificity, inline, then !important."""
    normal: dict[str, str] = {}
    important: dict[str, str] = {}
    for _, _, declarations in sorted(matched or [], key=lambda m: (m[0], m[1])):
        for name, value, imp in declarations:
            (important if imp else normal)[name] = value
    if inline:
        for name, value, imp in parse_declarations(inline):
            (important if imp else normal)[name] = value
    normal.update(important)
    return normal


def length_px(value: str, font_px: float, *, percent_of: float | None = None) -> float | None:
    """A CSS length in pixels (``em`` against ``font_px``); None when it is not a length."""
    match = _LENGTH.match(value.strip())
    if not match:
        return None
    number, unit = float(match[1]), (match[2] or "px")
    if unit == "%":
        return None if percent_of is None else number * percent_of / 100
    factor = {"px": 1.0, "pt": 4 / 3, "pc": 16.0, "em": font_px, "rem": DEFAULT_PX,
              "ex": font_px / 2, "ch": font_px / 2, "in": 96.0, "cm": 96 / 2.54,
              "mm": 96 / 25.4, "q": 96 / 101.6, "vw": 10.0, "vh": 8.0, "vmin": 8.0,
              "vmax": 10.0}[unit]
    return number * factor


def _font_px(style: dict[str, str], parent_px: float) -> float:
    value = style.get("font-size")
    if not value:
        return parent_px
    if value in _KEYWORD_SIZES:
        return _KEYWORD_SIZES[value]
    if value == "smaller":
        return parent_px / 1.2
    if value == "larger":
        return parent_px * 1.2
    px = length_px(value, parent_px, percent_of=parent_px)
    return parent_px if px is None or px < 0 else px


def _first_background(value: str) -> tuple[float, float, float, float] | None | str:
    """The colour in a ``background`` shorthand; "image" when an image paints it."""
    if _URL.search(value):
        return "image"
    for token in re.findall(r"rgba?\([^)]*\)|hsla?\([^)]*\)|#[0-9a-f]{3,8}\b|[a-z]+", value):
        color = parse_color(token)
        if isinstance(color, tuple):
            return color
    return None


def _offscreen(style: dict[str, str], font_px: float) -> bool:
    def far(names: tuple[str, ...]) -> bool:
        for name in names:
            px = length_px(style.get(name, ""), font_px)
            if px is not None and px <= -OFFSCREEN_PX:
                return True
        return False

    if style.get("position") in ("absolute", "fixed", "relative", "sticky") and far(
            ("left", "top", "right", "bottom")):
        return True
    if far(("margin-left", "margin-top", "margin-right")):
        return True
    for x, y in _TRANSLATE.findall(style.get("transform", "")):
        for part in (x, y):
            px = length_px(part, font_px) if part else None
            if px is not None and abs(px) >= OFFSCREEN_PX:
                return True
    indent = style.get("text-indent", "")
    px = length_px(indent, font_px)
    if px is not None and abs(px) >= OFFSCREEN_PX:
        return True
    pct = length_px(indent, font_px, percent_of=100.0)
    return pct is not None and pct >= 100 and style.get("overflow") == "hidden"


def _clipped(style: dict[str, str], font_px: float) -> bool:
    clip = _CLIP_RECT.search(style.get("clip", ""))
    if clip and style.get("position") in ("absolute", "fixed"):
        edges = [length_px(p, font_px) for p in re.split(r"[\s,]+", clip[1].strip()) if p]
        if len(edges) == 4 and all(e is not None for e in edges):
            top, right, bottom, left = (float(e or 0) for e in edges)
            if right - left <= 1 or bottom - top <= 1:
                return True
    path = style.get("clip-path", "")
    inset = _INSET.search(path)
    if inset:
        pct = length_px(inset[1], font_px, percent_of=100.0)
        if inset[1].endswith("%") and pct is not None and pct >= 50:
            return True
    if _ZERO_SHAPE.search(path) or re.search(r"polygon\(\s*0(?:px)?\s+0(?:px)?\s*\)", path):
        return True
    if style.get("overflow") in ("hidden", "clip") or style.get("overflow-x") == "hidden":
        for name in ("height", "max-height", "width", "max-width"):
            px = length_px(style.get(name, ""), font_px)
            if px is not None and px <= 1:
                return True
    return False


def _hides(attrs: dict[str, str], style: dict[str, str], font_px: float) -> bool:
    if "hidden" in attrs or style.get("display") == "none" or style.get("mso-hide") == "all":
        return True
    opacity = style.get("opacity", "")
    if opacity:
        try:
            value = float(opacity[:-1]) / 100 if opacity.endswith("%") else float(opacity)
        except ValueError:
            value = 1.0
        if value < 0.1:
            return True
    if _SCALE_ZERO.search(style.get("transform", "")):
        return True
    return _offscreen(style, font_px) or _clipped(style, font_px)


def compute(tag: str, attrs: dict[str, str], style: dict[str, str],
            parent: Visibility) -> Visibility:
    """The visibility an element passes on, from its computed style and its parent's."""
    if not style and not attrs.keys() & _PRESENTATIONAL:
        return parent
    font_px = _font_px(style, parent.font_px)
    if tag == "font" and attrs.get("size", "").strip() in _FONT_TAG_SIZES:
        font_px = _FONT_TAG_SIZES[attrs["size"].strip()]
    background = parent.background
    bg_value = style.get("background-color") or ""
    bg = parse_color(bg_value) if bg_value else None
    if bg is None and style.get("background"):
        shorthand = _first_background(style["background"])
        if shorthand == "image":
            background = None
        elif isinstance(shorthand, tuple):
            bg = shorthand
    if bg is None and attrs.get("bgcolor"):
        bg = parse_color(attrs["bgcolor"])
    if style.get("background-image", "none") not in ("", "none"):
        background = None
    if isinstance(bg, tuple) and bg[3] > 0:
        base = background if background is not None else WHITE
        background = _blend(bg, base) if background is not None or bg[3] >= 1 else None
    color = parent.color
    color_value = style.get("color") or (attrs.get("color", "") if tag == "font" else "")
    if color_value:
        parsed = parse_color(color_value)
        if isinstance(parsed, tuple):
            color = parsed
    fill = style.get("-webkit-text-fill-color")
    if fill:
        parsed = parse_color(fill)
        if isinstance(parsed, tuple):
            color = parsed
    invisible = parent.invisible
    if style.get("visibility") in ("hidden", "collapse"):
        invisible = True
    elif style.get("visibility") == "visible":
        invisible = False
    hidden = parent.hidden or _hides(attrs, style, font_px)
    return replace(parent, hidden=hidden, invisible=invisible, font_px=font_px, color=color,
                   background=background)
