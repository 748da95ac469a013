"""Plain-text files: read the exact bytes, decide the encoding, refuse what is not text.

Accepted: UTF-8, UTF-8 with a BOM, UTF-16 (LE or BE) with a BOM.  Anything else is refused
with a message that names the file and says what is wrong, never guessed at.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from aligner.errors import InputError

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str | None], ...] = (
    (codecs.BOM_UTF32_LE, None),
    (codecs.BOM_UTF32_BE, None),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1c\x1d\x1e\x85")
MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class TextFile:
    """A decoded text file with the bytes it came from."""

    path: Path
    raw: bytes
    text: str
    encoding: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()


def read_text_file(path: Path) -> TextFile:
    """Read ``path`` as text, or raise :class:`InputError` saying why it cannot be."""
    raw = _read_bytes(path)
    if not raw:
        raise InputError(f"{path}: the file is empty")
    encoding = _detect_encoding(path, raw)
    text = _decode(path, raw, encoding)
    _check_is_text(path, text)
    return TextFile(path, raw, text, encoding)


def encode_like(text: str, encoding: str) -> bytes:
    """Encode ``text`` as a stretch of a file in ``encoding`` (no byte order mark)."""
    codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding, encoding)
    return text.encode(codec)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(
            f"{path}: is a folder, not a text file (a corpus folder needs a manifest.toml)"
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror or exc}") from exc


def _detect_encoding(path: Path, raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            if encoding is None:
                raise InputError(f"{path}: UTF-32 is not supported; convert the file to UTF-8")
            return encoding
    if b"\x00" in raw:
        raise InputError(
            f"{path}: binary file (contains NUL bytes); "
            "only UTF-8 or UTF-16 with a byte order mark can be imported"
        )
    return "utf-8"


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise InputError(
            f"{path}: not valid {name}: byte 0x{raw[exc.start]:02x} at offset {exc.start}; "
            "convert the file to UTF-8 (for example with iconv) and import it again"
        ) from exc


def _check_is_text(path: Path, text: str) -> None:
    if not text.strip():
        raise InputError(f"{path}: the file holds only white space")
    if "\x00" in text:
        raise InputError(f"{path}: binary file (contains NUL characters)")
    controls = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS
    )
    if controls > MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{path}: binary file ({controls} control characters)")
