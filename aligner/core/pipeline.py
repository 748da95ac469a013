"""Align two lists of sentences end to end: embed, search, refine, and score the beads.

The one entry point both the stateless ``align-files`` contract and the database runs use, so
they align identically.  Embedding goes through a caller-supplied function (the database path
caches vectors, the file path does not).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from numpy.typing import NDArray

from aligner.core.beadmodel import BeadModel
from aligner.core.confidence import calibrated
from aligner.core.dp import AlignParams, Vectors, align, unit_rows, utf8_lengths
from aligner.core.progress import Report, Steps, embed_reporting, embedding_with_report
from aligner.core.refine import (
    Document,
    DocumentScorer,
    Embed,
    RefineParams,
    refine,
)
from aligner.core.skipscore import SKIP_FEATURES, skip_features
from aligner.core.types import Bead
from aligner.core.window_dp import neighbour_margins

DEFAULT_REFINE = RefineParams()
# Chosen on development data (docs/accuracy.md, "Whitened vectors"): 4, 10 and 25 score alike.
WHITENING_SHRINK = 10.0


@cache
def bundled_model() -> BeadModel:
    """The bead scorer shipped with the package (``aligner/core/beadmodel.json``)."""
    return BeadModel.load()


def align_texts(
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed,
    params: AlignParams,
    refine_params: RefineParams | None = DEFAULT_REFINE,
    paragraphs: tuple[Sequence[int] | None, Sequence[int] | None] = (None, None),
    model: BeadModel | None = None,
    *,
    group_omissions: bool = True,
    report: Report | None = None,
) -> list[Bead]:
    """Beads covering every sentence of ``src`` and ``tgt`` once, in reading order.

    ``paragraphs`` numbers each sentence's paragraph on either side (None: unknown); beads that
    end where both sides end a paragraph are preferred, and (with ``group_omissions``)
    consecutive left-out sentences of one paragraph form one bead.  ``refine_params=None`` stops
    after the first pass (summed sentence vectors only).  ``model``: the bead scorer (None: the
    bundled one).  ``report`` is told the progress of each stage (embedding, searching,
    refining; see :mod:`aligner.core.progress`).
    """
    beads, scorer = align_and_score(
        src, tgt, embed, params, refine_params, paragraphs, model, group=group_omissions,
        report=report,
    )  # fmt: skip
    return calibrated(beads, scorer)


def align_and_score(
    src: Sequence[str],
    tgt: Sequence[str],
    embed: Embed,
    params: AlignParams,
    refine_params: RefineParams | None = DEFAULT_REFINE,
    paragraphs: tuple[Sequence[int] | None, Sequence[int] | None] = (None, None),
    model: BeadModel | None = None,
    *,
    group: bool = True,
    report: Report | None = None,
) -> tuple[list[Bead], DocumentScorer]:
    """``align_texts`` before the confidences: the beads, and the scorer that can give them."""
    src_vectors, tgt_vectors = embed_reporting(embed, [src, tgt], report, "embedding")
    src_doc, tgt_doc = documents(src, tgt, src_vectors, tgt_vectors, params.margin_k, paragraphs)
    model = model or bundled_model()
    rows = Steps(report, "searching", len(src))
    beads = align(
        src_vectors, tgt_vectors, utf8_lengths(src), utf8_lengths(tgt), params,
        breaks=(src_doc.breaks, tgt_doc.breaks), on_rows=rows.advance,
        skips=first_pass_skips(src_doc, tgt_doc, model, params),
    )  # fmt: skip
    scorer = DocumentScorer(src_doc, tgt_doc, model, beads)
    if refine_params is not None:
        spans = embedding_with_report(embed, report, "embedding spans")
        beads = refine(beads, scorer, spans, params.margin_k, refine_params, report)
    return (group_omissions(beads, src_doc, tgt_doc) if group else beads), scorer


def first_pass_skips(
    src: Document, tgt: Document, model: BeadModel, params: AlignParams
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Each sentence's score as a 1-0 or 0-1 bead of the first pass: ``params.skip`` moved by
    ``skip_slope`` times how much likelier the scorer finds this sentence to be left out than
    the document's median sentence, judging by what it is alone (length, letters, digits, how
    it ends); never above 0.  The median makes the cost relative to each document (Vecalign
    calibrates its costs per document in the same spirit)."""
    if not params.skip_slope:
        return None
    weights = model.skipped.copy()
    weights[SKIP_FEATURES.index("best match nearby")] = 0.0
    out = []
    for side, other, target_side in ((src, tgt, False), (tgt, src, True)):
        own = side.side()
        alone = skip_features(own, other.side(), target_side, np.zeros(len(side.sentences)))
        score = alone @ weights
        moved = params.skip + params.skip_slope * (score - np.median(score))
        out.append(np.minimum(moved, 0.0))
    return out[0], out[1]


