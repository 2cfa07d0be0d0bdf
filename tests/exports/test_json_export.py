"""The JSON export: the model dump plus labels, and it reads back into the same brief."""

from __future__ import annotations

import json

import pytest

from exports.json_export import load_brief, render_json
from handoff.domain import ALL_KEYS


def test_round_trip_keeps_every_item_including_rejected(brief_en):
    text = render_json(brief_en)

    assert load_brief(text) == brief_en
    payload = json.loads(text)
    statuses = {i["id"]: i["status"] for i in payload["brief"]["items"]}
    assert statuses["g4"] == "rejected"


def test_labels_and_derived_values(brief_de):
    payload = json.loads(render_json(brief_de, indent=None))

    fields = payload["labels"]["fields"]
    assert set(fields) == set(ALL_KEYS)
    assert fields["stakeholders.champion"] == {"en": "Champion", "de": "Champion"}
    assert payload["labels"]["sections"]["sources"]["de"] == "Quellen"
    derived = payload["derived"]["items"]
    assert derived["r2"]["grounded"] is False
    assert derived["i1"]["shown_value"] == "13. April 2026"
    assert derived["c1"]["verbal"] is True
    assert derived["g3"]["visible"] is False
    assert payload["derived"]["open_gap_ids"] == ["G1", "G2", "G3"]
    assert "Übergabe" not in payload["labels"]["sections"]["title"]["en"]


def test_umlauts_are_written_as_is(brief_de):
    assert "Leerfahrten um 15 Prozent senken" in render_json(brief_de)
    assert "Geschäftsziele" in render_json(brief_de)


def test_load_refuses_foreign_json():
    with pytest.raises(ValueError):
        load_brief('{"deal_id": "x"}')
