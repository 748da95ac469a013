"""The learned bead scorer: what a candidate bead looks like, and how likely it is to be right.

A bead (source sentences s0..s0+a-1 with target sentences t0..t0+b-1) is described by numbers
that each say something the others do not: the cosine of its two sides (of real embeddings of
the joined sentences where they exist, else of summed sentence vectors), the sentences' usual
similarity to their neighbours (margin), whether each sentence of a merge belongs to the other
side, the agreement of lengths after the document's length ratio, its shape, numbers,
punctuation and names shared or not (``aligner.core.textcues``), and whether it starts or ends where
a paragraph does.  A left-out sentence (a 1-0 or 0-1 bead) is described by what it is
(``aligner.core.skipscore``).

``aligner.core.beadmodel.BeadModel`` holds two logistic models over these features (aligned
beads, left-out sentences), fitted on development data by ``bench/train_scorer.py`` and shipped
as plain numbers in ``beadmodel.json``.  Its log-odds are the bead scores of the refinement's
search; its probabilities are the beads' confidences.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from aligner.core.dp import unit_rows
from aligner.core.textcues import Cues, sentence_cues

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
FORMULA_MARGIN_WEIGHT = 0.9  # AlignParams().margin_weight when the models were fitted

ALIGNED_FEATURES = (
    "bias", "real span gain", "summed cosine", "margin", "weakest part", "length mismatch",
    "length mismatch squared", "extra sentences", "uneven", "both sides merged",
    "three or more on a side", "five or more on a side", "numbers shared", "numbers unmatched",
    "no numbers", "sentence marks unmatched", "other marks unmatched", "names shared",
    "names unmatched", "ends at a paragraph end on both sides", "ends at a paragraph end on one",
    "starts at a paragraph start on one", "paragraph ends inside", "first-pass formula",
    "whitened match, 1-1", "whitened match, larger",
)  # fmt: skip


@dataclass(frozen=True)
class Side:
    """One side of a document as the scorer reads it.

    ``breaks[i]`` is true where a paragraph ends before sentence ``i`` (both ends count);
    ``paragraphs_known`` says whether breaks other than the ends can exist at all.
    """

    sentences: Sequence[str]
    vectors: NDArray[np.float32]
    margins: Floats
    lengths: Floats
    breaks: NDArray[np.bool_]
    paragraphs_known: bool
    whitened: NDArray[np.float32]  # aligner.core.pipeline.whitened
    whitened_margins: Floats

    @cached_property
    def cues(self) -> Cues:
        return sentence_cues(self.sentences)

    @cached_property
    def whitened_prefix(self) -> tuple[Floats, Floats]:
        return _prefix_sums(self.whitened), _prefix_sums(self.whitened_margins)

    @cached_property
    def prefix(self) -> Floats:
        return _prefix_sums(self.vectors)

    @cached_property
    def margin_prefix(self) -> Floats:
        return _prefix_sums(self.margins)

    @cached_property
    def length_prefix(self) -> Floats:
        return _prefix_sums(np.maximum(self.lengths, 1.0))

    @cached_property
    def number_prefix(self) -> Floats:
        return _item_counts(self.cues.numbers)

    @cached_property
    def name_prefix(self) -> Floats:
        return _item_counts(self.cues.names)

    @cached_property
    def mark_prefix(self) -> Floats:
        return _prefix_sums(self.cues.punctuation)

    @cached_property
    def break_prefix(self) -> Ints:
        """``break_prefix[p]``: breaks at positions 0..p (a span s..s+a-1 holds
        ``break_prefix[s + a - 1] - break_prefix[s]`` inside it)."""
        return np.cumsum(self.breaks.astype(np.int64))


def _prefix_sums(values: NDArray[np.generic]) -> Floats:
    """Sums of the first 0, 1, … len(values) rows (a span's sum is a difference of two)."""
    out = np.zeros((len(values) + 1, *values.shape[1:]))
    np.cumsum(values, axis=0, out=out[1:])
    return out


@dataclass
class RealSpans:
    """Real embeddings of joined sentences of one side: (start, count) -> vector, margin."""

    vectors: dict[tuple[int, int], NDArray[np.float32]]
    margins: dict[tuple[int, int], float]

    @staticmethod
    def none() -> RealSpans:
        return RealSpans({}, {})


@dataclass(frozen=True)
class Candidates:
    """Beads as arrays of global positions: sides start at s0 and t0, with a and b sentences."""

    s0: Ints
    a: Ints
    t0: Ints
    b: Ints

    def __len__(self) -> int:
        return len(self.s0)

    def take(self, rows: Ints) -> Candidates:
        return Candidates(self.s0[rows], self.a[rows], self.t0[rows], self.b[rows])


def aligned_features(
    src: Side, tgt: Side, beads: Candidates, ratio: float, real: tuple[RealSpans, RealSpans]
) -> Floats:
    """One row of ``ALIGNED_FEATURES`` per bead (both sides non-empty).

    Beads are taken in stretches of nearby positions, so that every product is local.
    """
    out = np.zeros((len(beads), len(ALIGNED_FEATURES)))
    order = np.argsort(beads.s0, kind="stable")
    for rows in _local_chunks(beads, order):
        out[rows] = _local_features(src, tgt, beads.take(rows), ratio, real)
    return out


def _local_chunks(beads: Candidates, order: Ints, cells: int = 250_000) -> list[Ints]:
    """Runs of ``order`` whose beads fit in a box of about ``cells`` sentence pairs."""
    s_end, t_end = beads.s0 + beads.a, beads.t0 + beads.b
    if len(order) == 0:
        return []
    if (s_end.max() - beads.s0.min()) * (t_end.max() - beads.t0.min()) <= cells:
        return [order]
    chunks, start = [], 0
    while start < len(order):
        stop = start + 1
        s_lo, s_hi = beads.s0[order[start]], s_end[order[start]]
        t_lo, t_hi = beads.t0[order[start]], t_end[order[start]]
        while stop < len(order):
            k = order[stop]
            s_hi2, t_lo2, t_hi2 = max(s_hi, s_end[k]), min(t_lo, beads.t0[k]), max(t_hi, t_end[k])
            if (s_hi2 - s_lo) * (t_hi2 - t_lo2) > cells:
                break
            s_hi, t_lo, t_hi = s_hi2, t_lo2, t_hi2
            stop += 1
        chunks.append(order[start:stop])
        start = stop
    return chunks


@dataclass(frozen=True)
class _Box:
    """The sentences a chunk of beads covers on both sides."""

    s_lo: int
    s_hi: int
    t_lo: int
    t_hi: int

    @staticmethod
    def of(beads: Candidates) -> _Box:
        return _Box(
            int(beads.s0.min()), int((beads.s0 + beads.a).max()),
            int(beads.t0.min()), int((beads.t0 + beads.b).max()),
        )  # fmt: skip

    def block_sums(self, pairwise: Floats, beads: Candidates) -> Floats:
        """Sums of a (source × target) matrix over each bead's block of sentence pairs."""
        total = np.zeros((pairwise.shape[0] + 1, pairwise.shape[1] + 1))
        total[1:, 1:] = pairwise.cumsum(axis=0).cumsum(axis=1)
        i0, i1 = beads.s0 - self.s_lo, beads.s0 + beads.a - self.s_lo
        j0, j1 = beads.t0 - self.t_lo, beads.t0 + beads.b - self.t_lo
        return np.asarray(total[i1, j1] - total[i0, j1] - total[i1, j0] + total[i0, j0])


def _local_features(
    src: Side, tgt: Side, beads: Candidates, ratio: float, real: tuple[RealSpans, RealSpans]
) -> Floats:
    out = np.zeros((len(beads), len(ALIGNED_FEATURES)))
    box = _Box.of(beads)
    src_units = _Units(src, beads.s0, beads.a, real[0])
    tgt_units = _Units(tgt, beads.t0, beads.b, real[1])
    cosine = (src_units.vectors @ tgt_units.vectors.T)[src_units.index, tgt_units.index]
    margin = (src_units.margins[src_units.index] + tgt_units.margins[tgt_units.index]) / 2
    summed = (src_units.summed @ tgt_units.summed.T)[src_units.index, tgt_units.index]
    summed_margin = (
        src_units.summed_margins[src_units.index] + tgt_units.summed_margins[tgt_units.index]
    ) / 2
    ls = src.length_prefix[beads.s0 + beads.a] - src.length_prefix[beads.s0]
    lt = (tgt.length_prefix[beads.t0 + beads.b] - tgt.length_prefix[beads.t0]) * ratio
    mismatch = np.abs(np.log(ls / lt))
    a, b = beads.a, beads.b
    out[:, 0] = 1.0
    out[:, 1] = (cosine - margin) - (summed - summed_margin)  # 0 without a real span
    out[:, 2] = summed
    out[:, 3] = summed_margin
    out[:, 4] = np.minimum(
        _weakest(src, beads.s0, a, box.s_lo, box.s_hi, tgt_units, summed - summed_margin),
        _weakest(tgt, beads.t0, b, box.t_lo, box.t_hi, src_units, summed - summed_margin),
    )
    out[:, 5] = mismatch
    out[:, 6] = mismatch**2
    out[:, 7] = a + b - 2
    out[:, 8] = np.abs(a - b)
    out[:, 9] = (a > 1) & (b > 1)
    out[:, 10] = np.maximum(a, b) >= 3
    out[:, 11] = np.maximum(a, b) >= 5
    out[:, 12:15] = _number_features(src, tgt, beads, box)
    marks = np.abs(
        (src.mark_prefix[beads.s0 + a] - src.mark_prefix[beads.s0])
        - (tgt.mark_prefix[beads.t0 + b] - tgt.mark_prefix[beads.t0])
    )
    out[:, 15] = np.minimum(marks[:, :2].sum(axis=1), 4)
    out[:, 16] = np.minimum(marks[:, 2:].sum(axis=1), 6)
    out[:, 17:19] = _name_features(src, tgt, beads, box)
    out[:, 19:23] = _paragraph_features(src, tgt, beads)
    # The first pass's own score of the bead (aligner.core.dp), here with real span vectors and
    # margins where they exist: the learned weights start from it and correct it.
    agreement = np.minimum(ls, lt) / np.maximum(ls, lt)
    out[:, 23] = (cosine - FORMULA_MARGIN_WEIGHT * margin) * np.log2(1 + agreement)
    src_vectors, src_margins = _whitened_spans(src, beads.s0, a)
    tgt_vectors, tgt_margins = _whitened_spans(tgt, beads.t0, b)
    whitened = (src_vectors * tgt_vectors).sum(axis=1) - (src_margins + tgt_margins) / 2
    single = (a == 1) & (b == 1)
    out[:, 24] = np.where(single, whitened, 0.0)
    out[:, 25] = np.where(single, 0.0, whitened)
    return out


def _whitened_spans(side: Side, starts: Ints, counts: Ints) -> tuple[Floats, Floats]:
    """Each span's summed whitened vector (length 1) and its sentences' mean whitened margin."""
    vectors, margins = side.whitened_prefix
    sums = vectors[starts + counts] - vectors[starts]
    return (
        unit_rows(sums),
        (margins[starts + counts] - margins[starts]) / counts,
    )


class _Units:
    """The distinct spans of one side among the beads: real or summed unit vectors, margins."""

    def __init__(self, side: Side, starts: Ints, counts: Ints, real: RealSpans) -> None:
        keys = starts * 64 + counts
        unique, self.index = np.unique(keys, return_inverse=True)
        self.starts, self.counts = unique // 64, unique % 64
        sums = side.prefix[self.starts + self.counts] - side.prefix[self.starts]
        self.summed = unit_rows(sums)
        self.vectors = self.summed.copy()
        self.summed_margins = (
            side.margin_prefix[self.starts + self.counts] - side.margin_prefix[self.starts]
        ) / self.counts
        self.margins = self.summed_margins.copy()
        if real.vectors:
            for row in np.flatnonzero(self.counts > 1):
                key = (int(self.starts[row]), int(self.counts[row]))
                if key in real.vectors:
                    self.vectors[row] = real.vectors[key]
                    self.margins[row] = real.margins[key]


def _weakest(
    side: Side, starts: Ints, counts: Ints, lo: int, hi: int, other: _Units, evidence: Floats
) -> Floats:
    """The least (cosine − margin) of one of a merge's sentences with the other side's span.

    For a side of one sentence this is the bead's own cosine − margin.
    """
    out = evidence.copy()
    if counts.max() < 2:
        return out
    sims = side.vectors[lo:hi].astype(np.float64) @ other.summed.T  # sentence × other span
    sims -= side.margins[lo:hi, None]
    for offset in range(int(counts.max())):
        rows = np.flatnonzero((counts > 1) & (offset < counts))
        if len(rows):
            part = sims[starts[rows] + offset - lo, other.index[rows]]
            out[rows] = np.minimum(out[rows], part)
    return out


def _shared(
    left: Sequence[Counter[str]] | Sequence[frozenset[str]],
    right: Sequence[Counter[str]] | Sequence[frozenset[str]],
    box: _Box,
) -> Floats:
    """Items each source sentence of the box shares with each target sentence."""
    out = np.zeros((box.s_hi - box.s_lo, box.t_hi - box.t_lo))
    where: dict[str, list[int]] = {}
    for j in range(box.t_lo, box.t_hi):
        for item in right[j]:
            where.setdefault(item, []).append(j)
    if not where:
        return out
    for i in range(box.s_lo, box.s_hi):
        for item in left[i]:
            for j in where.get(item, ()):
                out[i - box.s_lo, j - box.t_lo] += 1
    return out


def _item_counts(items: Sequence[Counter[str]] | Sequence[frozenset[str]]) -> Floats:
    sizes = [sum(c.values()) if isinstance(c, Counter) else len(c) for c in items]
    return np.concatenate([[0.0], np.cumsum(np.asarray(sizes, np.float64))])


def _number_features(src: Side, tgt: Side, beads: Candidates, box: _Box) -> Floats:
    """[numbers shared (at most 3), numbers on one side only (at most 4), no numbers at all].

    Shared numbers are counted sentence pair by sentence pair, at most as many as either
    side has.
    """
    out = np.zeros((len(beads), 3))
    total_s, total_t, shared = _counts(
        (src.number_prefix, tgt.number_prefix), (src.cues.numbers, tgt.cues.numbers), beads, box
    )
    out[:, 0] = np.minimum(shared, 3)
    out[:, 1] = np.minimum(total_s + total_t - 2 * shared, 4)
    out[:, 2] = (total_s + total_t) == 0
    return out


def _counts(
    prefixes: tuple[Floats, Floats],
    items: tuple[Sequence[Counter[str]] | Sequence[frozenset[str]], ...],
    beads: Candidates,
    box: _Box,
) -> tuple[Floats, Floats, Floats]:
    """Each bead's items (numbers or names) on the source side, on the target side, and
    shared sentence pair by sentence pair, at most as many as either side has."""
    total_s = _span_sum(prefixes[0], beads.s0, beads.a)
    total_t = _span_sum(prefixes[1], beads.t0, beads.b)
    shared = box.block_sums(_shared(items[0], items[1], box), beads)
    return total_s, total_t, np.minimum(shared, np.minimum(total_s, total_t))


def _span_sum(prefix: Floats, starts: Ints, counts: Ints) -> Floats:
    return np.asarray(prefix[starts + counts] - prefix[starts])


def _name_features(src: Side, tgt: Side, beads: Candidates, box: _Box) -> Floats:
    """[names shared (at most 3), names of the side with fewer left unmatched (at most 4)].

    Against a side without capitals (Hebrew script) every word is a candidate, so only the
    cased side's names can go unmatched.
    """
    out = np.zeros((len(beads), 2))
    total_s, total_t, shared = _counts(
        (src.name_prefix, tgt.name_prefix), (src.cues.names, tgt.cues.names), beads, box
    )
    if src.cues.cased and tgt.cues.cased:
        unmatched = np.minimum(total_s, total_t) - shared
    else:
        unmatched = (total_s if src.cues.cased else total_t) - shared
    out[:, 0] = np.minimum(shared, 3)
    out[:, 1] = np.clip(unmatched, 0, 4)
    return out


def _paragraph_features(src: Side, tgt: Side, beads: Candidates) -> Floats:
    """[ends where both sides end a paragraph, ends where only one does, starts where only one
    starts one, paragraph ends inside the bead (at most 2)]; zeros when either side's
    paragraphs are unknown."""
    out = np.zeros((len(beads), 4))
    if not (src.paragraphs_known and tgt.paragraphs_known):
        return out
    end_s, end_t = src.breaks[beads.s0 + beads.a], tgt.breaks[beads.t0 + beads.b]
    start_s, start_t = src.breaks[beads.s0], tgt.breaks[beads.t0]
    inside = (
        src.break_prefix[beads.s0 + beads.a - 1] - src.break_prefix[beads.s0]
        + tgt.break_prefix[beads.t0 + beads.b - 1] - tgt.break_prefix[beads.t0]
    )  # fmt: skip
    out[:, 0] = end_s & end_t
    out[:, 1] = end_s ^ end_t
    out[:, 2] = start_s ^ start_t
    out[:, 3] = np.minimum(inside, 2)
    return out
