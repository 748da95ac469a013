"""Align two lists of sentences end to end: embed, search, and score the beads.

The one entry point both the stateless ``align-files`` contract and the database runs use, so
they align identically.  Embedding goes through a caller-supplied function (the database path
caches vectors, the file path does not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aligner.align import AlignParams, Vectors, align, utf8_lengths
from aligner.types import Bead

Embed = Callable[[Sequence[str]], Vectors]


def align_texts(
    src: Sequence[str], tgt: Sequence[str], embed: Embed, params: AlignParams
) -> list[Bead]:
    """Beads covering every sentence of ``src`` and ``tgt`` once, in reading order."""
    return align(embed(src), embed(tgt), utf8_lengths(src), utf8_lengths(tgt), params)
