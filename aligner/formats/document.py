"""A document as extracted from a file of any format, in plain values (no database).

The extracted ``text`` is the blocks' texts joined with one blank line (``"\\n\\n"``); each
:class:`Block` says what its stretch of that text is (heading, paragraph, footnote, note) by
its span.  Inside a block ``"\\n"`` is a real line break (a ``<br>`` in verse, a subtitle's
second line) and never two in a row, so the join is unambiguous and the same bytes always give
the same text and offsets.  Footnote references in body text (``<a href="#n1">1</a>``, a
``<w:footnoteReference>``) are kept in the text as their number and recorded as markers, so
that segments can leave them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from aligner.core.types import FootnoteMarker

BlockKind = Literal["heading", "paragraph", "footnote", "note"]
BLOCK_SEPARATOR = "\n\n"
_ASCII_SPACE = frozenset(" \t\n\r\f\v")
# Only ASCII white space is collapsed: a no-break space (U+00A0, U+202F) is text, kept as is.
_TOKEN = re.compile(r"[^ \t\n\r\f\v]+|[ \t\n\r\f\v]+")


@dataclass(frozen=True)
class Block:
    """One structural unit: ``text[start:end]`` of its document.

    ``label`` is the footnote's number, a note's field name (``Written``, ``licence``) or a
    subtitle cue's timing (``00:01:02,500 --> 00:01:04,000``); ``level`` a heading's level
    (1 for a title or chapter).  ``whole`` blocks are never cut into sentences (a subtitle cue).
    """

    kind: BlockKind
    start: int
    end: int
    label: str | None = None
    level: int | None = None
    whole: bool = False


@dataclass(frozen=True)
class Document:
    """What a reader extracted from one file."""

    text: str
    blocks: tuple[Block, ...]
    format: str
    metadata: dict[str, str] = field(default_factory=dict)
    markers: tuple[FootnoteMarker, ...] = ()
    warnings: tuple[str, ...] = ()

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]

    def texts(self, *kinds: BlockKind) -> list[str]:
        """The texts of the blocks of the given kinds (all kinds when none is given)."""
        return [self.block_text(b) for b in self.blocks if not kinds or b.kind in kinds]


@dataclass(frozen=True)
class Marker:
    """A footnote reference inside a run of inline text: its number as printed."""

    number: str


Inline = str | Marker


class DocumentBuilder:
    """Collects blocks in reading order and lays out the extracted text."""

    def __init__(self, format_name: str) -> None:
        self.format = format_name
        self.metadata: dict[str, str] = {}
        self.warnings: list[str] = []
        self._parts: list[str] = []
        self._length = 0
        self._blocks: list[Block] = []
        self._markers: list[FootnoteMarker] = []

    def __len__(self) -> int:
        return len(self._blocks)

    def add(
        self,
        kind: BlockKind,
        content: Inline | Sequence[Inline],
        *,
        label: str | None = None,
        level: int | None = None,
        whole: bool = False,
    ) -> bool:
        """Add a block; whitespace is collapsed (``"\\n"`` kept as a line break).

        An empty block is skipped; returns whether the block was added.
        """
        runs: Sequence[Inline] = [content] if isinstance(content, str | Marker) else content
        text, markers = normalise(runs)
        if not text:
            return False
        offset = self._length + (len(BLOCK_SEPARATOR) if self._parts else 0)
        if self._parts:
            self._parts.append(BLOCK_SEPARATOR)
        self._parts.append(text)
        self._length = offset + len(text)
        self._blocks.append(Block(kind, offset, self._length, label, level, whole))
        self._markers.extend(
            FootnoteMarker(number, start + offset, end + offset) for number, start, end in markers
        )
        return True

    def set_metadata(self, key: str, value: str | None) -> None:
        """Record ``key`` once (the first value found wins), whitespace collapsed."""
        if value is None:
            return
        value = " ".join(value.split())
        if value and key not in self.metadata:
            self.metadata[key] = value

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def build(self) -> Document:
        return Document(
            text="".join(self._parts),
            blocks=tuple(self._blocks),
            format=self.format,
            metadata=dict(self.metadata),
            markers=tuple(self._markers),
            warnings=tuple(self.warnings),
        )


def normalise(runs: Iterable[Inline]) -> tuple[str, list[tuple[str, int, int]]]:
    """Join inline runs into one block text and the spans of the markers in it.

    Every whitespace run becomes one space, or one ``"\\n"`` if it holds a line break; the
    text is stripped.  A marker is written as its number.
    """
    out: list[str] = []
    markers: list[tuple[str, int, int]] = []
    pending = ""  # whitespace waiting to be written: "", " " or "\n"
    length = 0

    def emit(piece: str) -> None:
        nonlocal pending, length
        if pending and out:
            out.append(pending)
            length += 1
        pending = ""
        out.append(piece)
        length += len(piece)

    for run in runs:
        if isinstance(run, Marker):
            number = run.number.strip()
            if number:
                emit(number)
                markers.append((number, length - len(number), length))
            continue
        for match in _TOKEN.finditer(run.replace("\ufeff", "")):
            token = match.group()
            if token[0] not in _ASCII_SPACE:
                emit(token)
            elif "\n" in token or "\r" in token:
                pending = "\n"
            elif not pending:
                pending = " "
    return "".join(out), markers
