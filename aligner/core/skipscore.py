"""What a left-out sentence (a 1-0 or 0-1 bead) looks like to the learned bead scorer: its
length against the document's median, its share of letters and digits, whether it ends like a
sentence, whether it is a paragraph of its own, how well it matches the other side nearby, and
how freely the translation drops sentences.  ``aligner.core.beadscore`` describes aligned beads.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from aligner.core.beadscore import Floats, Ints, Side

SENTENCE_END = tuple(".!?:;…»\"”'’)")

SKIP_FEATURES = (
    "bias", "target side", "log characters over the median", "letters", "digits",
    "ends like a sentence", "short", "best match nearby", "paragraph of its own",
    "paragraphs known", "sentences the first pass left out",
)  # fmt: skip


def skip_features(
    side: Side, other: Side, target_side: bool, nearby: Floats, left_out: float = 0.0
) -> Floats:
    """One row of ``SKIP_FEATURES`` per sentence of ``side``, as a 1-0 (or 0-1) bead.

    ``nearby[i]``: the best cosine − margin of sentence i with the other side's sentences
    around where it would go (see ``nearby_match``).  ``left_out``: the percentage of the
    document's real sentences (not captions or scraps) the first pass left out, a measure of
    how freely this translation drops sentences (some drop none, some drop one in twenty).
    """
    cues = side.cues
    n = len(side.sentences)
    out = np.zeros((n, len(SKIP_FEATURES)))
    out[:, 0] = 1.0
    out[:, 1] = float(target_side)
    out[:, 2] = np.log(cues.chars / np.median(cues.chars)) if n else 0.0
    out[:, 3] = cues.letters
    out[:, 4] = cues.digits
    out[:, 5] = ends_like_a_sentence(side)
    out[:, 6] = cues.chars < 20
    out[:, 7] = nearby
    if side.paragraphs_known:
        out[:, 8] = side.breaks[:-1] & side.breaks[1:]
        out[:, 9] = 1.0
    out[:, 10] = left_out
    return out


def looks_like_a_sentence(side: Side) -> NDArray[np.bool_]:
    """Sentences that end like one and hold 20 characters or more (not captions or scraps)."""
    return np.asarray(ends_like_a_sentence(side) & (side.cues.chars >= 20))


def ends_like_a_sentence(side: Side) -> NDArray[np.bool_]:
    return np.array([s.rstrip().endswith(SENTENCE_END) for s in side.sentences], dtype=bool)


def nearby_match(side: Side, other: Side, centre: Ints, reach: int = 3) -> Floats:
    """For each sentence i of ``side``: the best cosine − margin with the other side's
    sentences within ``reach`` of position ``centre[i]``."""
    m = len(other.sentences)
    out = np.full(len(side.sentences), -1.0)
    if m == 0:
        return out
    offsets = np.arange(-reach, reach + 1)
    columns = np.clip(centre[:, None] + offsets[None, :], 0, m - 1)
    sims = np.einsum("kd,krd->kr", side.vectors, other.vectors[columns])
    out[:] = sims.max(axis=1) - side.margins
    return out
