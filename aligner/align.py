"""Sentence alignment by dynamic programming over embedding similarities.

Pure numpy: no database, no CLI.  The search finds the monotone sequence of beads (up to
``max_bead`` sentences on a side, omissions and additions included) that maximises the summed
bead scores.  A bead's score is the cosine of its summed source and target sentence vectors,
less the sentences' *margin* (how similar they are to their nearest other-side neighbours:
Artetxe & Schwenk's ratio idea, which penalises hub sentences), times a length penalty that
compares character lengths after the document-wide length ratio.

Time and memory are linear in document length: long documents are first aligned coarsely (blocks
of consecutive sentences averaged), and the fine search runs only in a band around that path.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aligner.types import Bead

Vectors = NDArray[np.float32]
NEG = -1e18


@dataclass(frozen=True)
class AlignParams:
    """Knobs of the search.  ``skip`` is the score of a 1-0 or 0-1 bead."""

    max_bead: int = 4
    max_total: int = 5
    skip: float = -0.05
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
) -> list[Bead]:
    """Align ``src`` with ``tgt`` (rows: L2-normalised sentence vectors, in reading order)."""
    n, m = len(src), len(tgt)
    if n == 0 or m == 0:
        return [Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)]
    rows = _band(src, tgt, params)
    scorer = _Scorer(
        src, tgt, np.asarray(src_lengths, float), np.asarray(tgt_lengths, float), params
    )
    return _search(scorer, rows, bead_shapes(params), params)


# --- scoring -------------------------------------------------------------------------------


class _Scorer:
    """Bead scores for one document pair, from prefix sums so any span costs O(dim)."""

    def __init__(
        self,
        src: Vectors,
        tgt: Vectors,
        src_lengths: NDArray[np.float64],
        tgt_lengths: NDArray[np.float64],
        params: AlignParams,
    ) -> None:
        self.src_sum = _prefix(src)
        self.tgt_sum = _prefix(tgt)
        self.src_len = np.concatenate([[0.0], np.cumsum(np.maximum(src_lengths, 1))])
        self.tgt_len = np.concatenate([[0.0], np.cumsum(np.maximum(tgt_lengths, 1))])
        self.ratio = self.src_len[-1] / self.tgt_len[-1]
        self.src_margin = _prefix_1d(_margins(src, tgt, params.margin_k))
        self.tgt_margin = _prefix_1d(_margins(tgt, src, params.margin_k))
        self.skip = params.skip
        self.margin_weight = params.margin_weight

    def scores(self, i: int, a: int, j_ends: NDArray[np.int64], b: int) -> NDArray[np.float64]:
        """Scores of beads src[i-a:i] with tgt[j-b:j] for every j in ``j_ends``."""
        if a == 0 or b == 0:
            return np.full(len(j_ends), self.skip)
        u = self.src_sum[i] - self.src_sum[i - a]
        u = u / max(float(np.linalg.norm(u)), 1e-9)
        v = self.tgt_sum[j_ends] - self.tgt_sum[j_ends - b]
        v_norm = np.maximum(np.linalg.norm(v, axis=1), 1e-9)
        cosine = (v @ u) / v_norm
        margin = (
            (self.src_margin[i] - self.src_margin[i - a]) / a
            + (self.tgt_margin[j_ends] - self.tgt_margin[j_ends - b]) / b
        ) / 2
        ls = self.src_len[i] - self.src_len[i - a]
        lt = (self.tgt_len[j_ends] - self.tgt_len[j_ends - b]) * self.ratio
        penalty = np.log2(1 + np.minimum(ls, lt) / np.maximum(ls, lt))
        return np.asarray((cosine - self.margin_weight * margin) * penalty, dtype=np.float64)

    def confidence(self, i: int, a: int, j: int, b: int) -> float:
        """A bead's cosine similarity, clipped to [0, 1] (0 for omissions and additions)."""
        if a == 0 or b == 0:
            return 0.0
        u = self.src_sum[i] - self.src_sum[i - a]
        v = self.tgt_sum[j] - self.tgt_sum[j - b]
        cosine = float(u @ v) / max(float(np.linalg.norm(u) * np.linalg.norm(v)), 1e-9)
        return min(max(cosine, 0.0), 1.0)


