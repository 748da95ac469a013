"""What the benchmarks share: where the data is, its gold readers, timed and cached embedding,
and the Markdown tables they print.

The data is ``../shared/data`` (beside the repository): FLORES-200 devtest, the TransRead
novels (cesAlign), Text+Berg (ladder gold) and Bilinguator.  A benchmark asks for a folder of
it with :func:`data_folder`, which stops with one line when it is absent.

Only the standard library is imported here at module level: ``bench/splitters.py`` runs under
any Python that has the splitter libraries, without aligner's dependencies.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aligner.core.dp import Vectors
    from aligner.core.encoders import Encoder
    from aligner.core.types import Bead

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SHARED_DATA = SHARED / "data"
CORPORA = REPO / "corpora"
# Embeddings and vectors that take minutes to compute, kept between runs.
BENCH_CACHE = REPO.parent / "bench-data"
# FLORES-200 devtest files by language, English first (FLORES was translated from English).
FLORES_FILES = {
    "en": "eng_Latn",
    "yi": "ydd_Hebr",
    "fr": "fra_Latn",
    "ru": "rus_Cyrl",
    "de": "deu_Latn",
}
Paragraphs = tuple[list[int] | None, list[int] | None]


def data_folder(*parts: str) -> Path:
    """The folder ``../shared/data/PARTS``; stops the benchmark with one line when absent."""
    folder = SHARED_DATA.joinpath(*parts)
    if not folder.is_dir():
        raise SystemExit(f"{folder} is absent: this benchmark needs ../shared/data")
    return folder


# --- the data and its gold ----------------------------------------------------------------------


def read_lines(path: Path) -> list[str]:
    """The lines of a one-sentence-a-line UTF-8 file."""
    return path.read_text("utf-8").splitlines()


def flores_lines(language: str) -> list[str]:
    """The 1,012 FLORES-200 devtest sentences of a language of :data:`FLORES_FILES`."""
    return read_lines(data_folder("flores") / f"{FLORES_FILES[language]}.devtest")


@dataclass(frozen=True)
class GoldPair:
    """Two sides of one document, sentence by sentence, and the gold beads between them."""

    name: str
    src: list[str]
    tgt: list[str]
    gold: list[Bead]
    paragraphs: Paragraphs = (None, None)


def textberg_pair(name: str) -> GoldPair:
    """A Text+Berg document (``dev``, ``test0`` … ``test6``): de and fr lines, ladder gold."""
    from aligner.formats.ladder import read_ladder

    folder = data_folder("textberg")
    src, tgt = read_lines(folder / f"{name}.de"), read_lines(folder / f"{name}.fr")
    return GoldPair(name, src, tgt, read_ladder(folder / f"{name}.defr"))


def transread_novels(only: str | None = None) -> Iterator[GoldPair]:
    """The TransRead novels (or the one named): en and fr sentences, cesAlign gold, and the
    paragraph numbers their sentence ids give."""
    from aligner.formats.cesalign import read_cesalign, read_sentences

    folders = sorted(p for p in data_folder("transread").iterdir() if p.name.endswith("_EN-FR"))
    names = [folder.name.removesuffix("_EN-FR") for folder in folders]
    if only is not None and only not in names:
        raise SystemExit(f"no TransRead novel {only!r}: one of {', '.join(names)}")
    for folder, name in zip(folders, names, strict=True):
        if only is not None and name != only:
            continue
        src_ids, src = read_sentences(folder / f"cut_{name}_en.xml")
        tgt_ids, tgt = read_sentences(folder / f"cut_{name}_fr.xml")
        gold = read_cesalign(folder / f"{name}_sent_align_en-fr.xml", src_ids, tgt_ids)
        paragraphs = (paragraphs_from_ids(src_ids), paragraphs_from_ids(tgt_ids))
        yield GoldPair(name, src, tgt, gold, paragraphs)


def paragraphs_from_ids(ids: Sequence[str]) -> list[int] | None:
    """Paragraph numbers from TransRead sentence ids ("12.3": paragraph 12), if all have one."""
    heads = [sentence_id.split(".")[0] for sentence_id in ids]
    return [int(head) for head in heads] if all(h.isdigit() for h in heads) else None


# --- aligning, with the time spent embedding apart ----------------------------------------------


@dataclass(frozen=True)
class TimedAlignment:
    beads: list[Bead]
    embed_seconds: float
    search_seconds: float
    embedded_texts: int


class TimedEmbedder:
    """An embedding function that adds up the time and texts it spends."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.seconds = 0.0
        self.texts = 0

    def __call__(self, texts: Sequence[str]) -> Vectors:
        started = time.perf_counter()
        vectors = self.encoder.encode(texts)
        self.seconds += time.perf_counter() - started
        self.texts += len(texts)
        return vectors


def embed_and_align(
    encoder: Encoder,
    src: list[str],
    tgt: list[str],
    paragraphs: Paragraphs = (None, None),
) -> TimedAlignment:
    """Align with the full pipeline (:func:`aligner.core.pipeline.align_texts`)."""
    from aligner.core.dp import AlignParams
    from aligner.core.pipeline import align_texts

    embedder = TimedEmbedder(encoder)
    started = time.perf_counter()
    beads = align_texts(src, tgt, embedder, AlignParams(), paragraphs=paragraphs)
    total = time.perf_counter() - started
    return TimedAlignment(beads, embedder.seconds, total - embedder.seconds, embedder.texts)


class CachedEmbedder:
    """Embeds through aligner's own embedding cache in a SQLite file, so reruns embed nothing."""

    def __init__(self, encoder: Encoder, path: Path) -> None:
        from aligner.store.session import Database

        self.encoder = encoder
        self.database = Database(f"sqlite:///{path}")
        self.database.ensure_ready(create=True)

    def __call__(self, texts: Sequence[str]) -> Vectors:
        from aligner.store.vectors import cached_embeddings

        with self.database.session() as session:
            return cached_embeddings(session, self.encoder, texts).vectors


# --- tables -------------------------------------------------------------------------------------


def print_header(*columns: str) -> None:
    """The head of a Markdown table: the column names and the rule under them."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))


def print_row(*cells: object) -> None:
    """One row of a Markdown table (an empty cell is written ``| |``), flushed at once."""
    print("|" + "|".join(f" {cell} " if cell != "" else " " for cell in cells) + "|", flush=True)
