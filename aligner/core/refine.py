"""Second pass: re-align the first alignment with the learned bead scorer.

The first pass scores beads with summed sentence vectors and a fixed formula.  Here the whole
first pass is re-aligned, in stretches of up to ``max_stretch`` sentences a side between fixed
ends, by a DP whose beads (up to ``max_side`` sentences a side, and left-out sentences) are
scored by the learned model's log-odds (``aligner.core.beadscore``) from summed vectors: nothing
is embedded again by default.  Optionally (``embed_spans``) the stretches around doubtful beads
are searched once more with runs of consecutive sentences embedded as real texts; measured on
development data it gained nothing, so it is off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aligner.core.beadmodel import BeadModel
from aligner.core.beadscore import Candidates, RealSpans, Side, aligned_features
from aligner.core.dp import Vectors
from aligner.core.progress import Report, Steps
from aligner.core.skipscore import looks_like_a_sentence, nearby_match, skip_features
from aligner.core.types import Bead
from aligner.core.window_dp import NEG, best_path, neighbour_margins

Embed = Callable[[Sequence[str]], Vectors]
Span = tuple[int, int]  # (first sentence, count) on one side
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class RefineParams:
    """Which beads are doubtful, how much is re-aligned around them, and how.

    ``realign_all`` re-aligns the whole first pass with the scorer (summed vectors);
    ``embed_spans`` then re-aligns the stretches around beads less likely than ``doubt`` to be
    right with real embeddings of their joined sentences.  On the development sets that second
    look changed strict F1 by -0.5 to +0.1 points (doubt 0.2-0.35) for 2-19 % more embedding,
    so it is off by default (``python bench/quality.py --variant spans``).  Without
    ``realign_all`` only the stretches around doubtful beads are re-aligned (held-out Text+Berg
    dev, trained without it: 0.863-0.867 at doubt 0.3-0.9, against 0.885 re-aligning all).
    """

    realign_all: bool = True
    doubt: float = 0.2
    context: int = 1
    max_stretch: int = 60
    max_real: int = 4
    max_side: int = 8
    max_total: int = 10
    embed_spans: bool = False


@dataclass(frozen=True)
class Stretch:
    """Beads ``first..last`` (inclusive) of the first pass, with the sentences they cover, and
    the sentences of its doubtful beads (``core_src``, ``core_tgt``)."""

    first: int
    last: int
    src: range
    tgt: range
    core_src: range = range(0)
    core_tgt: range = range(0)


@dataclass(frozen=True)
class Document:
    """One side of the pair: its sentences, their vectors, neighbour margins and lengths.

    ``breaks[i]`` is true where a paragraph (or heading, or footnote) ends before sentence
    ``i``; position 0 and the end always count as breaks.  ``paragraphs_known`` is false when
    the text came without paragraphs (one sentence a line).  ``whitened``: the vectors
    as :func:`aligner.core.pipeline.whitened` makes them, with their own ``whitened_margins``.
    """

    sentences: Sequence[str]
    vectors: Vectors
    margins: NDArray[np.float64]
    lengths: NDArray[np.float64]
    breaks: NDArray[np.bool_]
    paragraphs_known: bool
    whitened: Vectors
    whitened_margins: NDArray[np.float64]

    def side(self) -> Side:
        return Side(
            self.sentences, self.vectors, self.margins, self.lengths, self.breaks,
            self.paragraphs_known, self.whitened, self.whitened_margins,
        )  # fmt: skip


def length_ratio(src: Document | Side, tgt: Document | Side) -> float:
    """How much longer the source is than the target overall (UTF-8 bytes)."""
    return float(src.lengths.sum() / max(tgt.lengths.sum(), 1.0))


def doubtful_stretches(
    beads: Sequence[Bead], doubtful: Sequence[bool], params: RefineParams
) -> list[Stretch]:
    """Runs of beads around the doubtful ones (``context`` beads on each side; runs that touch
    are merged), cut where they hold more than ``max_stretch`` sentences on a side."""
    runs: list[list[int]] = []
    for k in (k for k, flag in enumerate(doubtful) if flag):
        first, last = max(0, k - params.context), min(len(beads) - 1, k + params.context)
        if runs and first <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    stretches = []
    for first, last in runs:
        for start, stop in _pieces(beads, first, last, params.max_stretch):
            core = [k for k in range(start, stop + 1) if doubtful[k]] or [start, stop]
            stretches.append(
                Stretch(
                    start, stop, *_covered(beads, start, stop), *_covered(beads, core[0], core[-1])
                )
            )
    return stretches


def _pieces(beads: Sequence[Bead], first: int, last: int, most: int) -> list[tuple[int, int]]:
    """Beads first..last cut into runs of at most ``most`` sentences on either side."""
    out, start, size_s, size_t = [], first, 0, 0
    for k in range(first, last + 1):
        grown_s, grown_t = size_s + len(beads[k].src), size_t + len(beads[k].tgt)
        if k > start and max(grown_s, grown_t) > most:
            out.append((start, k - 1))
            start, grown_s, grown_t = k, len(beads[k].src), len(beads[k].tgt)
        size_s, size_t = grown_s, grown_t
    out.append((start, last))
    return out


def _covered(beads: Sequence[Bead], first: int, last: int) -> tuple[range, range]:
    src = [i for bead in beads[first : last + 1] for i in bead.src]
    tgt = [j for bead in beads[first : last + 1] for j in bead.tgt]
    return (
        range(src[0], src[-1] + 1) if src else range(0),
        range(tgt[0], tgt[-1] + 1) if tgt else range(0),
    )


def spans_of(stretch_side: range, max_bead: int) -> list[Span]:
    """Every run of 2..max_bead consecutive sentences inside one side of a stretch."""
    return [
        (start, count)
        for count in range(2, max_bead + 1)
        for start in range(stretch_side.start, stretch_side.stop - count + 1)
    ]


def real_spans(stretches: Sequence[Stretch], most: int) -> tuple[list[Span], list[Span]]:
    """The joined sentences worth embedding: runs of 2..``most`` sentences inside a stretch
    that hold a sentence of one of its doubtful beads (any run, on a side where the doubtful
    beads have no sentence)."""
    src: set[Span] = set()
    tgt: set[Span] = set()
    for stretch in stretches:
        for found, outer, core in ((src, stretch.src, stretch.core_src),
                                   (tgt, stretch.tgt, stretch.core_tgt)):  # fmt: skip
            core = core or outer
            found.update(
                (start, count)
                for start, count in spans_of(outer, most)
                if start < core.stop and start + count > core.start
            )
    return sorted(src), sorted(tgt)


def span_text(sentences: Sequence[str], span: Span) -> str:
    start, count = span
    return " ".join(sentences[start : start + count])


class DocumentScorer:
    """The learned scorer bound to one document pair: its sides, length ratio, the real span
    embeddings made so far, and every sentence's log-odds of being left out."""

    def __init__(self, src: Document, tgt: Document, model: BeadModel, first: Sequence[Bead]):
        self.src, self.tgt = src.side(), tgt.side()
        self.model = model
        self.ratio = length_ratio(src, tgt)
        self.real = (RealSpans.none(), RealSpans.none())
        src_centre, tgt_centre = _centres(first, len(src.sentences), len(tgt.sentences))
        rate = left_out_rate(first, self.src, self.tgt)
        self.skip_features = (
            skip_features(
                self.src, self.tgt, False, nearby_match(self.src, self.tgt, src_centre), rate
            ),
            skip_features(
                self.tgt, self.src, True, nearby_match(self.tgt, self.src, tgt_centre), rate
            ),
        )
        self.skip_src = np.asarray(self.skip_features[0] @ model.skipped)
        self.skip_tgt = np.asarray(self.skip_features[1] @ model.skipped)

    def aligned_scores(self, beads: Candidates) -> NDArray[np.float64]:
        """The search scores of aligned beads."""
        features = aligned_features(self.src, self.tgt, beads, self.ratio, self.real)
        return np.asarray(features @ self.model.aligned)

    def embed_spans(self, spans: tuple[list[Span], list[Span]], embed: Embed, k: int) -> None:
        """Embed the joined sentences of each span and record them with their margins."""
        for side, other, wanted, real in (
            (self.src, self.tgt, spans[0], self.real[0]),
            (self.tgt, self.src, spans[1], self.real[1]),
        ):
            todo = [s for s in wanted if s not in real.vectors]
            if not todo:
                continue
            vectors = embed([span_text(side.sentences, s) for s in todo])
            margins = neighbour_margins(vectors, other.vectors, k)
            for span, vector, margin in zip(todo, vectors, margins, strict=True):
                real.vectors[span] = vector
                real.margins[span] = float(margin)

    def confidences(self, beads: Sequence[Bead]) -> list[float]:
        """Each bead's probability of being right (an omission's: its least likely sentence)."""
        out = [0.0] * len(beads)
        aligned, features, scores = self._aligned(beads)
        for k, p in zip(aligned, self.model.aligned_probability(features, scores), strict=True):
            out[k] = float(p)
        for k, bead in enumerate(beads):
            if not (bead.src and bead.tgt):
                rows, scores = self.skip_rows(bead)
                out[k] = float(self.model.skipped_probability(rows, scores).min())
        return out

    def scores(self, beads: Sequence[Bead]) -> list[float]:
        """Each bead's search score (an omission's: its least likely sentence's)."""
        out = [0.0] * len(beads)
        aligned, _, scores = self._aligned(beads)
        for k, value in zip(aligned, scores, strict=True):
            out[k] = float(value)
        for k, bead in enumerate(beads):
            if not (bead.src and bead.tgt):
                out[k] = float(self.skip_rows(bead)[1].min())
        return out

    def _aligned(self, beads: Sequence[Bead]) -> tuple[list[int], Floats, Floats]:
        """The aligned beads' positions, features and search scores."""
        aligned = [k for k, bead in enumerate(beads) if bead.src and bead.tgt]
        candidates = Candidates(
            np.array([beads[k].src[0] for k in aligned], np.int64),
            np.array([len(beads[k].src) for k in aligned], np.int64),
            np.array([beads[k].tgt[0] for k in aligned], np.int64),
            np.array([len(beads[k].tgt) for k in aligned], np.int64),
        )
        features = aligned_features(self.src, self.tgt, candidates, self.ratio, self.real)
        return aligned, features, np.asarray(features @ self.model.aligned)

    def skip_rows(self, bead: Bead) -> tuple[Floats, Floats]:
        """A left-out bead's sentences: their features and search scores."""
        if bead.src:
            return self.skip_features[0][list(bead.src)], self.skip_src[list(bead.src)]
        return self.skip_features[1][list(bead.tgt)], self.skip_tgt[list(bead.tgt)]


