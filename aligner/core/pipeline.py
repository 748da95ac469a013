"""Align two lists of sentences end to end: embed, search, and score the beads.

The one entry point both the stateless ``align-files`` contract and the database runs use, so
they align identically.  Embedding goes through a caller-supplied function (the database path
caches vectors, the file path does not).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from aligner.core.confidence import calibrated
from aligner.core.dp import AlignParams, Vectors, align, utf8_lengths
from aligner.core.progress import Report, Steps, embed_reporting, embedding_with_report
from aligner.core.refine import Document, Embed, RefineParams, neighbour_margins, refine
from aligner.core.types import Bead

DEFAULT_REFINE = RefineParams()


def align_texts(
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed,
    params: AlignParams,
    refine_params: RefineParams | None = DEFAULT_REFINE,
    paragraphs: tuple[Sequence[int] | None, Sequence[int] | None] = (None, None),
    report: Report | None = None,
) -> list[Bead]:
    """Beads covering every sentence of ``src`` and ``tgt`` once, in reading order.

    ``paragraphs`` numbers each sentence's paragraph on either side (None: unknown); beads that
    end where both sides end a paragraph are preferred.  ``refine_params=None`` stops after the
    first pass (summed sentence vectors only).  ``report`` is told the progress of each stage
    (embedding, searching, refining; see :mod:`aligner.core.progress`).
    """
    src_vectors, tgt_vectors = embed_reporting(embed, [src, tgt], report, "embedding")
    src_doc, tgt_doc = documents(src, tgt, src_vectors, tgt_vectors, params.margin_k, paragraphs)
    rows = Steps(report, "searching", len(src))
    beads = align(
        src_vectors, tgt_vectors, utf8_lengths(src), utf8_lengths(tgt), params,
        breaks=(src_doc.breaks, tgt_doc.breaks), on_rows=rows.advance,
    )  # fmt: skip
    if refine_params is not None:
        spans = embedding_with_report(embed, report, "refining")
        beads = refine(beads, src_doc, tgt_doc, spans, params, refine_params)
    return calibrated(beads, src_doc, tgt_doc)


def documents(
    src: Sequence[str],
    tgt: Sequence[str],
    src_vectors: Vectors,
    tgt_vectors: Vectors,
    k: int,
    paragraphs: tuple[Sequence[int] | None, Sequence[int] | None] = (None, None),
) -> tuple[Document, Document]:
    """Both sides with their ``k``-neighbour margins, lengths and paragraph breaks."""
    return (
        Document(
            src, src_vectors, neighbour_margins(src_vectors, tgt_vectors, k), _lengths(src),
            paragraph_breaks(paragraphs[0], len(src)),
        ),
        Document(
            tgt, tgt_vectors, neighbour_margins(tgt_vectors, src_vectors, k), _lengths(tgt),
            paragraph_breaks(paragraphs[1], len(tgt)),
        ),
    )  # fmt: skip


def paragraph_breaks(paragraphs: Sequence[int] | None, count: int) -> NDArray[np.bool_]:
    """True at each position between two paragraphs, and at both ends.

    Without paragraph numbers (one sentence a line, as in ``--presplit``) only the ends count.
    """
    breaks = np.zeros(count + 1, dtype=np.bool_)
    breaks[0] = breaks[count] = True
    if paragraphs is not None:
        numbers = np.asarray(paragraphs)
        breaks[1:count] = numbers[1:] != numbers[:-1]
    return breaks


def _lengths(texts: Sequence[str]) -> NDArray[np.float64]:
    return np.asarray(utf8_lengths(texts), dtype=np.float64)
