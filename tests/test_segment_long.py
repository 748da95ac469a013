"""aligner.core.segmentation on long texts: the memory-lean paths give what the whole-text ones
gave (clean_text a stretch at a time, navigation word by word, headings from a line's start)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.core.segmentation import clean_text
from aligner.core.segmentation.apparatus import _NAVIGATION_KEY, _NAVIGATION_WORDS, is_navigation
from aligner.core.segmentation.blocks import Block, split_blocks
from aligner.core.segmentation.footnotes import find_markers, text_without_markers
from aligner.core.segmentation.headings import block_is_heading, is_heading
from tests.test_segment import NBSP, NNBSP

LONG_PIECES = [
    " ", "  \n", "\n\n", "\t", NBSP, NNBSP, "\u2028", "\ufeff", "e\u0301", "word", "Written:",
    "return", "Next |", "[1]", "River.3", "Title", "— ", "Ünïcödé", "דער", "Вѣ", ".", "x" * 70,
]  # fmt: skip


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """A stretch of pieces repeated to at least 1, 20,000, 70,000 or 150,000 characters."""
    pieces = draw(st.lists(st.sampled_from(LONG_PIECES) | st.text(max_size=6), min_size=1))
    unit = "".join(pieces) or " "
    least = draw(st.sampled_from([1, 20_000, 70_000, 150_000]))
    return unit * (least // len(unit) + 1)


def whole_clean_text(s: str) -> str:
    """clean_text as it was: one re.sub over the whole text."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s).replace("\ufeff", "")).strip()


@settings(max_examples=60, deadline=None)
@given(text=long_texts())
def test_clean_text_of_a_long_text_is_the_whole_text_substitution(text: str) -> None:
    assert clean_text(text) == whole_clean_text(text)


def navigation_by_word_list(line: str) -> bool:
    """is_navigation as it was: every word of the line in a list."""
    words: list[str] = re.findall(r"[^\W\d_]+", line.lower())
    if not words or any(w not in _NAVIGATION_WORDS for w in words):
        return False
    if re.search(r"[^\w\s|·•<>«»\[\]()/-]", line):
        return False
    if len(words) == 1:
        return words[0] == "return"
    return any(w in _NAVIGATION_KEY for w in words)


@settings(max_examples=300, deadline=None)
@given(
    line=st.lists(
        st.sampled_from(["return", "Next", "|", "index", "top", "İ", "word", " ", "·", "1", "!"])
        | st.text(max_size=3),
        max_size=12,
    ).map(" ".join)
)
def test_navigation_lines_are_recognised_as_before(line: str) -> None:
    assert is_navigation(line) == navigation_by_word_list(line)


@settings(max_examples=80, deadline=None)
@given(text=long_texts() | st.text(max_size=300))
def test_a_long_block_is_judged_a_heading_as_before(text: str) -> None:
    """block_is_heading reads only the start of a long line: the same answer as cleaning all."""
    blocks = [Block(i, tuple(lines)) for i, lines in enumerate(split_blocks(text))]
    markers = find_markers(text, blocks)
    for block in blocks:
        lines = [text_without_markers(text, s, e, markers) for s, e in block.lines]
        assert block_is_heading(text, block, markers) == is_heading(lines)