def group_omissions(beads: Sequence[Bead], src: Document, tgt: Document) -> list[Bead]:
    """Consecutive left-out sentences of one side and one paragraph as a single bead.

    Only where paragraphs are known: without them each line stands alone.
    """
    out: list[Bead] = []
    for bead in beads:
        if out and _same_omission(out[-1], bead, src, tgt):
            last = out.pop()
            bead = Bead(last.src + bead.src, last.tgt + bead.tgt)
        out.append(bead)
    return out


def _same_omission(left: Bead, right: Bead, src: Document, tgt: Document) -> bool:
    for side, doc in ((0, src), (1, tgt)):
        ids_left, ids_right = (left.src, right.src) if side == 0 else (left.tgt, right.tgt)
        others = (left.tgt, right.tgt) if side == 0 else (left.src, right.src)
        if ids_left and ids_right and not any(others):
            return doc.paragraphs_known and not doc.breaks[ids_right[0]]
    return False


def documents(
    src: Sequence[str],
    tgt: Sequence[str],
    src_vectors: Vectors,
    tgt_vectors: Vectors,
    k: int,
    paragraphs: tuple[Sequence[int] | None, Sequence[int] | None] = (None, None),
) -> tuple[Document, Document]:
    """Both sides with their ``k``-neighbour margins, lengths and paragraph breaks, and their
    vectors whitened (:func:`whitened`) with the margins those give."""
    src_whitened, tgt_whitened = whitened(src_vectors), whitened(tgt_vectors)
    return (
        Document(
            src, src_vectors, neighbour_margins(src_vectors, tgt_vectors, k), _lengths(src),
            paragraph_breaks(paragraphs[0], len(src)), paragraphs[0] is not None,
            src_whitened, neighbour_margins(src_whitened, tgt_whitened, k),
        ),
        Document(
            tgt, tgt_vectors, neighbour_margins(tgt_vectors, src_vectors, k), _lengths(tgt),
            paragraph_breaks(paragraphs[1], len(tgt)), paragraphs[1] is not None,
            tgt_whitened, neighbour_margins(tgt_whitened, src_whitened, k),
        ),
    )  # fmt: skip


def whitened(vectors: Vectors) -> Vectors:
    """``vectors`` less their mean, whitened with shrinkage, each of length 1 again.

    The mean of one text's sentence vectors is mostly its language's direction (and its
    topic's), and a few more directions that every sentence of the text shares carry most of
    the rest of the spread; taking the mean away and scaling each principal direction by
    ``1 / sqrt(variance + WHITENING_SHRINK × mean variance)`` damps those few and leaves the
    others almost as they were, so the translations of a sentence are nearer each other than
    to their neighbours more often.  The scorer reads these beside the plain vectors, which
    the first pass's fixed formula keeps (docs/accuracy.md has the held-out comparison).
    """
    if not len(vectors):
        return vectors
    moved = np.asarray(vectors - vectors.mean(axis=0), np.float32)
    variances, axes = np.linalg.eigh((moved.T @ moved).astype(np.float64) / len(moved))
    floor = WHITENING_SHRINK * max(float(variances.mean()), 1e-12)
    scaling = (axes / np.sqrt(np.maximum(variances, 0.0) + floor)) @ axes.T
    moved = moved @ np.asarray(scaling, np.float32)
    return np.asarray(unit_rows(moved), np.float32)


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
