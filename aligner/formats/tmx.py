"""TMX 1.4b export: one translation unit per bead of an alignment run.

The document follows the TMX 1.4b DTD (``tmx14.dtd``): a header naming this tool, the source
language and ``segtype="sentence"``, then one ``<tu>`` per bead with ``<prop>`` elements for the
work, the two versions, the translator, the link status and score, and a ``<tuv>`` per side
holding the bead's sentences joined in reading order.  lxml escapes the text; characters XML
cannot carry (C0 controls other than tab, newline and carriage return, lone surrogates,
U+FFFE and U+FFFF) are removed and counted.  Right-to-left text is written as stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from aligner.formats.beads import ExportFilter, kept_beads
from aligner.formats.model import CONFIRMED, AlignedBead, DocRun, ParallelDocument
from aligner.formats.multiway import PivotRow, pivot_rows
from aligner.formats.xml import strip_illegal
from aligner.version import __version__

TMX_VERSION = "1.4"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tmx_date(moment: datetime) -> str:
    """A date in the TMX form YYYYMMDDThhmmssZ (UTC)."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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


def document_from_runs(document: ParallelDocument, keep: ExportFilter) -> TmxDocument:
    """The translation units of the document's runs: with one run, a unit per bead that
    ``keep`` lets through, in reading order; with several, a unit per stretch of the original,
    with a <tuv> per translation that ``keep`` lets through.

    Several runs must align several translations with one revision of the same original.  A
    translation's <tuv> then carries its own version, translator, status and score as <prop>s.
    """
    runs = document.runs
    if len(runs) == 1:
        return _document_from_run(document, runs[0], keep)
    slug, src_version = document.work.slug, document.version(runs[0].src)
    tmx = TmxDocument(srclang=src_version.language)
    props = [("x-work", slug), ("x-src-version", runs[0].revision_label("src"))]
    tuid = f"{slug}:{src_version.label}:r{runs[0].src_revision}"
    for ordinal, row in enumerate(pivot_rows(slug, runs)):
        variants = [
            tmx.variant(document.version(runs[index].tgt).language, text, tuv_props)
            for index, text, tuv_props in _kept_translations(document, row, keep)
        ]
        if row.first is not None and (variants or keep.keep_unaligned):
            variants.insert(0, tmx.variant(src_version.language, row.src_text))
        if len(variants) > 1 or (variants and keep.keep_unaligned):
            tmx.units.append(TranslationUnit(f"{tuid}:{ordinal}", props, variants))
    return tmx


def _document_from_run(document: ParallelDocument, run: DocRun, keep: ExportFilter) -> TmxDocument:
    slug = document.work.slug
    src_version, tgt_version = document.version(run.src), document.version(run.tgt)
    tmx = TmxDocument(srclang=src_version.language)
    for bead in kept_beads(run.beads, keep):
        sides = ((src_version.language, bead.src_text), (tgt_version.language, bead.tgt_text))
        variants = [tmx.variant(language, text) for language, text in sides if text]
        props = [
            ("x-work", slug),
            ("x-src-version", run.revision_label("src")),
            ("x-tgt-version", run.revision_label("tgt")),
            *_translator_prop(tgt_version.translator),
            *_link_props(bead.status, bead.score),
        ]
        tmx.units.append(
            TranslationUnit(tuid=f"{slug}:{run.id}:{bead.position}", props=props, variants=variants)
        )
    return tmx


def _kept_translations(
    document: ParallelDocument, row: PivotRow, keep: ExportFilter
) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """(run index, text, <tuv> props) of each translation the row keeps."""
    kept = []
    for index, beads in sorted(row.beads.items()):
        text = " ".join(bead.tgt_text for bead in beads if bead.tgt_text)
        status, score = _joint_status(beads), _joint_score(beads)
        if text and all(keep.accepts(bead) for bead in beads if bead.tgt_text):
            run = document.runs[index]
            props = [
                ("x-version", run.revision_label("tgt")),
                *_translator_prop(document.version(run.tgt).translator),
                *_link_props(status, score),
            ]
            kept.append((index, text, props))
    return kept


def _joint_status(beads: Sequence[AlignedBead]) -> str:
    """The beads' status when they share one; else "auto" unless a person checked every
    bead, and "corrected" when they did and some were corrected."""
    statuses = {bead.status for bead in beads}
    if len(statuses) == 1:
        return statuses.pop()
    return "corrected" if statuses <= set(CONFIRMED) else "auto"


def _joint_score(beads: Sequence[AlignedBead]) -> float | None:
    scores = [bead.score for bead in beads if bead.score is not None]
    return min(scores) if scores else None


def _translator_prop(translator: str | None) -> list[tuple[str, str]]:
    return [("x-translator", strip_illegal(translator)[0])] if translator else []


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
