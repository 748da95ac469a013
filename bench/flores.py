"""Strict and lax F1 on FLORES-200 devtest pairs made harder with known edits (yi/ru/fr → en).

Each language's 1,012 sentences are aligned with the English ones after random, seeded edits
whose effect on the gold is known: on either side, consecutive sentences are merged (giving 2-1
and 1-2 beads) and sentences are dropped (giving 1-0 and 0-1 beads).  Real text, known gold.

Usage: python bench/flores.py [--merge 0.08] [--drop 0.04] [--seed 1935]
"""

from __future__ import annotations

import argparse
import random

from _common import embed_and_align, flores_lines, print_header, print_row

from aligner.core.encoders import load_encoder
from aligner.core.evaluation import count, scores
from aligner.core.types import Bead

LANGUAGES = ("yi", "ru", "fr")
MERGE, DROP = 0.08, 0.04


def edited_pair(
    src: list[str],
    tgt: list[str],
    rng: random.Random,
    merge: float = MERGE,
    drop: float = DROP,
) -> tuple[list[str], list[str], list[Bead]]:
    """Apply merges and drops to a line-parallel pair; return both sides and the gold beads.

    Each position is merged with the next (on a side drawn at random) with probability
    ``merge``, left out of the target with probability ``drop`` and out of the source with
    probability ``drop``.
    """
    out_src: list[str] = []
    out_tgt: list[str] = []
    gold: list[Bead] = []
    i = 0
    while i < len(src):
        roll = rng.random()
        if roll < merge and i + 1 < len(src):  # merge two sentences on one side
            if rng.random() < 0.5:
                out_src.append(f"{src[i]} {src[i + 1]}")
                out_tgt += [tgt[i], tgt[i + 1]]
                gold.append(Bead((len(out_src) - 1,), (len(out_tgt) - 2, len(out_tgt) - 1)))
            else:
                out_src += [src[i], src[i + 1]]
                out_tgt.append(f"{tgt[i]} {tgt[i + 1]}")
                gold.append(Bead((len(out_src) - 2, len(out_src) - 1), (len(out_tgt) - 1,)))
            i += 2
            continue
        if roll < merge + drop:  # the translation leaves a sentence out
            out_src.append(src[i])
            gold.append(Bead((len(out_src) - 1,), ()))
        elif roll < merge + 2 * drop:  # the translation adds one
            out_tgt.append(tgt[i])
            gold.append(Bead((), (len(out_tgt) - 1,)))
        else:
            out_src.append(src[i])
            out_tgt.append(tgt[i])
            gold.append(Bead((len(out_src) - 1,), (len(out_tgt) - 1,)))
        i += 1
    return out_src, out_tgt, gold


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1935)
    parser.add_argument("--merge", type=float, default=MERGE, help="merge rate (0.08)")
    parser.add_argument("--drop", type=float, default=DROP, help="drop rate, each way (0.04)")
    args = parser.parse_args()
    english = flores_lines("en")
    encoder = load_encoder()
    print_header(
        "pair", "sentences", "non-1-1 gold beads", "strict F1", "lax F1", "embed s", "search s"
    )
    for code in LANGUAGES:
        src, tgt, gold = edited_pair(
            flores_lines(code), english, random.Random(args.seed), args.merge, args.drop
        )
        timed = embed_and_align(encoder, src, tgt)
        result = scores(count(gold, timed.beads))
        unusual = sum(1 for b in gold if b.kind != "1-1")
        print_row(
            f"{code}-en", f"{len(src)}/{len(tgt)}", unusual, f"{result.strict_f1:.3f}",
            f"{result.lax_f1:.3f}", f"{timed.embed_seconds:.1f}", f"{timed.search_seconds:.1f}",
        )  # fmt: skip


if __name__ == "__main__":
    main()
