"""TEI P5 export: a work's versions as one document, with its alignment runs as ``<linkGrp>``.

The document is ``<TEI>`` with a ``<teiHeader>`` (title, author and one ``<respStmt>`` per
translator; who exported it and when; each version's publication and source, noting the texts
written for this project as demonstrations; the languages; the runs' method, model and date),
a ``<text><group>`` holding one ``<text xml:lang xml:id>`` per version that has text (its
current revision), and a ``<standOff>`` with one ``<linkGrp type="alignment">`` per run.

In each version's ``<body>`` a heading starts a ``<div>`` with the heading as its ``<head>``;
sentences are ``<s>`` inside one ``<p>`` per paragraph, whole paragraphs are ``<p>``, footnotes
are ``<note type="footnote" place="foot">`` and apparatus notes ``<note type="apparatus">``.
Every segment carries an ``xml:id`` (``{version}.{position}``), a ``<p>`` of sentences
``{version}.p{paragraph}``, and texts are written exactly
as stored (Yiddish included), less the characters XML cannot carry.

The header carries what the import needs to recreate the work (:mod:`aligner.formats.tei_import`):
the work's notes (``<notesStmt>``) and date written (``<creation>``), a ``<bibl>`` for every
version (one declared without text has no ``<text>``), each version's licence and notes, what a
translation was made from (``<relatedItem type="translationOf" target subtype="stated">``), the
labels of apparatus notes (``<note n>``), and which pieces share one paragraph number (a note
above a paragraph of the same block points to it with ``next``).

Beads follow the guidelines' "Alignment of Parallel Texts" (a ``<linkGrp>`` of ``<link>``s
pointing at the aligned segments): a bead with both sides is one ``<link target>`` listing the
source segments, then the target ones, with the bead's score as ``cert``.  A ``<link>`` needs
at least two targets *on both sides of a correspondence*, so a bead with one side only (an
omission from the translation, or an addition to it) is not a ``<link>``: it is a
``<ptr type="omission">`` or ``<ptr type="addition">`` in the same ``<linkGrp>`` (whose
content is ``(link | ptr)+``), in bead order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from aligner.formats.model import DocRun, DocVersion, ParallelDocument
from aligner.formats.xml import strip_illegal
from aligner.version import __version__

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
DEMONSTRATION_NOTE = (
    "A demonstration text written for this project to show what aligner does; "
    "not a historical original or translation."
)

# English names for langUsage (langcodes needs the optional language_data package for them).
LANGUAGE_NAMES = {
    "de": "German", "en": "English", "es": "Spanish", "fr": "French", "he": "Hebrew",
    "it": "Italian", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ru": "Russian",
    "uk": "Ukrainian", "yi": "Yiddish", "zh": "Chinese", "ja": "Japanese", "ar": "Arabic",
}  # fmt: skip
_NOT_NAME = re.compile(r"[^A-Za-z0-9._-]")


def tei(tag: str) -> str:
    return f"{{{TEI_NS}}}{tag}"


@dataclass
class TeiExport:
    """The document, and counts for the command's summary."""

    root: etree._Element
    versions: int = 0
    runs: list[DocRun] = field(default_factory=list)
    links: int = 0
    unaligned: int = 0
    removed_characters: int = 0


def language_name(tag: str) -> str:
    """``English`` for ``en``; the tag itself for a language not in :data:`LANGUAGE_NAMES`."""
    return LANGUAGE_NAMES.get(tag.split("-", 1)[0].lower(), tag)


def version_ids(versions: Sequence[DocVersion]) -> dict[str, str]:
    """An XML name per version label, from the label (``fr-demo``), unique within the
    document."""
    names: dict[str, str] = {}
    for version in versions:
        name = _NOT_NAME.sub("_", version.label)
        if not name[:1].isalpha():
            name = f"v{name}"
        if name in names.values():
            name = f"{name}-v{version.id}"
        names[version.label] = name
    return names


