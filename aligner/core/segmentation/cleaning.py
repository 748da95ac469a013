"""Clean text and the character classes every stage of segmentation shares.

:func:`clean_text` is what a segment's text is: NFC, one space for each run of white space.
The other stages work on offsets into the raw text, as :data:`Span` pairs that
:func:`trim` keeps free of white space at either end.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "CLOSERS",
    "FULL_WIDTH_ENDS",
    "OPENERS",
    "WHITESPACE_RUN",
    "Span",
    "clean_text",
    "is_space",
    "trim",
    "word_set",
]

Span = tuple[int, int]

WHITESPACE_RUN = re.compile(r"\s+")
_BOM = "\ufeff"
_CLEAN_STRETCH = 1 << 16
# Closing and opening quotes and brackets: they stay with the sentence they close or open.
CLOSERS = "\"'”’“‘»›)]"
OPENERS = "\"'“‘„«‹([¿¡—–-"
# Chinese and Japanese sentence ends, written with no space after them.
FULL_WIDTH_ENDS = "。！？｡"


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``: how the word lists below are written."""
    return frozenset(text.split())


def clean_text(s: str) -> str:
    """Return ``s`` in NFC with every whitespace run turned into one space, stripped.

    Whitespace is anything Unicode calls so (newlines, tabs, U+00A0, U+202F, U+2009, …); a
    stray byte order mark is dropped.  Everything else (curly quotes, ѣ, niqqud) is kept.
    """
    normal = unicodedata.normalize("NFC", s).replace(_BOM, "")
    if len(normal) <= _CLEAN_STRETCH:
        return WHITESPACE_RUN.sub(" ", normal).strip()
    # A long text a stretch at a time, each ending after a whole run of white space, so that
    # re.sub never holds a piece for every word of a book at once.
    parts, start = [], 0
    while start < len(normal):
        space = WHITESPACE_RUN.search(normal, start + _CLEAN_STRETCH)
        end = space.end() if space else len(normal)
        parts.append(WHITESPACE_RUN.sub(" ", normal[start:end]))
        start = end
    return "".join(parts).strip()


def is_space(ch: str) -> bool:
    """White space as :func:`clean_text` drops it: Unicode's, and a stray byte order mark."""
    return ch.isspace() or ch == _BOM


def trim(text: str, start: int, end: int) -> Span:
    """Shrink ``[start, end)`` so that it neither starts nor ends with whitespace."""
    while start < end and is_space(text[start]):
        start += 1
    while end > start and is_space(text[end - 1]):
        end -= 1
    return start, end
