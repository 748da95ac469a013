"""PDF text layers (pdfminer.six layout analysis).

Lines come in pdfminer's reading order.  On top of it: running headers and footers (a line in
the top or bottom tenth of the page that recurs, digits aside, on at least half the pages) and
bare page numbers are removed; a paragraph ends at a line that stops short of the right margin
or at a vertical gap, and continues across a page break when it did not end a sentence; a word
hyphenated at a line's end is joined; lines set larger than the body text are headings; lines
set smaller at the bottom of a page that start with a number are footnotes, and small raised
digits in body text are their markers.  A PDF with no text layer is refused: it needs OCR.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
import struct
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from aligner.errors import InputError
from aligner.formats.document import Document, DocumentBuilder, Inline, Marker
from aligner.formats.documents.lines import line_join
from aligner.formats.documents.lines import vocabulary as words_of

MARGIN_SHARE = 0.1
HEADING_RATIO = 1.15
FOOTNOTE_RATIO = 0.88
_PAGE_NUMBER = re.compile(r"(?:page\s+)?[-–—(\[]?\s*(?:\d{1,4}|[ivxlcdm]{1,7})\s*[-–—)\]]?", re.I)
_FOOTNOTE_START = re.compile(r"(\d{1,3}|[*†‡])[.)]?\s+")
_SENTENCE_END = re.compile(r"[.!?…:;\"'”’»)\]]$")


# What pdfminer raises on a damaged file, besides its own errors (PSException and subclasses).
_DAMAGED: tuple[type[BaseException], ...] = (
    ValueError, KeyError, TypeError, AssertionError, IndexError, AttributeError, struct.error,
    zlib.error, RecursionError, EOFError,
)  # fmt: skip


@dataclass
class _Line:
    page: int
    top: float  # distance from the page's top edge
    bottom: float
    x0: float
    x1: float
    size: float
    runs: list[Inline]

    @property
    def text(self) -> str:
        return "".join(r if isinstance(r, str) else r.number for r in self.runs).strip()


def read(raw: bytes, name: str) -> Document:
    pages = _pages(raw, name)
    lines = [line for page in pages for line in page]
    if sum(len(line.text) for line in lines) < 20 * max(1, len(pages)) ** 0.5:
        raise InputError(f"{name}: the PDF has no text layer (a scanned PDF?): OCR it first")
    body_size = _body_size(lines)
    kept = _drop_running_lines(pages)
    builder = DocumentBuilder("pdf")
    _metadata(raw, builder)
    _layout(builder, kept, body_size)
    return builder.build()


def _pages(raw: bytes, name: str) -> list[list[_Line]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer, LTTextLine
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.psexceptions import PSException

    damaged: tuple[type[BaseException], ...] = (PSException, *_DAMAGED)

    pages: list[list[_Line]] = []
    try:
        for number, page in enumerate(extract_pages(io.BytesIO(raw), laparams=LAParams())):
            lines: list[_Line] = []
            for box in page:
                if isinstance(box, LTTextContainer):
                    for line in box:
                        if isinstance(line, LTTextLine):
                            made = _line(number, page.height, line)
                            if made is not None:
                                lines.append(made)
            pages.append(lines)
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise InputError(f"{name}: the PDF is encrypted (a password is needed); refused") from exc
    except damaged as exc:
        raise InputError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not pages:
        raise InputError(f"{name}: the PDF has no pages")
    return pages


def _line(page_number: int, height: float, line: object) -> _Line | None:
    from pdfminer.layout import LTChar, LTTextLine

    assert isinstance(line, LTTextLine)
    chars = [c for c in line if isinstance(c, LTChar)]
    if not chars:
        return None
    size = statistics.median(c.size for c in chars)
    runs: list[Inline] = []
    for item in line:
        text = item.get_text()
        if (
            isinstance(item, LTChar)
            and text.isdigit()
            and item.size < 0.8 * size
            and (item.y0 > line.y0 + 0.25 * size)
        ):
            if runs and isinstance(runs[-1], Marker):
                runs[-1] = Marker(runs[-1].number + text)
            else:
                runs.append(Marker(text))
        else:
            runs.append(text)
    return _Line(page_number, height - line.y1, height - line.y0, line.x0, line.x1, size, runs)


def _body_size(lines: Iterable[_Line]) -> float:
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    return weights.most_common(1)[0][0] if weights else 10.0


def _in_margin(line: _Line, page_height: float) -> bool:
    return line.top < MARGIN_SHARE * page_height or line.bottom > (1 - MARGIN_SHARE) * page_height


def _drop_running_lines(pages: list[list[_Line]]) -> list[list[_Line]]:
    """Pages without running headers, footers and page numbers."""
    height = max((line.bottom for page in pages for line in page), default=1.0) / (1 - 0.02)
    recurring: Counter[str] = Counter()
    for page in pages:
        keys = {_shape(line.text) for line in page if _in_margin(line, height)}
        recurring.update(keys)
    threshold = max(3, len(pages) // 2)
    running = {key for key, count in recurring.items() if count >= threshold}
    kept: list[list[_Line]] = []
    for page in pages:
        kept.append([
            line for line in page
            if not (_in_margin(line, height) and (
                _shape(line.text) in running or _PAGE_NUMBER.fullmatch(line.text)
            ))
        ])  # fmt: skip
    return kept


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).lower())


@dataclass
class _Paragraph:
    kind: str  # "paragraph", "heading" or "footnote"
    lines: list[_Line]
    label: str | None = None


def _layout(builder: DocumentBuilder, pages: list[list[_Line]], body_size: float) -> None:
    paragraphs: list[_Paragraph] = []
    footnotes: list[_Paragraph] = []
    vocabulary = words_of(line.text for page in pages for line in page)
    ends = sorted(line.x1 for page in pages for line in page)
    right = ends[int(0.9 * (len(ends) - 1))] if ends else 0.0
    for page in pages:
        previous: _Line | None = None
        beside = _side_by_side(page)
        for line in page:
            kind = _kind(line, body_size)
            if kind == "footnote":
                _add_footnote_line(footnotes, line)
                continue
            current = paragraphs[-1] if paragraphs else None
            if (
                current is not None
                and id(line) not in beside
                and id(current.lines[-1]) not in beside
                and _continues(current, previous, line, kind, right, body_size)
            ):
                current.lines.append(line)
            else:
                paragraphs.append(_Paragraph(kind, [line]))
            previous = line
    sizes = sorted({round(p.lines[0].size) for p in paragraphs if p.kind == "heading"})[::-1]
    for paragraph in paragraphs:
        if paragraph.kind == "heading":
            level = sizes.index(round(paragraph.lines[0].size)) + 1
            builder.add("heading", _join_lines(paragraph.lines, vocabulary), level=level)
        else:
            builder.add("paragraph", _join_lines(paragraph.lines, vocabulary))
    for note in footnotes:
        builder.add("footnote", _join_lines(note.lines, vocabulary), label=note.label)


def _side_by_side(page: list[_Line]) -> set[int]:
    """Lines that share their height on the page with another line: table cells, or text
    beside a figure.  Each is a paragraph of its own."""
    found: set[int] = set()
    ordered = sorted(page, key=lambda line: line.top)
    for first, second in itertools.pairwise(ordered):
        overlap = min(first.bottom, second.bottom) - max(first.top, second.top)
        if overlap > 0.5 * min(first.size, second.size) and (
            first.x1 <= second.x0 or second.x1 <= first.x0
        ):
            found.update((id(first), id(second)))
    return found


def _kind(line: _Line, body_size: float) -> str:
    if line.size >= HEADING_RATIO * body_size:
        return "heading"
    if line.size <= FOOTNOTE_RATIO * body_size:
        return "footnote"
    return "paragraph"


def _add_footnote_line(footnotes: list[_Paragraph], line: _Line) -> None:
    text = line.text
    match = _FOOTNOTE_START.match(text)
    if match:
        number = match.group(1)
        runs = _strip_label(line.runs, match.end())
        footnotes.append(_Paragraph("footnote", [_replace_runs(line, runs)], number))
    elif footnotes and footnotes[-1].lines[-1].page == line.page:
        footnotes[-1].lines.append(line)
    else:
        footnotes.append(_Paragraph("footnote", [line], None))


def _strip_label(runs: list[Inline], length: int) -> list[Inline]:
    """``runs`` without their first ``length`` characters (a footnote's own number)."""
    out: list[Inline] = []
    full = "".join(_run_text(run) for run in runs)
    skip = length + len(full) - len(full.lstrip())
    for run in runs:
        text = _run_text(run)
        if skip >= len(text):
            skip -= len(text)
            continue
        out.append(text[skip:] if skip else run)
        skip = 0
    return out


def _run_text(run: Inline) -> str:
    return run if isinstance(run, str) else run.number


def _replace_runs(line: _Line, runs: list[Inline]) -> _Line:
    return _Line(line.page, line.top, line.bottom, line.x0, line.x1, line.size, runs)


def _continues(
    paragraph: _Paragraph, previous: _Line | None, line: _Line, kind: str, right: float, size: float
) -> bool:
    """Whether ``line`` continues ``paragraph`` rather than starting a new block."""
    last = paragraph.lines[-1]
    if kind != paragraph.kind:
        return False
    if kind == "heading":
        return previous is not None and line.top - previous.bottom < line.size
    ends = _SENTENCE_END.search(last.text) is not None
    if previous is None:  # first line of a page: carry on a paragraph cut by the page break
        return not (ends and _stopped_short(last, line, right))
    if line.top - previous.bottom > 0.8 * size:  # a vertical gap
        return False
    if line.x0 > previous.x0 + 1.5 * size and ends:  # an indented first line
        return False
    return not (ends and _stopped_short(last, line, right))


def _stopped_short(last: _Line, following: _Line, right: float) -> bool:
    """Whether ``last`` ended before the margin by choice: the next line's first word would
    have fitted after it (the rule that also holds for ragged-right text)."""
    words = following.text.split()
    if not words:
        return True
    char_width = (last.x1 - last.x0) / max(len(last.text), 1)
    return right - last.x1 > (len(words[0]) + 1) * char_width


def _join_lines(lines: list[_Line], vocabulary: frozenset[str]) -> list[Inline]:
    runs: list[Inline] = []
    previous = ""
    for line in lines:
        text = line.text
        line_runs: list[Inline] = [r.rstrip("\n") if isinstance(r, str) else r for r in line.runs]
        if runs:
            join = line_join(previous, text, vocabulary)
            if join == "unhyphenate":
                _drop_last_char(runs)
            elif join == " ":
                runs.append(" ")
        runs.extend(line_runs)
        previous = text
    return runs


def _drop_last_char(runs: list[Inline]) -> None:
    """Remove the line-end hyphen: the last character of the last text run."""
    for index in range(len(runs) - 1, -1, -1):
        run = runs[index]
        if isinstance(run, str) and run.rstrip():
            runs[index] = run.rstrip()[:-1]
            return


def _metadata(raw: bytes, builder: DocumentBuilder) -> None:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1
    from pdfminer.psexceptions import PSException

    damaged: tuple[type[BaseException], ...] = (PSException, *_DAMAGED)
    from pdfminer.utils import decode_text

    try:
        document = PDFDocument(PDFParser(io.BytesIO(raw)))
    except damaged:
        return  # the text was read; metadata is a bonus
    for info in document.info:
        for field, key in (("Title", "title"), ("Author", "author"), ("CreationDate", "date")):
            value = resolve1(info.get(field))
            if isinstance(value, bytes):
                text = decode_text(value)
                date = re.match(r"D:(\d{4})(\d{2})(\d{2})", text)
                builder.set_metadata(key, "-".join(date.groups()) if date else text)
    lang = resolve1(document.catalog.get("Lang"))
    if isinstance(lang, bytes):
        builder.set_metadata("language", decode_text(lang))