class _Builder:
    def __init__(self, document: ParallelDocument, exported: datetime) -> None:
        self.work = document.work
        self.all_versions = document.versions
        self.runs = list(document.runs)
        self.exported = exported
        self.versions = [v for v in document.versions if v.segments is not None]
        self.names = version_ids(document.versions)
        self.removed = 0

    def clean(self, text: str) -> str:
        cleaned, removed = strip_illegal(text)
        self.removed += removed
        return cleaned

    def sub(
        self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        names = {"xml_id": XML_ID, "xml_lang": XML_LANG}
        element = etree.SubElement(parent, tei(tag), {names.get(k, k): v for k, v in attrs.items()})
        if text is not None:
            element.text = self.clean(text)
        return element

    def segment_id(self, label: str, position: int) -> str:
        return f"{self.names[label]}.{position}"

    def build(self) -> TeiExport:
        root = etree.Element(tei("TEI"), nsmap={None: TEI_NS})  # type: ignore[dict-item]
        self.header(self.sub(root, "teiHeader"))
        outer = self.sub(root, "text")
        group = self.sub(outer, "group")
        for version in self.versions:
            self.version_text(group, version)
        links = unaligned = 0
        if self.runs:
            stand_off = self.sub(root, "standOff")
            for run in self.runs:
                made, alone = self.link_group(stand_off, run)
                links, unaligned = links + made, unaligned + alone
        return TeiExport(
            root,
            versions=len(self.versions),
            runs=self.runs,
            links=links,
            unaligned=unaligned,
            removed_characters=self.removed,
        )

    # The header --------------------------------------------------------------------------

    def header(self, header: etree._Element) -> None:
        work = self.work
        file_desc = self.sub(header, "fileDesc")
        title_stmt = self.sub(file_desc, "titleStmt")
        self.sub(title_stmt, "title", work.title or work.slug)
        if work.author:
            self.sub(title_stmt, "author", work.author)
        for version in self.versions:
            if version.translator:
                resp_stmt = self.sub(title_stmt, "respStmt")
                self.sub(
                    resp_stmt, "resp", f"translation into {version.language} ({version.label})"
                )
                self.sub(resp_stmt, "name", version.translator)
        publication = self.sub(file_desc, "publicationStmt")
        p = self.sub(publication, "p", f"Exported by aligner {__version__} on ")
        date = self.sub(
            p, "date", self.exported.strftime("%Y-%m-%d"), when=self.exported.strftime("%Y-%m-%d")
        )
        date.tail = f" from the work {work.slug}."
        if work.notes:
            self.sub(self.sub(file_desc, "notesStmt"), "note", work.notes)
        source_desc = self.sub(file_desc, "sourceDesc")
        if self.all_versions:  # versions declared without text too: a known original
            listing = self.sub(source_desc, "listBibl")
            for version in self.all_versions:
                self.version_bibl(listing, version)
        else:
            self.sub(source_desc, "p", "No version of this work has text yet.")
        encoding = self.sub(header, "encodingDesc")
        self.sub(
            encoding,
            "p",
            "Versions are segmented into headings, paragraphs, sentences and notes by aligner; "
            "each segment's xml:id is its version's label and its position.",
        )
        for run in self.runs:
            self.run_description(encoding, run)
        profile = self.sub(header, "profileDesc")
        if work.date_written:
            self.sub(self.sub(profile, "creation"), "date", work.date_written)
        usage = self.sub(profile, "langUsage")
        for language in dict.fromkeys(v.language for v in self.versions):
            labels = ", ".join(v.label for v in self.versions if v.language == language)
            self.sub(usage, "language", f"{language_name(language)} ({labels})", ident=language)

    def version_bibl(self, listing: etree._Element, version: DocVersion) -> None:
        bibl = self.sub(
            listing,
            "bibl",
            xml_id=f"bibl-{self.names[version.label]}",
            n=version.label,
            **({"type": version.role} if version.role else {}),
        )
        if version.title:
            self.sub(bibl, "title", version.title)
        else:  # the work's title stands in; type="work" tells the import so
            self.sub(bibl, "title", self.work.title or self.work.slug, type="work")
        if version.role == "original" and self.work.author:
            self.sub(bibl, "author", self.work.author)
        if version.translator:
            self.sub(bibl, "editor", version.translator, role="translator")
        if version.date:
            self.sub(bibl, "date", version.date)
        self.sub(bibl, "textLang", language_name(version.language), mainLang=version.language)
        if version.publication:
            self.sub(bibl, "note", version.publication, type="publication")
        if version.source:
            self.sub(bibl, "note", version.source, type="source")
        if version.licence:
            self.sub(bibl, "note", version.licence, type="licence")
        if version.notes:
            self.sub(bibl, "note", version.notes, type="notes")
        if version.revision_note:
            self.sub(bibl, "note", version.revision_note, type="revision")
        if version.demonstration:
            self.sub(bibl, "note", DEMONSTRATION_NOTE, type="demonstration")
        self.translation_of(bibl, version)

    def translation_of(self, bibl: etree._Element, version: DocVersion) -> None:
        """What ``version`` was translated from: a pointer to its ``<bibl>``, or an empty
        ``<bibl>`` when that is unknown; a version of another work is left out."""
        source, basis = version.translation_of, version.translation_basis
        attrs = {"subtype": basis} if basis else {}
        if source is not None and source.work is None:
            self.sub(bibl, "relatedItem", type="translationOf",
                     target=f"#bibl-{self.names[source.label]}", **attrs)  # fmt: skip
        elif source is None and basis == "unknown":
            self.sub(self.sub(bibl, "relatedItem", type="translationOf", **attrs), "bibl")

    def run_description(self, encoding: etree._Element, run: DocRun) -> None:
        p = self.sub(
            encoding,
            "p",
            f"Alignment run {run.id}, {run.revision_label('src')} → "
            f"{run.revision_label('tgt')}: method ",
            xml_id=f"run-{run.id}",
        )
        self.sub(p, "ident", run.method).tail = ", model "
        model = self.sub(p, "ident", run.model)
        created = run.created_at
        if created is None:  # a run read from a file that did not say when it was made
            model.tail = f", aligner {run.code_version}."
            return
        model.tail = f", aligner {run.code_version}, made "
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        created = created.astimezone(UTC).replace(microsecond=0)
        when = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        self.sub(p, "date", created.strftime("%Y-%m-%d %H:%M UTC"), when=when).tail = "."

    # The texts ---------------------------------------------------------------------------

    def version_text(self, group: etree._Element, version: DocVersion) -> None:
        assert version.segments is not None
        name = self.names[version.label]
        text = self.sub(
            group, "text", xml_id=f"text-{name}", xml_lang=version.language, n=version.label
        )
        body = self.sub(text, "body")
        container = body
        paragraph: etree._Element | None = None
        paragraph_number: int | None = None
        previous_kind = ""
        used: set[str] = set()
        # The element that began the last block piece and its paragraph number: a piece that
        # continues the same paragraph (apparatus lines above a paragraph) is its ``next``.
        last: tuple[etree._Element, int] | None = None
        for position, segment in enumerate(version.segments):
            ident = self.segment_id(version.label, position)
            started: etree._Element | None = None
            if segment.kind == "heading":
                if previous_kind != "heading":
                    container = self.sub(body, "div")
                started = self.sub(container, "head", segment.text, xml_id=ident)
            elif segment.kind == "sentence":
                if paragraph is None or paragraph_number != segment.paragraph:
                    p_id = f"{name}.p{segment.paragraph + 1}"
                    if p_id in used:  # a paragraph number seen before: keep ids unique
                        p_id = f"{p_id}-{position}"
                    used.add(p_id)
                    paragraph = self.sub(container, "p", xml_id=p_id, n=str(segment.paragraph + 1))
                    paragraph_number, started = segment.paragraph, paragraph
                self.sub(paragraph, "s", segment.text, xml_id=ident)
            elif segment.kind == "paragraph":
                started = self.sub(container, "p", segment.text, xml_id=ident,
                                   n=str(segment.paragraph + 1))  # fmt: skip
            else:  # a footnote or an apparatus note; its label (marker, "editorial") as n
                attrs = (
                    {"type": "footnote", "place": "foot"}
                    if segment.kind == "footnote"
                    else {"type": "apparatus"}
                )
                if segment.label:
                    attrs["n"] = segment.label
                started = self.sub(container, "note", segment.text, xml_id=ident, **attrs)
            if started is not None:
                if last is not None and last[1] == segment.paragraph:
                    last[0].set("next", f"#{started.get(XML_ID)}")
                last = (started, segment.paragraph)
            if segment.kind != "sentence":
                paragraph, paragraph_number = None, None
            previous_kind = segment.kind
        if len(body) == 0:
            self.sub(body, "p")

    # The alignments ----------------------------------------------------------------------

    def link_group(self, stand_off: etree._Element, run: DocRun) -> tuple[int, int]:
        group = self.sub(
            stand_off,
            "linkGrp",
            xml_id=f"alignment-{run.id}",
            type="alignment",
            domains=f"#text-{self.names[run.src]} #text-{self.names[run.tgt]}",
            corresp=f"#run-{run.id}",
        )
        links = unaligned = 0
        for bead in run.beads:
            src_ids = [self.segment_id(run.src, i) for i in sorted(bead.src_ids)]
            tgt_ids = [self.segment_id(run.tgt, j) for j in sorted(bead.tgt_ids)]
            attrs: dict[str, str] = {"n": str(bead.position)}
            if bead.score is not None:
                attrs["cert"] = f"{min(max(bead.score, 0.0), 1.0):.4f}"
            if bead.status != "auto":
                attrs["subtype"] = bead.status  # confirmed or corrected by a person
            if src_ids and tgt_ids:
                target = " ".join(f"#{i}" for i in (*src_ids, *tgt_ids))
                self.sub(group, "link", target=target, type=f"{len(src_ids)}-{len(tgt_ids)}",
                         **attrs)  # fmt: skip
                links += 1
            elif src_ids or tgt_ids:
                kind = "omission" if src_ids else "addition"
                target = " ".join(f"#{i}" for i in (*src_ids, *tgt_ids))
                self.sub(group, "ptr", target=target, type=kind, **attrs)
                unaligned += 1
        return links, unaligned


def build_tei(document: ParallelDocument, exported: datetime | None = None) -> TeiExport:
    """The TEI document of the work's versions (those with text as ``<text>``) and the
    document's runs."""
    return _Builder(document, exported or datetime.now(UTC)).build()


def write_tei(document: TeiExport) -> bytes:
    """The document as UTF-8 bytes with its XML declaration."""
    return bytes(
        etree.tostring(document.root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )
