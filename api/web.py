"""Server-rendered pages: the Jinja2 environment, the display language and small helpers.

Design note. Briefs quote untrusted text (a transcript may contain ``<script>`` or
``{{ 7*7 }}``), so the environment autoescapes everything and brief text only ever enters a
template as data. Pages carry no inline script or style: behaviour lives in
``static/app.js`` and htmx, which the Content-Security-Policy (``script-src 'self'``) allows
while blocking anything injected. Words around the content come from :mod:`api.web_labels`,
words of the brief from :mod:`handoff.labels`, both in German and English.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api import web_labels
from exports.citations import readable_time
from exports.formatting import format_number
from handoff import labels
from handoff.labels import Lang

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LANG_COOKIE = "handoff_lang"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The one Jinja2 environment of the pages (autoescaping, strict undefined)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["percent"] = lambda share: f"{round((share or 0) * 100)} %"
    env.filters["when"] = _when
    env.globals["query"] = lambda **kw: urlencode({k: v for k, v in kw.items()
                                                   if v is not None})
    return env


def _when(moment: Any, lang: Lang = "en") -> str:
    if moment is None:
        return "—"
    text = moment.isoformat(timespec="minutes") if hasattr(moment, "isoformat") else str(moment)
    return readable_time(text, lang)


class Words:
    """Every visible word of a page in one language, callable from templates."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def __call__(self, key: str, **values: Any) -> str:
        return web_labels.ui(key, self.lang, **values)

    def field(self, key: str) -> str:
        """The label of a ``category.field`` key."""
        return labels.field_label(key, self.lang)

    def category(self, name: str) -> str:
        """The label of a category."""
        return labels.category_label(name, self.lang)

    def section(self, name: str) -> str:
        """The heading of a brief section."""
        return labels.section_label(name, self.lang)

    def term(self, name: str) -> str:
        """A short phrase of the brief (verbal, unverified ...)."""
        return labels.term(name, self.lang)

    def topic(self, name: str) -> str:
        """The word for a conflict topic."""
        return labels.topic_label(name, self.lang)

    def audit(self, action: str) -> str:
        """The audit trail's word for a change ("confirm" -> "bestätigt")."""
        return web_labels.audit_action(action, self.lang)

    def term_with(self, name: str, **values: Any) -> str:
        """A brief phrase with ``{placeholders}`` filled."""
        return labels.term_with(name, self.lang, **values)

    def number(self, value: float | None, decimals: int | None = None) -> str:
        """A number as the language writes it ("7,5" in German)."""
        return "—" if value is None else format_number(value, self.lang, decimals=decimals)


def page_lang(request: Request, fallback: str | None = None) -> Lang:
    """The display language: ``?lang=``, then the cookie, then the brief's, then English."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen not in labels.LANGUAGES:
        chosen = None
    return labels.resolve_lang(chosen, fallback or "en")


def render(request: Request, template: str, *, status_code: int = 200,
           lang: Lang | None = None, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """Render a page (or an htmx fragment) in the request's language."""
    lang = lang or page_lang(request)
    user = getattr(request.state, "user", None)
    html = environment().get_template(template).render(
        request=request, t=Words(lang), lang=lang, user=user,
        csrf=getattr(request.state, "csrf_token", ""), path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    asked = request.query_params.get("lang")
    if asked in labels.LANGUAGES:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="lax",
                            httponly=True)
    return response


def render_error(request: Request, status: int, title: str, detail: str,
                 headers: dict[str, str] | None = None) -> Response:
    """The error page a browser sees for a failed page request."""
    return render(request, "error.html", status_code=status, headers=headers,
                  status=status, title=title, detail=detail)


def is_htmx(request: Request) -> bool:
    """Whether htmx sent the request (answer with a fragment, not a page)."""
    return request.headers.get("hx-request") == "true"
