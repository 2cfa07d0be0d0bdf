"""One short deal end to end through the real llama.cpp server and the embedded model.

Marked ``local_model``: it needs the model that ``scripts/install.sh`` installs under the
user's HANDOFF_HOME (CI installs it). Skipped with the reason when it is not there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from extractor import local_model
from extractor.backends import open_backend
from extractor.service import ask, make_brief
from handoff.settings import Settings
from index.ingest import ingest_bytes
from index.store import Store

USER_MODEL = Path(os.environ.get("HANDOFF_HOME", Path.home() / ".handoff")) / "models" / \
    local_model.MODEL_FILE

CALL = """WEBVTT

00:00:05.000 --> 00:00:14.000
Anna Keller: I'm head of operations at Nordlicht Logistics and I'm driving this project internally.

00:00:16.000 --> 00:00:26.000
Anna Keller: Our main goal is to cut empty truck kilometres by fifteen percent within a year.

00:00:28.000 --> 00:00:36.000
Tom Berg: Great. We will give you two training sessions for the dispatchers.

00:00:38.000 --> 00:00:47.000
Anna Keller: My worry is that the drivers won't accept another app on their phones.
"""


@pytest.mark.local_model
@pytest.mark.slow
def test_short_deal_through_the_real_local_model(settings: Settings) -> None:
    if not USER_MODEL.is_file() or not local_model.server_available():
        pytest.skip("embedded model not installed: run scripts/install.sh")
    target = local_model.model_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(USER_MODEL)
    local = settings.model_copy(update={"local_port": 18765})
    store = Store.open(local)
    store.create_deal("nordlicht", name="Nordlicht Logistics")
    ingest_bytes(store, "nordlicht", "kickoff.vtt", CALL.encode(), max_bytes=10**7)
    with open_backend(local, "local") as backend:
        assert backend.name == "local"
        brief = make_brief(store, "nordlicht", backend)
        answer = ask(store, "nordlicht", "What is the customer's main goal?", backend)
    assert brief.metadata.backend == "local"
    assert brief.metadata.model == local_model.MODEL_ID
    # the short call's candidate sentences fit one numbered batch: one call, not one per category
    assert brief.metadata.token_usage.calls == 1 and brief.metadata.token_usage.prompt_tokens > 0
    assert brief.items, "the model found nothing in a deal that states a goal and a champion"
    for item in brief.items:
        assert item.grounded and all(c.source == "kickoff.vtt" for c in item.citations)
    assert answer.citations or not answer.supported
