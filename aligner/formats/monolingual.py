"""One version's file read for import, whatever its format: its bytes, kept verbatim, and the
text its segments' offsets point into.

Plain text whose paragraphs are separated by blank lines is read as it always was
(:mod:`aligner.formats.text`: the decoded file is the text, cut by
:func:`aligner.core.segmentation.segment_text`).  Every other file, and plain text laid out
otherwise (one paragraph per line, hard-wrapped lines without blank lines, a Project Gutenberg
book), is read by its document reader (:mod:`aligner.formats.documents`): the text is the
extracted one, cut along the structure the reader found.  Which of the two is decided by the
bytes alone (and ``--format``), so the same file always gives the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from aligner.core.segmentation import segment_text
from aligner.core.types import Segmentation, SegmentUnit
from aligner.errors import InputError
from aligner.formats.document import Document
from aligner.formats.documents import detect_format, read_document
from aligner.formats.documents.plaintext import needs_structure
from aligner.formats.documents.segmentation import document_segmentation
from aligner.formats.text import (
    TextFile,
    decode_text_file,
    max_text_bytes,
    read_regular_file,
    shown_path,
)

# Formats whose bytes are not text: ``show --raw`` describes them rather than print them.
BINARY_FORMATS = ("epub", "docx", "odt", "pdf")
BINARY_ENCODING = "binary"
# Suffixes that promise a document: their refusals stand (a plain-text reading would only
# add a second, less telling, message).
_DOCUMENT_SUFFIXES = (".epub", ".docx", ".odt", ".pdf", ".htm", ".html", ".xhtml")
_ENCODING_LENGTH = 20  # SourceDocument.encoding


@dataclass(frozen=True)
class MonolingualFile:
    """``file.raw`` is the file's bytes; ``file.text`` the text segments point into (the
    extracted text of a document); ``document`` what its reader found, None for plain text
    segmented by the blank-line rules."""

    file: TextFile
    format: str
    document: Document | None

    @property
    def warnings(self) -> tuple[str, ...]:
        return () if self.document is None else self.document.warnings

    def segment(self, body: str, lang: str, unit: SegmentUnit) -> Segmentation:
        """The segments of ``body`` (the file's text or, for plain text, a stretch of it)."""
        if self.document is None:
            return segment_text(body, lang, unit=unit)
        return document_segmentation(self.document, lang, unit=unit)


def read_monolingual(path: Path, forced: str | None = None) -> MonolingualFile:
    """Read ``path`` as one version's text, in ``forced`` format or the one its bytes show."""
    raw = read_regular_file(path, max_text_bytes())
    name = shown_path(path)
    chosen = forced or _sniffed(raw, name)
    encoding = BINARY_ENCODING if chosen in BINARY_FORMATS else None
    if chosen == "text":
        file = decode_text_file(path, raw)
        if not needs_structure(file.text):
            return MonolingualFile(file, "text", None)
        encoding = file.encoding
    document = read_document(raw, name, format=chosen)
    encoding = encoding or document.metadata.get("encoding", "utf-8")[:_ENCODING_LENGTH]
    return MonolingualFile(TextFile(path, raw, document.text, encoding), chosen, document)


def plain_reading(source: MonolingualFile) -> MonolingualFile | None:
    """``source`` read by the blank-line rules, when it is plain text read as a document (one
    paragraph a line …): the reading an earlier version of aligner stored; None otherwise."""
    if source.format != "text" or source.document is None:
        return None
    return MonolingualFile(decode_text_file(source.file.path, source.file.raw), "text", None)


def _sniffed(raw: bytes, name: str) -> str:
    """The format ``raw`` shows; plain text when it shows none, so that what is not text is
    refused by the plain-text rules, as it always was."""
    try:
        return detect_format(raw, name)
    except InputError:
        promised = PurePath(name).suffix.lower() in _DOCUMENT_SUFFIXES
        if promised or raw.startswith((b"PK\x03\x04", b"%PDF-")):
            raise
        return "text"
