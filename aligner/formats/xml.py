"""The one XML parser every reader uses: no entities expanded, no DTD loaded, no network, and
a document whose DOCTYPE declares entities or points at a network resource refused."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from aligner.errors import InputError

MAX_XML_BYTES = 512 * 1024 * 1024
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_comments=True,
    )  # fmt: skip


def parse_xml(path: Path) -> etree._ElementTree:
    """Parse ``path`` safely, or raise :class:`InputError` naming the file and the problem."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size > MAX_XML_BYTES:
        raise InputError(f"{path}: larger than {MAX_XML_BYTES // 2**20} MiB; refused")
    try:
        tree = etree.parse(str(path), hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed XML: {exc.msg}") from exc
    check_doctype(path, tree)
    return tree


def check_doctype(path: Path, tree: etree._ElementTree) -> None:
    info: Any = tree.docinfo  # lxml-stubs know neither DocInfo.system_url nor DTD.entities()
    dtd = info.internalDTD
    if dtd is not None and list(dtd.entities()):
        names = ", ".join(sorted(e.name or "?" for e in dtd.entities()))
        raise InputError(f"{path}: the DOCTYPE declares entities ({names}); refused")
    if any(isinstance(node, etree._Entity) for node in tree.iter()):
        raise InputError(f"{path}: the document uses entities it does not declare; refused")
    if info.system_url and _SCHEME.match(info.system_url):
        raise InputError(f"{path}: the DOCTYPE points at a network resource ({info.system_url})")
