"""The one XML parser every reader uses: no entities expanded, no DTD loaded, no network, and
a document whose DOCTYPE declares entities or points at a network resource refused.

:func:`parse_xml` reads a whole document into a tree; :func:`stream_xml` reads a large one
element by element with the same settings, so a reader can :func:`release` what it has used
and hold only a bounded part of the tree.  Either way a file that cannot be read (bad bytes
for its encoding, not well-formed, nesting deeper than 256 or a text node over 10 MB, which
lxml's ``huge_tree=False`` refuses) raises one :class:`InputError` line naming the file, the
problem and where it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from lxml import etree

from aligner.errors import InputError

MAX_XML_BYTES = 512 * 1024 * 1024  # for a whole tree in memory; streaming has no such limit
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HARDENING: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
    "huge_tree": False, "remove_comments": True,
}  # fmt: skip
_ENCODING_DECLARATION = re.compile(rb"""^<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_READ_ERRORS = (etree.XMLSyntaxError, OSError, UnicodeDecodeError)
# What XML 1.0 cannot carry: C0 controls but tab, newline and carriage return, lone
# surrogates, U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# libxml2's limits without huge_tree, as a user can act on them (its own text names an option).
_LIMITS = {
    "Excessive depth": "elements nested more than 256 deep",
    "Text node too long": "a text of more than 10,000,000 characters",
    "huge text node": "a text of more than 10,000,000 characters",
}


def strip_illegal(text: str) -> tuple[str, int]:
    """``text`` without the characters XML 1.0 forbids, and how many were removed."""
    cleaned, removed = _ILLEGAL.subn("", text)
    return cleaned, removed


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(**_HARDENING)


def parse_xml(path: Path) -> etree._ElementTree:
    """Parse ``path`` safely, or raise :class:`InputError` naming the file and the problem."""
    parser = hardened_parser()
    with _opened(path, MAX_XML_BYTES) as source:  # a file object: never taken for a URL
        try:
            tree = etree.parse(source, parser)
        except _READ_ERRORS as exc:
            raise InputError(f"{path}: {_read_problem(path, exc, parser.error_log)}") from None
    check_doctype(path, tree)
    check_no_entities(path, tree.getroot())
    return tree


def stream_xml(path: Path, tags: Sequence[str]) -> Iterator[etree._Element]:
    """The document's root element first (possibly still without its children), then each
    element named in ``tags`` once its end tag is read, whole, in the order the end tags
    come.  What a reader keeps stays in memory until it calls :func:`release` on it.

    The DOCTYPE is checked before the first element is handed out; elements are not checked
    for entity references (a reader calls :func:`check_no_entities` on what it uses).
    """
    with _opened(path, None) as source:
        events = etree.iterparse(source, events=("end",), tag=tuple(tags), **_HARDENING)
        root: etree._Element | None = None
        try:
            for _, element in events:
                if root is None:
                    tree = element.getroottree()
                    check_doctype(path, tree)
                    root = tree.getroot()
                    yield root
                yield element
        except _READ_ERRORS as exc:
            raise InputError(f"{path}: {_read_problem(path, exc, events.error_log)}") from None
        if root is None:  # no element of ``tags``: the root is known once the parse is done
            whole: Any = events.root  # lxml-stubs do not know iterparse.root
            check_doctype(path, whole.getroottree())
            yield whole


def release(element: etree._Element) -> None:
    """Free a streamed element a reader is done with (its content and tail), and the siblings
    before it, which the parser finished earlier: the tree's size stays bounded."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def check_doctype(path: Path, tree: etree._ElementTree) -> None:
    info: Any = tree.docinfo  # lxml-stubs know neither DocInfo.system_url nor DTD.entities()
    dtd = info.internalDTD
    if dtd is not None and list(dtd.entities()):
        names = ", ".join(sorted(e.name or "?" for e in dtd.entities()))
        raise InputError(f"{path}: the DOCTYPE declares entities ({names}); refused")
    if info.system_url and _SCHEME.match(info.system_url):
        raise InputError(f"{path}: the DOCTYPE points at a network resource ({info.system_url})")


def check_no_entities(path: Path, element: etree._Element) -> None:
    """Refuse an entity reference left unexpanded (one a DOCTYPE's external subset might
    declare, which is never loaded)."""
    if next(element.iter(etree.Entity), None) is not None:
        raise InputError(f"{path}: the document uses entities it does not declare; refused")


def _opened(path: Path, limit: int | None) -> BinaryIO:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if limit is not None and path.stat().st_size > limit:
        raise InputError(f"{path}: larger than {limit // 2**20} MiB; refused")
    try:
        return path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read: {exc.strerror or exc}") from None


def _read_problem(path: Path, exc: Exception, log: Any) -> str:
    """One line for a parse failure: the parser's first error and where it is."""
    first = next((entry for entry in log if entry.level_name in ("ERROR", "FATAL")), None)
    if path.stat().st_size == 0:
        return "the file is empty"
    if first is None:
        if isinstance(exc, etree.XMLSyntaxError):
            return f"not well-formed XML: {_one_line(exc.msg or str(exc))}"
        return f"cannot be read: {_one_line(str(exc))}"
    message, where = _one_line(first.message), f"line {first.line}, column {first.column}"
    if "Invalid bytes in character encoding" in message or isinstance(exc, UnicodeDecodeError):
        encoding = _declared_encoding(path)
        return (
            f"not valid {encoding} at {where}; convert the file to UTF-8 (for example with "
            "iconv) or declare its real encoding in the XML declaration"
        )
    for known, meaning in _LIMITS.items():
        if known in message:
            return f"{meaning} at {where}; refused"
    return f"not well-formed XML: {message}, {where}"


def _declared_encoding(path: Path) -> str:
    """The encoding the file says it is in: its byte-order mark, else its XML declaration."""
    with path.open("rb") as source:
        start = source.read(200)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    if start.startswith(b"\xef\xbb\xbf"):
        return "UTF-8"
    found = _ENCODING_DECLARATION.match(start)
    return found[1].decode("ascii").upper() if found else "UTF-8"


def _one_line(text: str) -> str:
    return " ".join(text.split())
