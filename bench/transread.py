"""Strict and lax F1 of aligner.core.dp on the five TransRead novels (en-fr, cesAlign gold).

Usage: python bench/transread.py   (reads ../shared/data/transread; prints a table)
"""

from __future__ import annotations

from _common import embed_and_align, print_header, print_row, transread_novels

from aligner.core.encoders import load_encoder
from aligner.core.evaluation import Counts, count, scores


def main() -> None:
    novels = list(transread_novels())
    encoder = load_encoder()
    print_header("novel", "en", "fr", "strict F1", "lax F1", "embed s", "search s")
    total = Counts()
    for novel in novels:
        timed = embed_and_align(encoder, novel.src, novel.tgt, novel.paragraphs)
        counts = count(novel.gold, timed.beads)
        total = total + counts
        result = scores(counts)
        print_row(
            novel.name, len(novel.src), len(novel.tgt), f"{result.strict_f1:.3f}",
            f"{result.lax_f1:.3f}", f"{timed.embed_seconds:.1f}", f"{timed.search_seconds:.1f}",
        )  # fmt: skip
    result = scores(total)
    print_row("all (micro)", "", "", f"{result.strict_f1:.3f}", f"{result.lax_f1:.3f}", "", "")


if __name__ == "__main__":
    main()
