"""TMX 1.4b export: one translation unit per bead of an alignment run.

The document follows the TMX 1.4b DTD (``tmx14.dtd``): a header naming this tool, the source
language and ``segtype="sentence"``, then one ``<tu>`` per bead with ``<prop>`` elements for the
work, the two versions, the translator, the link status and score, and a ``<tuv>`` per side
holding the bead's sentences joined in reading order.  lxml escapes the text; characters XML
cannot carry (C0 controls other than tab, newline and carriage return, lone surrogates,
U+FFFE and U+FFFF) are removed and counted.  Right-to-left text is written as stored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from aligner import __version__
from aligner.formats.beads import CONFIRMED, STATUSES, ExportFilter, exported_beads
from aligner.store.models import AlignmentRun

TMX_VERSION = "1.4"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

__all__ = [
    "CONFIRMED",
    "STATUSES",
    "ExportFilter",
    "TmxDocument",
    "TranslationUnit",
    "document_from_run",
    "strip_illegal",
    "tmx_date",
    "write_tmx",
]

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def tmx_date(moment: datetime) -> str:
    """A date in the TMX form YYYYMMDDThhmmssZ (UTC)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def strip_illegal(text: str) -> tuple[str, int]:
    """``text`` without the characters XML 1.0 forbids, and how many were removed."""
    cleaned, removed = _ILLEGAL.subn("", text)
    return cleaned, removed


@dataclass(frozen=True)
class TranslationUnit:
    tuid: str
    props: Sequence[tuple[str, str]]
    variants: Sequence[tuple[str, str]]  # (language, text); a side with no text is left out


@dataclass
class TmxDocument:
    srclang: str
    units: list[TranslationUnit] = field(default_factory=list)
    creationdate: datetime = field(default_factory=lambda: datetime.now(UTC))
    removed_characters: int = 0


def document_from_run(run: AlignmentRun, keep: ExportFilter) -> TmxDocument:
    """The translation units of ``run``'s beads that ``keep`` lets through, in reading order."""
    src_version, tgt_version = run.src_revision.version, run.tgt_revision.version
    slug = src_version.work.slug
    document = TmxDocument(srclang=src_version.language)
    for bead in exported_beads(run, keep):
        variants = []
        sides = ((src_version.language, bead.src_text), (tgt_version.language, bead.tgt_text))
        for language, text in sides:
            if text:
                cleaned, removed = strip_illegal(text)
                document.removed_characters += removed
                variants.append((language, cleaned))
        props = [
            ("x-work", slug),
            ("x-src-version", f"{src_version.label} r{run.src_revision.number}"),
            ("x-tgt-version", f"{tgt_version.label} r{run.tgt_revision.number}"),
        ]
        if tgt_version.translator:
            props.append(("x-translator", strip_illegal(tgt_version.translator)[0]))
        props.append(("x-status", bead.status))
        if bead.score is not None:
            props.append(("x-score", f"{bead.score:.4f}"))
        document.units.append(
            TranslationUnit(tuid=f"{slug}:{run.id}:{bead.position}", props=props, variants=variants)
        )
    return document


def write_tmx(document: TmxDocument) -> bytes:
    """The TMX 1.4b document as UTF-8 bytes, with its XML declaration and DOCTYPE."""
    root = etree.Element("tmx", version=TMX_VERSION)
    header = {
        "creationtool": "aligner",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "aligner",
        "adminlang": "en",
        "srclang": document.srclang,
        "datatype": "plaintext",
        "creationdate": tmx_date(document.creationdate),
    }
    etree.SubElement(root, "header", header)
    body = etree.SubElement(root, "body")
    for unit in document.units:
        _append_unit(body, unit)
    return bytes(
        etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", pretty_print=True, doctype=DOCTYPE
        )
    )


def _append_unit(body: etree._Element, unit: TranslationUnit) -> None:
    tu = etree.SubElement(body, "tu", tuid=unit.tuid)
    for kind, value in unit.props:
        prop = etree.SubElement(tu, "prop", type=kind)
        prop.text = value
    for language, text in unit.variants:
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: language})
        seg = etree.SubElement(tuv, "seg")
        seg.text = text
