"""Labels: every schema key has a German and an English label, and languages resolve."""

from __future__ import annotations

import pytest

from handoff.domain import ALL_KEYS, CATEGORIES
from handoff.errors import InputError
from handoff.labels import (
    all_labels,
    category_label,
    field_label,
    resolve_lang,
    section_label,
    term,
    topic_label,
)


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_field_key_has_both_labels(key):
    en, de = field_label(key, "en"), field_label(key, "de")
    assert en and de and en[0].isupper() and de[0].isupper()


def test_categories_sections_and_terms():
    assert set(all_labels()["categories"]) == set(CATEGORIES)
    assert category_label("risks", "de") == "Risiken und Bedenken"
    assert section_label("sources", "de") == "Quellen"
    assert term("unverified", "de") == "nicht belegt"
    assert topic_label("duration", "de") == "Dauer" and topic_label("weather", "en") == "weather"
    german = [v["de"] for v in all_labels()["fields"].values()]
    assert len(set(german)) == len(german)  # no two fields share a German label


@pytest.mark.parametrize(("lang", "fallback", "expected"), [
    ("de-DE", "en", "de"), ("EN_us", "de", "en"), (None, "de", "de"), (None, "fr", "en"),
])
def test_resolve_lang(lang, fallback, expected):
    assert resolve_lang(lang, fallback) == expected


def test_unsupported_explicit_language_is_an_input_error():
    with pytest.raises(InputError, match="choose 'de' or 'en'"):
        resolve_lang("fr")
