"""Fit and check the bead confidence model (aligner/core/confidence.py) on gold alignments.

Usage:
  python bench/calibrate.py --fit     fit the coefficients on held-out data: the Text+Berg dev
                                      document (de-fr) and FLORES-200 de-en with seeded merges
                                      and drops (seed 2026; the quality benchmarks use yi/ru/fr)
  python bench/calibrate.py           reliability of the scores on Text+Berg test0-6, TransRead
                                      and the FLORES-derived yi/ru/fr-en pairs (seed 1935)

A score is calibrated when beads scored about p are right about p of the time.  The table gives,
per score band, the beads in it, their mean score and the share that are exactly right (strict);
then the expected calibration error (ECE) and how many of the wrong beads a reviewer finds by
checking the beads scored below 0.5.  Embeddings are cached in --cache (a SQLite file).
"""

from __future__ import annotations

import argparse
import itertools
import random
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from _common import (
    CachedEmbedder,
    GoldPair,
    data_folder,
    flores_lines,
    print_header,
    print_row,
    textberg_pair,
    transread_novels,
)
from flores import LANGUAGES, edited_pair
from numpy.typing import NDArray

from aligner.core.confidence import aligned_features, skipped_features
from aligner.core.dp import AlignParams
from aligner.core.encoders import load_encoder
from aligner.core.pipeline import align_texts, documents
from aligner.core.refine import length_ratio


def textberg(names: list[str]) -> Iterator[GoldPair]:
    return (textberg_pair(name) for name in names)


def flores(languages: Iterable[str], seed: int) -> Iterator[GoldPair]:
    english = flores_lines("en")
    for tag in languages:
        src, tgt, gold = edited_pair(flores_lines(tag), english, random.Random(seed))
        yield GoldPair(f"{tag}-en", src, tgt, gold)


class Sample:
    """Features, scores and right/wrong labels of every predicted bead, split by bead class."""

    def __init__(self) -> None:
        self.features: dict[str, list[list[float]]] = {"aligned": [], "skipped": []}
        self.right: dict[str, list[float]] = {"aligned": [], "skipped": []}
        self.scores: list[float] = []
        self.labels: list[float] = []

    def add(self, embed: CachedEmbedder, pair: GoldPair) -> None:
        src, tgt, gold, paragraphs = pair.src, pair.tgt, pair.gold, pair.paragraphs
        params = AlignParams()
        beads = align_texts(src, tgt, embed, params, paragraphs=paragraphs)
        src_doc, tgt_doc = documents(src, tgt, embed(src), embed(tgt), params.margin_k, paragraphs)
        ratio = length_ratio(src_doc, tgt_doc)
        gold_set = {(b.src, b.tgt) for b in gold}
        for k, bead in enumerate(beads):
            right = float((bead.src, bead.tgt) in gold_set)
            if bead.src and bead.tgt:
                kind, features = "aligned", aligned_features(src_doc, tgt_doc, bead, ratio)
            else:
                kind, features = "skipped", skipped_features(src_doc, tgt_doc, beads, k)
            self.features[kind].append(features)
            self.right[kind].append(right)
            self.scores.append(bead.score or 0.0)
            self.labels.append(right)


def fit_logistic(
    x: NDArray[np.float64], y: NDArray[np.float64], l2: float = 1e-2
) -> NDArray[np.float64]:
    """Newton's method for L2-regularised logistic regression (the intercept unpenalised)."""
    w = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def reliability(name: str, sample: Sample) -> None:
    scores, labels = np.asarray(sample.scores), np.asarray(sample.labels)
    edges = [0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0001]
    print(f"\n{name}: {len(scores)} beads, {int(labels.sum())} right")
    print_header("score band", "beads", "mean score", "share right")
    ece = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (scores >= low) & (scores < high)
        if inside.any():
            mean, right = scores[inside].mean(), labels[inside].mean()
            ece += inside.sum() / len(scores) * abs(mean - right)
            print_row(
                f"{low:.1f}-{min(high, 1.0):.1f}", inside.sum(), f"{mean:.3f}", f"{right:.3f}"
            )
    wrong = labels == 0
    flagged = scores < 0.5
    caught = (wrong & flagged).sum()
    print(
        f"ECE {ece:.3f}; below 0.5: {flagged.sum()} beads, {caught} of the {wrong.sum()} wrong "
        f"beads ({caught / max(wrong.sum(), 1):.0%}); share of flagged beads that are wrong "
        f"{caught / max(flagged.sum(), 1):.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fit",
        action="store_true",
        help="fit on Text+Berg dev and FLORES de-en, print the coefficients",
    )
    parser.add_argument("--cache", type=Path, default=Path("/tmp/aligner-bench-cache.db"))
    args = parser.parse_args()
    data_folder()
    embed = CachedEmbedder(load_encoder(), args.cache)
    if args.fit:
        sample = Sample()
        for pair in itertools.chain(textberg(["dev"]), flores(["de"], seed=2026)):
            sample.add(embed, pair)
        for kind in ("aligned", "skipped"):
            x = np.asarray(sample.features[kind], dtype=np.float64)
            y = np.asarray(sample.right[kind], dtype=np.float64)
            if len(y) and 0 < y.sum() < len(y):
                print(
                    f"{kind} ({len(y)} beads):",
                    tuple(round(float(w), 3) for w in fit_logistic(x, y)),
                )
            else:
                print(f"{kind} ({len(y)} beads): too few right and wrong beads to fit")
        return
    for name, pairs in (
        ("Text+Berg test0-6", textberg([f"test{k}" for k in range(7)])),
        ("TransRead (5 novels)", transread_novels()),
        ("FLORES-derived yi/ru/fr-en", flores(LANGUAGES, seed=1935)),
    ):
        sample = Sample()
        for pair in pairs:
            sample.add(embed, pair)
        reliability(name, sample)


if __name__ == "__main__":
    main()
