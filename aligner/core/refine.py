"""Second pass: re-align the doubtful stretches of a first alignment with real span embeddings.

The first pass scores a many-sentence bead with the *sum* of its sentences' vectors, which is
cheap but blurs what a real concatenation means.  Here every bead that is not 1-1, or is a 1-1
bead with a low cosine (with ``context`` neighbouring beads on each side), is re-aligned
exactly: each run of up to ``max_bead`` consecutive sentences inside the stretch is embedded as
one text, and a small dynamic programme picks the best beads between the stretch's fixed ends.
Only a minority of the text is re-embedded, so the cost stays near one embedding pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aligner.core.dp import AlignParams, Vectors, bead_shapes
from aligner.core.types import Bead

Embed = Callable[[Sequence[str]], Vectors]
Span = tuple[int, int]  # (first sentence, count) on one side


@dataclass(frozen=True)
class RefineParams:
    """Which beads are doubtful, and how much context is re-aligned around them.

    Doubtful: a 1-1 bead whose cosine is below ``low_cosine``, or a larger bead (or an omission
    or addition) whose cosine is below ``sure_cosine``.  The defaults were chosen on the
    benchmarks (docs/benchmarks.md): one bead of context gained nothing over none but embedded 2.5
    texts per sentence instead of 1.4 on TransRead; summed vectors (``embed_spans=False``) lost
    0.4-0.7 points of strict F1; leaving merges with a cosine of 0.9 or more alone cut the
    texts embedded to 1.05-1.2 per sentence at the same F1 (best on the Text+Berg dev document).
    """

    low_cosine: float = 0.80
    sure_cosine: float = 0.90
    context: int = 0
    max_stretch: int = 60
    embed_spans: bool = True


@dataclass(frozen=True)
class Stretch:
    """Beads ``first..last`` (inclusive) of the first pass, with the sentences they cover."""

    first: int
    last: int
    src: range
    tgt: range


@dataclass(frozen=True)
class Document:
    """One side of the pair: its sentences, their vectors, neighbour margins and lengths.

    ``breaks[i]`` is true where a paragraph (or heading, or footnote) ends before sentence
    ``i``; position 0 and the end always count as breaks.
    """

    sentences: Sequence[str]
    vectors: Vectors
    margins: NDArray[np.float64]
    lengths: NDArray[np.float64]
    breaks: NDArray[np.bool_]


def length_ratio(src: Document, tgt: Document) -> float:
    """How much longer the source is than the target overall (UTF-8 bytes)."""
    return float(src.lengths.sum() / max(tgt.lengths.sum(), 1.0))


def doubtful_stretches(beads: Sequence[Bead], params: RefineParams) -> list[Stretch]:
    """Merged runs of beads around every doubtful bead, each within ``max_stretch`` sentences."""
    marked = [k for k, bead in enumerate(beads) if _doubtful(bead, params)]
    runs: list[list[int]] = []
    for k in marked:
        first, last = max(0, k - params.context), min(len(beads) - 1, k + params.context)
        if runs and first <= runs[-1][1] + 1:
            runs[-1][1] = max(runs[-1][1], last)
        else:
            runs.append([first, last])
    stretches = [_stretch(beads, first, last) for first, last in runs]
    return [s for s in stretches if max(len(s.src), len(s.tgt)) <= params.max_stretch]


def _doubtful(bead: Bead, params: RefineParams) -> bool:
    cosine = 0.0 if bead.score is None else bead.score
    if bead.kind == "1-1":
        return cosine < params.low_cosine
    return cosine < params.sure_cosine


def _stretch(beads: Sequence[Bead], first: int, last: int) -> Stretch:
    src = [i for bead in beads[first : last + 1] for i in bead.src]
    tgt = [j for bead in beads[first : last + 1] for j in bead.tgt]
    src_range = range(src[0], src[-1] + 1) if src else range(0)
    tgt_range = range(tgt[0], tgt[-1] + 1) if tgt else range(0)
    return Stretch(first, last, src_range, tgt_range)


def spans_of(stretch_side: range, max_bead: int) -> list[Span]:
    """Every run of 2..max_bead consecutive sentences inside one side of a stretch."""
    return [
        (start, count)
        for count in range(2, max_bead + 1)
        for start in range(stretch_side.start, stretch_side.stop - count + 1)
    ]


def span_text(sentences: Sequence[str], span: Span) -> str:
    start, count = span
    return " ".join(sentences[start : start + count])


def refine(
    beads: list[Bead],
    src: Document,
    tgt: Document,
    embed: Embed,
    params: AlignParams,
    refine_params: RefineParams = RefineParams(),
) -> list[Bead]:
    """``beads`` with every doubtful stretch re-aligned from real span embeddings."""
    stretches = doubtful_stretches(beads, refine_params)
    if not stretches:
        return beads
    src_spans = sorted({s for st in stretches for s in spans_of(st.src, params.max_bead)})
    tgt_spans = sorted({s for st in stretches for s in spans_of(st.tgt, params.max_bead)})
    span_embed = embed if refine_params.embed_spans else None
    src_units = _Units.build(src, tgt, src_spans, span_embed, params.margin_k)
    tgt_units = _Units.build(tgt, src, tgt_spans, span_embed, params.margin_k)
    ratio = length_ratio(src, tgt)
    out: list[Bead] = []
    done = 0
    for stretch in stretches:
        out.extend(beads[done : stretch.first])
        out.extend(_realign(stretch, src_units, tgt_units, ratio, params))
        done = stretch.last + 1
    out.extend(beads[done:])
    return out


@dataclass(frozen=True)
class _Units:
    """Single sentences and embedded spans of one side, each with vector, margin and length."""

    index: dict[Span, int]
    vectors: Vectors
    margins: NDArray[np.float64]
    lengths: NDArray[np.float64]
    breaks: NDArray[np.bool_]

    @staticmethod
    def build(
        side: Document, other: Document, spans: list[Span], embed: Embed | None, k: int
    ) -> _Units:
        singles = [(i, 1) for i in range(len(side.sentences))]
        if not spans:
            span_vectors = np.empty((0, side.vectors.shape[1]), np.float32)
        elif embed is not None:
            span_vectors = embed([span_text(side.sentences, s) for s in spans])
        else:
            span_vectors = _summed(side.vectors, spans)
        span_lengths = [float(side.lengths[start : start + n].sum()) for start, n in spans]
        return _Units(
            index={unit: row for row, unit in enumerate(singles + spans)},
            vectors=np.concatenate([side.vectors, span_vectors]),
            margins=np.concatenate(
                [side.margins, neighbour_margins(span_vectors, other.vectors, k)]
            ),
            lengths=np.concatenate([side.lengths, np.asarray(span_lengths, np.float64)]),
            breaks=side.breaks,
        )


def _summed(vectors: Vectors, spans: list[Span]) -> Vectors:
    sums = np.stack([vectors[start : start + n].sum(axis=0) for start, n in spans])
    return np.asarray(sums / np.linalg.norm(sums, axis=1, keepdims=True), np.float32)


def neighbour_margins(
    side: Vectors, other: Vectors, k: int, chunk: int = 2048
) -> NDArray[np.float64]:
    """Mean cosine of each row of ``side`` with its ``k`` nearest rows of ``other``."""
    out = np.zeros(len(side), dtype=np.float64)
    k = min(k, len(other))
    if k == 0:
        return out
    for start in range(0, len(side), chunk):
        sims = side[start : start + chunk] @ other.T
        out[start : start + chunk] = np.partition(sims, len(other) - k, axis=1)[:, -k:].mean(axis=1)
    return out


def _realign(
    stretch: Stretch, src: _Units, tgt: _Units, ratio: float, params: AlignParams
) -> list[Bead]:
    """Exact dynamic programme over one stretch, both ends fixed."""
    n, m = len(stretch.src), len(stretch.tgt)
    i0, j0 = stretch.src.start, stretch.tgt.start
    shapes = bead_shapes(params)
    best = np.full((n + 1, m + 1), -np.inf)
    came_from = np.full((n + 1, m + 1), -1, dtype=np.int64)
    best[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            for index, (a, b) in enumerate(shapes):
                if a > i or b > j or best[i - a, j - b] == -np.inf:
                    continue
                score = best[i - a, j - b] + _bead_score(
                    src, tgt, (i0 + i - a, a), (j0 + j - b, b), ratio, params
                )
                if score > best[i, j]:
                    best[i, j], came_from[i, j] = score, index
            if src.breaks[i0 + i] and tgt.breaks[j0 + j]:
                best[i, j] += params.break_bonus
    return _trace(came_from, shapes, n, m, i0, j0, src, tgt)


def _bead_score(
    src: _Units, tgt: _Units, src_span: Span, tgt_span: Span, ratio: float, params: AlignParams
) -> float:
    if src_span[1] == 0 or tgt_span[1] == 0:
        return params.skip
    u, v = src.index[src_span], tgt.index[tgt_span]
    cosine = float(src.vectors[u] @ tgt.vectors[v])
    margin = (src.margins[u] + tgt.margins[v]) / 2
    ls, lt = src.lengths[u], tgt.lengths[v] * ratio
    penalty = np.log2(1 + min(ls, lt) / max(ls, lt, 1e-9))
    return float((cosine - params.margin_weight * margin) * penalty)


def _trace(
    came_from: NDArray[np.int64],
    shapes: list[tuple[int, int]],
    n: int,
    m: int,
    i0: int,
    j0: int,
    src: _Units,
    tgt: _Units,
) -> list[Bead]:
    beads: list[Bead] = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = shapes[int(came_from[i, j])]
        src_ids = tuple(range(i0 + i - a, i0 + i))
        tgt_ids = tuple(range(j0 + j - b, j0 + j))
        cosine = 0.0
        if a and b:
            cosine = float(
                src.vectors[src.index[(i0 + i - a, a)]] @ tgt.vectors[tgt.index[(j0 + j - b, b)]]
            )
        beads.append(Bead(src_ids, tgt_ids, min(max(cosine, 0.0), 1.0)))
        i, j = i - a, j - b
    return beads[::-1]