# The left-out rate of a short text says little: one left-out line in a pair of five sentences
# is 10 %, which the scorer (trained on books, where 0-3 % is usual) reads as a translation that
# drops freely, and it then leaves out true pairs.  The rate is therefore shrunk towards a
# usual rate, as if PRIOR_SENTENCES more sentences had been seen at PRIOR_LEFT_OUT percent;
# on book-length pairs (hundreds of sentences) it barely moves.
PRIOR_LEFT_OUT = 1.0
PRIOR_SENTENCES = 100


def left_out_rate(beads: Sequence[Bead], src: Side, tgt: Side) -> float:
    """Percentage of both sides' real sentences that ``beads`` leave out, shrunk towards
    ``PRIOR_LEFT_OUT`` for short texts."""
    real_src, real_tgt = looks_like_a_sentence(src), looks_like_a_sentence(tgt)
    dropped = sum(
        int(real_src[list(b.src)].sum()) + int(real_tgt[list(b.tgt)].sum())
        for b in beads
        if not (b.src and b.tgt)
    )
    seen = int(real_src.sum() + real_tgt.sum())
    prior = PRIOR_LEFT_OUT / 100.0 * PRIOR_SENTENCES
    return 100.0 * (dropped + prior) / (seen + PRIOR_SENTENCES)


