"""Fixtures of the web app tests (see :mod:`tests.api.helpers` for what they build)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.helpers import WordHashEmbedder, World, build_world, make_settings
from tests.api.live_redis import redis_prefix  # noqa: F401  (a live Redis, or a skip)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A shared app with users and a briefed demo deal (read-mostly: keep changes local)."""
    yield from build_world(tmp_path_factory.mktemp("world") / "home")


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[World]:
    """A world of its own, for tests that change the deal."""
    yield from build_world(tmp_path / "home")


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    """An app with no users and no deals."""
    app = create_app(make_settings(tmp_path / "home"), embedder=WordHashEmbedder())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
