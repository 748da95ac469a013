"""Transcription apparatus: ``Written: …``-style note lines, site navigation, citations.

A block whose first line is apparatus is a block of notes; the value of each known field
goes to :attr:`aligner.core.types.Segmentation.metadata` under its key.  A paragraph headed by
a citation of where it was printed (``From New International, Vol.4 …``) gives that line as a
note too.  :func:`parse_note_line` and :func:`metadata_value` serve any reader of apparatus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aligner.core.segmentation.cleaning import word_set

__all__ = [
    "CITATION",
    "NAVIGATION",
    "NoteLine",
    "is_citation_line",
    "is_navigation",
    "metadata_value",
    "parse_note_line",
]

# Field name as found (lower case, single spaces) -> metadata key.
_NOTE_FIELDS: dict[str, str] = {
    "written": "written",
    "first published": "first_published",
    "first-published": "first_published",
    "published": "published",
    "first printed": "first_published",
    "source": "source",
    "original source": "source",
    "translated": "translated",
    "translated by": "translated",
    "translation": "translated",
    "translator": "translated",
    "transcribed": "transcribed",
    "transcribed by": "transcribed",
    "transcribed & marked up": "transcribed",
    "transcribed and marked up": "transcribed",
    "transcription": "transcribed",
    "transcription/markup": "transcribed",
    "transcription & markup": "transcribed",
    "transcription/html markup": "transcribed",
    "html markup": "markup",
    "markup": "markup",
    "marked up": "markup",
    "proofread": "proofread",
    "proofread by": "proofread",
    "proofreading": "proofread",
    "proofed": "proofread",
    "copyleft": "copyleft",
    "copyright": "copyright",
    "public domain": "public_domain",
    "last updated": "last_updated",
    "last updated on": "last_updated",
    "online version": "online_version",
    "delivered": "delivered",
}
_NOTE_LINE = re.compile(r"(?P<label>[A-Za-z][A-Za-z &/-]{0,40}?)\s*:(?P<value>.*)", re.DOTALL)
_NAVIGATION_WORDS = word_set(
    "return back next previous prev index contents top home up to archive main"
)
_NAVIGATION_KEY = word_set("return back next previous prev top home")
NAVIGATION = "navigation"
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class NoteLine:
    label: str  # the field name as written, or "navigation"
    key: str | None  # metadata key, None for navigation


def parse_note_line(line: str) -> NoteLine | None:
    """Recognise an apparatus line (``Written: …``) or a navigation line."""
    match = _NOTE_LINE.fullmatch(line)
    if match:
        label = " ".join(match.group("label").split())
        key = _NOTE_FIELDS.get(label.lower())
        if key is not None:
            return NoteLine(label, key)
    if is_navigation(line):
        return NoteLine(NAVIGATION, None)
    return None


def is_navigation(line: str) -> bool:
    """``return return return``, ``Next | Previous | Index``: words of site navigation only."""
    # Word by word, stopping at the first other word: a line may be a whole book long.
    count, first, has_key = 0, "", False
    for match in _LETTERS.finditer(line.lower()):
        word = match.group()
        if word not in _NAVIGATION_WORDS:
            return False
        first = first or word
        count += 1
        has_key = has_key or word in _NAVIGATION_KEY
    if not count or re.search(r"[^\w\s|·•<>«»\[\]()/-]", line):
        return False
    return first == "return" if count == 1 else has_key


def metadata_value(value: str) -> str:
    """The value of a field as stored in metadata: its final full stop dropped."""
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1].rstrip()
    return value


# "From New International, Vol.4 No.4, May 1938, pp.137-139." heading a paragraph: a citation
# of where the text was printed, not the author's words.
_CITATION_LINE = re.compile(
    r"From\s+(?:the\s+)?[A-Z][^,\n]{0,80},\s*Vol\.?\s*[\dIVXLC]+\b.*", re.IGNORECASE
)
CITATION = "From"


def is_citation_line(line: str) -> bool:
    """``From New International, Vol.4 No.4, May 1938, pp.137-139.``"""
    return _CITATION_LINE.fullmatch(line) is not None
