"""Real sentence vectors for the corpus's distinct texts, put in aligner's embedding cache.

The cache is keyed by (model, hash of the clean text), so every copy of a sentence shares one
vector: embedding the distinct texts once gives every segment of every copy a real vector.
Embedding is the slow part (about 19 s per 1,000 texts with the bundled model on 2 cores), so
the vectors are also kept in an ``.npz`` file that the next database's load reads instead.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from million_corpus import RealWork
from numpy.typing import NDArray
from sqlalchemy import Connection, Table, insert, select

from aligner.core.encoders import Encoder, text_key
from aligner.store.models import Embedding

EMBEDDINGS: Table = Embedding.__table__  # type: ignore[assignment]
SAVE_EVERY = 1024
_BATCH = 2000


def distinct_texts(works: Sequence[RealWork]) -> dict[str, str]:
    """Each distinct text by its cache key, in the order of the works (FLORES first)."""
    texts: dict[str, str] = {}
    for work in works:
        for version in work.versions:
            for segment in version.segments:
                texts.setdefault(text_key(segment.text), segment.text)
    return texts


class VectorFile:
    """Vectors by cache key, saved to ``path`` as they are made, for one model."""

    def __init__(self, path: Path, model_id: str) -> None:
        self.path, self.model_id = path, model_id
        self.vectors: dict[str, NDArray[np.float32]] = {}
        if path.exists():
            saved = np.load(path)
            if str(saved["model"]) == model_id:
                self.vectors = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))

    def save(self) -> None:
        keys = list(self.vectors)
        matrix = np.stack([self.vectors[k] for k in keys]).astype(np.float32)
        temporary = self.path.with_name(self.path.name + ".part.npz")
        np.savez(temporary, model=self.model_id, keys=np.array(keys), vectors=matrix)
        temporary.replace(self.path)

    def fill(self, encoder: Encoder, texts: dict[str, str]) -> int:
        """Embed the texts the file lacks; returns how many were embedded."""
        missing = [key for key in texts if key not in self.vectors]
        started = time.perf_counter()
        for start in range(0, len(missing), SAVE_EVERY):
            keys = missing[start : start + SAVE_EVERY]
            for key, vector in zip(keys, encoder.encode([texts[k] for k in keys]), strict=True):
                self.vectors[key] = vector
            self.save()
            done = start + len(keys)
            print(
                f"embedded {done:,} of {len(missing):,} texts in "
                f"{time.perf_counter() - started:.0f} s",
                flush=True,
            )
        return len(missing)


def store_vectors(
    connection: Connection, model_id: str, vectors: dict[str, NDArray[np.float32]]
) -> int:
    """Put ``vectors`` in the embedding cache (those it lacks); returns how many were added."""
    present = set(
        connection.scalars(select(EMBEDDINGS.c.text_sha256).where(EMBEDDINGS.c.model == model_id))
    )
    rows = [
        {"model": model_id, "text_sha256": key, "dim": int(vector.shape[0]),
         "vector": vector.astype(np.float32).tobytes()}
        for key, vector in vectors.items()
        if key not in present
    ]  # fmt: skip
    for start in range(0, len(rows), _BATCH):
        connection.execute(insert(EMBEDDINGS), rows[start : start + _BATCH])
    return len(rows)
