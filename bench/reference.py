"""A plain Bertalign-style aligner, the yardstick issue 15 compares the pipeline with.

Written from the Bertalign paper's description (Liu and Zhu, 2022), with the bundled model and
Bertalign's default settings, nothing tuned:

1. every run of 1 to 4 consecutive sentences of each side is embedded as one text (the real
   vector of the joined sentences, not a sum);
2. a first pass keeps, for each source sentence, its three most similar target sentences in a
   band around the diagonal, and finds the best monotone path of 1-1 beads among them (left-out
   sentences cost nothing there): the anchors;
3. a second pass searches every bead of 1-4 sentences a side, 5 in all, plus 1-0 and 0-1, in a
   band of 5 target sentences either side of the anchors' path.  An aligned bead scores the
   cosine of its two joined vectors less the mean cosine of each with the other side's
   neighbouring runs of the same size (the margin), times log2(1 + shorter / longer) of its
   two lengths in UTF-8 bytes after the document's length ratio; a left-out sentence scores
   -0.1.

Its beads carry no confidence (``score`` None).  Used by ``bench/quality.py --variant
bertalign-style``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from aligner.core.dp import unit_rows, utf8_lengths
from aligner.core.refine import Embed
from aligner.core.types import Bead

MOST = 4  # sentences a side in one bead
TOTAL = 5  # sentences of both sides in one bead
TOP_K = 3
FIRST_BAND = 250  # target sentences either side of the diagonal in the first pass (at least)
FIRST_BAND_SHARE = 0.06
SECOND_BAND = 5
SKIP = -0.1
SHAPES = [(1, 0), (0, 1)] + [
    (a, b) for a in range(1, MOST + 1) for b in range(1, MOST + 1) if a + b <= TOTAL
]


class Runs:
    """Vectors and byte lengths of every run of 1..MOST consecutive sentences of one side."""

    def __init__(self, sentences: Sequence[str], embed: Embed) -> None:
        self.n = len(sentences)
        self.vectors: list[NDArray[np.float64]] = []  # [k - 1][start]: run of k from start
        self.lengths: list[NDArray[np.float64]] = []
        for k in range(1, MOST + 1):
            texts = [" ".join(sentences[s : s + k]) for s in range(self.n - k + 1)]
            vectors = np.asarray(embed(texts), np.float64) if texts else np.zeros((0, 1))
            self.vectors.append(unit_rows(vectors))
            self.lengths.append(np.array(utf8_lengths(texts), float))


def _anchors(src: Runs, tgt: Runs) -> list[tuple[int, int]]:
    """The first pass: the monotone chain of 1-1 beads, each among its source sentence's top-k
    targets near the diagonal, with the largest summed cosine (left-out sentences are free)."""
    n, m = src.n, tgt.n
    width = max(FIRST_BAND, int(FIRST_BAND_SHARE * max(n, m)))
    tree = _PrefixMax(m)
    chain: list[tuple[int, int, int]] = []  # (source, target, previous link in chain or -1)
    for i in range(n):
        centre = i * m // max(n, 1)
        lo, hi = max(0, centre - width), min(m, centre + width + 1)
        row = tgt.vectors[0][lo:hi] @ src.vectors[0][i]
        found = []
        for offset in np.argsort(-row)[:TOP_K]:
            j = lo + int(offset)
            total, back = tree.best_below(j)
            found.append((total + float(row[offset]), j, back))
        for total, j, back in found:  # after the row: two links never share a source sentence
            chain.append((i, j, back))
            tree.offer(j, total, len(chain) - 1)
    _, link = tree.best_below(m)
    path = []
    while link >= 0:
        i, j, link = chain[link]
        path.append((i, j))
    return path[::-1]


class _PrefixMax:
    """Best (total, link) over the targets below a position (a Fenwick tree of maxima)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.totals = [0.0] * (size + 1)
        self.links = [-1] * (size + 1)

    def offer(self, position: int, total: float, link: int) -> None:
        k = position + 1
        while k <= self.size:
            if total > self.totals[k]:
                self.totals[k], self.links[k] = total, link
            k += k & -k

    def best_below(self, position: int) -> tuple[float, int]:
        best, link, k = 0.0, -1, position
        while k > 0:
            if self.totals[k] > best:
                best, link = self.totals[k], self.links[k]
            k -= k & -k
        return best, link


