"""A TEI version's text as segments: ``<head>`` a heading, ``<s>`` a sentence of its ``<p>``
(whose ``n`` gives the paragraph number), a ``<p>`` without ``<s>`` a paragraph, ``<note
type="footnote">`` a footnote and any other ``<note>`` an apparatus note; texts are kept exactly
as written, inline markup reduced to its text (notes inside a sentence left out)."""

from __future__ import annotations

from collections import Counter

from lxml import etree

from aligner.formats.model import DocSegment
from aligner.formats.tei import XML_ID, tei

MAX_PARAGRAPH_DIGITS = 9  # a larger <p n> is no paragraph number: the column is 32 bits


def read_segments(element: etree._Element) -> tuple[list[DocSegment], dict[str, int]]:
    """The segments of the version ``element`` in reading order, and the place of each one
    that has an ``xml:id``, by that id."""
    reader = _SegmentReader()
    reader.walk(element)
    return reader.segments, reader.ids


def element_text(element: etree._Element) -> str:
    """The element's text with its inline markup's, leaving out notes inside it."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag != tei("note"):
            parts.append(element_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class _SegmentReader:
    """Walks a version in document order.  Each block piece (``<head>``, ``<note>``, ``<p>``)
    has the paragraph number ``<p n>`` gives, else the previous piece's when that one's
    ``next`` points to it, else the next number free."""

    def __init__(self) -> None:
        self.segments: list[DocSegment] = []
        self.ids: dict[str, int] = {}
        self.next_block = 0
        self.last_paragraph = 0
        self.continued: set[str] = set()  # ids that a previous piece's ``next`` points to
        self.per_paragraph: Counter[int] = Counter()
        self.loose_parent: etree._Element | None = None  # of <s> outside any <p>
        self.loose_paragraph = 0

    def walk(self, container: etree._Element) -> None:
        for child in container:
            if not isinstance(child.tag, str):
                continue
            name = child.tag
            if name == tei("head"):
                self.add(child, "heading", self.block(child))
            elif name == tei("note"):
                self.note(child, self.block(child))
            elif name in (tei("p"), tei("ab")):
                self.paragraph(child)
            elif name == tei("s"):
                self.loose_sentence(child)
            else:
                self.walk(child)

    def block(self, element: etree._Element, number: int | None = None) -> int:
        if number is None and element.get(XML_ID) in self.continued:
            number = self.last_paragraph
        paragraph = self.next_block if number is None else number
        self.next_block = max(self.next_block, paragraph + 1)
        self.last_paragraph = paragraph
        following = element.get("next", "")
        if following.startswith("#"):
            self.continued.add(following[1:])
        return paragraph

    def paragraph(self, element: etree._Element) -> None:
        paragraph = self.block(element, _paragraph_number(element))
        parts = list(element.iter(tei("s"), tei("note")))
        if not parts:
            if element_text(element).strip():
                self.add(element, "paragraph", paragraph)
            return
        for index, part in enumerate(parts):
            if part.tag == tei("note"):
                self.note(part, paragraph, joined=index > 0)
            else:
                self.add(part, "sentence", paragraph, joined=index > 0)

    def loose_sentence(self, element: etree._Element) -> None:
        parent = element.getparent()
        joined = parent is self.loose_parent
        if not joined:
            self.loose_parent, self.loose_paragraph = parent, self.block(element)
        self.add(element, "sentence", self.loose_paragraph, joined=joined)

    def note(self, element: etree._Element, paragraph: int, joined: bool = False) -> None:
        kind = "footnote" if element.get("type") == "footnote" else "note"
        self.add(element, kind, paragraph, label=element.get("n"), joined=joined)

    def add(
        self,
        element: etree._Element,
        kind: str,
        paragraph: int,
        label: str | None = None,
        joined: bool = False,
    ) -> None:
        if kind != "sentence":
            self.loose_parent = None
        ident = element.get(XML_ID)
        if ident:
            self.ids[ident] = len(self.segments)
        sentence = self.per_paragraph[paragraph]
        self.per_paragraph[paragraph] += 1
        self.segments.append(
            DocSegment(kind, paragraph, sentence, element_text(element), label, joined)
        )


def _paragraph_number(element: etree._Element) -> int | None:
    number = element.get("n", "")
    if not number.isdecimal() or len(number) > MAX_PARAGRAPH_DIGITS:
        return None
    return int(number) - 1 if int(number) > 0 else None
