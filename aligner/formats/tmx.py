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
from aligner.formats.beads import CONFIRMED, STATUSES, ExportedBead, ExportFilter, exported_beads
from aligner.formats.multiway import PivotRow, pivot_rows
from aligner.store.models import AlignmentRun, Version

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
    "document_from_runs",
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
class Variant:
    language: str
    text: str
    props: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class TranslationUnit:
    tuid: str
    props: Sequence[tuple[str, str]]
    variants: Sequence[Variant]  # a side with no text is left out


@dataclass
class TmxDocument:
    srclang: str
    units: list[TranslationUnit] = field(default_factory=list)
    creationdate: datetime = field(default_factory=lambda: datetime.now(UTC))
    removed_characters: int = 0

    def variant(self, language: str, text: str, props: Sequence[tuple[str, str]] = ()) -> Variant:
        """A <tuv> of ``text`` without the characters XML forbids, counting those removed."""
        cleaned, removed = strip_illegal(text)
        self.removed_characters += removed
        return Variant(language, cleaned, props)

    def extend(self, other: TmxDocument) -> None:
        """Add ``other``'s units; the source language becomes ``*all*`` if the two differ."""
        if other.srclang != self.srclang:
            self.srclang = "*all*"
        self.units += other.units
        self.removed_characters += other.removed_characters


def document_from_run(run: AlignmentRun, keep: ExportFilter) -> TmxDocument:
    """The translation units of ``run``'s beads that ``keep`` lets through, in reading order."""
    src_version, tgt_version = run.src_revision.version, run.tgt_revision.version
    slug = src_version.work.slug
    document = TmxDocument(srclang=src_version.language)
    for bead in exported_beads(run, keep):
        sides = ((src_version.language, bead.src_text), (tgt_version.language, bead.tgt_text))
        variants = [document.variant(language, text) for language, text in sides if text]
        props = [
            ("x-work", slug),
            ("x-src-version", _revision_label(run, "src")),
            ("x-tgt-version", _revision_label(run, "tgt")),
            *_translator_prop(tgt_version),
            *_link_props(bead.status, bead.score),
        ]
        document.units.append(
            TranslationUnit(tuid=f"{slug}:{run.id}:{bead.position}", props=props, variants=variants)
        )
    return document


def document_from_runs(runs: Sequence[AlignmentRun], keep: ExportFilter) -> TmxDocument:
    """One unit per stretch of the original, with a <tuv> per translation that ``keep`` lets
    through; with a single run, the same as :func:`document_from_run`.

    The runs must align several translations with one revision of the same original.  A
    translation's <tuv> carries its own version, translator, status and score as <prop>s.
    """
    if len(runs) == 1:
        return document_from_run(runs[0], keep)
    src_version = runs[0].src_revision.version
    document = TmxDocument(srclang=src_version.language)
    props = [("x-work", src_version.work.slug), ("x-src-version", _revision_label(runs[0], "src"))]
    tuid = f"{src_version.work.slug}:{src_version.label}:r{runs[0].src_revision.number}"
    for ordinal, row in enumerate(pivot_rows(runs)):
        variants = [
            document.variant(runs[index].tgt_revision.version.language, text, tuv_props)
            for index, text, tuv_props in _kept_translations(runs, row, keep)
        ]
        if row.first is not None and (variants or keep.keep_unaligned):
            variants.insert(0, document.variant(src_version.language, row.src_text))
        if len(variants) > 1 or (variants and keep.keep_unaligned):
            document.units.append(TranslationUnit(f"{tuid}:{ordinal}", props, variants))
    return document


def _kept_translations(
    runs: Sequence[AlignmentRun], row: PivotRow, keep: ExportFilter
) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """(run index, text, <tuv> props) of each translation the row keeps."""
    kept = []
    for index, beads in sorted(row.beads.items()):
        text = " ".join(bead.tgt_text for bead in beads if bead.tgt_text)
        status, score = _joint_status(beads), _joint_score(beads)
        if text and all(keep.accepts(bead) for bead in beads if bead.tgt_text):
            tgt_version = runs[index].tgt_revision.version
            props = [
                ("x-version", _revision_label(runs[index], "tgt")),
                *_translator_prop(tgt_version),
                *_link_props(status, score),
            ]
            kept.append((index, text, props))
    return kept


def _joint_status(beads: Sequence[ExportedBead]) -> str:
    """The beads' status when they share one; else "auto" unless a person checked every
    bead, and "corrected" when they did and some were corrected."""
    statuses = {bead.status for bead in beads}
    if len(statuses) == 1:
        return statuses.pop()
    return "corrected" if statuses <= set(CONFIRMED) else "auto"


def _joint_score(beads: Sequence[ExportedBead]) -> float | None:
    scores = [bead.score for bead in beads if bead.score is not None]
    return min(scores) if scores else None


def _revision_label(run: AlignmentRun, side: str) -> str:
    revision = run.src_revision if side == "src" else run.tgt_revision
    return f"{revision.version.label} r{revision.number}"


def _translator_prop(version: Version) -> list[tuple[str, str]]:
    return [("x-translator", strip_illegal(version.translator)[0])] if version.translator else []


def _link_props(status: str, score: float | None) -> list[tuple[str, str]]:
    props = [("x-status", status)]
    if score is not None:
        props.append(("x-score", f"{score:.4f}"))
    return props


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
    _append_props(tu, unit.props)
    for variant in unit.variants:
        tuv = etree.SubElement(tu, "tuv", {XML_LANG: variant.language})
        _append_props(tuv, variant.props)
        seg = etree.SubElement(tuv, "seg")
        seg.text = variant.text


def _append_props(parent: etree._Element, props: Sequence[tuple[str, str]]) -> None:
    for kind, value in props:
        prop = etree.SubElement(parent, "prop", type=kind)
        prop.text = value
