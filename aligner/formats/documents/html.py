"""HTML and XHTML pages (lxml.html; the same block rules as EPUB chapters, see markup.py).

The encoding comes from the document: a byte order mark, then an XML declaration, then
``<meta charset>`` or ``<meta http-equiv="Content-Type" content="…; charset=…">``; without
any of these UTF-8, and failing that a guess by charset-normalizer, recorded as a warning.
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from aligner.errors import InputError
from aligner.formats.document import Document, DocumentBuilder
from aligner.formats.documents.markup import Key, NoteRefs, element_text, extract, local_name

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_XML_DECLARATION = re.compile(rb"\A\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._:-]+)")
_META_CHARSET = re.compile(rb"<meta\b[^>]*?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_META_FIELDS = {
    "author": "author", "dc.creator": "author", "dc.title": "title", "dc.language": "language",
    "dc.date": "date", "dc.contributor": "translator", "translator": "translator",
    "dc.source": "source",
}  # fmt: skip


def read(raw: bytes, name: str) -> Document:
    text, encoding, guessed = decode_html(raw, name)
    parser = lxml.html.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, no_network=True,
    )  # fmt: skip
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"{name}: not readable as HTML: {exc}") from exc
    builder = DocumentBuilder("html")
    if guessed:
        builder.warn(f"no encoding declared and not UTF-8: read as {encoding} (a guess)")
    _head_metadata(builder, root)
    refs = NoteRefs()

    def resolve(href: str) -> Key:
        page, _, ident = href.partition("#")
        return (page or name, ident)

    refs.collect(name, root, resolve)
    body = root.find("body")
    extract(builder, name, body if body is not None else root, refs, resolve)
    headings = [b for b in builder.build().blocks if b.kind == "heading"]
    if headings and "title" not in builder.metadata:
        builder.set_metadata("title", builder.build().block_text(headings[0]))
    builder.set_metadata("encoding", encoding)
    return builder.build()


def decode_html(raw: bytes, name: str) -> tuple[str, str, bool]:
    """The text of an HTML file, the encoding it was read in, and whether that was a guess."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return _decode(raw[len(bom) :], codec, name), codec, False
    declared = _XML_DECLARATION.match(raw) or _META_CHARSET.search(raw[:8192])
    if declared:
        codec = _codec(declared.group(1).decode("ascii"), name)
        return _decode(raw, codec, name), codec, False
    try:
        return raw.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise InputError(f"{name}: the page declares no encoding and none fits its bytes")
    return str(best), best.encoding, True


def _codec(label: str, name: str) -> str:
    label = label.lower()
    if label in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        return "windows-1252"  # as browsers read these labels (WHATWG Encoding)
    try:
        return codecs.lookup(label).name
    except LookupError as exc:
        raise InputError(f"{name}: unknown encoding {label!r} declared") from exc


def _decode(raw: bytes, codec: str, name: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid {codec} as declared: byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}"
        ) from exc


def _head_metadata(builder: DocumentBuilder, root: etree._Element) -> None:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    builder.set_metadata("language", lang)
    for element in root.iter():
        tag = local_name(element)
        if tag == "title":
            builder.set_metadata("title", element_text(element))
        elif tag == "meta":
            key = _META_FIELDS.get((element.get("name") or "").lower())
            if key:
                builder.set_metadata(key, element.get("content"))
