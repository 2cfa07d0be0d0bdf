"""Every page word exists in both languages, and every word a template asks for exists."""

from __future__ import annotations

import re

import pytest

from api import web_labels
from api.web import TEMPLATES
from handoff.labels import LANGUAGES

_LITERAL = re.compile(r"""\bt\(\s*["']([a-z0-9_]+)["']\s*[,)]""")
_PREFIXED = re.compile(r"""\bt\(\s*["']([a-z0-9_]+_)["']\s*~""")


def test_every_word_has_english_and_german() -> None:
    for key in web_labels.keys():
        en, de = (web_labels.ui(key, lang) for lang in ("en", "de"))
        assert en.strip() and de.strip(), key
    assert web_labels.ui("hours_late", "de", hours=3) == "3 Std. zu spät"


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_templates_ask_only_for_known_words(template: str) -> None:
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    known = set(web_labels.keys())
    for key in _LITERAL.findall(text):
        assert key in known, f"{template}: t({key!r})"
    for prefix in _PREFIXED.findall(text):
        assert any(k.startswith(prefix) for k in known), f"{template}: {prefix}*"


def test_words_for_every_step_state_stage_and_role() -> None:
    from api.models import Role
    from api.schemas import HandoffStage, SlaHealth
    from handoff.timeline import SlaState, Step

    names = ([f"step_{s.value}" for s in Step] + ["step_signed"]
             + [f"state_{s.value}" for s in SlaState] + [f"stage_{s.value}" for s in HandoffStage]
             + [f"sla_{s.value}" for s in SlaHealth] + [f"role_{r.value}" for r in Role])
    for name in names:
        for lang in LANGUAGES:
            assert web_labels.ui(name, lang), name


def test_german_numbers_on_the_pages() -> None:
    from api.web import Words

    de, en = Words("de"), Words("en")
    assert de("hours_late", hours=de.number(7.5)) == "7,5 Std. zu spät"
    assert en("hours_late", hours=en.number(7.5)) == "7.5 h late"
    assert de.number(54000) == "54.000" and de.number(None) == "—"
    assert de.audit("bulk_reject") == "Abschnitt verworfen" and de.audit("other") == "other"
