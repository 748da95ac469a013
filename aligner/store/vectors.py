"""The embedding cache: each (model, clean text) is embedded once, ever.

Several processes may fill the cache at once (two alignments, an alignment and ``aligner
index``): rows are inserted with insert-or-ignore, so a vector another process stored first is
kept and nobody fails.  :class:`EmbeddingCache` runs the model with no transaction open and
commits each batch of new vectors at once, so a long embedding locks no one out and a killed
run keeps what it embedded.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from aligner.core.encoders import Encoder, Vectors, text_key
from aligner.store.models import Embedding

if TYPE_CHECKING:
    from aligner.store.session import Database

LOOKUP_CHUNK = 500
STORE_BATCH = 64  # texts embedded, then committed, together
PAUSE_ENV_VAR = "ALIGNER_TEST_PAUSE_FILE"

Batch = list[str]
Progress = Callable[[Sequence[Batch]], Iterable[Batch]]


@dataclass(frozen=True)
class CachedVectors:
    """Vectors in the order of the texts asked for, and how many had to be computed."""

    vectors: Vectors
    embedded: int
    reused: int


def cached_embeddings(session: Session, encoder: Encoder, texts: Sequence[str]) -> CachedVectors:
    """Embed ``texts`` with ``encoder``, taking what the cache holds and storing the rest in
    the caller's transaction."""
    keys = [text_key(t) for t in texts]
    found = lookup(session, encoder.model_id, sorted(set(keys)))
    missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
    if missing:
        fresh = dict(zip(missing, encoder.encode(list(missing.values())), strict=True))
        store(session, encoder, fresh)
        found.update(fresh)
    return _in_order(found, keys, encoder.dim, embedded=len(missing))


class EmbeddingCache:
    """Embeds through the cache in batches of :data:`STORE_BATCH` new texts, each looked up
    and then stored in its own short transaction of ``database``; the model runs between them
    with no transaction open.  Counts what it computed and what it reused, and can be called
    as an alignment's ``Embed`` function."""

    def __init__(self, database: Database, encoder: Encoder, progress: Progress = iter) -> None:
        self.database, self.encoder, self.progress = database, encoder, progress
        self.embedded = self.reused = 0

    def __call__(self, texts: Sequence[str]) -> Vectors:
        return self.embed(texts).vectors

    def embed(self, texts: Sequence[str]) -> CachedVectors:
        keys = [text_key(t) for t in texts]
        text_of = dict(zip(keys, texts, strict=True))
        with self.database.session() as session:
            found = lookup(session, self.encoder.model_id, sorted(text_of))
        wanted = [key for key in text_of if key not in found]
        batches = [wanted[i : i + STORE_BATCH] for i in range(0, len(wanted), STORE_BATCH)]
        embedded = 0
        for batch in self.progress(batches):
            vectors, computed = self._embed_batch({key: text_of[key] for key in batch})
            found.update(vectors)
            embedded += computed
            _pause_for_tests()
        self.embedded += embedded
        self.reused += len(keys) - embedded
        return _in_order(found, keys, self.encoder.dim, embedded=embedded)

    def _embed_batch(self, batch: dict[str, str]) -> tuple[dict[str, Vectors], int]:
        """The vectors of ``batch`` (texts by key): those another process stored since the
        first lookup, and the rest embedded and stored now; and how many were embedded."""
        with self.database.session() as session:
            found = lookup(session, self.encoder.model_id, sorted(batch))
        missing = [key for key in batch if key not in found]
        if missing:
            fresh = dict(
                zip(missing, self.encoder.encode([batch[k] for k in missing]), strict=True)
            )
            with self.database.session() as session:
                store(session, self.encoder, fresh)
            found.update(fresh)
        return found, len(missing)


def lookup(session: Session, model: str, keys: list[str]) -> dict[str, Vectors]:
    """The cached vectors of ``keys`` (text digests) that the cache holds, by key."""
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


def store(session: Session, encoder: Encoder, vectors: dict[str, Vectors]) -> None:
    """Insert the vectors (by text digest) the cache lacks; a row another transaction stored
    first is kept."""
    store_vectors(session, encoder.model_id, encoder.dim, vectors)


def store_vectors(session: Session, model: str, dim: int, vectors: dict[str, Vectors]) -> None:
    """:func:`store` for vectors computed elsewhere (a batch worker) by the model ``model``.
    Rows go in key order, so that two PostgreSQL transactions storing the same keys wait for
    each other instead of deadlocking."""
    rows: list[dict[str, Any]] = [
        {
            "model": model, "text_sha256": key, "dim": dim,
            "vector": vectors[key].astype(np.float32).tobytes(),
        }
        for key in sorted(vectors)
    ]  # fmt: skip
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Embedding).on_conflict_do_nothing(
        index_elements=[Embedding.model, Embedding.text_sha256]
    )
    session.execute(statement, rows)


def _in_order(found: dict[str, Vectors], keys: list[str], dim: int, embedded: int) -> CachedVectors:
    vectors = np.stack([found[k] for k in keys]) if keys else np.empty((0, dim), np.float32)
    return CachedVectors(vectors.astype(np.float32), embedded, reused=len(keys) - embedded)


def _pause_for_tests() -> None:
    """Hold here, between two committed batches, while the file named by
    ``$ALIGNER_TEST_PAUSE_FILE`` exists: the concurrency tests use it to act (read, import,
    kill) while an embedding run is provably mid-way, without relying on timing."""
    path = os.environ.get(PAUSE_ENV_VAR)
    while path and os.path.exists(path):
        time.sleep(0.02)
