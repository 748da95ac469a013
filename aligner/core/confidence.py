"""Calibrated bead confidence: the estimated probability that a bead is exactly right.

A raw cosine says little on its own (multilingual-e5 puts unrelated sentences near 0.75 and
translations near 0.9), so each bead's features go through a logistic model fitted on gold
alignments:

* aligned beads (1-1, 2-1, n-m): cosine less the sentences' neighbour margin (how much better
  this pairing is than each sentence's usual neighbours), agreement of the lengths after the
  document-wide length ratio, and whether the bead merges sentences;
* omissions and additions: how well the left-out sentence matches the sentences aligned just
  before and after it (a good match means it was probably wrongly left out).

The coefficients below were fitted by ``python bench/calibrate.py --fit`` with the bundled
model on data no benchmark scores: the Text+Berg development document (de-fr) and FLORES-200
de-en with seeded merges and drops.  ``python bench/calibrate.py`` measures how well they are
calibrated on the Text+Berg test documents, the TransRead novels and the FLORES-derived
yi/ru/fr-en pairs.  Other models use the same coefficients: their scores still rank beads, but
are less well calibrated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from aligner.core.refine import Document, length_ratio
from aligner.core.types import Bead

# Fitted by bench/calibrate.py --fit (see the module docstring); order as in the feature lists.
ALIGNED_COEFFICIENTS = (-6.392, 30.073, 9.782, -2.266, 2.355)
SKIPPED_COEFFICIENTS = (2.29, 4.99)


def aligned_features(src: Document, tgt: Document, bead: Bead, ratio: float) -> list[float]:
    """[1, cosine − margin, length agreement, merges, merges × (cosine − margin)]."""
    u = src.vectors[list(bead.src)].sum(axis=0)
    v = tgt.vectors[list(bead.tgt)].sum(axis=0)
    cosine = float(u @ v) / max(float(np.linalg.norm(u) * np.linalg.norm(v)), 1e-9)
    margin = (src.margins[list(bead.src)].mean() + tgt.margins[list(bead.tgt)].mean()) / 2
    ls = float(src.lengths[list(bead.src)].sum())
    lt = float(tgt.lengths[list(bead.tgt)].sum()) * ratio
    agreement = min(ls, lt) / max(ls, lt, 1e-9)
    merges = 1.0 if len(bead.src) + len(bead.tgt) > 2 else 0.0
    evidence = cosine - float(margin)
    return [1.0, evidence, agreement, merges, merges * evidence]


def skipped_features(src: Document, tgt: Document, beads: Sequence[Bead], k: int) -> list[float]:
    """[1, best (cosine − margin) of the left-out sentences against the neighbouring beads]."""
    bead = beads[k]
    own, other = (src, tgt) if bead.src else (tgt, src)
    ids = list(bead.src or bead.tgt)
    neighbours = _neighbour_ids(beads, k, other_is_tgt=bool(bead.src))
    if not neighbours:
        return [1.0, -1.0]
    sims = own.vectors[ids] @ other.vectors[neighbours].T - own.margins[ids][:, None]
    return [1.0, float(sims.max())]


def _neighbour_ids(beads: Sequence[Bead], k: int, *, other_is_tgt: bool) -> list[int]:
    """The other side's sentences in the nearest aligned bead before and after bead ``k``."""
    found: list[int] = []
    for step in (-1, 1):
        position = k + step
        while 0 <= position < len(beads):
            ids = beads[position].tgt if other_is_tgt else beads[position].src
            if ids:
                found.extend(ids)
                break
            position += step
    return found


def calibrated(beads: Sequence[Bead], src: Document, tgt: Document) -> list[Bead]:
    """``beads`` with their scores replaced by calibrated probabilities of being right."""
    ratio = length_ratio(src, tgt)
    out = []
    for k, bead in enumerate(beads):
        if bead.src and bead.tgt:
            logit = _dot(ALIGNED_COEFFICIENTS, aligned_features(src, tgt, bead, ratio))
        else:
            logit = _dot(SKIPPED_COEFFICIENTS, skipped_features(src, tgt, beads, k))
        out.append(Bead(bead.src, bead.tgt, round(_sigmoid(logit), 4)))
    return out


def _dot(coefficients: Sequence[float], features: Sequence[float]) -> float:
    return sum(c * f for c, f in zip(coefficients, features, strict=True))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 40.0), -40.0)))
