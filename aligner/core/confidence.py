"""Calibrated bead confidence: the estimated probability that a bead is exactly right.

A raw cosine says little on its own (multilingual-e5 puts unrelated sentences near 0.75 and
translations near 0.9), so a bead's confidence is the learned bead scorer's probability
(``aligner.core.beadscore``): the same logistic model whose log-odds the refinement searches with,
fitted on development data only (Text+Berg dev, TransRead Candide en-es and en-el, the
bilinguator stories, the UDHR) by ``python bench/train_scorer.py``.  An omission or addition of
several sentences is as likely as its least likely sentence.  ``python bench/quality.py`` prints
the expected calibration error on every set.
"""

from __future__ import annotations

from collections.abc import Sequence

from aligner.core.refine import DocumentScorer
from aligner.core.types import Bead


def calibrated(beads: Sequence[Bead], scorer: DocumentScorer) -> list[Bead]:
    """``beads`` with their scores replaced by calibrated probabilities of being right."""
    return [
        Bead(bead.src, bead.tgt, round(p, 4))
        for bead, p in zip(beads, scorer.confidences(beads), strict=True)
    ]
