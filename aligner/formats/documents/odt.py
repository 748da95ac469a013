"""OpenDocument text (ODT; zipfile + the hardened XML parser).

``text:h`` headings with their outline level (and paragraphs styled ``Title``), paragraphs,
list items and table cells as paragraphs, footnotes and endnotes (``text:note``, labelled with
their citation as shown) after the body in the order they are cited.  Tracked changes are
resolved to the final text (the ``text:tracked-changes`` region that holds deleted text is
skipped), with a warning saying so; annotations (comments) are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from aligner.formats.document import Document, DocumentBuilder, Inline, Marker
from aligner.formats.documents.archive import Archive
from aligner.formats.documents.markup import element_text

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_SKIPPED = frozenset(
    (f"{TEXT}tracked-changes", f"{OFFICE}annotation", f"{OFFICE}annotation-end",
     f"{TEXT}sequence-decls", f"{TEXT}variable-decls", f"{TEXT}user-field-decls",
     f"{TEXT}table-of-content", f"{TEXT}alphabetical-index", f"{TEXT}bibliography",
     "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}frame", f"{OFFICE}forms")
)  # fmt: skip
_CHANGE_MARKS = frozenset((f"{TEXT}change", f"{TEXT}change-start", f"{TEXT}change-end"))
_META = {"title": "title", "creator": "author", "initial-creator": "author",
         "language": "language", "date": "date"}  # fmt: skip
TRACKED_CHANGES = "tracked changes resolved to the final text (insertions kept, deletions dropped)"
COMMENTS_DROPPED = "comments dropped"


@dataclass
class _Reader:
    builder: DocumentBuilder
    title_styles: frozenset[str]
    notes: list[tuple[str, etree._Element]] = field(default_factory=list)

    def container(self, element: etree._Element) -> None:
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIPPED:
                if tag == f"{TEXT}tracked-changes":
                    self.builder.warn(TRACKED_CHANGES)
                continue
            if tag == f"{TEXT}h":
                level = int(child.get(f"{TEXT}outline-level", "1") or "1")
                self.builder.add("heading", self.runs(child), level=level)
            elif tag == f"{TEXT}p":
                if child.get(f"{TEXT}style-name") in self.title_styles:
                    self.builder.add("heading", self.runs(child), level=1)
                else:
                    self.builder.add("paragraph", self.runs(child))
            else:
                self.container(child)

    def runs(self, element: etree._Element, out: list[Inline] | None = None) -> list[Inline]:
        out = [] if out is None else out
        out.append(element.text or "")
        for child in element:
            tag = child.tag
            if isinstance(tag, str) and tag not in _SKIPPED:
                self._inline(child, tag, out)
            elif tag == f"{OFFICE}annotation":
                self.builder.warn(COMMENTS_DROPPED)
            out.append(child.tail or "")
        return out

    def _inline(self, child: etree._Element, tag: str, out: list[Inline]) -> None:
        if tag == f"{TEXT}s" or tag == f"{TEXT}tab":
            out.append(" ")
        elif tag == f"{TEXT}line-break":
            out.append("\n")
        elif tag == f"{TEXT}note":
            citation = child.find(f"{TEXT}note-citation")
            label = element_text(citation).strip() if citation is not None else ""
            body = child.find(f"{TEXT}note-body")
            label = label or str(len(self.notes) + 1)
            out.append(Marker(label))
            if body is not None:
                self.notes.append((label, body))
        elif tag in _CHANGE_MARKS:
            self.builder.warn(TRACKED_CHANGES)
        else:
            self.runs(child, out)

    def footnotes(self) -> None:
        done = 0
        while done < len(self.notes):  # a note may cite another
            label, body = self.notes[done]
            done += 1
            for paragraph in body.iter(f"{TEXT}p", f"{TEXT}h"):
                self.builder.add("footnote", self.runs(paragraph), label=label)


def read(raw: bytes, name: str) -> Document:
    archive = Archive(raw, name, "ODT")
    content = archive.xml("content.xml")
    builder = DocumentBuilder("odt")
    reader = _Reader(builder, _title_styles(content))
    text = content.find(f"{OFFICE}body/{OFFICE}text")
    reader.container(text if text is not None else content)
    reader.footnotes()
    if archive.has("meta.xml"):
        for element in archive.xml("meta.xml").iter():
            key = _META.get(str(element.tag).rsplit("}", 1)[-1])
            if key:
                builder.set_metadata(key, element.text)
    return builder.build()


def _title_styles(content: etree._Element) -> frozenset[str]:
    """Automatic paragraph styles that are the ``Title`` style, and ``Title`` itself."""
    names = {"Title"}
    for style in content.iter(f"{STYLE}style"):
        if style.get(f"{STYLE}parent-style-name") == "Title":
            names.add(str(style.get(f"{STYLE}name")))
    return frozenset(names)
