"""Which reader a file is for: the one place ``aligner import FILE`` asks.

Two kinds of file come in.  A parallel format (TMX, TEI) is read whole into a
:class:`ParallelDocument`, a work with its versions and alignments; it is told by its suffix.
Any other file is one version of a work, a monolingual document: plain text, HTML, EPUB, DOCX,
ODT, PDF, Markdown, SRT or WebVTT, whose format is sniffed from its content (the suffix breaks
ties among texts) by :mod:`aligner.formats.documents` and read by :mod:`.monolingual`.  The two
kinds stay apart because what a file holds decides what the import does with it: a work with its
alignments, or the text of one version.  ``--format`` forces either.

Adding a parallel format is a reader module and one line in :data:`FORMATS`; a document format
is a reader in :mod:`aligner.formats.documents` and a line in its registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aligner.errors import InputError
from aligner.formats.documents import FORMATS as DOCUMENT_FORMATS
from aligner.formats.model import ParallelDocument
from aligner.formats.tei_import import read_tei
from aligner.formats.tmx_import import read_tmx_document


@dataclass(frozen=True)
class FileFormat:
    """A format: its name (as stored revisions record where they came from), the file name
    suffixes that are its (lower case), and its reader; ``read`` is None for a monolingual
    document (plain text and the other document formats)."""

    name: str
    suffixes: tuple[str, ...]
    read: Callable[[Path], ParallelDocument] | None

    @property
    def parallel(self) -> bool:
        """Whether a file of this format holds a whole work with its alignments."""
        return self.read is not None


FORMATS = (
    FileFormat("tmx", (".tmx",), read_tmx_document),
    FileFormat("tei", (".xml", ".tei"), read_tei),
)
# A monolingual document: its format is sniffed from its bytes when it is read.
PLAIN_TEXT = FileFormat("text", (), None)
FORMAT_NAMES = (*(found.name for found in FORMATS), *DOCUMENT_FORMATS)


def format_for(path: Path, forced: str | None = None) -> FileFormat:
    """The format of ``path``: ``forced`` when given (one of :data:`FORMAT_NAMES`), else by
    its suffix; a monolingual document (:data:`PLAIN_TEXT`, or the forced document format)
    when no parallel format claims it."""
    if forced is not None:
        check_format_name(forced)
        parallel = next((found for found in FORMATS if found.name == forced), None)
        return parallel or FileFormat(forced, (), None)
    suffix = path.suffix.lower()
    return next((found for found in FORMATS if suffix in found.suffixes), PLAIN_TEXT)


def check_format_name(name: str) -> None:
    """Refuse a ``--format`` that names no format."""
    if name not in FORMAT_NAMES:
        raise InputError(f"--format {name!r}: not a format; use one of {', '.join(FORMAT_NAMES)}")
