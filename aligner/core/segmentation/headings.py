"""Headings: a short block (at most three lines, 15 words) that does not read as a sentence.

``Moral and Material Aid`` and a dateline ``PARIS, March 1938`` are headings; ``Help us!``
and a line of dialogue are not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aligner.core.segmentation.blocks import Block
from aligner.core.segmentation.cleaning import CLOSERS, FULL_WIDTH_ENDS, WHITESPACE_RUN, word_set
from aligner.core.segmentation.footnotes import text_without_markers
from aligner.core.types import FootnoteMarker

__all__ = ["HEADING_MAX_LINES", "HEADING_MAX_WORDS", "block_is_heading", "is_heading"]

HEADING_MAX_WORDS = 15
HEADING_MAX_LINES = 3
_WORDS_PREFIX = 2_000  # characters of a line read to tell that a block has too many words
_MINOR_WORDS = word_set(
    "a an the and or nor but of to in on at by for with from as into via vs "
    "de du des la le les et à au aux en un une pour par sur "
    "der die das und von zu im am mit für "
    "и в во на с со к о об от по для"
)


def block_is_heading(raw: str, block: Block, markers: Sequence[FootnoteMarker]) -> bool:
    """:func:`is_heading` of the block's clean lines, which are made only for a short block."""
    if len(block.lines) > HEADING_MAX_LINES or _more_words_than(
        raw, block, markers, HEADING_MAX_WORDS
    ):
        return False
    return is_heading([text_without_markers(raw, s, e, markers) for s, e in block.lines])


def _more_words_than(raw: str, block: Block, markers: Sequence[FootnoteMarker], most: int) -> bool:
    """Whether the block's clean text certainly has more than ``most`` words, judged by the
    start of each long line, cut at white space (a cut there splits no word or marker)."""
    words = 0
    for start, end in block.lines:
        cut = end
        if end - start > _WORDS_PREFIX:
            space = WHITESPACE_RUN.search(raw, start + _WORDS_PREFIX, end)
            cut = space.start() if space else end
        words += len(text_without_markers(raw, start, cut, markers).split())
    return words > most


def is_heading(lines: Sequence[str]) -> bool:
    """A short block that does not read as a sentence (``Moral and Material Aid``)."""
    if not lines or len(lines) > HEADING_MAX_LINES:
        return False
    if sum(len(line.split()) for line in lines) > HEADING_MAX_WORDS:
        return False
    return all(_heading_line(line) for line in lines)


def _heading_line(line: str) -> bool:
    """One line of a heading: no sentence punctuation at its end (closing quotes aside), no
    dialogue dash at its start, no inner ``? `` or ``! ``, no full-width ``。！？`` anywhere;
    ``!`` or ``?`` only in title case."""
    if line[:1] in "—–-" and line[1:2].isspace():
        return False  # a line of dialogue
    core = line.rstrip(CLOSERS + "«‹」』）》 ")
    if not core or core[-1] in ".,;:…—–-，；：、":
        return False
    if any(end in core for end in FULL_WIDTH_ENDS):
        return False  # Chinese or Japanese sentence punctuation, which needs no space after it
    if re.search(r"[!?…]\s", core):
        return False  # "Wie? Warum?", "Comment? Pourquoi?"
    if core[-1] in "!?":
        return _is_title_case(core)
    return True


def _is_title_case(text: str) -> bool:
    """``Need Our Help!`` is title case; ``Help us!`` and ``To work comrades!`` are not."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    cased = [w for w in words if w[0].isupper() or w[0].islower()]
    if len(words) < 2 or len(cased) < len(words):
        return False
    if not cased[0][0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in _MINOR_WORDS for w in cased)
