"""Blocks from an HTML or XHTML tree (a web page, an EPUB chapter).

Headings, paragraphs, block quotes, list items, table cells and ``<pre>`` become blocks;
``<br>`` a line break inside its block (verse).  A link whose text is a note number and whose
target is in the document (``<a href="#n1">1</a>``) is a footnote marker; the element that the
link points at (or that starts with an anchor it points at) is the footnote, labelled with that
number.  Scripts, styles, forms, navigation and a page's apparatus lines (``Written: …``,
``return`` links) do not become body text: apparatus lines become notes and metadata, the way
:func:`aligner.core.segmentation.segment_text` treats them in plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from aligner.core.segmentation.apparatus import NAVIGATION, metadata_value, parse_note_line
from aligner.formats.document import BlockKind, DocumentBuilder, Inline, Marker

_DROPPED = frozenset((
    "script", "style", "noscript", "nav", "template", "head", "form", "button", "iframe", "svg",
    "math", "object", "select", "textarea", "input", "audio", "video", "canvas", "map",
))  # fmt: skip
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_CONTAINERS = frozenset((
    "html", "body", "div", "section", "article", "main", "aside", "header", "footer",
    "blockquote", "ul", "ol", "dl", "table", "thead", "tbody", "tfoot", "tr", "center", "figure",
    "details", "hgroup",
))  # fmt: skip
_BLOCKS = frozenset((
    "p", "li", "dd", "dt", "td", "th", "pre", "figcaption", "caption", "address", "summary",
))  # fmt: skip
_SPACES = re.compile(r"[ \t\n\r\f\v]+")  # not U+00A0: a no-break space is kept
_INLINE_START = frozenset(("a", "span", "sup", "b", "strong", "i", "em", "small"))
_NOTE_NUMBER = re.compile(r"[\[(]?\s*(\d{1,4}|[*†‡§]+|[ivxlc]{1,6}|[a-z])\s*[\])]?\.?")
_NOTE_TYPES = frozenset(("footnote", "endnote", "rearnote", "note", "doc-footnote", "doc-endnote"))

Key = tuple[str, str]  # (document part, id)


def local_name(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def element_text(element: etree._Element) -> str:
    """All the text inside ``element``."""
    return "".join(str(piece) for piece in element.itertext())


def _attr(element: etree._Element, name: str) -> str:
    """An attribute by local name, whatever its namespace (``epub:type``, ``xml:id``)."""
    for key, value in element.attrib.items():
        if str(key).rsplit("}", 1)[-1] == name:
            return str(value)
    return ""


def note_number(text: str) -> str | None:
    """``1``, ``[12]``, ``(3)``, ``*``, ``iv``: the number of a footnote reference."""
    match = _NOTE_NUMBER.fullmatch(text.strip())
    return match.group(1) if match else None


@dataclass
class NoteRefs:
    """Footnote references of a whole publication: the targets and their numbers."""

    numbers: dict[Key, str] = field(default_factory=dict)

    def collect(self, part: str, root: etree._Element, resolve: Callable[[str], Key]) -> None:
        for link in root.iter():
            if local_name(link) != "a":
                continue
            href = _attr(link, "href")
            number = note_number(element_text(link))
            if "#" not in href or number is None:
                continue
            key = resolve(href)
            if key[1] and key not in self.numbers:
                self.numbers[key] = number


@dataclass
class _Walk:
    builder: DocumentBuilder
    part: str
    refs: NoteRefs
    resolve: Callable[[str], Key]
    runs: list[Inline] = field(default_factory=list)
    footnote: str | None = None  # the label of the footnote being read

    def flush(self, kind: BlockKind, level: int | None = None) -> None:
        if self.footnote is not None:
            _drop_leading_number(self, self.footnote)
        runs, self.runs = self.runs, []
        if self.footnote is not None:
            self.builder.add("footnote", runs, label=self.footnote)
        elif kind == "paragraph":
            add_paragraph(self.builder, runs)
        else:
            self.builder.add(kind, runs, level=level)


def add_paragraph(builder: DocumentBuilder, runs: list[Inline]) -> None:
    """A paragraph, or the notes it is made of when every line is apparatus."""
    lines = "".join(r if isinstance(r, str) else r.number for r in runs).split("\n")
    lines = [line.strip() for line in lines if line.strip()]
    notes = [parse_note_line(line) for line in lines]
    if not lines or not all(notes):
        builder.add("paragraph", runs)
        return
    for line, note in zip(lines, notes, strict=True):
        assert note is not None
        if note.label == NAVIGATION:
            continue
        builder.add("note", line, label=note.label)
        if note.key is not None:
            builder.set_metadata(note.key, metadata_value(line.split(":", 1)[1].strip()))


def extract(
    builder: DocumentBuilder,
    part: str,
    body: etree._Element,
    refs: NoteRefs,
    resolve: Callable[[str], Key],
) -> None:
    """Add the blocks of ``body`` (a page or chapter called ``part``) to ``builder``."""
    walk = _Walk(builder, part, refs, resolve)
    _visit(walk, body, preformatted=False)
    walk.flush("paragraph")


def _ids(element: etree._Element) -> Iterator[str]:
    for name in ("id", "name"):
        value = _attr(element, name)
        if value:
            yield value


def _footnote_label(walk: _Walk, element: etree._Element) -> str | None:
    """The number of the footnote that ``element`` is, if it is one."""
    for ident in _ids(element):
        if (walk.part, ident) in walk.refs.numbers:
            return walk.refs.numbers[(walk.part, ident)]
    types = set(_attr(element, "type").split()) | set(_attr(element, "role").split())
    if types & _NOTE_TYPES:
        first = next((c for c in element.iter() if local_name(c) == "a"), None)
        text = element_text(first) if first is not None else ""
        return note_number(text) or next(_ids(element), "")
    # A paragraph that starts with an anchor a reference points at: <p><a name="n1">1.</a> …
    if local_name(element) not in _BLOCKS:
        return None
    head = (element.text or "").strip()
    for child in element:
        if head or not isinstance(child.tag, str) or local_name(child) not in _INLINE_START:
            break
        for ident in [*_ids(child), *(i for c in child.iterdescendants() for i in _ids(c))]:
            if (walk.part, ident) in walk.refs.numbers:
                return walk.refs.numbers[(walk.part, ident)]
        head = (child.tail or "").strip() + element_text(child).strip()
    return None


def _visit(walk: _Walk, element: etree._Element, *, preformatted: bool) -> None:
    name = local_name(element)
    if name in _DROPPED or _attr(element, "hidden") or "nav" in set(_attr(element, "type").split()):
        return
    if name in _HEADINGS or name in _BLOCKS or name in _CONTAINERS:
        _visit_block(walk, element, name, preformatted=preformatted)
        return
    if name == "br":
        walk.runs.append("\n")
    elif name in ("a", "sup") and _marker(walk, element):
        return
    elif name == "hr":
        walk.flush("paragraph")
    else:
        _visit_children(walk, element, preformatted=preformatted)


def _visit_block(walk: _Walk, element: etree._Element, name: str, *, preformatted: bool) -> None:
    walk.flush("paragraph")
    outer = walk.footnote
    label = _footnote_label(walk, element) if outer is None else None
    if label is not None:
        walk.footnote = label
    pre = preformatted or name == "pre"
    _visit_children(walk, element, preformatted=pre)
    walk.flush("heading" if name in _HEADINGS else "paragraph", _HEADINGS.get(name))
    walk.footnote = outer


def _drop_leading_number(walk: _Walk, label: str) -> None:
    """A footnote's own number (its back link) is its label, not part of its text."""
    while walk.runs and isinstance(walk.runs[0], str) and not walk.runs[0].strip():
        walk.runs.pop(0)
    if walk.runs and isinstance(walk.runs[0], Marker) and walk.runs[0].number == label:
        walk.runs.pop(0)
    elif walk.runs and isinstance(walk.runs[0], str):
        first = walk.runs[0].lstrip()
        match = _NOTE_NUMBER.match(first)
        if match and match.group(1) == label:
            walk.runs[0] = first[match.end() :]


def _visit_children(walk: _Walk, element: etree._Element, *, preformatted: bool) -> None:
    _text(walk, element.text, preformatted)
    for child in element:
        if isinstance(child.tag, str):
            _visit(walk, child, preformatted=preformatted)
        _text(walk, child.tail, preformatted)


def _text(walk: _Walk, text: str | None, preformatted: bool) -> None:
    if not text:
        return
    if preformatted:
        walk.runs.append(text)
    else:
        walk.runs.append(_SPACES.sub(" ", text))


def _marker(walk: _Walk, element: etree._Element) -> bool:
    """Record ``element`` as a footnote marker if it is a reference to a known note."""
    link = (
        element
        if local_name(element) == "a"
        else next((c for c in element.iter() if local_name(c) == "a"), None)
    )
    if link is None:
        return False
    href = _attr(link, "href")
    if "#" not in href or walk.resolve(href) not in walk.refs.numbers:
        return False
    text = element_text(element)
    if note_number(text) is None:
        return False
    walk.runs.append(Marker(walk.refs.numbers[walk.resolve(href)]))
    return True
