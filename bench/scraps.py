"""Development pairs with untranslated scraps: captions and OCR debris that only one side has.

Scanned yearbooks (Text+Berg) carry photo captions, credits and OCR debris ("….. ", "JfV",
"2 - Photo …") on one side that the gold leaves as 1-0 or 0-1 beads; novels and stories have
none.  ``with_scraps`` inserts runs of such lines into a development pair at seeded places, as
gold 1-0/0-1 beads, so the scorer can learn what an untranslated scrap looks like from text
other than the Text+Berg document it is checked on.  The scraps are made from the pair's own
side: fragments of its sentences (a caption's words, no sentence end, sometimes numbered) and
runs of punctuation and stray letters of its script.
"""

from __future__ import annotations

import random
from typing import Protocol

from aligner.core.types import Bead

DEBRIS = ".,-_*:;!'^&>|/~\"«»()"


class PairLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def src(self) -> list[str]: ...
    @property
    def tgt(self) -> list[str]: ...
    @property
    def gold(self) -> list[Bead]: ...
    @property
    def paragraphs(self) -> tuple[list[int] | None, list[int] | None]: ...


def scrap(side: list[str], rng: random.Random) -> str:
    """One caption-like fragment or one line of OCR debris made from ``side``'s text."""
    if rng.random() < 0.4:
        letters = [c for c in rng.choice(side) if c.isalpha()] or ["x"]
        pieces = [
            rng.choice(DEBRIS) * rng.randint(1, 5) if rng.random() < 0.6 else rng.choice(letters)
            for _ in range(rng.randint(1, 4))
        ]
        return " ".join(pieces)
    words = rng.choice(side).split()
    start = rng.randrange(max(len(words) - 2, 1))
    fragment = " ".join(words[start : start + rng.randint(2, 8)]).rstrip(".!?;:,…»\"'")
    if rng.random() < 0.4:
        fragment = f"{rng.randint(1, 999)} - {fragment}"
    return fragment or "*"


def with_scraps(pair: PairLike, seed: int, rate: float = 0.03) -> tuple[
    list[str], list[str], list[Bead], tuple[list[int] | None, list[int] | None]
]:  # fmt: skip
    """``pair`` with a run of 1-8 scraps before about ``rate`` of its gold beads (on the target
    side two times in three): new sides, gold, and paragraph numbers (each scrap a paragraph of
    its own where paragraphs are known)."""
    rng = random.Random(f"{seed}-{pair.name}")
    src: list[str] = []
    tgt: list[str] = []
    gold: list[Bead] = []
    paragraphs: tuple[list[int], list[int]] = ([], [])
    known = (pair.paragraphs[0] is not None, pair.paragraphs[1] is not None)
    fresh = [0, 0]  # paragraph numbers: each scrap gets one of its own

    def add(side: int, text: str, paragraph: int | None) -> int:
        lines = src if side == 0 else tgt
        numbers = paragraphs[side]
        lines.append(text)
        if paragraph is None or paragraph != last[side]:  # a scrap, or a new paragraph
            fresh[side] += 1
        last[side] = paragraph
        numbers.append(fresh[side])
        return len(lines) - 1

    last: list[int | None] = [-1, -1]
    for bead in pair.gold:  # in reading order
        if rng.random() < rate:
            side = 1 if rng.random() < 2 / 3 else 0
            for _ in range(min(1 + int(rng.expovariate(0.7)), 8)):
                index = add(side, scrap(pair.src if side == 0 else pair.tgt, rng), None)
                gold.append(Bead((index,), ()) if side == 0 else Bead((), (index,)))
        new_src = tuple(
            add(0, pair.src[i], pair.paragraphs[0][i] if pair.paragraphs[0] else 0)
            for i in bead.src
        )
        new_tgt = tuple(
            add(1, pair.tgt[j], pair.paragraphs[1][j] if pair.paragraphs[1] else 0)
            for j in bead.tgt
        )
        gold.append(Bead(new_src, new_tgt))
    return (
        src, tgt, gold,
        (paragraphs[0] if known[0] else None, paragraphs[1] if known[1] else None),
    )  # fmt: skip