def _centres(beads: Sequence[Bead], n: int, m: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Where each sentence sits on the other side along a path of beads."""
    src_centre, tgt_centre = np.zeros(n, np.int64), np.zeros(m, np.int64)
    i = j = 0
    for bead in beads:
        src_centre[list(bead.src)] = j
        tgt_centre[list(bead.tgt)] = i
        i, j = i + len(bead.src), j + len(bead.tgt)
    return src_centre, tgt_centre


def refine(
    beads: list[Bead],
    scorer: DocumentScorer,
    embed: Embed,
    margin_k: int,
    params: RefineParams = RefineParams(),
    report: Report | None = None,
) -> list[Bead]:
    """``beads`` re-aligned by the learned scorer: all of them in stretches of up to
    ``max_stretch`` sentences (with ``realign_all``), then every doubtful stretch again with
    real embeddings of its joined sentences (with ``embed_spans``).  ``report`` is told each
    stretch re-aligned (stage ``refining``)."""
    if params.realign_all:
        stretches = doubtful_stretches(beads, [True] * len(beads), params)
        beads = _realigned(beads, stretches, scorer, params, report)
        if not params.embed_spans:
            return beads
    doubtful = [p < params.doubt for p in scorer.confidences(beads)]
    stretches = doubtful_stretches(beads, doubtful, params)
    if not stretches:
        return beads
    if params.embed_spans:
        scorer.embed_spans(real_spans(stretches, params.max_real), embed, margin_k)
    return _realigned(beads, stretches, scorer, params, report)


def _realigned(
    beads: list[Bead],
    stretches: list[Stretch],
    scorer: DocumentScorer,
    params: RefineParams,
    report: Report | None = None,
) -> list[Bead]:
    out: list[Bead] = []
    done = 0
    steps = Steps(report, "refining", len(stretches))
    for stretch in stretches:
        out.extend(beads[done : stretch.first])
        out.extend(realign(stretch, scorer, params))
        done = stretch.last + 1
        steps.advance()
    out.extend(beads[done:])
    return out


def window_shapes(params: RefineParams) -> list[tuple[int, int]]:
    """The aligned bead shapes searched inside a stretch."""
    return [
        (a, b)
        for a in range(1, params.max_side + 1)
        for b in range(1, params.max_side + 1)
        if a + b <= params.max_total
    ]


def window_candidates(
    stretch: Stretch, shapes: list[tuple[int, int]]
) -> tuple[Candidates, NDArray[np.int64]]:
    """Every aligned bead inside the stretch, and each one's shape number."""
    n, m = len(stretch.src), len(stretch.tgt)
    parts: list[NDArray[np.int64]] = []
    for number, (a, b) in enumerate(shapes):
        if a > n or b > m:
            continue
        ends = np.stack(
            np.meshgrid(np.arange(a, n + 1), np.arange(b, m + 1), indexing="ij"), axis=-1
        ).reshape(-1, 2)
        columns = [ends[:, 0] - a, np.full(len(ends), a), ends[:, 1] - b, np.full(len(ends), b)]
        parts.append(np.stack([*columns, np.full(len(ends), number)], axis=1).astype(np.int64))
    table = np.concatenate(parts) if parts else np.zeros((0, 5), np.int64)
    beads = Candidates(
        table[:, 0] + stretch.src.start, table[:, 1], table[:, 2] + stretch.tgt.start, table[:, 3]
    )
    return beads, table[:, 4]


def realign(stretch: Stretch, scorer: DocumentScorer, params: RefineParams) -> list[Bead]:
    """The best path of beads through one stretch, both ends fixed, by the model's log-odds."""
    n, m = len(stretch.src), len(stretch.tgt)
    i0, j0 = stretch.src.start, stretch.tgt.start
    if n == 0 or m == 0:
        return [Bead((i,), ()) for i in stretch.src] + [Bead((), (j,)) for j in stretch.tgt]
    shapes = window_shapes(params)
    candidates, shape = window_candidates(stretch, shapes)
    offset = scorer.model.offset
    scores = np.full((len(shapes), n + 1, m + 1), NEG)
    scores[shape, candidates.s0 - i0 + candidates.a, candidates.t0 - j0 + candidates.b] = (
        scorer.aligned_scores(candidates) + offset
    )
    skip_src = scorer.skip_src[i0 : i0 + n] + offset
    skip_tgt = scorer.skip_tgt[j0 : j0 + m] + offset
    return best_path(scores, shapes, skip_src, skip_tgt, i0, j0)
