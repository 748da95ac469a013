"""Plain-text files: read the exact bytes, decide the encoding, refuse what is not text.

Accepted: UTF-8, UTF-8 with a BOM, UTF-16 (LE or BE) with a BOM.  Anything else is refused
with a message that names the file and says what is wrong, never guessed at.

Only regular files are read (a symbolic link is followed first): a device such as
``/dev/zero``, a named pipe or a socket is refused before a byte is read, and so is a file
larger than :func:`max_text_bytes` (``ALIGNER_MAX_TEXT_BYTES``, 100 MB unless set), which
keeps an import's memory bounded.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aligner.errors import InputError

MAX_TEXT_BYTES_ENV = "ALIGNER_MAX_TEXT_BYTES"
DEFAULT_MAX_TEXT_BYTES = 100_000_000

# Longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str | None], ...] = (
    (codecs.BOM_UTF32_LE, None),
    (codecs.BOM_UTF32_BE, None),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters (Unicode category Cc: U+0000-001F, U+007F-009F) other than the tab, the
# line and page breaks (U+000A-000D, U+001C-001E, U+0085) a text may hold.
_FOREIGN_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")
MAX_CONTROL_SHARE = 0.01
_NOT_REGULAR = (
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


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


def shown_path(path: Path | str) -> str:
    """``path`` for a one-line message: line breaks and other controls written as escapes."""
    name = str(path)
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], name)


def max_text_bytes() -> int:
    """The largest file an import reads: ``$ALIGNER_MAX_TEXT_BYTES`` or 100,000,000 bytes."""
    value = os.environ.get(MAX_TEXT_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_TEXT_BYTES
    if not value.isascii() or not value.isdigit() or int(value) == 0:
        raise InputError(f"{MAX_TEXT_BYTES_ENV}={value!r}: not a positive number of bytes")
    return int(value)


def read_text_file(path: Path) -> TextFile:
    """Read ``path`` as text, or raise :class:`InputError` saying why it cannot be."""
    return decode_text_file(path, read_regular_file(path, max_text_bytes()))


def decode_text_file(path: Path, raw: bytes) -> TextFile:
    """``raw``, the bytes of ``path``, as text, or :class:`InputError` saying why not."""
    if not raw:
        raise InputError(f"{shown_path(path)}: the file is empty")
    encoding = _detect_encoding(path, raw)
    text = _decode(path, raw, encoding)
    _check_is_text(path, text)
    return TextFile(path, raw, text, encoding)


def encode_like(text: str, encoding: str) -> bytes:
    """Encode ``text`` as a stretch of a file in ``encoding`` (no byte order mark)."""
    codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16-le"}.get(encoding, encoding)
    return text.encode(codec)


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of the regular file ``path`` (symbolic links followed), at most ``limit``.

    Anything else is refused before it is opened, so a named pipe cannot block the import and
    a device is not read; the file is checked again once open, in case it was replaced.
    """
    name = shown_path(path)
    _check_regular(name, _stat(name, lambda: os.stat(path)), limit)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise _os_problem(name, exc) from exc
    with os.fdopen(fd, "rb") as stream:
        info = _stat(name, lambda: os.fstat(fd))
        _check_regular(name, info, limit)
        try:
            data = stream.read(min(info.st_size, limit) + 1)
            if len(data) > info.st_size:  # it grew, or its size is not known (/proc)
                data += stream.read(limit + 1 - len(data))
        except OSError as exc:
            raise _os_problem(name, exc) from exc
    if len(data) > limit:
        raise _too_large(name, limit)
    return data


def _stat(name: str, call: Callable[[], os.stat_result]) -> os.stat_result:
    try:
        return call()
    except (OSError, ValueError) as exc:
        raise _os_problem(name, exc) from exc


def _os_problem(name: str, exc: OSError | ValueError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{name}: no such file")
    if isinstance(exc, ValueError):  # a NUL character in the name
        return InputError(f"{name}: not a usable file name ({exc})")
    return InputError(f"{name}: cannot be read: {exc.strerror or exc}")


def _check_regular(name: str, info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise InputError(
            f"{name}: is a folder, not a text file (a corpus folder needs a manifest.toml)"
        )
    if not stat.S_ISREG(info.st_mode):
        kind = next((k for test, k in _NOT_REGULAR if test(info.st_mode)), "a special file")
        raise InputError(f"{name}: is {kind}, not a regular file; only files can be imported")
    if info.st_size > limit:
        raise _too_large(name, limit)


def _too_large(name: str, limit: int) -> InputError:
    return InputError(
        f"{name}: larger than {limit:,} bytes, the most an import reads "
        f"(set {MAX_TEXT_BYTES_ENV} to raise the limit)"
    )


def _detect_encoding(path: Path, raw: bytes) -> str:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            if encoding is None:
                raise InputError(
                    f"{shown_path(path)}: UTF-32 is not supported; convert the file to UTF-8"
                )
            return encoding
    if b"\x00" in raw:
        raise InputError(
            f"{shown_path(path)}: binary file (contains NUL bytes); "
            "only UTF-8 or UTF-16 with a byte order mark can be imported"
        )
    return "utf-8"


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-16" if encoding == "utf-16" else "UTF-8"
        raise InputError(
            f"{shown_path(path)}: not valid {name}: byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}; convert the file to UTF-8 (for example with iconv) and import it again"
        ) from exc


def control_count(text: str) -> int:
    """How many control characters ``text`` holds besides tabs and line and page breaks."""
    return len(_FOREIGN_CONTROLS.findall(text))


def _check_is_text(path: Path, text: str) -> None:
    # isspace() rather than strip(): the same test without a copy of a large text.
    if not text or text.isspace():
        raise InputError(f"{shown_path(path)}: the file holds only white space")
    if "\x00" in text:
        raise InputError(f"{shown_path(path)}: binary file (contains NUL characters)")
    controls = control_count(text)
    if controls > MAX_CONTROL_SHARE * len(text):
        raise InputError(f"{shown_path(path)}: binary file ({controls} control characters)")
