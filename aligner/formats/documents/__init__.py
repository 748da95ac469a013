"""Read a document of any supported format: bytes and a file name in, a :class:`Document` out.

The format is sniffed from the content first (``%PDF-``, a ZIP's ``mimetype`` or
``[Content_Types].xml``, ``<html``, ``WEBVTT``, an SRT cue), from the file name's extension
second, and ``format=`` forces it.  Every failure is one :class:`InputError` line.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from pathlib import PurePath

from aligner.errors import InputError
from aligner.formats.document import Document

__all__ = ["FORMATS", "detect_format", "read_document"]

Reader = Callable[[bytes, str], Document]

FORMATS: tuple[str, ...] = ("text", "html", "epub", "docx", "odt", "pdf", "markdown", "srt", "vtt")
_EXTENSIONS = {
    ".txt": "text", ".text": "text", ".htm": "html", ".html": "html", ".xhtml": "html",
    ".epub": "epub", ".docx": "docx", ".odt": "odt", ".pdf": "pdf", ".md": "markdown",
    ".markdown": "markdown", ".srt": "srt", ".vtt": "vtt",
}  # fmt: skip
_ZIP_MIMETYPES = {
    b"application/epub+zip": "epub",
    b"application/vnd.oasis.opendocument.text": "odt",
}
_SRT_CUE = re.compile(r"\A\s*\d+[ \t]*\r?\n\d{1,2}:\d{2}:\d{2}[,.]\d{3}[ \t]*-->")
_HTML_START = re.compile(
    rb"\A(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_HTML_TAGS = re.compile(rb"<(?:p|div|body|head|h[1-6]|br)\b[^>]*>", re.I)


# format -> (module under aligner.formats.documents, function); imported on first use
_READERS: dict[str, tuple[str, str]] = {
    "text": ("plaintext", "read"), "html": ("html", "read"), "epub": ("epub", "read"),
    "docx": ("docx", "read"), "odt": ("odt", "read"), "pdf": ("pdf", "read"),
    "markdown": ("markdown", "read"), "srt": ("subtitles", "read_srt"),
    "vtt": ("subtitles", "read_vtt"),
}  # fmt: skip


def _reader(format_name: str) -> Reader:
    module_name, function = _READERS[format_name]
    module = importlib.import_module(f"aligner.formats.documents.{module_name}")
    reader: Reader = getattr(module, function)
    return reader


def read_document(raw: bytes, name: str, *, format: str | None = None) -> Document:
    """Extract the document in ``raw`` (the bytes of the file called ``name``)."""
    if format is not None and format not in FORMATS:
        raise InputError(f"unknown document format {format!r} (use one of: {', '.join(FORMATS)})")
    if not raw:
        raise InputError(f"{name}: the file is empty")
    chosen = format or detect_format(raw, name)
    document = _reader(chosen)(raw, name)
    if not any(b.kind in ("paragraph", "heading") for b in document.blocks):
        raise InputError(f"{name}: no paragraphs found in the {chosen} document")
    return document


def detect_format(raw: bytes, name: str) -> str:
    """The format of ``raw``: its content decides, its extension breaks ties among texts."""
    extension = _EXTENSIONS.get(PurePath(name).suffix.lower())
    head = raw[:4096]
    if head.lstrip()[:5] == b"%PDF-" or b"%PDF-" in raw[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_format(raw, name, extension)
    text_head = _text_head(head)
    if text_head is None:
        raise InputError(f"{name}: unknown binary file; the formats read are {', '.join(FORMATS)}")
    if text_head.startswith("WEBVTT"):
        return "vtt"
    if _SRT_CUE.match(text_head):
        return "srt"
    probe = text_head.encode("utf-8", "replace")
    if _HTML_START.match(probe) or len(_HTML_TAGS.findall(probe)) >= 3:
        return "html"
    if extension in ("markdown", "html", "srt", "vtt"):
        return extension
    return "text"


def _zip_format(raw: bytes, name: str, extension: str | None) -> str:
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        names = set(archive.namelist())
        mimetype = archive.read("mimetype").strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        what = extension.upper() if extension in ("epub", "docx", "odt") else "ZIP archive"
        raise InputError(f"{name}: not a readable {what} (corrupt ZIP: {exc})") from exc
    except Exception as exc:  # zlib.error from a damaged mimetype member
        raise InputError(f"{name}: not a readable ZIP archive (corrupt ZIP: {exc})") from exc
    if mimetype in _ZIP_MIMETYPES:
        return _ZIP_MIMETYPES[mimetype]
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return "docx"
    if "META-INF/container.xml" in names:
        return "epub"
    if "content.xml" in names and "META-INF/manifest.xml" in names:
        return "odt"
    raise InputError(f"{name}: a ZIP archive that is not an EPUB, DOCX or ODT document")


def _text_head(head: bytes) -> str | None:
    """The start of a text file, or None when it looks binary."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, "ignore")
    if b"\x00" in head:
        return None
    text = head.decode("latin-1")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v\x1b")
    if controls > 0.01 * len(text) + 1:
        return None
    return head.decode("utf-8", "replace").lstrip()
