"""What a batch worker does for one pair of texts: sentences in, vectors and beads out.

Pure computation, no database: the driver (:mod:`aligner.services.batch`) reads both sides
and the vectors the embedding cache already holds, hands them over as a :class:`PairTask`, and
stores the :class:`PairResult` (the run, and the new vectors in the shared cache).  The same
function runs in the driver's own process (``--executor local``) or on a Dask worker, so both
align identically.

A worker process loads each model once and keeps it (:func:`worker_encoder`), and remembers
the vectors it computed lately (:data:`MEMORY`), so the source text shared by several
translations is embedded once per worker even before its vectors reach the cache.
"""

from __future__ import annotations

import os
import socket
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from aligner.core.dp import AlignParams
from aligner.core.encoders import Encoder, Vectors, load_encoder, text_key
from aligner.core.pipeline import align_texts
from aligner.core.types import Bead

MEMORY = 20_000  # vectors a worker keeps between pairs (1.5 KB each at 384 dimensions)


@dataclass(frozen=True)
class PairTask:
    """One pair to align: both sides' sentences and paragraph numbers, the model (and the
    device it should run on, None: the worker's choice), and the vectors already cached for
    any of the texts, by :func:`text_key`."""

    key: str
    model: str
    params: AlignParams
    src: Sequence[str]
    tgt: Sequence[str]
    src_paragraphs: Sequence[int]
    tgt_paragraphs: Sequence[int]
    known: dict[str, Vectors] = field(default_factory=dict)
    device: str | None = None


@dataclass(frozen=True)
class PairResult:
    """The beads of a pair, the vectors computed for it (by text key, for the cache), what it
    cost, and which worker (``host:pid``) computed it."""

    key: str
    model_id: str
    dim: int
    beads: list[Bead]
    vectors: dict[str, Vectors]
    embedded: int
    reused: int
    embed_seconds: float
    align_seconds: float
    worker: str

    @property
    def sentences(self) -> int:
        """Sentences on both sides (spans embedded by the refinement not counted)."""
        return len({i for b in self.beads for i in b.src}) + len(
            {j for b in self.beads for j in b.tgt}
        )


@dataclass(frozen=True)
class ModelInfo:
    """What a worker's model is: its cache id and dimension, and the worker."""

    model_id: str
    dim: int
    worker: str


class PairFailed(Exception):
    """A pair that cannot be aligned; the message says why."""


@lru_cache(maxsize=4)
def worker_encoder(model: str, device: str | None) -> Encoder:
    """The model, loaded once per process and kept for every pair after."""
    return load_encoder(model, device)


_memory: OrderedDict[tuple[str, str], Vectors] = OrderedDict()


def describe_model(model: str, device: str | None = None) -> ModelInfo:
    """Load the model on this worker (as :func:`align_pair` will) and say what it is."""
    encoder = worker_encoder(model, device)
    return ModelInfo(encoder.model_id, encoder.dim, worker_name())


def align_pair(task: PairTask) -> PairResult:
    """Align ``task``'s two sides with :func:`aligner.core.pipeline.align_texts`."""
    for side, texts in (("source", task.src), ("translation", task.tgt)):
        if not texts:
            raise PairFailed(f"the {side} has no sentences to align")
    encoder = worker_encoder(task.model, task.device)
    embed = _RememberingEmbed(encoder, task.known)
    started = time.perf_counter()
    beads = align_texts(
        task.src, task.tgt, embed, task.params,
        paragraphs=(task.src_paragraphs, task.tgt_paragraphs),
    )  # fmt: skip
    elapsed = time.perf_counter() - started
    return PairResult(
        task.key, encoder.model_id, encoder.dim, beads, embed.fresh, embed.embedded,
        embed.reused, embed.seconds, elapsed - embed.seconds, worker_name(),
    )  # fmt: skip


def worker_name() -> str:
    """This process, as ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class _RememberingEmbed:
    """An alignment's ``Embed``: the vectors handed over, then this process's memory, then the
    model for the rest; keeps what it computed (``fresh``) for the driver's cache."""

    def __init__(self, encoder: Encoder, known: dict[str, Vectors]) -> None:
        self.encoder, self.known = encoder, known
        self.fresh: dict[str, Vectors] = {}
        self.embedded = self.reused = 0
        self.seconds = 0.0

    def __call__(self, texts: Sequence[str]) -> Vectors:
        keys = [text_key(t) for t in texts]
        found: dict[str, Vectors] = {}
        for key in keys:
            vector = self.known.get(key)
            if vector is None:
                vector = self.fresh.get(key)
            if vector is None:
                vector = _memory.get((self.encoder.model_id, key))
                if vector is not None:  # computed here for another pair: still new to the cache
                    self.fresh[key] = vector
            if vector is not None:
                found[key] = vector
        missing = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
        if missing:
            started = time.perf_counter()
            computed = self.encoder.encode(list(missing.values()))
            self.seconds += time.perf_counter() - started
            for key, vector in zip(missing, computed, strict=True):
                found[key] = self.fresh[key] = vector
                _remember((self.encoder.model_id, key), vector)
        self.embedded += len(missing)
        self.reused += len(keys) - len(missing)
        if not keys:
            return np.empty((0, self.encoder.dim), dtype=np.float32)
        return np.stack([found[key] for key in keys]).astype(np.float32)


def _remember(key: tuple[str, str], vector: Vectors) -> None:
    _memory[key] = vector
    _memory.move_to_end(key)
    while len(_memory) > MEMORY:
        _memory.popitem(last=False)
