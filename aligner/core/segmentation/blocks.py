"""Lines and blocks: the raw text as runs of non-blank lines separated by blank lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from aligner.core.segmentation.cleaning import Span, trim

__all__ = ["Block", "BlockKind", "split_blocks"]

# What a block is: apparatus notes, footnotes, or body text (headings and paragraphs).
BlockKind = Literal["note", "footnote", "body"]

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_spans(raw: str) -> Iterator[Span | None]:
    """Every line of ``raw`` as its trimmed span, or None for a blank line.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; a line of whitespace only is blank.
    """
    pos = 0
    for match in _LINE_BREAK.finditer(raw):
        yield _nonblank(raw, pos, match.start())
        pos = match.end()
    yield _nonblank(raw, pos, len(raw))


def _nonblank(raw: str, start: int, end: int) -> Span | None:
    span = trim(raw, start, end)
    return span if span[0] < span[1] else None


def split_blocks(raw: str) -> list[list[Span]]:
    """Group the non-blank lines of ``raw`` into blocks separated by blank lines."""
    blocks: list[list[Span]] = []
    current: list[Span] = []
    for line in _line_spans(raw):
        if line is None:
            if current:
                blocks.append(current)
                current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


@dataclass(frozen=True)
class Block:
    """A run of non-blank lines between blank lines, with its place among all blocks."""

    index: int
    lines: tuple[Span, ...]

    @property
    def start(self) -> int:
        return self.lines[0][0]

    @property
    def end(self) -> int:
        return self.lines[-1][1]
