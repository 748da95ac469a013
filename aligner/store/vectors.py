"""The embedding cache: each (model, clean text) is embedded once, ever."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.embed import Encoder, Vectors, text_key
from aligner.store.models import Embedding

LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class CachedVectors:
    """Vectors in the order of the texts asked for, and how many had to be computed."""

    vectors: Vectors
    embedded: int
    reused: int


def cached_embeddings(session: Session, encoder: Encoder, texts: Sequence[str]) -> CachedVectors:
    """Embed ``texts`` with ``encoder``, taking what the cache holds and storing the rest."""
    keys = [text_key(t) for t in texts]
    found = _lookup(session, encoder.model_id, sorted(set(keys)))
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
    if missing:
        fresh = encoder.encode(list(missing.values()))
        for key, vector in zip(missing, fresh, strict=True):
            found[key] = vector
            session.add(
                Embedding(
                    model=encoder.model_id, text_sha256=key, dim=encoder.dim,
                    vector=vector.astype(np.float32).tobytes(),
                )
            )  # fmt: skip
        session.flush()
    vectors = np.stack([found[k] for k in keys]) if keys else np.empty((0, encoder.dim), np.float32)
    return CachedVectors(
        vectors.astype(np.float32), embedded=len(missing), reused=len(keys) - len(missing)
    )


def _lookup(session: Session, model: str, keys: list[str]) -> dict[str, Vectors]:
    found: dict[str, Vectors] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        rows = session.execute(
            select(Embedding.text_sha256, Embedding.vector).where(
                Embedding.model == model,
                Embedding.text_sha256.in_(keys[start : start + LOOKUP_CHUNK]),
            )
        )
        for key, blob in rows:
            found[key] = np.frombuffer(blob, dtype=np.float32)
    return found
