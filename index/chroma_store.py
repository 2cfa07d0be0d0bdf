"""The vector side of the store: one Chroma collection of chunk vectors, filtered by deal.

The only module that imports chromadb. Vectors are always computed by our own embedder and
passed in; the collection records that embedder's id, and opening it with another embedder
fails with a message that says how to re-index, instead of silently mixing vector spaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from handoff.errors import ConfigError

COLLECTION = "handoff-chunks"


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    distance: float


class ChromaStore:
    """Chunk vectors in a Chroma PersistentClient (or any client handed in)."""

    def __init__(self, client: Any, embedder_id: str) -> None:
        self.embedder_id = embedder_id
        self._client = client
        self._col = client.get_or_create_collection(
            COLLECTION,
            metadata={"embedder": embedder_id, "hnsw:space": "cosine"},
            embedding_function=None,
        )
        stored = (self._col.metadata or {}).get("embedder")
        if stored != embedder_id:
            raise ConfigError(
                f"the vector index was built with embedder {stored!r} but {embedder_id!r} is "
                "configured; set HANDOFF_EMBEDDER back, or run `handoff reindex` to rebuild it"
            )

    @classmethod
    def open(cls, path: Path, embedder_id: str) -> ChromaStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(
            path=str(path), settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, embedder_id)

    def add(self, deal_id: str, document_id: str, ids: list[str], vectors: np.ndarray) -> None:
        if not ids:
            return
        self._col.add(
            ids=ids,
            embeddings=vectors.astype(np.float32),
            metadatas=[{"deal_id": deal_id, "document_id": document_id} for _ in ids],
        )

    def query(self, deal_id: str, vector: np.ndarray, k: int) -> list[VectorHit]:
        """The ``k`` nearest chunks of one deal; never crosses deals."""
        if k <= 0:
            return []
        res = self._col.query(
            query_embeddings=vector.reshape(1, -1).astype(np.float32),
            n_results=k,
            where={"deal_id": deal_id},
            include=["distances"],
        )
        ids = res["ids"][0] if res["ids"] else []
        dists = res["distances"][0] if res.get("distances") else [0.0] * len(ids)
        return [VectorHit(i, float(d)) for i, d in zip(ids, dists, strict=True)]

    def delete_document(self, document_id: str) -> None:
        self._col.delete(where={"document_id": document_id})

    def delete_ids(self, ids: list[str]) -> None:
        if ids:
            self._col.delete(ids=ids)

    def delete_deal(self, deal_id: str) -> None:
        self._col.delete(where={"deal_id": deal_id})

    def count(self, deal_id: str | None = None) -> int:
        if deal_id is None:
            return int(self._col.count())
        return len(self._col.get(where={"deal_id": deal_id}, include=[])["ids"])
