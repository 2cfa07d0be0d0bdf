"""Shared fixtures: offline by default, a fresh HANDOFF_HOME per test, a fast fake embedder."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from handoff.settings import Settings, get_settings
from tests.live_services import service_overrides

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise RuntimeError(f"tests are offline: connection to {host} blocked")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches the network; loopback (the local llama.cpp server) is allowed."""
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HANDOFF_HOME", str(tmp_path / "home"))
    for var in ("HANDOFF_OPENAI_BASE_URL", "HANDOFF_OPENAI_API_KEY", "HANDOFF_BACKEND",
                "HANDOFF_DATABASE_URL", "HANDOFF_EMBEDDER", "HANDOFF_REDIS_URL",
                "HANDOFF_JOB_MODULES", "HANDOFF_CHROMA_URL",
                "HANDOFF_CHROMA_TENANT", "HANDOFF_CHROMA_DATABASE", "HANDOFF_CHROMA_PREFIX"):
        monkeypatch.delenv(var, raising=False)
    for name, value in service_overrides(tmp_path / "home").items():
        monkeypatch.setenv(f"HANDOFF_{name.upper()}", str(value))
    return tmp_path / "home"


@pytest.fixture
def settings(home: Path) -> Settings:
    return get_settings()


class HashEmbedder:
    """Bag-of-words hashing: deterministic, instant, good enough for storage tests."""

    def __init__(self, dim: int = 64) -> None:
        self.calls = 0
        self.dim = dim
        self.id = f"test-hash-{dim}"  # another dim is another vector space

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in re.findall(r"\w+", t.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest(), 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1
        return out / norms


@pytest.fixture
def hash_store(settings: Settings) -> Iterator[object]:
    from index.store import Store

    yield Store.open(settings, embedder=HashEmbedder())


@pytest.fixture(scope="session")
def use_embedder() -> object:
    from index.embedders import USEEmbedder

    return USEEmbedder()


@pytest.fixture
def use_store(settings: Settings, use_embedder: object) -> object:
    from index.store import Store

    return Store.open(settings, embedder=use_embedder)  # type: ignore[arg-type]


REPO = Path(__file__).resolve().parents[1]
DEV_SET = REPO / "evals" / "datasets" / "dev"
DEMO_DEAL = REPO / "handoff" / "demo_deal"
