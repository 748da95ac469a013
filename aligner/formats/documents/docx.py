"""Word documents (DOCX; zipfile + the hardened XML parser).

Paragraphs in body order, table cells as paragraphs, headings from the paragraph style
(``Title``, ``Heading N`` or an outline level, following ``basedOn``), footnotes and endnotes
after the body in the order they are referenced (footnotes numbered 1, 2, …; endnotes i, ii, …
as Word shows them).  Tracked changes are resolved to the final text: insertions and moves
kept, deletions dropped, with a warning saying so.  Comments are dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from aligner.formats.document import Document, DocumentBuilder, Inline, Marker
from aligner.formats.documents.archive import Archive

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SKIPPED = frozenset(f"{W}{tag}" for tag in (
    "del", "moveFrom", "instrText", "delText", "delInstrText", "pPr", "rPr", "drawing", "pict",
    "object", "commentReference", "footnoteRef", "endnoteRef", "annotationRef", "fldChar",
    "sectPr", "tblPr", "trPr", "tcPr", "tblGrid",
)) | {"{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}  # fmt: skip
_CHANGES = frozenset(f"{W}{tag}" for tag in ("ins", "del", "moveFrom", "moveTo"))
_REPORTED = frozenset((f"{W}del", f"{W}moveFrom", f"{W}commentReference"))
_CORE = {"title": "title", "creator": "author", "language": "language", "created": "date"}
TRACKED_CHANGES = "tracked changes resolved to the final text (insertions kept, deletions dropped)"
COMMENTS_DROPPED = "comments dropped"


@dataclass
class _Notes:
    """Footnotes or endnotes: bodies by id, and the ids in the order they are referenced."""

    bodies: dict[str, etree._Element]
    numbering: str  # "decimal" or "roman"
    order: list[str] = field(default_factory=list)

    def number(self, note_id: str) -> str:
        if note_id not in self.order:
            self.order.append(note_id)
        index = self.order.index(note_id) + 1
        return str(index) if self.numbering == "decimal" else _roman(index)


def _roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):  # fmt: skip
        while number >= value:
            out += letters
            number -= value
    return out


@dataclass
class _Reader:
    builder: DocumentBuilder
    styles: dict[str, tuple[int | None, str | None]]  # style id -> (heading level, basedOn)
    footnotes: _Notes
    endnotes: _Notes

    def heading_level(self, paragraph: etree._Element) -> int | None:
        outline = paragraph.find(f"{W}pPr/{W}outlineLvl")
        if outline is not None:
            return int(outline.get(f"{W}val", "0")) + 1
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        style_id = style.get(f"{W}val") if style is not None else None
        seen: set[str] = set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            level, based_on = self.styles.get(style_id, (None, None))
            if level is not None:
                return level
            style_id = based_on
        return None

    def runs(self, paragraph: etree._Element) -> list[Inline]:
        out: list[Inline] = []
        for element in _content(paragraph):
            tag = element.tag
            if tag == f"{W}t":
                out.append(element.text or "")
            elif tag in (f"{W}tab", f"{W}ptab"):
                out.append(" ")
            elif tag in (f"{W}br", f"{W}cr"):
                out.append("\n")
            elif tag == f"{W}noBreakHyphen":
                out.append("-")
            elif tag == f"{W}footnoteReference":
                out.append(Marker(self.footnotes.number(element.get(f"{W}id", ""))))
            elif tag == f"{W}endnoteReference":
                out.append(Marker(self.endnotes.number(element.get(f"{W}id", ""))))
            elif tag in _CHANGES:
                self.builder.warn(TRACKED_CHANGES)
            elif tag == f"{W}commentReference":
                self.builder.warn(COMMENTS_DROPPED)
        return out

    def blocks(self, container: etree._Element, footnote: str | None = None) -> None:
        """Add the paragraphs of ``container``: body text, or the footnote so numbered."""
        for paragraph in _paragraphs(container):
            runs = self.runs(paragraph)
            if footnote is not None:
                self.builder.add("footnote", runs, label=footnote)
                continue
            level = self.heading_level(paragraph)
            if level is not None:
                self.builder.add("heading", runs, level=level)
            else:
                self.builder.add("paragraph", runs)


def _content(element: etree._Element) -> Iterator[etree._Element]:
    """Elements of ``element`` in document order, without deleted text and field codes."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if child.tag in _SKIPPED:
            if child.tag in _REPORTED:
                yield child  # a tracked change or a comment: reported, its content skipped
            continue
        yield child
        yield from _content(child)


def _paragraphs(container: etree._Element) -> Iterator[etree._Element]:
    """``w:p`` elements in order, tables' cells included, deleted or moved-away ones left out."""
    for child in container:
        if child.tag == f"{W}p":
            yield child
        elif isinstance(child.tag, str) and child.tag not in _SKIPPED:
            yield from _paragraphs(child)


def read(raw: bytes, name: str) -> Document:
    archive = Archive(raw, name, "DOCX")
    builder = DocumentBuilder("docx")
    document = archive.xml("word/document.xml")
    body = document.find(f"{W}body")
    reader = _Reader(
        builder,
        _styles(archive),
        _Notes(_notes(archive, "word/footnotes.xml", "footnote"), "decimal"),
        _Notes(_notes(archive, "word/endnotes.xml", "endnote"), "roman"),
    )
    reader.blocks(body if body is not None else document)
    for notes in (reader.footnotes, reader.endnotes):
        for note_id in list(notes.order):
            if note_id in notes.bodies:
                reader.blocks(notes.bodies[note_id], notes.number(note_id))
    _core_properties(archive, builder)
    return builder.build()


def _styles(archive: Archive) -> dict[str, tuple[int | None, str | None]]:
    if not archive.has("word/styles.xml"):
        return {}
    styles: dict[str, tuple[int | None, str | None]] = {}
    for style in archive.xml("word/styles.xml").iter(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        if not style_id:
            continue
        name_element = style.find(f"{W}name")
        style_name = (name_element.get(f"{W}val", "") if name_element is not None else "").lower()
        outline = style.find(f"{W}pPr/{W}outlineLvl")
        level: int | None = None
        if style_name == "title":
            level = 1
        elif style_name.startswith("heading ") and style_name[8:].isdigit():
            level = int(style_name[8:])
        elif outline is not None and outline.get(f"{W}val", "9").isdigit():
            value = int(outline.get(f"{W}val", "9"))
            level = value + 1 if value < 9 else None
        based_on = style.find(f"{W}basedOn")
        styles[style_id] = (level, based_on.get(f"{W}val") if based_on is not None else None)
    return styles


def _notes(archive: Archive, member: str, tag: str) -> dict[str, etree._Element]:
    if not archive.has(member):
        return {}
    return {
        str(note.get(f"{W}id")): note
        for note in archive.xml(member).iter(f"{W}{tag}")
        if note.get(f"{W}type") in (None, "normal")
    }


def _core_properties(archive: Archive, builder: DocumentBuilder) -> None:
    if not archive.has("docProps/core.xml"):
        return
    for element in archive.xml("docProps/core.xml"):
        key = _CORE.get(str(element.tag).rsplit("}", 1)[-1])
        if key:
            builder.set_metadata(key, element.text)
