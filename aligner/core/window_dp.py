"""The exact search inside one refinement stretch, and the neighbour margins both passes use.

Split from ``aligner.core.refine``: plain arrays in, beads out.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from aligner.core.dp import Vectors
from aligner.core.types import Bead

NEG = -1e18


def best_path(
    scores: NDArray[np.float64],
    shapes: list[tuple[int, int]],
    skip_src: NDArray[np.float64],
    skip_tgt: NDArray[np.float64],
    i0: int,
    j0: int,
) -> list[Bead]:
    """Dynamic programme over the stretch: ``scores[shape, i, j]`` for the aligned bead ending
    at local prefixes (i, j); left-out sentences cost their own skip scores."""
    _, n1, m1 = scores.shape
    best = np.full((n1, m1), NEG)
    came = np.full((n1, m1), -3, dtype=np.int64)  # shape number; -1: 1-0, -2: 0-1
    a_of = np.array([a for a, _ in shapes])
    b_of = np.array([b for _, b in shapes])
    columns = np.arange(m1)
    for i in range(n1):
        row = np.full(m1, NEG)
        choice = np.full(m1, -3, dtype=np.int64)
        if i == 0:
            row[0], choice[0] = 0.0, -3
        else:
            usable = np.flatnonzero(a_of <= i)
            prev_i = i - a_of[usable]
            prev_j = columns[None, :] - b_of[usable][:, None]
            valid = prev_j >= 0
            totals = np.where(
                valid, best[prev_i[:, None], np.maximum(prev_j, 0)] + scores[usable, i, :], NEG
            )
            if len(usable):
                pick = totals.argmax(axis=0)
                row = totals[pick, columns]
                choice = usable[pick]
            omitted = best[i - 1] + skip_src[i - 1]
            better = omitted > row
            row, choice = np.where(better, omitted, row), np.where(better, -1, choice)
        for j in range(1, m1):
            added = row[j - 1] + skip_tgt[j - 1]
            if added > row[j]:
                row[j], choice[j] = added, -2
        best[i], came[i] = row, choice
    return _trace(came, shapes, i0, j0)


def _trace(came: NDArray[np.int64], shapes: list[tuple[int, int]], i0: int, j0: int) -> list[Bead]:
    beads: list[Bead] = []
    i, j = came.shape[0] - 1, came.shape[1] - 1
    while i > 0 or j > 0:
        step = int(came[i, j])
        a, b = (1, 0) if step == -1 else (0, 1) if step == -2 else shapes[step]
        beads.append(Bead(tuple(range(i0 + i - a, i0 + i)), tuple(range(j0 + j - b, j0 + j))))
        i, j = i - a, j - b
    return beads[::-1]


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
