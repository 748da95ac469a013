"""The one XML parser every reader uses: no entities expanded, no DTD loaded, no network."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from aligner.errors import InputError

MAX_XML_BYTES = 512 * 1024 * 1024


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
        return etree.parse(str(path), hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed XML: {exc.msg}") from exc