def _prefix(vectors: Vectors) -> NDArray[np.float64]:
    out = np.zeros((len(vectors) + 1, vectors.shape[1]), dtype=np.float64)
    np.cumsum(vectors, axis=0, out=out[1:])
    return out


def _prefix_1d(values: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.concatenate([[0.0], np.cumsum(values)])


def _margins(side: Vectors, other: Vectors, k: int, chunk: int = 2048) -> NDArray[np.float64]:
    """Mean cosine of each vector with its ``k`` nearest neighbours on the other side."""
    k = min(k, len(other))
    out = np.empty(len(side), dtype=np.float64)
    for start in range(0, len(side), chunk):
        sims = side[start : start + chunk] @ other.T
        top = np.partition(sims, len(other) - k, axis=1)[:, len(other) - k :]
        out[start : start + chunk] = top.mean(axis=1)
    return out


# --- the band ------------------------------------------------------------------------------


def _band(src: Vectors, tgt: Vectors, params: AlignParams) -> list[tuple[int, int]]:
    """For each source prefix length i (0..n), the range [lo, hi] of target prefixes searched."""
    n, m = len(src), len(tgt)
    if (n + 1) * (m + 1) <= params.full_search_cells:
        return [(0, m)] * (n + 1)
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
    norms = np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-9)
    return np.asarray(sums / norms, dtype=np.float32)


def _band_around(
    coarse: list[Bead], factor: int, n: int, m: int, width: int
) -> list[tuple[int, int]]:
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
    return [(int(a), int(b)) for a, b in zip(lo, np.maximum(hi, lo), strict=True)]


# --- the search ----------------------------------------------------------------------------


def _search(
    scorer: _Scorer,
    rows: list[tuple[int, int]],
    shapes: list[tuple[int, int]],
    params: AlignParams,
) -> list[Bead]:
    """Banded dynamic programme; keeps one row of scores per prefix, back-pointers as int8."""
    n = len(rows) - 1
    best: list[NDArray[np.float64]] = []
    came_from: list[NDArray[np.int8]] = []
    for i, (lo, hi) in enumerate(rows):
        j = np.arange(lo, hi + 1)
        row = np.full(len(j), NEG)
        choice = np.full(len(j), -1, dtype=np.int8)
        if i == 0:
            row[j == 0] = 0.0
        for index, (a, b) in enumerate(shapes):
            if a > i or a == 0:
                continue
            prev_lo, prev_hi = rows[i - a]
            ok = (j - b >= prev_lo) & (j - b <= prev_hi) & (j - b >= 0)
            if not ok.any():
                continue
            ends = j[ok]
            candidate = best[i - a][ends - b - prev_lo] + scorer.scores(i, a, ends, b)
            better = candidate > row[ok]
            targets = np.flatnonzero(ok)[better]
            row[targets] = candidate[better]
            choice[targets] = index
        _add_insertions(row, choice, j, scorer.skip, shapes.index((0, 1)))
        best.append(row)
        came_from.append(choice)
    return _backtrack(scorer, rows, came_from, shapes, n)


def _add_insertions(
    row: NDArray[np.float64],
    choice: NDArray[np.int8],
    j: NDArray[np.int64],
    skip: float,
    index: int,
) -> None:
    """Let runs of 0-1 beads extend a row: row[j] = max over k <= j of row[k] + (j - k) skip."""
    reachable = row > NEG / 2
    if not reachable.any():
        return
    shifted = np.where(reachable, row - j * skip, NEG)
    extended = np.maximum.accumulate(shifted) + j * skip
    better = extended > row + 1e-12
    row[better] = extended[better]
    choice[better] = index


def _backtrack(
    scorer: _Scorer,
    rows: list[tuple[int, int]],
    came_from: list[NDArray[np.int8]],
    shapes: list[tuple[int, int]],
    n: int,
) -> list[Bead]:
    i, j = n, rows[n][1]
    beads: list[Bead] = []
    while i > 0 or j > 0:
        index = int(came_from[i][j - rows[i][0]])
        if index < 0:
            raise AssertionError(f"no path reaches ({i}, {j}): the band is disconnected")
        a, b = shapes[index]
        beads.append(
            Bead(tuple(range(i - a, i)), tuple(range(j - b, j)), scorer.confidence(i, a, j, b))
        )
        i, j = i - a, j - b
    return beads[::-1]
