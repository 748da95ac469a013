"""Sentence alignment by dynamic programming over embedding similarities.

Pure numpy: no database, no CLI.  The search finds the monotone sequence of beads (up to
``max_bead`` sentences on a side, omissions and additions included) that maximises the summed
bead scores.  A bead's score is the cosine of its summed source and target sentence vectors,
less the sentences' *margin* (how similar they are to their nearest other-side neighbours:
Artetxe & Schwenk's ratio idea, which penalises hub sentences), times a length penalty that
compares character lengths after the document-wide length ratio.

Long documents are first aligned coarsely (blocks of consecutive sentences averaged), and the
fine search runs only in a band around that path: ``band`` plus one block of sentences on each
side, so the band's cells grow as n × (band + n / coarse_target).  Scores are computed a block of
rows at a time from sentence-pair dot products (a span's vector is never formed), and the search
keeps only the last ``max_bead`` rows of best scores, with int8 back-pointers: memory is linear.
Margins compare each sentence with the whole other side, which is quadratic; in pairs of more
than ``MARGIN_CELLS`` sentence pairs they compare it only with the sentences within
``MARGIN_REACH`` of the band, so that time stays near linear.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from aligner.core.dp_search import Path, search
from aligner.core.types import Bead

Vectors = NDArray[np.float32]
Floats = NDArray[np.float64]
Real = TypeVar("Real", np.float32, np.float64)
Ints = NDArray[np.int64]
MARGIN_CELLS = 100_000_000  # margins against the whole other side up to 10,000 × 10,000
MARGIN_REACH = 2_000  # beyond: against the sentences within this distance of the band


@dataclass(frozen=True)
class AlignParams:
    """Knobs of the search.

    ``skip`` is the score of a 1-0 or 0-1 bead (of the document's typical sentence, when
    ``skip_slope`` lets each sentence's content move it: see ``textalign.first_pass_skips``);
    ``break_bonus`` is added to a bead that ends where both sides end a paragraph (a soft
    structural boundary).
    """

    max_bead: int = 4
    max_total: int = 5
    skip: float = -0.025
    skip_slope: float = 0.0
    break_bonus: float = 0.03
    margin_k: int = 4
    margin_weight: float = 0.9
    band: int = 30
    full_search_cells: int = 3_000_000
    coarse_target: int = 600


def utf8_lengths(texts: Sequence[str]) -> list[int]:
    """The lengths the length penalty compares: UTF-8 bytes, as Bertalign and Vecalign do."""
    return [len(text.encode("utf-8")) for text in texts]


def bead_shapes(params: AlignParams) -> list[tuple[int, int]]:
    """All (source count, target count) a bead may have, skips included."""
    shapes = [(1, 0), (0, 1)]
    for a in range(1, params.max_bead + 1):
        for b in range(1, params.max_bead + 1):
            if a + b <= params.max_total:
                shapes.append((a, b))
    return shapes


def align(
    src: Vectors,
    tgt: Vectors,
    src_lengths: Sequence[int],
    tgt_lengths: Sequence[int],
    params: AlignParams = AlignParams(),
    breaks: tuple[NDArray[np.bool_], NDArray[np.bool_]] | None = None,
    skips: tuple[Floats, Floats] | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> list[Bead]:
    """Align ``src`` with ``tgt`` (rows: L2-normalised sentence vectors, in reading order).

    ``breaks``, one boolean per prefix length (0..n and 0..m), marks where each side ends a
    paragraph; with ``params.break_bonus`` beads ending at a break on both sides are favoured.
    ``skips`` gives each source and target sentence its own score as a 1-0 or 0-1 bead (what
    it is: a caption is cheaper to leave out than a sentence); without it every such bead
    scores ``params.skip``.  ``on_rows`` is told how many more source rows the search has done,
    block by block.
    """
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)]
    band = _band(src, tgt, params)
    if skips is None:
        skips = (np.full(n, params.skip), np.full(m, params.skip))
    scorer = _Scorer(
        src, tgt, np.asarray(src_lengths, float), np.asarray(tgt_lengths, float),
        _neighbour_margins(src, tgt, band, params.margin_k), params, skips,
    )  # fmt: skip
    if breaks is not None and params.break_bonus:
        scorer.bonus = (
            params.break_bonus * breaks[0].astype(np.float64),
            breaks[1].astype(np.float64),
        )
    return _beads(src, tgt, search(scorer, band, bead_shapes(params), on_rows))


# --- scoring -------------------------------------------------------------------------------


class _Scorer:
    """Bead scores for one document pair, a block of the band at a time.

    A bead's cosine is the sum of its sentence pairs' dot products over the norms of its two
    summed spans, so a span's vector is never formed; the margins and lengths come from prefix
    sums.  Arrays indexed by prefix length start with ``pad`` zeros so that spans reaching
    before the first sentence index harmlessly (their predecessors are unreachable).
    """

    def __init__(
        self,
        src: Vectors,
        tgt: Vectors,
        src_lengths: Floats,
        tgt_lengths: Floats,
        margins: tuple[Floats, Floats],
        params: AlignParams,
        skips: tuple[Floats, Floats],
    ) -> None:
        self.src, self.tgt = src, tgt
        self.pad = params.max_bead
        self.shapes = [(a, b) for a, b in bead_shapes(params) if a > 0]
        self.src_len = self._padded(np.cumsum(np.maximum(src_lengths, 1)))
        self.tgt_len = self._padded(np.cumsum(np.maximum(tgt_lengths, 1)))
        self.ratio = self.src_len[-1] / self.tgt_len[-1]
        self.src_margin = self._padded(np.cumsum(margins[0]))
        self.tgt_margin = self._padded(np.cumsum(margins[1]))
        self.src_norm = _span_norms(src, params.max_bead, self.pad)
        self.tgt_norm = _span_norms(tgt, params.max_bead, self.pad)
        self.src_skip = self._padded(np.asarray(skips[0], np.float64))  # [pad + i]: 1-0 ending at i
        self.tgt_skip_prefix = np.concatenate([[0.0], np.cumsum(skips[1])])
        self.margin_weight = params.margin_weight
        self.bonus: tuple[Floats, Floats] | None = None  # per source and target prefix

    def _padded(self, prefix: Floats) -> Floats:
        """A prefix array (its entry 0 is the empty prefix) behind ``pad`` zeros."""
        return np.concatenate([np.zeros(self.pad + 1), prefix])

    def block(self, i0: int, i1: int, j0: int, j1: int) -> Floats:
        """Scores, shape by shape, of beads ending at source prefixes i0..i1-1 (i0 >= 1) and
        target prefixes j0..j1: an array (shape, i - i0, j - j0).

        The sentence pairs' dot products come from ``einsum`` rather than BLAS: a threaded BLAS
        wakes its threads for each small product, which costs more than the product itself
        when other processes hold the cores.
        """
        pad, rows, cols = self.pad, i1 - i0, j1 - j0 + 1
        pairs = np.einsum("pd,qd->pq", _rows(self.src, i0 - pad, i1), _rows(self.tgt, j0 - pad, j1))
        # across[b - 1][p, c]: source sentence i0 - pad + p with targets j0+c-b..j0+c-1.
        across = [pairs[:, pad - 1 : pad - 1 + cols]]
        for b in range(2, pad + 1):
            across.append(across[-1] + pairs[:, pad - b : pad - b + cols])
        out = np.empty((len(self.shapes), rows, cols))
        spans: dict[tuple[int, int], Floats] = {}
        for k, (a, b) in enumerate(self.shapes):
            if b == 0:
                out[k] = self.src_skip[pad + i0 : pad + i1, None]
                continue
            part = across[b - 1][pad - a : pad - a + rows]
            spans[a, b] = spans[a - 1, b] + part if a > 1 else part
            out[k] = self._scores(spans[a, b], i0, i1, a, j0, j1, b)
        if self.bonus is not None:
            out += np.outer(self.bonus[0][i0:i1], self.bonus[1][j0 : j1 + 1])[None]
        return out

    def _scores(self, dots: Floats, i0: int, i1: int, a: int, j0: int, j1: int, b: int) -> Floats:
        """(cosine - weight * margin) * length penalty, from the spans' summed dot products."""
        i, i_a = slice(self.pad + i0, self.pad + i1), slice(self.pad + i0 - a, self.pad + i1 - a)
        j = slice(self.pad + j0, self.pad + j1 + 1)
        j_b = slice(self.pad + j0 - b, self.pad + j1 + 1 - b)
        cosine = dots / self.src_norm[a][i, None] / self.tgt_norm[b][None, j]
        margin = (
            ((self.src_margin[i] - self.src_margin[i_a]) / a)[:, None]
            + ((self.tgt_margin[j] - self.tgt_margin[j_b]) / b)[None, :]
        ) / 2
        ls = (self.src_len[i] - self.src_len[i_a])[:, None]
        lt = ((self.tgt_len[j] - self.tgt_len[j_b]) * self.ratio)[None, :]
        penalty = np.log2(1 + np.minimum(ls, lt) / np.maximum(ls, lt))
        return np.asarray((cosine - self.margin_weight * margin) * penalty, dtype=np.float64)


def _rows(vectors: Vectors, start: int, stop: int) -> Floats:
    """Rows start..stop-1 of ``vectors`` as float64, zeros where they fall outside it."""
    out = np.zeros((stop - start, vectors.shape[1]))
    first, last = max(start, 0), min(stop, len(vectors))
    if last > first:
        out[first - start : last - start] = vectors[first:last]
    return out


def _span_norms(vectors: Vectors, most: int, pad: int, chunk: int = 4096) -> list[Floats]:
    """``norms[a][pad + i]``: the norm of ``vectors[i-a:i]`` summed, at least 1e-9 (1 if i < a)."""
    n = len(vectors)
    norms = [np.ones(pad + n + 1) for _ in range(most + 1)]
    for start in range(1, n + 1, chunk):
        stop = min(n + 1, start + chunk)
        rows = _rows(vectors, start - most - 1, stop - 1)
        span = np.zeros((stop - start, vectors.shape[1]))
        for a in range(1, most + 1):
            span += rows[most + 1 - a : most + 1 - a + stop - start]
            norms[a][pad + start : pad + stop] = np.maximum(np.linalg.norm(span, axis=1), 1e-9)
    for a in range(1, most + 1):
        norms[a][pad : pad + min(a, n + 1)] = 1.0
    return norms


def _prefix(vectors: Vectors) -> Floats:
    """Running sums of the vectors in float64, row 0 empty (cast first: three times faster)."""
    out = np.zeros((len(vectors) + 1, vectors.shape[1]), dtype=np.float64)
    out[1:] = vectors
    np.cumsum(out[1:], axis=0, out=out[1:])
    return out


def _confidence(src_sum: Floats, tgt_sum: Floats, i: int, a: int, j: int, b: int) -> float:
    """A bead's cosine similarity, clipped to [0, 1] (0 for omissions and additions).

    ``sqrt(u.dot(u))`` is what ``np.linalg.norm`` computes for a vector, without its overhead.
    """
    if a == 0 or b == 0:
        return 0.0
    u = src_sum[i] - src_sum[i - a]
    v = tgt_sum[j] - tgt_sum[j - b]
    norms = float(np.sqrt(u.dot(u)) * np.sqrt(v.dot(v)))
    return min(max(float(u.dot(v)) / max(norms, 1e-9), 0.0), 1.0)


def _beads(src: Vectors, tgt: Vectors, path: Path) -> list[Bead]:
    """The path's beads, each with its confidence."""
    src_sum, tgt_sum = _prefix(src), _prefix(tgt)
    return [
        Bead(
            tuple(range(i - a, i)),
            tuple(range(j - b, j)),
            _confidence(src_sum, tgt_sum, i, a, j, b),
        )
        for i, a, j, b in path
    ]


# --- margins -------------------------------------------------------------------------------


def _neighbour_margins(src: Vectors, tgt: Vectors, band: Band, k: int) -> tuple[Floats, Floats]:
    """Mean cosine of each sentence with its ``k`` nearest neighbours on the other side.

    The neighbours are sought among all other-side sentences, or, in pairs of more than
    ``MARGIN_CELLS`` sentence pairs, among those within ``MARGIN_REACH`` of the band.  One
    product per block of source sentences serves both sides: its rows' top ``k`` give the
    source margins, its columns' top ``k`` are merged into a running top ``k`` per target.
    """
    n, m = len(src), len(tgt)
    reach = max(n, m) if n * m <= MARGIN_CELLS else MARGIN_REACH
    src_margin = np.empty(n)
    tgt_top = np.full((m, min(k, n)), -np.inf, dtype=np.float32)
    for rows in np.array_split(np.arange(n), math.ceil(n / 512)):
        first, last = int(rows[0]), int(rows[-1]) + 1
        start = max(0, int(band.lo[first]) - reach)
        stop = min(m, int(band.hi[last]) + reach)
        sims = src[first:last] @ tgt[start:stop].T
        src_margin[first:last] = _top(sims, min(k, m)).mean(axis=1)
        merged = np.concatenate([tgt_top[start:stop], _top(sims, min(k, n), axis=0)], axis=1)
        tgt_top[start:stop] = _top(merged, min(k, n))
    return src_margin, np.asarray(tgt_top.mean(axis=1), dtype=np.float64)


TOP_GROUP = 32  # values per group in ``_top``: 3× faster than one partition at 20,000


def _top(values: Vectors, k: int, axis: int = 1) -> Vectors:
    """The ``k`` largest values of each row (``axis=1``) or column (``axis=0``), in no particular
    order, as rows.

    In long rows, only the ``k`` groups of ``TOP_GROUP`` values with the largest maxima are
    partitioned: a value among the row's ``k`` largest has at most ``k - 1`` larger ones, so at
    most ``k - 1`` other groups have a larger maximum, and the values found are the same.
    """
    lines = values if axis == 1 else values.T
    rows, cols = lines.shape
    if cols >= 4 * k * TOP_GROUP:
        whole, count = cols - cols % TOP_GROUP, cols // TOP_GROUP
        offsets = np.arange(TOP_GROUP)
        if axis == 1:
            maxima = values[:, :whole].reshape(rows, count, TOP_GROUP).max(axis=2)
            groups = np.argpartition(maxima, count - k, axis=1)[:, -k:]
            where = ((groups * TOP_GROUP)[:, :, None] + offsets).reshape(rows, -1)
        else:
            maxima = values[:whole].reshape(count, TOP_GROUP, rows).max(axis=1)
            groups = np.argpartition(maxima, count - k, axis=0)[-k:]
            where = ((groups * TOP_GROUP)[:, None, :] + offsets[:, None]).reshape(-1, rows)
        picked = np.take_along_axis(values, where, axis=axis)
        rest = values[:, whole:] if axis == 1 else values[whole:]
        lines = np.concatenate([picked, rest], axis=axis)
        lines = lines if axis == 1 else lines.T
        cols = lines.shape[1]
    return np.partition(lines, cols - k, axis=1)[:, cols - k :]


# --- the band ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """For each source prefix length i (0..n), the target prefixes lo[i]..hi[i] searched."""

    lo: Ints
    hi: Ints


def _band(src: Vectors, tgt: Vectors, params: AlignParams) -> Band:
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= params.full_search_cells:
        return Band(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))
    factor = math.ceil(max(n, m) / params.coarse_target)
    coarse_src, coarse_tgt = _blocks(src, factor), _blocks(tgt, factor)
    coarse = align(
        coarse_src, coarse_tgt, [1] * len(coarse_src), [1] * len(coarse_tgt),
        AlignParams(max_bead=2, max_total=3, skip=params.skip, band=params.band),
    )  # fmt: skip
    return _band_around(coarse, factor, n, m, params.band + factor)