def _band(anchors: list[tuple[int, int]], n: int, m: int) -> tuple[list[int], list[int]]:
    """For each number of source sentences consumed, the targets consumed the search allows:
    SECOND_BAND either side of the anchors' path, widened so that the rows connect."""
    points = [(0, 0)] + [p for i, j in anchors for p in ((i, j), (i + 1, j + 1))] + [(n, m)]
    xs, ys = zip(*sorted(set(points)), strict=True)
    centre = np.interp(np.arange(n + 1), xs, ys)
    lo = [max(0, int(np.floor(c)) - SECOND_BAND) for c in centre]
    hi = [min(m, int(np.ceil(c)) + SECOND_BAND) for c in centre]
    lo[0], hi[n] = 0, m
    for i in range(n - 1, -1, -1):
        lo[i] = min(lo[i], lo[i + 1])
    for i in range(n):
        hi[i] = max(hi[i], lo[i + 1] - 1)
        hi[i + 1] = max(hi[i + 1], hi[i])
    return lo, hi


def _neighbour_cosines(
    runs: Runs, starts: NDArray[np.int64], k: int, others: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The mean cosine of ``others`` with the runs of k just before and just after each run of k
    at ``starts`` (0 where there are none).  One start against many vectors, or many starts
    against one vector."""
    shape = np.broadcast_shapes(starts.shape, others.shape[:-1])
    total, count = np.zeros(shape), np.zeros(shape)
    for neighbour in (starts - k, starts + k):
        valid = (neighbour >= 0) & (neighbour <= runs.n - k)
        vectors = runs.vectors[k - 1][np.where(valid, neighbour, 0)]
        total += np.where(valid, np.sum(vectors * others, axis=-1), 0.0)
        count += valid
    return total / np.maximum(count, 1)


def align(src_sentences: Sequence[str], tgt_sentences: Sequence[str], embed: Embed) -> list[Bead]:
    """Bertalign-style beads of two documents (``score`` None: no confidence)."""
    n, m = len(src_sentences), len(tgt_sentences)
    if n == 0 or m == 0:
        return [Bead((i,), ()) for i in range(n)] + [Bead((), (j,)) for j in range(m)]
    src, tgt = Runs(src_sentences, embed), Runs(tgt_sentences, embed)
    ratio = src.lengths[0].sum() / max(tgt.lengths[0].sum(), 1.0)
    lo, hi = _band(_anchors(src, tgt), n, m)
    best: list[NDArray[np.float64]] = []
    moves: list[NDArray[np.int64]] = []
    for i in range(n + 1):
        js = np.arange(lo[i], hi[i] + 1)
        row = np.full(len(js), -np.inf)
        move = np.full(len(js), -1, dtype=np.int64)
        if i == 0:
            row[js == 0] = 0.0
        for shape_index, (a, b) in enumerate(SHAPES):
            if a == 0 or i < a:
                continue
            prev_j = js - b
            inside = (prev_j >= lo[i - a]) & (prev_j <= hi[i - a])
            if not inside.any():
                continue
            here, starts = js[inside], prev_j[inside]
            value = best[i - a][starts - lo[i - a]]
            if b == 0:
                value = value + SKIP
            else:
                source = src.vectors[a - 1][i - a]
                targets = tgt.vectors[b - 1][starts]
                cosine = targets @ source
                margin = (
                    _neighbour_cosines(src, np.array([i - a]), a, targets)
                    + _neighbour_cosines(tgt, starts, b, source)
                ) / 2
                src_len = src.lengths[a - 1][i - a]
                tgt_len = tgt.lengths[b - 1][starts] * ratio
                penalty = np.log2(1 + np.minimum(src_len, tgt_len) / np.maximum(src_len, tgt_len))
                value = value + (cosine - margin) * penalty
            better = value > row[here - lo[i]]
            row[here[better] - lo[i]] = value[better]
            move[here[better] - lo[i]] = shape_index
        skip_in = SHAPES.index((0, 1))
        for k in range(1, len(js)):  # 0-1 beads: left to right inside the row
            if row[k - 1] + SKIP > row[k]:
                row[k], move[k] = row[k - 1] + SKIP, skip_in
        best.append(row)
        moves.append(move)
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = SHAPES[int(moves[i][j - lo[i]])]
        beads.append(Bead(tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return beads[::-1]
