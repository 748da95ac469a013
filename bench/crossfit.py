"""Cross-fitted confidences of the learned bead scorer, and the held-out figures they give.

The development pairs fall into folds that share no text (``FOLDS``); each fold is aligned by
a scorer trained without it.  The beads it outputs, right or wrong, fit the confidence model
(logistic, aligned beads and left-out sentences apart), and their hit counts are the held-out
figures of every development set (``report_held_out``), which is how a change to the scorer
is judged.  Used by ``bench/train_scorer.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

import numpy as np
from embedcache import CountingEmbedder, DiskCache
from numpy.typing import NDArray
from sets import Pair

from aligner.core.beadmodel import BeadModel, probability
from aligner.core.dp import AlignParams
from aligner.core.evaluation import Counts, count, scores
from aligner.core.pipeline import align_and_score
from aligner.core.refine import RefineParams

Floats = NDArray[np.float64]
W = TypeVar("W")


def fit_logistic(x: Floats, y: Floats, l2: float = 1.0) -> Floats:
    """Newton's method for L2-regularised logistic regression (the intercept unpenalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(100):
        p = probability(x @ w)
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


Outputs = tuple[list[Floats], list[Floats], list[bool], list[Floats], list[Floats], list[bool]]


def run_dev(
    model: BeadModel, dev: dict[str, list[Pair]], cache: DiskCache
) -> tuple[dict[str, Counts], Outputs]:
    """The pipeline's hit counts on each development set, and the output beads' confidence
    features: aligned (features, score, right), then left-out sentences likewise."""
    hits: dict[str, Counts] = {}
    out: Outputs = ([], [], [], [], [], [])
    for name, members in dev.items():
        total = None
        for pair in members:
            beads, scorer = align_and_score(
                pair.src, pair.tgt, CountingEmbedder(cache), AlignParams(), RefineParams(),
                pair.paragraphs, model,
            )  # fmt: skip
            gold = {(b.src, b.tgt) for b in pair.gold}
            aligned, features, scores_ = scorer._aligned(beads)
            out[0].append(features)
            out[1].append(scores_)
            out[2].extend((beads[k].src, beads[k].tgt) in gold for k in aligned)
            for bead in beads:
                if not (bead.src and bead.tgt):
                    rows, values = scorer.skip_rows(bead)
                    out[3].append(rows)
                    out[4].append(values)
                    out[5].extend([(bead.src, bead.tgt) in gold] * len(rows))
            counts = count(pair.gold, beads)
            total = counts if total is None else total + counts
        assert total is not None
        hits[name] = total
    return hits, out


# The confidences' pull toward zero: 10 rather than 1 brought the development sets' ECE down
# where it was above 0.05 (docs/accuracy.md, "Targets still missed").
CONFIDENCE_L2 = 10.0


def confidence_weights(features: list[Floats], values: list[Floats], right: list[bool]) -> Floats:
    """Logistic regression of "this output bead is right" on its features and search score."""
    x = np.concatenate([np.concatenate(features), np.concatenate(values)[:, None]], axis=1)
    y = np.asarray(right, np.float64)
    if len(y) < 10 or y.all() or not y.any():
        weights = np.zeros(x.shape[1])
        weights[0] = 4.0 if y.all() else -4.0
        return weights
    return fit_logistic(x, y, l2=CONFIDENCE_L2)


def with_confidence(model: BeadModel, outputs: Outputs) -> BeadModel:
    return dataclasses.replace(
        model,
        aligned_confidence=confidence_weights(*outputs[:3]),
        skipped_confidence=confidence_weights(*outputs[3:]),
    )


# The development pairs in groups that share no text (each group a list of parts of
# "set / pair" names): the confidences are fitted on each group's beads as aligned by a scorer
# trained without that group, so they are as sure as the scorer is on text it has not seen.
FOLDS = (
    ("text+berg", "dev edited"),
    ("candide",),
    ("bilinguator", "nos ", "khameleon", "aptekarsha"),
    ("udhr",),
)


def in_fold(key: str, fold: tuple[str, ...]) -> bool:
    return any(part in key.lower() for part in fold)


def cross_fitted(
    by_pair: Mapping[str, Sequence[W]],
    dev: dict[str, list[Pair]],
    cache: DiskCache,
    fit: Callable[[list[W]], tuple[Floats, Floats]],
) -> Outputs:
    """The output beads' confidence features of every development pair, each pair aligned by
    a scorer ``fit`` on the training windows of the other folds (``FOLDS``)."""
    unplaced = [key for key in by_pair if sum(in_fold(key, fold) for fold in FOLDS) != 1]
    if unplaced:
        raise SystemExit(f"pairs in no fold or in several: {', '.join(unplaced)}")
    parts: list[Outputs] = []
    held_out: dict[str, Counts] = {}
    for fold in FOLDS:
        windows = [w for key, found in by_pair.items() if not in_fold(key, fold) for w in found]
        aligned, skipped = fit(windows)
        members = {
            name: [pair for pair in pairs if in_fold(f"{name} / {pair.name}", fold)]
            for name, pairs in dev.items()
        }
        members = {name: pairs for name, pairs in members.items() if pairs}
        hits, outputs = run_dev(BeadModel(aligned, skipped, 0.0), members, cache)
        report_f1(f"held out {'/'.join(fold)}", hits)
        for name, counts in hits.items():
            held_out[name] = held_out.get(name, Counts()) + counts
        parts.append(outputs)
    report_held_out(held_out)
    return (
        [x for part in parts for x in part[0]],
        [x for part in parts for x in part[1]],
        [x for part in parts for x in part[2]],
        [x for part in parts for x in part[3]],
        [x for part in parts for x in part[4]],
        [x for part in parts for x in part[5]],
    )


def report_f1(label: str, hits: dict[str, Counts]) -> None:
    f1 = {name: scores(counts).strict_f1 for name, counts in hits.items()}
    print(f"{label}: " + ", ".join(f"{k} {v:.3f}" for k, v in f1.items()), flush=True)


def report_held_out(held_out: dict[str, Counts]) -> None:
    """Every development set as scorers that did not train on it align it (sets that span
    folds, such as the seeded pairs, add up their folds): the figures to judge a change by."""
    print("\nheld out (each pair aligned by the scorer trained without its fold):")
    print("| set | strict P | strict R | strict F1 | lax F1 |\n|---|---|---|---|---|")
    f1 = {}
    for name, counts in held_out.items():
        result = scores(counts)
        f1[name] = result.strict_f1
        print(
            f"| {name} | {result.strict_precision:.3f} | {result.strict_recall:.3f} "
            f"| {result.strict_f1:.4f} | {result.lax_f1:.4f} |"
        )
    documents = [v for name, v in f1.items() if not name.startswith("dev pairs")]
    print(f"mean strict F1, the {len(documents)} real documents: {np.mean(documents):.4f}")
    print(f"mean strict F1, every set: {np.mean(list(f1.values())):.4f}", flush=True)
