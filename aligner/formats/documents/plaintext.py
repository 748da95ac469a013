"""Plain text: the paragraph convention detected, Project Gutenberg's apparatus set aside.

Conventions (:func:`detect_convention`):

* ``blank``: paragraphs separated by blank lines; line breaks inside one are kept (verse);
* ``line``: one paragraph per line (few blank lines), as in the bilinguator texts, whose
  ``<h1>Title</h1>`` lines are headings, ``<delimiter>`` a line break and whose first line,
  before the title, is the author;
* ``wrapped``: hard-wrapped lines (most lines stop mid-sentence at a similar width); a
  paragraph ends at a blank line, or, where there are none, before an indented line or after
  a short line that ends a sentence; its lines are joined with spaces.

Headings, apparatus lines (``Written: …``) and trailing ``[1] …`` footnotes are recognised
as :func:`aligner.core.segmentation.segment_text` recognises them.  Between Project
Gutenberg's ``*** START OF …`` and ``*** END OF …`` lines is the text; what precedes is a
note (its ``Title:``, ``Author:``, ``Translator:``, ``Language:`` and ``Release date:`` go to
metadata) and what follows, the licence, is a note labelled ``licence``.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from collections.abc import Sequence
from typing import Literal

from aligner.core.segmentation import segment_text
from aligner.core.types import FootnoteMarker
from aligner.formats.document import Document, DocumentBuilder, Inline, Marker
from aligner.formats.documents.lines import join_lines, vocabulary
from aligner.formats.documents.textcodec import decode_text

Convention = Literal["blank", "line", "wrapped"]
_GUTENBERG_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_GUTENBERG_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG.*$", re.I | re.M)
_GUTENBERG_FIELDS = {"title": "title", "author": "author", "translator": "translator",
                     "language": "language", "release date": "date"}  # fmt: skip
_TAGGED_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.I)
_DELIMITER = "<delimiter>"
_INLINE_TAG = re.compile(r"</?(?:i|b|em|strong|u|sup|sub|small)>", re.I)
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]]$")
GUTENBERG_HEADER = "Project Gutenberg header"
LICENCE = "licence"
# How much of a text decides its layout: the start of a book shows its convention.
LAYOUT_SAMPLE = 200_000


def read(raw: bytes, name: str) -> Document:
    text = decode_text(raw, name).replace("\r\n", "\n").replace("\r", "\n")
    builder = DocumentBuilder("text")
    start, end = _GUTENBERG_START.search(text), _GUTENBERG_END.search(text)
    body = text
    if start is not None:
        header = text[: start.start()]
        _gutenberg_metadata(builder, header)
        builder.add("note", header, label=GUTENBERG_HEADER)
        body = text[
            start.end() : end.start() if end is not None and end.start() > start.end() else None
        ]
    lines = body.split("\n")
    convention = detect_convention(lines)
    builder.set_metadata("paragraphs", convention)
    paragraphs = _paragraphs(lines, convention)
    _add_paragraphs(builder, paragraphs, convention)
    if start is not None and end is not None and end.start() > start.end():
        builder.add("note", text[end.start() :], label=LICENCE)
    return builder.build()


def needs_structure(text: str) -> bool:
    """Whether the plain-text importer's blank-line blocks would miss ``text``'s paragraphs: a
    Project Gutenberg book, one paragraph per line, or hard-wrapped lines with (almost) no blank
    lines between paragraphs.  The first :data:`LAYOUT_SAMPLE` characters decide."""
    head = text[:LAYOUT_SAMPLE].replace("\r\n", "\n").replace("\r", "\n")
    if _GUTENBERG_START.search(head):
        return True
    lines = head.split("\n")
    if len(text) > LAYOUT_SAMPLE:
        lines.pop()  # cut inside a line
    convention = detect_convention(lines)
    blank = sum(1 for line in lines if not line.strip())
    return convention == "line" or (convention == "wrapped" and blank < 0.05 * len(lines))


def detect_convention(lines: Sequence[str]) -> Convention:
    """How paragraphs are laid out in ``lines`` (see the module's docstring)."""
    nonblank = [line.rstrip() for line in lines if line.strip()]
    if not nonblank:
        return "blank"
    blocks = sum(
        1 for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1].strip())
    )
    followed = [
        line.rstrip() for line, after in itertools.pairwise(lines)
        if line.strip() and after.strip()
    ]  # fmt: skip
    widths = sorted(len(line) for line in nonblank)
    p90 = widths[int(0.9 * (len(widths) - 1))]
    open_ends = sum(1 for line in followed if not _SENTENCE_END.search(line))
    if (
        len(followed) >= 3
        and open_ends >= 0.5 * len(followed)
        and p90 <= 100
        and statistics.median(widths) >= 0.5 * p90
    ):
        return "wrapped"
    if blocks >= 0.3 * len(nonblank):
        return "blank"
    return "line"


