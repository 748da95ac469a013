"""Footnotes: the trailing blocks of numbered notes, and the markers that point to them.

A footnote line starts with its number (``[1] …``, ``1. …``, ``1) …``); the trailing run of
blocks made of such lines holds the footnotes.  In body text, ``[1]`` or a number glued to a
word (``Deception1``, ``River.3``) is a :class:`FootnoteMarker`, left out of segment texts.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aligner.core.segmentation.blocks import Block, BlockKind
from aligner.core.segmentation.cleaning import Span, clean_text, is_space, trim, word_set
from aligner.core.types import FootnoteMarker

__all__ = [
    "FootnoteLine",
    "find_markers",
    "mark_trailing_footnotes",
    "markers_in",
    "parse_footnote_line",
    "text_without_markers",
]

_FOOTNOTE_BRACKET = re.compile(r"\[(?P<number>\d{1,3})\]")
_FOOTNOTE_DOTTED = re.compile(r"(?P<number>\d{1,3})[.)](?=\s)")
_NOTES_TITLE = re.compile(
    r"(?:(?:foot|end)?notes?|примечания|сноски|notes du traducteur|anmerkungen|fußnoten|הערות)"
    r"\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FootnoteLine:
    number: str
    bracketed: bool
    body_start: int  # offset of the footnote's text (after the number), into raw


def parse_footnote_line(raw: str, line: Span) -> FootnoteLine | None:
    """Recognise ``[1] text``, ``1. text`` or ``1) text`` at the start of a line."""
    start, end = line
    for pattern, bracketed in ((_FOOTNOTE_BRACKET, True), (_FOOTNOTE_DOTTED, False)):
        match = pattern.match(raw, start, end)
        if match:
            body_start, _ = trim(raw, match.end(), end)
            if body_start == end:
                body_start = start  # a bare number: keep it as the text
            return FootnoteLine(match.group("number"), bracketed, body_start)
    return None


def _is_footnote_block(raw: str, block: Block) -> bool:
    return parse_footnote_line(raw, block.lines[0]) is not None


def mark_trailing_footnotes(raw: str, blocks: Sequence[Block], kinds: list[BlockKind]) -> None:
    """Mark the trailing run of footnote blocks (before any trailing notes) as footnotes.

    The numbers must not decrease.  A run written as ``1. …`` is a numbered list rather than
    footnotes when nothing precedes it or when the block before it ends with a colon (unless
    that block is a title such as ``Notes:``).
    """
    last = len(blocks)
    while last > 0 and kinds[last - 1] == "note":
        last -= 1
    first = last
    while first > 0 and kinds[first - 1] == "body" and _is_footnote_block(raw, blocks[first - 1]):
        first -= 1
    if first == last:
        return
    lines = [
        parsed
        for block in blocks[first:last]
        for line in block.lines
        if (parsed := parse_footnote_line(raw, line)) is not None
    ]
    numbers = [int(f.number) for f in lines]
    if numbers != sorted(numbers):
        return
    if not all(f.bracketed for f in lines):
        before = [b for b, k in zip(blocks[:first], kinds[:first], strict=True) if k == "body"]
        if not before:
            return
        last_text = raw[before[-1].start : before[-1].end]
        if last_text.endswith(":") and not _NOTES_TITLE.fullmatch(clean_text(last_text)):
            return
    for i in range(first, last):
        kinds[i] = "footnote"


# --------------------------------------------------------------------------------------------
# Footnote markers in body text
# --------------------------------------------------------------------------------------------

_BRACKET_MARKER = re.compile(r"\[(\d{1,3})\]")
# 1-3 digits glued to a letter or to closing punctuation (not to a digit: 2.4, 19.4.2007),
# and not followed by a letter or digit (802.11n, 1st).
_GLUED_MARKER = re.compile(r"(?:(?<=[^\W\d_])|(?<=[.,;:”’»)])(?<!\d[.,;:]))(\d{1,3})(?![\w>])")
# "Vol.4", "No.4", "pp.137" are references, not footnote markers.
_NOT_BEFORE_MARKER = word_set("vol no nos nr p pp ch chap art fig t s")


def find_markers(raw: str, blocks: Iterable[Block]) -> list[FootnoteMarker]:
    """Footnote markers in body blocks, in reading order.

    ``[n]`` is a marker anywhere but at the start of a line (where it labels a note).  A glued
    number is one only when it continues the sequence of markers found so far (1, 2, 3 …),
    which keeps years, percentages and ``CPSU(b)`` out.
    """
    markers: list[FootnoteMarker] = []
    highest = 0
    for block in blocks:
        for match in _marker_candidates(raw, block.start, block.end):
            number = int(match.group(1))
            if match.group(0).startswith("[") and _starts_line(raw, match.start()):
                continue
            if match.group(0).startswith("[") or (
                number == highest + 1 and not _after_reference_word(raw, match.start())
            ):
                markers.append(FootnoteMarker(match.group(1), match.start(), match.end()))
                highest = max(highest, number)
    return markers


def _marker_candidates(raw: str, start: int, end: int) -> list[re.Match[str]]:
    found = [*_BRACKET_MARKER.finditer(raw, start, end), *_GLUED_MARKER.finditer(raw, start, end)]
    found.sort(key=lambda m: m.start())
    kept: list[re.Match[str]] = []
    for match in found:  # "[12]" also holds a glued-looking "12": keep the bracket
        if kept and match.start() < kept[-1].end():
            continue
        kept.append(match)
    return kept


def _starts_line(raw: str, pos: int) -> bool:
    """Whether only whitespace stands between the line's start and ``pos``."""
    while pos > 0 and raw[pos - 1] not in "\r\n":
        pos -= 1
        if not is_space(raw[pos]):
            return False
    return True


def _after_reference_word(raw: str, pos: int) -> bool:
    """True for ``Vol.4``, ``No.4``, ``pp.137``: a number after an abbreviation and a dot."""
    if pos == 0 or raw[pos - 1] != ".":
        return False
    word = re.search(r"([^\W\d_]+)\.$", raw[max(0, pos - 8) : pos])
    return word is not None and word.group(1).lower() in _NOT_BEFORE_MARKER


def markers_in(markers: Sequence[FootnoteMarker], start: int, end: int) -> list[FootnoteMarker]:
    starts = [m.start for m in markers]
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_left(starts, end)
    return [m for m in markers[lo:hi] if m.end <= end]


def text_without_markers(raw: str, start: int, end: int, markers: Sequence[FootnoteMarker]) -> str:
    """``clean_text`` of ``raw[start:end]`` with the markers inside it cut out."""
    parts: list[str] = []
    pos = start
    for marker in markers_in(markers, start, end):
        parts.append(raw[pos : marker.start])
        pos = marker.end
    parts.append(raw[pos:end])
    return clean_text("".join(parts))
