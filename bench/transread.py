"""Strict and lax F1 of aligner.core.dp on the five TransRead novels (en-fr, cesAlign gold).

Usage: python bench/transread.py   (reads ../shared/data/transread; prints a table)
"""

from __future__ import annotations

from pathlib import Path

from _common import embed_and_align, paragraphs_from_ids

from aligner.core.encoders import load_encoder
from aligner.core.evaluation import Counts, count, scores
from aligner.formats.cesalign import read_cesalign, read_sentences

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "transread"


def main() -> None:
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: this benchmark needs ../shared/data")
    encoder = load_encoder()
    print("| novel | en | fr | strict F1 | lax F1 | embed s | search s |")
    print("|---|---|---|---|---|---|---|")
    total = Counts()
    for folder in sorted(p for p in DATA.iterdir() if p.name.endswith("_EN-FR")):
        name = folder.name.removesuffix("_EN-FR")
        src_ids, src = read_sentences(folder / f"cut_{name}_en.xml")
        tgt_ids, tgt = read_sentences(folder / f"cut_{name}_fr.xml")
        gold = read_cesalign(folder / f"{name}_sent_align_en-fr.xml", src_ids, tgt_ids)
        paragraphs = (paragraphs_from_ids(src_ids), paragraphs_from_ids(tgt_ids))
        timed = embed_and_align(encoder, src, tgt, paragraphs)
        counts = count(gold, timed.beads)
        total = total + counts
        result = scores(counts)
        print(
            f"| {name} | {len(src)} | {len(tgt)} | {result.strict_f1:.3f} | {result.lax_f1:.3f} "
            f"| {timed.embed_seconds:.1f} | {timed.search_seconds:.1f} |"
        )
    result = scores(total)
    print(f"| all (micro) | | | {result.strict_f1:.3f} | {result.lax_f1:.3f} | | |")


if __name__ == "__main__":
    main()
