"""Stateless alignment of two files: read, segment, embed, align (the ``align-files`` contract)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aligner.core.dp import AlignParams
from aligner.core.encoders import Encoder
from aligner.core.languages import language_info_in
from aligner.core.pipeline import align_texts
from aligner.core.progress import Progress, as_report
from aligner.core.types import ALIGNED_KINDS, Bead
from aligner.errors import InputError
from aligner.formats.monolingual import read_monolingual
from aligner.formats.text import read_text_file


@dataclass(frozen=True)
class FileAlignment:
    src_sentences: list[str]
    tgt_sentences: list[str]
    beads: list[Bead]


@dataclass(frozen=True)
class Units:
    """The sentences to align from one file, with each one's paragraph number when known."""

    sentences: list[str]
    paragraphs: list[int] | None


def read_units(path: Path, lang: str, *, presplit: bool) -> Units:
    """One unit per line of a text file with ``presplit`` (no paragraphs known), else the
    segments of a file of any format ``aligner import`` reads."""
    info = language_info_in(str(path), lang)
    if presplit:
        lines = read_text_file(path).text.splitlines()
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                raise InputError(
                    f"{path}: line {number} is blank; "
                    "with --presplit every line must be one sentence"
                )
        return Units(lines, None)
    source = read_monolingual(path)
    segmentation = source.segment(source.file.text, info.tag, "sentence")
    segments = [s for s in segmentation.segments if s.kind in ALIGNED_KINDS]
    if not segments:
        raise InputError(f"{path}: no sentences to align (only notes)")
    return Units([s.text for s in segments], [s.paragraph for s in segments])


def align_files(
    src_path: Path,
    tgt_path: Path,
    src_lang: str,
    tgt_lang: str,
    encoder: Encoder,
    *,
    presplit: bool = False,
    params: AlignParams | None = None,
    progress: Progress = None,
) -> FileAlignment:
    """Align two text files (one sentence a line with ``presplit``); ``progress`` shows or
    reports each stage (see :mod:`aligner.core.progress`)."""
    src = read_units(src_path, src_lang, presplit=presplit)
    tgt = read_units(tgt_path, tgt_lang, presplit=presplit)
    beads = align_texts(
        src.sentences, tgt.sentences, encoder.encode, params or AlignParams(),
        paragraphs=(src.paragraphs, tgt.paragraphs), report=as_report(progress),
    )  # fmt: skip
    return FileAlignment(src.sentences, tgt.sentences, beads)
