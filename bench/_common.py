"""What every quality benchmark does: align with the full pipeline, timing embedding apart."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aligner.core.dp import AlignParams, Vectors
from aligner.core.encoders import Encoder
from aligner.core.pipeline import align_texts
from aligner.core.types import Bead
from aligner.store.session import Database
from aligner.store.vectors import cached_embeddings


@dataclass(frozen=True)
class TimedAlignment:
    beads: list[Bead]
    embed_seconds: float
    search_seconds: float
    embedded_texts: int


class TimedEmbedder:
    """An embedding function that adds up the time and texts it spends."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.seconds = 0.0
        self.texts = 0

    def __call__(self, texts: Sequence[str]) -> Vectors:
        started = time.perf_counter()
        vectors = self.encoder.encode(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors


def embed_and_align(
    encoder: Encoder,
    src: list[str],
    tgt: list[str],
    paragraphs: tuple[list[int] | None, list[int] | None] = (None, None),
) -> TimedAlignment:
    embedder = TimedEmbedder(encoder)
    started = time.perf_counter()
    beads = align_texts(src, tgt, embedder, AlignParams(), paragraphs=paragraphs)
    total = time.perf_counter() - started
    return TimedAlignment(beads, embedder.seconds, total - embedder.seconds, embedder.texts)


class CachedEmbedder:
    """Embeds through aligner's own embedding cache in a SQLite file, so reruns embed nothing."""

    def __init__(self, encoder: Encoder, path: Path) -> None:
        self.encoder = encoder
        self.database = Database(f"sqlite:///{path}")
        self.database.ensure_ready(create=True)

    def __call__(self, texts: Sequence[str]) -> Vectors:
        with self.database.session() as session:
            return cached_embeddings(session, self.encoder, texts).vectors


def paragraphs_from_ids(ids: Sequence[str]) -> list[int] | None:
    """Paragraph numbers from TransRead sentence ids ("12.3": paragraph 12), if all have one."""
    heads = [sentence_id.split(".")[0] for sentence_id in ids]
    return [int(head) for head in heads] if all(h.isdigit() for h in heads) else None