def _paragraphs(lines: Sequence[str], convention: Convention) -> list[list[str]]:
    """Each paragraph as its lines (stripped of the right, indentation kept)."""
    if convention == "line":
        return [part for line in lines if line.strip() for part in _split_tagged(line.strip())]
    paragraphs: list[list[str]] = []
    current: list[str] = []
    few_blanks = convention == "wrapped" and sum(1 for line in lines if not line.strip()) < (
        0.05 * len(lines)
    )
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append(current)
            current = []
            continue
        if few_blanks and current and _starts_paragraph(current[-1], line, lines):
            paragraphs.append(current)
            current = []
        current.append(line.rstrip())
    if current:
        paragraphs.append(current)
    return paragraphs


def _split_tagged(line: str) -> list[list[str]]:
    """``<h1>Le Nez</h1><delimiter>Traduit du russe …``: the heading, then the rest."""
    match = _TAGGED_HEADING.match(line)
    if match is None or match.end() == len(line):
        return [[line]]
    rest = line[match.end() :].removeprefix(_DELIMITER).strip()
    return [[match.group()], [rest]] if rest else [[match.group()]]


def _starts_paragraph(previous: str, line: str, lines: Sequence[str]) -> bool:
    indent = len(line) - len(line.lstrip())
    previous_indent = len(previous) - len(previous.lstrip())
    if indent > previous_indent:
        return True
    width = max(len(x.rstrip()) for x in lines)
    return bool(_SENTENCE_END.search(previous)) and len(previous.rstrip()) < 0.75 * width


def _add_paragraphs(
    builder: DocumentBuilder, paragraphs: list[list[str]], convention: Convention
) -> None:
    """Classify the paragraphs with the plain-text segmenter's rules, then add them as blocks.

    The paragraphs are laid out one per blank-line block and given to
    :func:`aligner.core.segmentation.segment_text` (whole paragraphs), so that headings, apparatus
    notes, citations, trailing footnotes and footnote markers are found exactly as in a
    plain-text import; tagged headings and a bilinguator author line are decided here.
    """
    words = vocabulary(line for lines in paragraphs for line in lines)
    texts: list[str] = []
    forced: dict[int, tuple[str, str, int | None]] = {}  # index -> (kind, label, level)
    markup = any(_TAGGED_HEADING.match(lines[0].strip()) for lines in paragraphs)
    for position, lines in enumerate(paragraphs):
        stripped = [line.strip().replace(_DELIMITER, "\n") for line in lines]
        if markup:  # the bilinguator's inline tags (<i>…</i>) are markup, not text
            stripped = [_INLINE_TAG.sub("", line) for line in stripped]
        index = len(texts)
        tagged = _TAGGED_HEADING.fullmatch(stripped[0]) if len(stripped) == 1 else None
        if tagged:
            stripped = [tagged.group(2)]
            forced[index] = ("heading", "", int(tagged.group(1)))
            builder.set_metadata("title", tagged.group(2))
        elif position == 0 and len(paragraphs) > 1 and _is_author_line(stripped, paragraphs[1]):
            forced[index] = ("note", "author", None)
            builder.set_metadata("author", stripped[0])
        joined = join_lines(stripped, words) if convention == "wrapped" else "\n".join(stripped)
        joined = "\n".join(line.strip() for line in joined.split("\n") if line.strip())
        if joined:  # segment_text numbers non-empty blocks only: keep the indices in step
            texts.append(joined)
        else:
            forced.pop(index, None)
    raw = "\n\n".join(texts)
    segmentation = segment_text(raw, "und", unit="paragraph")
    markers = list(segmentation.footnote_markers)
    for segment in segmentation.segments:
        kind, label, level = forced.get(segment.paragraph, (segment.kind, segment.label, None))
        if segment.kind == "note":
            kind, label = "note", segment.label if segment.paragraph not in forced else label
        runs = _with_markers(raw, segment.start, segment.end, markers)
        if kind == "heading":
            builder.add("heading", runs, level=level or 1)
        elif kind in ("note", "footnote"):
            builder.add("note" if kind == "note" else "footnote", runs, label=label)
        else:
            builder.add("paragraph", runs)
    for key, value in segmentation.metadata.items():
        builder.set_metadata(key, value)


def _is_author_line(first: list[str], following: list[str]) -> bool:
    """``Николай Васильевич Гоголь`` before ``<h1>Нос</h1>``."""
    return (
        len(first) == 1
        and len(first[0].split()) <= 6
        and not _SENTENCE_END.search(first[0])
        and len(following) == 1
        and _TAGGED_HEADING.fullmatch(following[0].strip()) is not None
    )


def _with_markers(raw: str, start: int, end: int, markers: list[FootnoteMarker]) -> list[Inline]:
    runs: list[Inline] = []
    pos = start
    first = bisect.bisect_left([m.start for m in markers], start) if markers else 0
    for marker in markers[first:]:
        if marker.start >= end:
            break
        if marker.end <= end:
            runs.append(raw[pos : marker.start])
            runs.append(Marker(marker.number))
            pos = marker.end
    runs.append(raw[pos:end])
    return runs


def _gutenberg_metadata(builder: DocumentBuilder, header: str) -> None:
    for line in header.splitlines():
        key, _, value = line.partition(":")
        field = _GUTENBERG_FIELDS.get(key.strip().lower())
        if field and value.strip():
            builder.set_metadata(field, value.strip())
