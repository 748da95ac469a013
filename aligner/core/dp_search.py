"""The dynamic programme of ``aligner.core.dp``: best scores of the last rows in a ring, int8
back-pointers for every cell of the band, and runs of 0-1 beads folded into each row.

Split from ``aligner.core.dp`` (which scores the beads and builds the band) to keep both small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from aligner.core.dp import Band

NEG = -1e18
BLOCK_ROWS = 32  # rows of the band scored together
Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Path = list[tuple[int, int, int, int]]  # beads as (source end, source count, target end, count)


class Scorer(Protocol):
    """What the programme needs of the bead scorer."""

    pad: int
    tgt_skip_prefix: Floats

    def block(self, i0: int, i1: int, j0: int, j1: int) -> Floats: ...


class Ring:
    """The best scores of the last ``depth`` rows, each at full target width, NEG off its band.

    Row i lives in slot i % depth, behind ``pad`` NEG columns, so the predecessors of a row's
    cells are one gather for every shape at once: shape (a, b) reads row i - a at j - b.  Slots
    of rows not yet computed hold NEG, as do the columns before target 0 and one extra slot,
    which every gather reads first: a cell no shape reaches (all candidates NEG) picks it.
    """

    def __init__(self, depth: int, pad: int, m: int, shapes: list[tuple[int, int]]) -> None:
        self.depth, self.pad, self.width = depth, pad, pad + m + 1
        self.values: Floats = np.full((depth + 1) * self.width, NEG)
        self.spans = [(0, -1)] * depth
        a = np.array([0] + [shape[0] for shape in shapes])
        b = np.array([0] + [shape[1] for shape in shapes])
        self.starts: list[Ints] = []
        for phase in range(depth):
            starts = (phase - a) % depth * self.width + pad - b
            starts[0] = depth * self.width + pad
            self.starts.append(starts[:, None])

    def candidates(self, i: int, j: Ints) -> Floats:
        """Best scores at (i - a, j - b): the NEG slot, then every shape (rows), for each j."""
        return np.take(self.values, self.starts[i % self.depth] + j)

    def store(self, i: int, lo: int, row: Floats) -> None:
        slot = i % self.depth
        start = slot * self.width + self.pad
        old_lo, old_hi = self.spans[slot]
        self.values[start + old_lo : start + old_hi + 1] = NEG
        self.values[start + lo : start + lo + len(row)] = row
        self.spans[slot] = (lo, lo + len(row) - 1)


class Programme:
    """The dynamic programme over the band: recent rows of best scores, every back-pointer.

    Each cell takes the best of its shapes' candidates, the first in ``shapes`` order on a tie
    (as a strict ``>`` shape by shape would), then runs of 0-1 beads extend the row.
    """

    def __init__(
        self, band: Band, shapes: list[tuple[int, int]], pad: int, skip_prefix: Floats
    ) -> None:
        self.band, self.shapes = band, shapes
        moving = [index for index, (a, _) in enumerate(shapes) if a > 0]
        self.labels = np.array([-1, *moving], dtype=np.int8)
        self.insertion = shapes.index((0, 1))
        m = int(band.hi[-1])
        self.ring = Ring(pad + 1, pad, m, [shapes[k] for k in moving])
        self.columns = np.arange(m + 1)
        self.skips = skip_prefix  # [j]: the score of leaving out targets 0..j-1
        self.offsets = np.concatenate([[0], np.cumsum(band.hi - band.lo + 1)])
        self.came_from = np.full(int(self.offsets[-1]), -1, dtype=np.int8)

    def start(self) -> None:
        """Row 0: the empty source prefix, reached from (0, 0) by 0-1 beads only."""
        row = np.full(int(self.band.hi[0] - self.band.lo[0] + 1), NEG)
        row[0] = 0.0
        self._finish(0, 0, row, self.came_from[: len(row)])

    def step(self, i: int, scores: Floats) -> None:
        """Row i from the rows before it; ``scores[shape, k]``: the bead ending at (i, lo + k)."""
        lo, hi = int(self.band.lo[i]), int(self.band.hi[i])
        candidates = self.ring.candidates(i, self.columns[lo : hi + 1])
        candidates[1:] += scores
        choice = self.came_from[self.offsets[i] : self.offsets[i + 1]]
        np.take(self.labels, candidates.argmax(axis=0), out=choice)
        self._finish(i, lo, candidates.max(axis=0), choice)

    def _finish(self, i: int, lo: int, row: Floats, choice: NDArray[np.int8]) -> None:
        add_insertions(row, choice, self.skips[lo : lo + len(row)], self.insertion)
        self.ring.store(i, lo, row)

    def path(self) -> Path:
        """The best path's beads, from the back-pointers, as (i, a, j, b), in reading order."""
        band = self.band
        i = len(band.lo) - 1
        j = int(band.hi[i])
        path: Path = []
        while i > 0 or j > 0:
            index = int(self.came_from[self.offsets[i] + j - band.lo[i]])
            if index < 0:
                raise AssertionError(f"no path reaches ({i}, {j}): the band is disconnected")
            a, b = self.shapes[index]
            path.append((i, a, j, b))
            i, j = i - a, j - b
        return path[::-1]


def search(
    scorer: Scorer,
    band: Band,
    shapes: list[tuple[int, int]],
    on_rows: Callable[[int], None] | None = None,
) -> Path:
    """Run the programme over the band, scoring ``BLOCK_ROWS`` rows per call."""
    n = len(band.lo) - 1
    programme = Programme(band, shapes, scorer.pad, scorer.tgt_skip_prefix)
    programme.start()
    for i0 in range(1, n + 1, BLOCK_ROWS):
        i1 = min(n + 1, i0 + BLOCK_ROWS)
        j0, j1 = int(band.lo[i0:i1].min()), int(band.hi[i0:i1].max())
        scores = scorer.block(i0, i1, j0, j1)
        for i in range(i0, i1):
            lo, hi = band.lo[i] - j0, band.hi[i] - j0
            programme.step(i, scores[:, i - i0, lo : hi + 1])
        if on_rows is not None:
            on_rows(i1 - i0)
    return programme.path()


def add_insertions(row: Floats, choice: NDArray[np.int8], skips: Floats, index: int) -> None:
    """Let runs of 0-1 beads extend a row: row[j] = max over k < j of row[k] + the scores of
    leaving out targets k..j-1.

    ``skips[k]`` is the summed score of leaving out every target before the row's k-th cell.
    The cell itself stays out of the max: ``row[j] - skips[j] + skips[j]`` rounds above
    ``row[j]`` by more than the tolerance once path scores pass 2**14 (documents of some 60,000
    sentences), and would then pass for an insertion, a back-pointer to a worse cell (strict F1
    0.94 instead of 0.999 on 100,000 synthetic sentences).
    """
    reachable = row > NEG / 2
    if not reachable.any():
        return
    best = np.maximum.accumulate(np.where(reachable, row - skips, NEG))
    extended = best[:-1] + skips[1:]
    better = np.flatnonzero(extended > row[1:] + 1e-12)
    row[better + 1] = extended[better]
    choice[better + 1] = index
