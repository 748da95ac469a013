"""Decoding of text formats (plain text, Markdown, subtitles): the plain-text importer's rule.

UTF-8, or UTF-8/UTF-16 with a byte order mark; anything else is refused with one line that
says so, never guessed at (HTML, which declares its encoding, is read in html.py).
"""

from __future__ import annotations

import codecs
import unicodedata

from aligner.errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, None),
    (codecs.BOM_UTF32_BE, None),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1c\x1d\x1e\x85")


def decode_text(raw: bytes, name: str) -> str:
    """The text in ``raw``, without its byte order mark."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            if codec is None:
                raise InputError(f"{name}: UTF-32 is not supported; convert the file to UTF-8")
            return _decode(raw[len(bom) :], codec, name)
    if b"\x00" in raw:
        raise InputError(f"{name}: binary file (contains NUL bytes)")
    return _decode(raw, "utf-8", name)


def _decode(raw: bytes, codec: str, name: str) -> str:
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: not valid {codec.upper()}: byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}; convert the file to UTF-8 (for example with iconv)"
        ) from exc
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS
    )
    if controls > 0.01 * len(text):
        raise InputError(f"{name}: binary file ({controls} control characters)")
    return text
