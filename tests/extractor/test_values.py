"""Values the conflict detector and the rules backend rely on (EN + DE)."""

from __future__ import annotations

import pytest

from extractor.values import extract_values, parse_number, values_of


def _one(text: str, kind: str):
    found = values_of(text, kind, year=2026)
    assert len(found) == 1, found
    v = found[0]
    assert text[v.start:v.end] == v.text
    return v


@pytest.mark.parametrize(
    ("text", "value", "unit", "low"),
    [
        ("We'll be live in four weeks.", 4, "weeks", 4),
        ("Go-live in 4 Wochen.", 4, "weeks", 4),
        ("Das schaffen wir in vier Wochen.", 4, "weeks", 4),
        ("Typically 6-8 weeks.", 8, "weeks", 6),
        ("sechs bis acht Wochen", 8, "weeks", 6),
        ("about two months", 2, "months", 2),
        ("zwei Monate Vorlauf", 2, "months", 2),
        ("payment within 90 days", 90, "days", 90),
    ],
)
def test_durations(text: str, value: float, unit: str, low: float) -> None:
    v = _one(text, "duration")
    assert (v.value, v.unit, v.low) == (value, unit, low)


def test_duration_days_conversion() -> None:
    assert _one("four weeks", "duration").days == 28
    assert _one("90 days", "duration").days == 90


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("The price is €48,000 per year.", 48_000, "EUR"),
        ("Preis: 48.000 € pro Jahr.", 48_000, "EUR"),
        ("EUR 48k all-in", 48_000, "EUR"),
        ("a $120K budget", 120_000, "USD"),
        ("achtundvierzigtausend Euro", 48_000, "EUR"),
        ("zweihundertfünfzigtausend Euro", 250_000, "EUR"),
        ("OT spend ~EUR2.1M/yr", 2_100_000, "EUR"),
        ("1,2 Mio. € Budget", 1_200_000, "EUR"),
        ("onboarding EUR24.5k", 24_500, "EUR"),
    ],
)
def test_money(text: str, amount: float, currency: str) -> None:
    v = _one(text, "money")
    assert (v.value, v.unit) == (amount, currency)


@pytest.mark.parametrize(
    ("text", "value", "iso"),
    [
        ("Kickoff on March 15.", "03-15", "2026-03-15"),
        ("Start am 15. März 2026.", "2026-03-15", "2026-03-15"),
        ("Go-live 15.03.2026", "2026-03-15", "2026-03-15"),
        ("go-live 2026-03-15", "2026-03-15", "2026-03-15"),
        ("live by end of Q2", "end Q2", "2026-06-30"),
        ("bis Ende April", "end 04", "2026-04-30"),
        ("Start in KW 14", "W14", "2026-03-30"),
        ("training mid-May", "mid 05", "2026-05-15"),
        ("Go-live 1 Jul = hard date", "07-01", "2026-07-01"),
        ("im zweiten Quartal 2026", "2026-Q2", "2026-04-01"),
        ("First of July, that's the hard date", "07-01", "2026-07-01"),
        ("Der Vertrag startet am ersten Juli.", "07-01", "2026-07-01"),
        ("live by the twenty-first of May", "05-21", "2026-05-21"),
    ],
)
def test_dates(text: str, value: str, iso: str) -> None:
    v = _one(text, "date")
    assert (v.value, v.iso) == (value, iso)


def test_may_as_a_verb_is_not_a_date() -> None:
    assert values_of("May I ask who signs? We may need SSO.", "date") == []


def test_german_abbreviations_and_decimals_are_not_dates() -> None:
    assert values_of("Version 2.3 z. B. mit Dr. Jan Becker", "date") == []


@pytest.mark.parametrize(
    ("text", "value", "unit", "kind"),
    [
        ("reduce overtime by 20%", 20, "%", "percent"),
        ("um 30 Prozent senken", 30, "%", "percent"),
        ("for 420 users", 420, "users", "count"),
        ("120 named users", 120, "users", "count"),
        ("250 Lizenzen", 250, "licenses", "count"),
        ("50 seats", 50, "seats", "count"),
        ("zweihundertfünfzig Nutzer", 250, "users", "count"),
    ],
)
def test_percent_and_counts(text: str, value: float, unit: str, kind: str) -> None:
    v = _one(text, kind)
    assert (v.value, v.unit) == (value, unit)


def test_values_do_not_overlap_and_spans_are_exact() -> None:
    text = "Für 420 Nutzer: 48.000 € p. a., Go-live 15.03.2026 nach vier Wochen, 20 % weniger."
    found = extract_values(text)
    assert [v.kind for v in found] == ["count", "money", "date", "duration", "percent"]
    for a, b in zip(found, found[1:], strict=False):
        assert a.end <= b.start
    assert all(text[v.start:v.end] == v.text for v in found)


@pytest.mark.parametrize(
    ("token", "number"),
    [("48.000", 48_000), ("48,000", 48_000), ("1,5", 1.5), ("1.5", 1.5),
     ("forty-eight thousand", 48_000), ("one hundred and twenty", 120),
     ("einundzwanzig", 21), ("hundertzwanzig", 120), ("banana", None)],
)
def test_parse_number(token: str, number: float | None) -> None:
    assert parse_number(token) == number
