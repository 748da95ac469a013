"""What every quality benchmark does: embed both sides once, align, and time the two steps."""

from __future__ import annotations

import time
from dataclasses import dataclass

from aligner.align import align, utf8_lengths
from aligner.embed import Encoder
from aligner.types import Bead


@dataclass(frozen=True)
class TimedAlignment:
    beads: list[Bead]
    embed_seconds: float
    search_seconds: float


def embed_and_align(encoder: Encoder, src: list[str], tgt: list[str]) -> TimedAlignment:
    started = time.perf_counter()
    src_vectors, tgt_vectors = encoder.encode(src), encoder.encode(tgt)
    embedded = time.perf_counter() - started
    started = time.perf_counter()
    beads = align(src_vectors, tgt_vectors, utf8_lengths(src), utf8_lengths(tgt))
    return TimedAlignment(beads, embedded, time.perf_counter() - started)
