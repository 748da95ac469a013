"""Time and peak memory of the search alone (aligner.core.dp.align) on long synthetic documents.

Usage: python bench/scale.py [--sizes 2000,20000,100000] [--seed 0]

Each size runs in a fresh subprocess, so its peak resident memory (getrusage maxrss) is its
own: the vectors themselves (2 × n × 384 float32) are included, and "RSS before search" is the
peak while making them, which the search's own peak must exceed to show.  The target side is
made from the source by a seeded plan: mostly 1-1, some 2-1 and 1-2 beads, omissions and
additions, with noise so that true pairs have a cosine near 0.8.  Strict F1 is against that
known plan.  No model and no data are needed.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aligner.core.dp import AlignParams, align
from aligner.core.evaluation import count, scores
from aligner.core.types import Bead

DIM = 384
NOISE = 0.75  # |noise| / |meaning|: cosine 1 / sqrt(1 + 0.75²) = 0.8 on a true 1-1 pair
# The plan's bead kinds and how often each is drawn.
KINDS = ("1-1", "2-1", "1-2", "1-0", "0-1")
WEIGHTS = (0.86, 0.04, 0.04, 0.03, 0.03)
STOCK = 0.02  # share of stock sentences ("he said.") repeated throughout the text
Vector = NDArray[np.float32]


@dataclass(frozen=True)
class Pair:
    src: NDArray[np.float32]
    tgt: NDArray[np.float32]
    src_lengths: list[int]
    tgt_lengths: list[int]
    gold: list[Bead]


def _unit(vectors: NDArray[np.float32]) -> NDArray[np.float32]:
    vectors /= np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)
    return vectors


def _normal(rng: np.random.Generator, rows: int) -> NDArray[np.float32]:
    """Rows of noise with norm about 1."""
    return rng.standard_normal((rows, DIM), dtype=np.float32) / np.float32(np.sqrt(DIM))


def sentence_vectors(n: int, rng: np.random.Generator, common: Vector) -> NDArray[np.float32]:
    """Sentence vectors with some of real embeddings' structure: a direction all of them share,
    a topic drifting slowly through the text, and a few stock sentences repeated throughout
    (non-pairs then have cosines near 0.25, 0.3 for neighbours)."""
    topic = np.cumsum(_normal(rng, n) * np.float32(0.15 * np.sqrt(DIM)), axis=0)
    topic += rng.standard_normal(DIM, dtype=np.float32)
    raw = _normal(rng, n)
    raw += np.float32(0.6) * _unit(topic)
    del topic
    raw += np.float32(0.55) * common
    stock = _unit(_normal(rng, 8))
    repeated = np.flatnonzero(rng.random(n) < STOCK)
    raw[repeated] = stock[rng.integers(0, len(stock), size=len(repeated))]
    raw[repeated] += np.float32(0.3) * _normal(rng, len(repeated))
    return _unit(raw)


def _plan(n: int, rng: np.random.Generator) -> list[Bead]:
    """The gold beads: mostly 1-1, with 2-1, 1-2, 1-0 and 0-1 drawn by ``WEIGHTS``."""
    kinds = rng.choice(len(KINDS), size=n + 1, p=WEIGHTS)
    gold: list[Bead] = []
    i = j = 0
    for kind in (KINDS[k] for k in kinds):
        if i >= n:
            break
        if i + 1 == n and kind == "2-1":
            kind = "1-1"
        take, give = {"1-1": (1, 1), "2-1": (2, 1), "1-2": (1, 2), "1-0": (1, 0)}.get(kind, (0, 1))
        gold.append(Bead(tuple(range(i, i + take)), tuple(range(j, j + give))))
        i, j = i + take, j + give
    return gold


def synthetic_pair(n: int, seed: int = 0) -> Pair:
    """``n`` source sentences and a target side made from them by a seeded bead plan."""
    rng = np.random.default_rng(seed)
    common = _unit(_normal(rng, 1))[0]
    src = sentence_vectors(n, rng, common)
    src_lengths = rng.integers(20, 200, size=n)
    gold = _plan(n, rng)
    m = sum(len(bead.tgt) for bead in gold)
    tgt = np.zeros((m, DIM), dtype=np.float32)
    tgt_lengths = np.zeros(m, dtype=np.int64)
    for bead in gold:
        for j in bead.tgt:
            tgt[j] = src[list(bead.src)].sum(axis=0)
            tgt_lengths[j] = src_lengths[list(bead.src)].sum() // len(bead.tgt)
    halves = [j for bead in gold if len(bead.tgt) == 2 for j in bead.tgt]
    tgt[halves] += np.float32(0.6) * _normal(rng, len(halves))  # a split: each half differs
    added = [bead.tgt[0] for bead in gold if not bead.src]
    tgt[added] = sentence_vectors(len(added), rng, common)  # an addition: unrelated text
    tgt_lengths[added] = rng.integers(20, 200, size=len(added))
    tgt += NOISE * np.linalg.norm(tgt, axis=1, keepdims=True) * _normal(rng, m)
    tgt_lengths = np.maximum(1, np.round(tgt_lengths * rng.uniform(0.9, 1.3, size=m)))
    return Pair(src, _unit(tgt), src_lengths.tolist(), tgt_lengths.astype(int).tolist(), gold)


def measure(n: int, seed: int) -> dict[str, float]:
    """One size, in this process: the search's seconds, peak RSS and strict F1."""
    pair = synthetic_pair(n, seed)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    beads = align(pair.src, pair.tgt, pair.src_lengths, pair.tgt_lengths, AlignParams())
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = scores(count(pair.gold, beads))
    return {
        "n": n, "m": len(pair.tgt), "seconds": seconds, "peak_mb": peak,
        "before_mb": before, "strict_f1": result.strict_f1, "lax_f1": result.lax_f1,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000,100000", help="source sentence counts")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(measure(args.worker, args.seed)))
        return
    print("| sentences (src × tgt) | search s | s per 1,000 | peak RSS MB | RSS before search MB "
          "| strict F1 | lax F1 |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for n in (int(size) for size in args.sizes.split(",")):
        command = [sys.executable, __file__, "--worker", str(n), "--seed", str(args.seed)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {row['n']:,} × {row['m']:,} | {row['seconds']:.2f} "
            f"| {1000 * row['seconds'] / row['n']:.3f} | {row['peak_mb']:.0f} "
            f"| {row['before_mb']:.0f} | {row['strict_f1']:.3f} | {row['lax_f1']:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