def _blocks(vectors: Vectors, factor: int) -> Vectors:
    count = math.ceil(len(vectors) / factor)
    sums = np.add.reduceat(vectors, np.arange(0, count * factor, factor)[:count], axis=0)
    return np.asarray(unit_rows(sums), dtype=np.float32)


def _band_around(coarse: list[Bead], factor: int, n: int, m: int, width: int) -> Band:
    """Widen the coarse path, scaled to sentences, by ``width`` on each side."""
    centre = np.zeros(n + 1, dtype=np.int64)
    i = j = 0
    for bead in coarse:
        i2 = min(n, i + len(bead.src) * factor)
        j2 = min(m, j + len(bead.tgt) * factor)
        if i2 > i:
            centre[i : i2 + 1] = np.linspace(j, j2, i2 - i + 1).round().astype(np.int64)
        i, j = i2, j2
    centre[-1] = m
    lo = np.maximum.accumulate(np.clip(centre - width, 0, m))
    hi = np.minimum.accumulate(np.clip(centre + width, 0, m)[::-1])[::-1]
    lo[0], hi[-1] = 0, m
    return Band(lo, np.maximum(hi, lo))


def unit_rows(rows: NDArray[Real]) -> NDArray[Real]:
    """``rows`` scaled to length 1 (a row of zeros stays zeros), in their own precision."""
    return cast(
        "NDArray[Real]", rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)
    )
