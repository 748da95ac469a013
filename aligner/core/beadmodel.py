"""The learned bead scorer's weights (``beadmodel.json``, fitted by ``bench/train_scorer.py``)
and its probabilities.  The features the weights apply to are in ``aligner.core.beadscore``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from aligner.core.beadscore import ALIGNED_FEATURES
from aligner.core.skipscore import SKIP_FEATURES

Floats = NDArray[np.float64]
MODEL_PATH = Path(__file__).with_name("beadmodel.json")


@dataclass(frozen=True)
class BeadModel:
    """The search's weights for aligned beads and left-out sentences, and the confidence model.

    ``aligned`` and ``skipped`` weigh the features into the bead scores the refinement's
    dynamic programme adds up (learnt as a structured SVM: the right path must outscore the
    others).  A path score is no probability (a 2-1 bead's score competes with a 1-1 and a 1-0
    together), so each bead's confidence comes from a logistic model over the same features
    and the bead's search score (``aligned_confidence``, ``skipped_confidence``: one more
    weight than features, the last for the score), fitted on the beads the pipeline outputs on
    development data, right or wrong, each development set aligned by a scorer trained
    without it (on its own training data a scorer is right more often than on new text).
    """

    aligned: Floats
    skipped: Floats
    offset: float = 0.0
    aligned_confidence: Floats | None = None
    skipped_confidence: Floats | None = None

    @staticmethod
    def load(path: Path = MODEL_PATH) -> BeadModel:
        data = json.loads(path.read_text("utf-8"))
        if (
            tuple(data["aligned_features"]) != ALIGNED_FEATURES
            or tuple(data["skip_features"]) != SKIP_FEATURES
        ):
            raise ValueError(f"{path}: its features are not this scorer's; retrain it")
        return BeadModel(
            np.asarray(data["aligned"], np.float64),
            np.asarray(data["skipped"], np.float64),
            float(data["offset"]),
            _weights(data["aligned_confidence"]),
            _weights(data["skipped_confidence"]),
        )

    def to_json(self) -> str:
        def numbers(values: Floats | None) -> list[float] | None:
            return None if values is None else [round(float(w), 5) for w in values]

        return json.dumps(
            {
                "aligned_features": ALIGNED_FEATURES,
                "aligned": numbers(self.aligned),
                "skip_features": SKIP_FEATURES,
                "skipped": numbers(self.skipped),
                "offset": round(self.offset, 5),
                "aligned_confidence": numbers(self.aligned_confidence),
                "skipped_confidence": numbers(self.skipped_confidence),
            },
            indent=1,
        )

    def aligned_probability(self, features: Floats, scores: Floats) -> Floats:
        return _probability(self.aligned_confidence, features, scores)

    def skipped_probability(self, features: Floats, scores: Floats) -> Floats:
        return _probability(self.skipped_confidence, features, scores)


def _probability(weights: Floats | None, features: Floats, scores: Floats) -> Floats:
    if weights is None:  # no confidence model yet (while training): the score's sigmoid
        return probability(scores)
    return probability(features @ weights[:-1] + scores * weights[-1])


def probability(log_odds: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(log_odds, -40, 40))))


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def _weights(values: list[float] | None) -> Floats | None:
    return None if values is None else np.asarray(values, np.float64)
