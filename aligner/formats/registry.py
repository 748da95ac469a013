"""Which reader a file is for, by its suffix: the one place ``aligner import FILE`` asks.

A parallel format (TMX, TEI) is read whole into a :class:`ParallelDocument`, a work with its
versions and alignments; any other file is plain text, one version of a work, which the corpus
import reads and segments itself.  Adding a format is a reader module and one line in
:data:`FORMATS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aligner.formats.model import ParallelDocument
from aligner.formats.tei_import import read_tei
from aligner.formats.tmx_import import read_tmx_document


@dataclass(frozen=True)
class FileFormat:
    """A format: its name (as stored revisions record where they came from), the file name
    suffixes that are its (lower case), and its reader; ``read`` is None for plain text."""

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
PLAIN_TEXT = FileFormat("text", (), None)


def format_for(path: Path) -> FileFormat:
    """The format of ``path`` by its suffix; plain text when no format claims it."""
    suffix = path.suffix.lower()
    return next((found for found in FORMATS if suffix in found.suffixes), PLAIN_TEXT)
