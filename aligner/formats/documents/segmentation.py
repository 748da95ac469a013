"""Segments from a document's known structure instead of blank-line heuristics.

Each block is one unit of :class:`aligner.core.types.Segment` numbering (``paragraph`` = block
index): headings, footnotes (labelled with their number) and notes (labelled with their field)
are kept whole; paragraphs are cut into sentences by
:func:`aligner.core.segmentation.split_sentences` (or kept whole with ``unit="paragraph"``); a
block marked ``whole`` (a subtitle cue) is one sentence labelled with its timing.  Offsets are
into :attr:`Document.text`; segment texts are :func:`aligner.core.segmentation.clean_text`
with footnote markers left out.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from aligner.core.segmentation import RULES_VERSION, clean_text, split_sentences
from aligner.core.segmentation.sentences import SPLITTER, SPLITTER_VERSION
from aligner.core.types import FootnoteMarker, Segment, Segmentation, SegmentUnit
from aligner.errors import InputError
from aligner.formats.document import Block, Document

STRUCTURE = "document"


def document_segmentation(
    document: Document, lang: str, *, unit: SegmentUnit = "sentence"
) -> Segmentation:
    """The segments of ``document`` in language ``lang`` (a BCP 47 tag)."""
    if unit not in ("sentence", "paragraph"):
        raise InputError(f"unknown segment unit {unit!r} (use 'sentence' or 'paragraph')")
    text = document.text
    markers = _Markers(document.markers)
    segments: list[Segment] = []
    for index, block in enumerate(document.blocks):
        if block.kind == "paragraph" and unit == "sentence" and not block.whole:
            segments.extend(_sentences(text, block, index, lang, markers))
            continue
        kind = "sentence" if block.kind == "paragraph" and block.whole else block.kind
        body = _without_markers(text, block.start, block.end, markers)
        if body:
            segments.append(Segment(kind, index, 0, block.start, block.end, body, block.label))
    return Segmentation(
        segments=tuple(segments),
        metadata=dict(document.metadata),
        footnote_markers=document.markers,
        settings={
            "unit": unit,
            "lang": lang,
            "splitter": SPLITTER,
            "splitter_version": SPLITTER_VERSION,
            "rules": RULES_VERSION,
            "structure": STRUCTURE,
            "format": document.format,
        },
    )


class _Markers:
    """Footnote markers sorted by offset, looked up by span."""

    def __init__(self, markers: Sequence[FootnoteMarker]) -> None:
        self.markers = list(markers)
        self.starts = [m.start for m in self.markers]

    def within(self, start: int, end: int) -> list[FootnoteMarker]:
        lo = bisect.bisect_left(self.starts, start)
        hi = bisect.bisect_left(self.starts, end)
        return [m for m in self.markers[lo:hi] if m.end <= end]


def _sentences(text: str, block: Block, index: int, lang: str, markers: _Markers) -> list[Segment]:
    inside = _Markers(markers.within(block.start, block.end))
    chars = list(text[block.start : block.end])
    for marker in inside.markers:  # read as spaces by the splitter, so "River.3 Next" still cuts
        chars[marker.start - block.start : marker.end - block.start] = " " * (
            marker.end - marker.start
        )
    segments: list[Segment] = []
    for start, end in split_sentences("".join(chars), lang):
        a, b = start + block.start, end + block.start
        body = _without_markers(text, a, b, inside)
        if body:
            segments.append(Segment("sentence", index, len(segments), a, b, body, block.label))
    return segments


def _without_markers(text: str, start: int, end: int, markers: _Markers) -> str:
    parts: list[str] = []
    pos = start
    for marker in markers.within(start, end):
        parts.append(text[pos : marker.start])
        pos = marker.end
    parts.append(text[pos:end])
    return clean_text("".join(parts))
