"""ZIP containers (EPUB, DOCX, ODT): bounded reading and XML through the one hardened parser.

Every member's declared size and compression ratio are checked before it is read, and the
bytes actually read are counted, so a zip bomb (a DOCX whose XML expands to gigabytes) is
refused before it is expanded.
"""

from __future__ import annotations

import io
import zipfile
from html.entities import html5 as html5_entities
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

from lxml import etree

from aligner.errors import InputError
from aligner.formats.xml import check_doctype, hardened_parser

MAX_MEMBER_BYTES = 64 * 2**20
MAX_TOTAL_BYTES = 256 * 2**20
MAX_RATIO = 200
MAX_MEMBERS = 20_000
# Small members compress far better than a ratio that is meaningful for large ones.
_RATIO_FREE_BYTES = 2**20


class Archive:
    """A ZIP file opened from bytes, read within limits."""

    def __init__(self, raw: bytes, name: str, kind: str) -> None:
        self.name = name
        self.kind = kind
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(raw))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
            raise InputError(f"{name}: not a readable {kind} (corrupt ZIP: {exc})") from exc
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"{name}: {len(infos)} members in the {kind} archive; refused")
        self._infos = {info.filename: info for info in infos}
        total = sum(info.file_size for info in infos)
        if total > MAX_TOTAL_BYTES:
            raise InputError(
                f"{name}: the {kind} would expand to {total // 2**20} MiB "
                f"(over {MAX_TOTAL_BYTES // 2**20} MiB; a zip bomb?); refused"
            )
        for info in infos:
            self._check_member(info)
        self._read_total = 0

    def _check_member(self, info: zipfile.ZipInfo) -> None:
        if info.file_size > MAX_MEMBER_BYTES:
            raise InputError(
                f"{self.name}: {info.filename} would expand to {info.file_size // 2**20} MiB "
                f"(over {MAX_MEMBER_BYTES // 2**20} MiB; a zip bomb?); refused"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FREE_BYTES and ratio > MAX_RATIO:
            raise InputError(
                f"{self.name}: {info.filename} expands {ratio:.0f} times (a zip bomb?); refused"
            )
        if info.flag_bits & 0x1:
            raise InputError(f"{self.name}: {info.filename} is encrypted; refused")

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, member: str) -> bool:
        return member in self._infos

    def read(self, member: str) -> bytes:
        """The bytes of ``member``, read no further than its declared size."""
        info = self._infos.get(member)
        if info is None:
            raise InputError(f"{self.name}: the {self.kind} has no {member}")
        try:
            with self._zip.open(info) as stream:
                data = stream.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError) as exc:
            raise InputError(f"{self.name}: {member} cannot be read (corrupt ZIP: {exc})") from exc
        except Exception as exc:  # zlib.error and friends from a damaged stream
            raise InputError(f"{self.name}: {member} cannot be read (corrupt ZIP: {exc})") from exc
        if len(data) > info.file_size:
            raise InputError(f"{self.name}: {member} is longer than its ZIP entry says; refused")
        self._read_total += len(data)
        if self._read_total > MAX_TOTAL_BYTES:
            raise InputError(f"{self.name}: the {self.kind} expands too far; refused")
        return data

    def xml(self, member: str) -> etree._Element:
        """``member`` parsed as XML by the project's hardened parser."""
        return parse_xml_bytes(self.read(member), f"{self.name}: {member}")


def parse_xml_bytes(data: bytes, where: str) -> etree._Element:
    """Parse XML bytes with :func:`aligner.formats.xml.hardened_parser` and its DOCTYPE check."""
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{where}: not well-formed XML: {exc.msg}") from exc
    check_doctype(Path(where), root.getroottree())
    return root


def resolve(base: str, href: str) -> str:
    """The member name that ``href`` (relative to member ``base``) points at."""
    href = unquote(href.split("#", 1)[0])
    parts: list[str] = []
    for part in [*PurePosixPath(base).parent.parts, *PurePosixPath(href).parts]:
        if part == "..":
            if parts:
                parts.pop()
        elif part not in (".", "/"):
            parts.append(part)
    return "/".join(parts)


_XHTML_PUBLIC = "-//W3C//DTD XHTML"


def parse_xhtml_bytes(data: bytes, where: str) -> etree._Element:
    """An XHTML document (an EPUB chapter) through the hardened parser.

    Two things that :func:`parse_xml_bytes` refuses are normal in EPUB 2 chapters and are
    accepted here: a DOCTYPE naming the W3C XHTML DTD by its public URL (never fetched:
    the parser has no network and loads no DTD), and HTML's named character references
    (``&nbsp;``), which are replaced from Python's fixed table of them, never from a DTD.
    An internal subset that declares entities is refused as everywhere else.
    """
    try:
        root = etree.fromstring(data, hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{where}: not well-formed XML: {exc.msg}") from exc
    tree = root.getroottree()
    info: Any = tree.docinfo
    public_id = info.public_id or ""
    if info.system_url and not public_id.startswith(_XHTML_PUBLIC):
        check_doctype(Path(where), tree)
    dtd = info.internalDTD
    if dtd is not None and list(dtd.entities()):
        check_doctype(Path(where), tree)
    for entity in [node for node in root.iter() if isinstance(node, etree._Entity)]:
        _replace_entity(entity, where)
    return root


def _replace_entity(entity: etree._Element, where: str) -> None:
    name = str(entity.text or "").strip("&;")
    char = html5_entities.get(f"{name};")
    if char is None:
        raise InputError(f"{where}: the document uses an unknown entity &{name};; refused")
    text = char + (entity.tail or "")
    previous = entity.getprevious()
    parent = entity.getparent()
    if parent is None:
        return
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(entity)
