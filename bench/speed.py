"""Seconds per 1,000 sentences of the whole pipeline, and its ratio to embedding them once.

Usage: python bench/speed.py [--novel Candide] [--textberg 0-6]

Reads ../shared/data (Text+Berg de-fr test documents, one TransRead en-fr novel) and aligns
each document with ``aligner.core.pipeline.align_texts`` and the bundled default model, with a
fresh encoder and no embedding cache.  The floor is the time a fresh encoder takes to embed
every sentence of the document once; the ratio says how much the pipeline costs beyond it
(more embedding passes, such as re-embedded concatenations, and the search).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, replace

from _common import (
    GoldPair,
    TimedEmbedder,
    embed_and_align,
    print_header,
    print_row,
    textberg_pair,
    transread_novels,
)

from aligner.core.encoders import Encoder, load_encoder


@dataclass(frozen=True)
class Timing:
    once: float  # embedding every sentence once
    total: float  # align_texts, embedding included
    embedding: float  # of which embedding
    texts: int  # texts align_texts embedded


def documents(textberg: range, novel: str) -> list[GoldPair]:
    """The Text+Berg test documents asked for, then the novel (if it is not empty)."""
    pairs = [textberg_pair(f"test{k}") for k in textberg]
    found = [replace(pair, name=f"Text+Berg {pair.name}") for pair in pairs]
    if novel:
        found += [replace(n, name=f"TransRead {n.name}") for n in transread_novels(novel)]
    return found


def fresh_encoder() -> Encoder:
    """A newly loaded default encoder, run once on a short text so loading is not timed."""
    encoder = load_encoder()
    encoder.encode(["Bonjour."])
    return encoder


def measure(document: GoldPair) -> Timing:
    embedder = TimedEmbedder(fresh_encoder())
    embedder(document.src)
    embedder(document.tgt)
    encoder = fresh_encoder()
    started = time.perf_counter()
    timed = embed_and_align(encoder, document.src, document.tgt)
    total = time.perf_counter() - started
    return Timing(embedder.seconds, total, timed.embed_seconds, timed.embedded_texts)


def _row(name: str, sentences: int, timing: Timing) -> None:
    print_row(
        name, f"{sentences:,}", f"{timing.once:.1f}", f"{timing.total:.1f}",
        f"{timing.embedding:.1f}", f"{timing.texts:,}", f"{1000 * timing.total / sentences:.1f}",
        f"{timing.total / timing.once:.2f}",
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--novel", default="Candide", help="TransRead novel ('' for none)")
    parser.add_argument("--textberg", default="0-6", help="test documents: 0-6, 2, or '' (none)")
    args = parser.parse_args()
    first, _, last = args.textberg.partition("-")
    textberg = range(int(first), int(last or first) + 1) if first else range(0)
    found = documents(textberg, args.novel)
    print_header(
        "document", "sentences", "embed once s", "align_texts s", "of which embedding s",
        "texts embedded", "s per 1,000 sentences", "ratio to embed once",
    )  # fmt: skip
    sum_once = sum_total = sum_embedding = 0.0
    sum_sentences = sum_texts = 0
    for document in found:
        timing = measure(document)
        sentences = len(document.src) + len(document.tgt)
        _row(document.name, sentences, timing)
        sum_once, sum_total = sum_once + timing.once, sum_total + timing.total
        sum_embedding, sum_texts = sum_embedding + timing.embedding, sum_texts + timing.texts
        sum_sentences += sentences
    _row("all", sum_sentences, Timing(sum_once, sum_total, sum_embedding, sum_texts))


if __name__ == "__main__":
    main()
