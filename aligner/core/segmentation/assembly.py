"""Segment a raw text: cut it into blocks, classify them and turn each into segments.

The raw text is split into *blocks* at blank lines.  Each block is one of:

* **note**: transcription apparatus (``Written: …``, ``First Published: …``, ``Source: …``,
  ``Copyleft: …``, navigation such as ``return return return``); one note per line, and the
  values go to :attr:`Segmentation.metadata` (:mod:`.apparatus`);
* **footnote**: the trailing run of blocks whose lines start with a footnote number
  (``[1] …``, ``1. …``, ``1) …``); one footnote per numbered line, labelled with the number
  (:mod:`.footnotes`);
* **heading**: a short block (at most three lines, 15 words) that does not read as a
  sentence, e.g. ``Moral and Material Aid`` or a dateline ``PARIS, March 1938``
  (:mod:`.headings`);
* **paragraph**: everything else; cut into sentences (``unit="sentence"``, :mod:`.sentences`)
  or kept whole.

Footnote references in body text (``[1]``, or a number glued to a word, ``Deception1``,
``River.3``) are recorded as :class:`FootnoteMarker` and left out of segment texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aligner.core.segmentation.apparatus import (
    CITATION,
    is_citation_line,
    metadata_value,
    parse_note_line,
)
from aligner.core.segmentation.blocks import Block, BlockKind, split_blocks
from aligner.core.segmentation.cleaning import Span, clean_text
from aligner.core.segmentation.footnotes import (
    find_markers,
    mark_trailing_footnotes,
    markers_in,
    parse_footnote_line,
    text_without_markers,
)
from aligner.core.segmentation.headings import block_is_heading
from aligner.core.segmentation.sentences import (
    SPLITTER,
    SPLITTER_VERSION,
    base_language,
    split_masked,
)
from aligner.core.types import FootnoteMarker, Segment, Segmentation, SegmentKind, SegmentUnit
from aligner.errors import InputError

__all__ = ["RULES_VERSION", "presplit_segments", "segment_text"]

# Bump when a rule of segmentation changes what it produces for the same input.
RULES_VERSION = "1"


@dataclass
class _Result:
    """Segments and metadata collected while walking the blocks."""

    segments: list[Segment]
    metadata: dict[str, str]


def segment_text(raw: str, lang: str, *, unit: SegmentUnit = "sentence") -> Segmentation:
    """Segment ``raw`` (a decoded text) written in language ``lang`` (a BCP 47 tag).

    ``unit`` is ``"sentence"`` (body paragraphs are cut into sentences) or ``"paragraph"``
    (each body paragraph is one segment).  The result is the same for the same ``raw``,
    ``lang``, ``unit`` and :attr:`Segmentation.settings`.
    """
    if unit not in ("sentence", "paragraph"):
        raise InputError(f"unknown segment unit {unit!r} (use 'sentence' or 'paragraph')")
    base = base_language(lang)
    blocks = [Block(i, tuple(lines)) for i, lines in enumerate(split_blocks(raw))]
    kinds = _classify(raw, blocks)
    markers = find_markers(raw, [b for b, k in zip(blocks, kinds, strict=True) if k == "body"])
    result = _Result([], {})
    for block, kind in zip(blocks, kinds, strict=True):
        if kind == "note":
            _add_notes(raw, block, result)
        elif kind == "footnote":
            _add_footnotes(raw, block, result)
        else:
            _add_body(raw, block, base, unit, markers, result)
    return Segmentation(
        segments=tuple(result.segments),
        metadata=result.metadata,
        footnote_markers=tuple(markers),
        settings=_settings(lang, unit),
    )


def _settings(lang: str, unit: str) -> dict[str, str]:
    return {
        "unit": unit,
        "lang": lang,
        "splitter": SPLITTER,
        "splitter_version": SPLITTER_VERSION,
        "rules": RULES_VERSION,
    }


def _classify(raw: str, blocks: Sequence[Block]) -> list[BlockKind]:
    """Notes first (a block whose first line is apparatus), then the trailing footnotes."""
    kinds: list[BlockKind] = [
        "note" if parse_note_line(raw[slice(*b.lines[0])]) else "body" for b in blocks
    ]
    mark_trailing_footnotes(raw, blocks, kinds)
    return kinds


def _group_lines(block: Block, starts_item: Iterable[bool]) -> list[tuple[Span, Span]]:
    """Fold lines that do not start an item into the item before: (first line, whole span)."""
    groups: list[tuple[Span, Span]] = []
    for line, starts in zip(block.lines, starts_item, strict=True):
        if starts or not groups:
            groups.append((line, line))
        else:
            first, whole = groups[-1]
            groups[-1] = (first, (whole[0], line[1]))
    return groups


def _add_notes(raw: str, block: Block, result: _Result) -> None:
    """One note per apparatus line (a line that is not one continues the note before)."""
    starts = [parse_note_line(raw[slice(*line)]) is not None for line in block.lines]
    for number, (first, (start, end)) in enumerate(_group_lines(block, starts)):
        note = parse_note_line(raw[slice(*first)])
        assert note is not None  # the first line of a block of notes is a note
        if note.key is not None and note.key not in result.metadata:
            value = clean_text(raw[start:end].split(":", 1)[1])
            if value:
                result.metadata[note.key] = metadata_value(value)
        text = clean_text(raw[start:end])
        result.segments.append(Segment("note", block.index, number, start, end, text, note.label))


def _add_footnotes(raw: str, block: Block, result: _Result) -> None:
    """One footnote per numbered line; its span and text leave the number out (see label)."""
    starts = [parse_footnote_line(raw, line) is not None for line in block.lines]
    for number, (first, (_, end)) in enumerate(_group_lines(block, starts)):
        footnote = parse_footnote_line(raw, first)
        assert footnote is not None  # a footnote block starts with a numbered line
        start = footnote.body_start
        result.segments.append(
            Segment(
                "footnote", block.index, number, start, end, clean_text(raw[start:end]),
                footnote.number,
            )
        )  # fmt: skip


def _split_citation(raw: str, block: Block, result: _Result) -> Block:
    """Store a leading citation line as a note; return what is left of the block."""
    start, end = block.lines[0]
    if len(block.lines) < 2 or not is_citation_line(raw[start:end]):
        return block
    text = clean_text(raw[start:end])
    result.metadata.setdefault("source", metadata_value(text.split(None, 1)[1]))
    result.segments.append(Segment("note", block.index, 0, start, end, text, CITATION))
    return Block(block.index, block.lines[1:])


def _add_body(
    raw: str,
    whole_block: Block,
    base: str,
    unit: SegmentUnit,
    markers: Sequence[FootnoteMarker],
    result: _Result,
) -> None:
    """A heading, a whole paragraph, or the sentences of a paragraph."""
    block = _split_citation(raw, whole_block, result)
    first_number = len(whole_block.lines) - len(block.lines)
    kind: SegmentKind
    if block_is_heading(raw, block, markers):
        kind = "heading"
    elif unit == "paragraph":
        kind = "paragraph"
    else:
        _add_sentences(raw, block, base, markers, result, first_number)
        return
    text = text_without_markers(raw, block.start, block.end, markers)
    result.segments.append(Segment(kind, block.index, first_number, block.start, block.end, text))


def _add_sentences(
    raw: str,
    block: Block,
    base: str,
    markers: Sequence[FootnoteMarker],
    result: _Result,
    first_number: int = 0,
) -> None:
    offset = block.start
    inside = markers_in(markers, block.start, block.end)
    masks = [(m.start - offset, m.end - offset) for m in inside]
    spans = split_masked(raw[block.start : block.end], base, masks)
    for number, (start, end) in enumerate(spans):
        a, b = start + offset, end + offset
        text = text_without_markers(raw, a, b, inside)
        result.segments.append(Segment("sentence", block.index, first_number + number, a, b, text))


def presplit_segments(raw: str) -> Segmentation:
    """Segments of an already split text: each non-blank line is one sentence.

    ``paragraph`` is the index of the line's block (blocks are separated by blank lines) and
    ``sentence`` the line's place in it; blank lines are skipped.  Offsets are into ``raw``.
    """
    segments = [
        Segment("sentence", index, number, start, end, clean_text(raw[start:end]))
        for index, lines in enumerate(split_blocks(raw))
        for number, (start, end) in enumerate(lines)
    ]
    return Segmentation(
        segments=tuple(segments),
        settings={"unit": "sentence", "splitter": "presplit", "rules": RULES_VERSION},
    )
