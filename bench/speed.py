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
from dataclasses import dataclass
from pathlib import Path

from _common import TimedEmbedder, embed_and_align

from aligner.core.encoders import Encoder, load_encoder
from aligner.formats.cesalign import read_sentences

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class Document:
    name: str
    src: list[str]
    tgt: list[str]


@dataclass(frozen=True)
class Timing:
    once: float  # embedding every sentence once
    total: float  # align_texts, embedding included
    embedding: float  # of which embedding
    texts: int  # texts align_texts embedded


def documents(textberg: range, novel: str) -> list[Document]:
    """The Text+Berg test documents asked for, then the novel (if it is not empty)."""
    folder = DATA / "textberg"
    found = [
        Document(
            f"Text+Berg test{k}",
            (folder / f"test{k}.de").read_text("utf-8").splitlines(),
            (folder / f"test{k}.fr").read_text("utf-8").splitlines(),
        )
        for k in textberg
    ]
    if novel:
        book = DATA / "transread" / f"{novel}_EN-FR"
        _, src = read_sentences(book / f"cut_{novel}_en.xml")
        _, tgt = read_sentences(book / f"cut_{novel}_fr.xml")
        found.append(Document(f"TransRead {novel}", src, tgt))
    return found


def fresh_encoder() -> Encoder:
    """A newly loaded default encoder, run once on a short text so loading is not timed."""
    encoder = load_encoder()
    encoder.encode(["Bonjour."])
    return encoder


def measure(document: Document) -> Timing:
    embedder = TimedEmbedder(fresh_encoder())
    embedder(document.src)
    embedder(document.tgt)
    encoder = fresh_encoder()
    started = time.perf_counter()
    timed = embed_and_align(encoder, document.src, document.tgt)
    total = time.perf_counter() - started
    return Timing(embedder.seconds, total, timed.embed_seconds, timed.embedded_texts)


def _row(name: str, sentences: int, timing: Timing) -> str:
    return (
        f"| {name} | {sentences:,} | {timing.once:.1f} | {timing.total:.1f} "
        f"| {timing.embedding:.1f} | {timing.texts:,} "
        f"| {1000 * timing.total / sentences:.1f} | {timing.total / timing.once:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--novel", default="Candide", help="TransRead novel ('' for none)")
    parser.add_argument("--textberg", default="0-6", help="test documents: 0-6, 2, or '' (none)")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} is absent: this benchmark needs ../shared/data")
    first, _, last = args.textberg.partition("-")
    textberg = range(int(first), int(last or first) + 1) if first else range(0)
    print(
        "| document | sentences | embed once s | align_texts s | of which embedding s "
        "| texts embedded | s per 1,000 sentences | ratio to embed once |"
    )
    print("|---|---|---|---|---|---|---|---|")
    sum_once = sum_total = sum_embedding = 0.0
    sum_sentences = sum_texts = 0
    for document in documents(textberg, args.novel):
        timing = measure(document)
        sentences = len(document.src) + len(document.tgt)
        print(_row(document.name, sentences, timing), flush=True)
        sum_once, sum_total = sum_once + timing.once, sum_total + timing.total
        sum_embedding, sum_texts = sum_embedding + timing.embedding, sum_texts + timing.texts
        sum_sentences += sentences
    print(_row("all", sum_sentences, Timing(sum_once, sum_total, sum_embedding, sum_texts)))


if __name__ == "__main__":
    main()
