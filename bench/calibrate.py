"""How well the bead confidences are calibrated, set by set (reliability tables).

Usage: python bench/calibrate.py [--sets dev|test|all|SUBSTRING]

The confidences come from the learned bead scorer (aligner/beadmodel.json), fitted on the
development sets only by ``python bench/train_scorer.py``; this prints, for every set of
bench/sets.py, the beads per score band with their mean score and the share that are exactly
right (strict), the expected calibration error, and how many of the wrong beads a reviewer
finds by checking the beads scored below 0.5.  A score is calibrated when beads scored about p
are right about p of the time.  Vectors come from the persistent cache (bench/embedcache.py).
"""

from __future__ import annotations

import argparse
import itertools

import numpy as np
from embedcache import CountingEmbedder, DiskCache
from quality import ece
from sets import DATA, all_sets
from variants import variant

from aligner.core.beadmodel import BeadModel
from aligner.core.encoders import load_encoder

EDGES = (0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9, 1.0001)


def reliability(name: str, scores: list[float], right: list[bool]) -> None:
    p, y = np.asarray(scores), np.asarray(right, dtype=float)
    print(f"\n{name}: {len(p)} beads, {int(y.sum())} right")
    print("| score band | beads | mean score | share right |")
    print("|---|---|---|---|")
    for low, high in itertools.pairwise(EDGES):
        inside = (p >= low) & (p < high)
        if inside.any():
            print(
                f"| {low:.1f}-{min(high, 1.0):.1f} | {inside.sum()} | {p[inside].mean():.3f} "
                f"| {y[inside].mean():.3f} |"
            )
    wrong, flagged = y == 0, p < 0.5
    caught = int((wrong & flagged).sum())
    print(
        f"ECE {ece(scores, right):.3f}; below 0.5: {int(flagged.sum())} beads, {caught} of the "
        f"{int(wrong.sum())} wrong beads ({caught / max(int(wrong.sum()), 1):.0%})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="all", help="dev, test, all or part of a set's name")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: this benchmark needs ../shared/data")
    cache, model, run = DiskCache(load_encoder()), BeadModel.load(), variant("default")
    for eval_set in all_sets():
        chosen = args.sets == "all" or (args.sets == "dev") == eval_set.dev
        if args.sets not in ("all", "dev", "test"):
            chosen = args.sets.lower() in eval_set.name.lower()
        if not chosen:
            continue
        scores: list[float] = []
        right: list[bool] = []
        for pair in eval_set.load():
            gold = {(b.src, b.tgt) for b in pair.gold}
            for bead in run(pair, CountingEmbedder(cache), model):
                scores.append(bead.score or 0.0)
                right.append((bead.src, bead.tgt) in gold)
        reliability(eval_set.name, scores, right)


if __name__ == "__main__":
    main()
