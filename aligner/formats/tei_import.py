"""TEI P5 reader: a document written by ``aligner export tei`` (or any TEI that follows the
guidelines' "Alignment of Parallel Texts") becomes a parallel document: a work, its versions
with their segments, and one alignment run per ``<linkGrp type="alignment">``.

Versions are the ``<text xml:lang>`` elements of ``<text><group>`` (what the export writes) or
else the ``<div xml:lang>`` children of ``<text><body>``, their segments read by
:mod:`aligner.formats.tei_text`.  The header gives the work (title, author, notes, date
written, and the slug from "from the work SLUG."), and each version's role, title,
translator, date, publication, source, licence, notes, demonstration flag and what it was
translated from (``<bibl>`` matched by ``xml:id`` or ``n``); a ``<bibl>`` with ``n`` and
``textLang`` but no ``<text>`` is a version declared without text.
What the export writes for this purpose is described in :mod:`aligner.formats.tei`.

Each ``<linkGrp type="alignment">`` is a run, read and checked by
:mod:`aligner.formats.tei_links` (``<link>``/``<ptr>`` beads, ``cert`` scores, ``subtype``
statuses; each segment once, in reading order).  A run described in the header
(``<p xml:id="run-N">``) keeps its method, model, code version and date.

How the document is stored (and why importing it again writes nothing) is in
:mod:`aligner.services.interchange.importing`.

The file is refused whole, before anything is written, when it is not well-formed or not valid
in its encoding, its root is not ``<TEI>``, it holds no versions, a version has no or an unknown
``xml:lang``, a pointer names an ``xml:id`` that is not a segment of its versions, or a run is
not one a reader could review (see :mod:`aligner.formats.tei_links`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lxml import etree

from aligner.core.languages import language_info_in
from aligner.core.types import ROLES, TRANSLATION_BASES
from aligner.errors import InputError
from aligner.formats.model import (
    MAX_LABEL,
    MAX_LANGUAGE,
    MAX_SEGMENT_CHARS,
    DocSegment,
    DocVersion,
    DocWork,
    ParallelDocument,
    VersionRef,
    slug_from_name,
)
from aligner.formats.tei import TEI_NS, XML_ID, XML_LANG, tei
from aligner.formats.tei_links import LinkedVersion, LinkReader
from aligner.formats.tei_text import element_text, read_segments
from aligner.formats.xml import parse_xml

MAX_SEGMENT_LABEL = 100  # models.Segment.label
_FROM_WORK = re.compile(r"from the work (\S+)\.\s*$")


def read_tei(path: Path) -> ParallelDocument:
    """Parse ``path`` as TEI or raise :class:`InputError` naming the file and the problem."""
    tree = parse_xml(path)
    root = tree.getroot()
    if root.tag != tei("TEI"):
        raise InputError(f"{path}: not a TEI document ({_root_problem(root)})")
    texts: list[DocVersion] = []
    element_ids: dict[str, str | None] = {}
    segment_ids: dict[str, tuple[int, int]] = {}
    for index, element in enumerate(_version_elements(path, root)):
        version, positions = _read_version(path, element)
        if version.label in element_ids:
            raise InputError(f"{path}: two versions are labelled {version.label!r}")
        texts.append(version)
        element_ids[version.label] = element.get(XML_ID)
        segment_ids.update({ident: (index, position) for ident, position in positions.items()})
    header = root.find(tei("teiHeader"))
    work = _read_work(path, header)
    versions = _read_bibls(path, header, texts, element_ids) if header is not None else texts
    linked = [
        LinkedVersion(v.label, element_ids[v.label], [s.kind for s in v.segments or ()])
        for v in texts
    ]
    elements_by_id = {e.get(XML_ID, ""): e for e in root.iter() if e.get(XML_ID)}
    links = LinkReader(path, linked, segment_ids, elements_by_id)
    runs = [
        links.run(group) for group in root.iter(tei("linkGrp")) if group.get("type") == "alignment"
    ]
    return ParallelDocument(work, _with_roles(versions), runs)


def _root_problem(root: etree._Element) -> str:
    name = etree.QName(root)
    if name.localname == "TEI":
        return f"the root element <TEI> is not in the TEI namespace {TEI_NS}"
    return f"the root element is <{name.localname}>, not <TEI>"


def _version_elements(path: Path, root: etree._Element) -> list[etree._Element]:
    outer = root.find(tei("text"))
    group = outer.find(tei("group")) if outer is not None else None
    body = outer.find(tei("body")) if outer is not None else None
    if group is not None:
        elements = group.findall(tei("text"))
    else:
        elements = body.findall(tei("div")) if body is not None else []
    if not elements:
        raise InputError(
            f"{path}: no versions (expected <text xml:lang> elements in <text><group>, or "
            f"<div xml:lang> elements in <text><body>)"
        )
    for number, element in enumerate(elements, 1):
        if not element.get(XML_LANG):
            raise InputError(f"{path}: the version {_describe(element, number)} has no xml:lang")
    return elements


def _describe(element: etree._Element, number: int) -> str:
    name = etree.QName(element).localname
    ident = element.get(XML_ID)
    return f'<{name} xml:id="{ident}">' if ident else f"<{name}> number {number}"


def _read_version(path: Path, element: etree._Element) -> tuple[DocVersion, dict[str, int]]:
    ident = element.get(XML_ID)
    tag = element.get(XML_LANG, "")
    label = element.get("n") or (ident.removeprefix("text-") if ident else "") or tag
    language = _language(path, label, tag)
    if len(label) > MAX_LABEL:
        raise InputError(f"{path}: the version label {label!r} is longer than {MAX_LABEL}")
    segments, ids = read_segments(element)
    _check_segments(path, label, segments)
    return DocVersion(label, language, segments=segments), ids


def _check_segments(path: Path, label: str, segments: list[DocSegment]) -> None:
    for number, segment in enumerate(segments, 1):
        if len(segment.text) > MAX_SEGMENT_CHARS:
            raise InputError(
                f"{path}: version {label}: segment {number} ({segment.kind}) is "
                f"{len(segment.text):,} characters long, more than the {MAX_SEGMENT_CHARS:,} "
                "one segment may hold"
            )
        if segment.label is not None and len(segment.label) > MAX_SEGMENT_LABEL:
            raise InputError(
                f"{path}: version {label}: the note label {segment.label[:20]!r}… is longer "
                f"than {MAX_SEGMENT_LABEL} characters"
            )


def _read_work(path: Path, header: etree._Element | None) -> DocWork:
    """The work's slug, title, author, notes and date written; the slug from "from the work
    SLUG." in the header, else from the file name."""
    title = author = slug = notes = date_written = None
    file_desc = header.find(tei("fileDesc")) if header is not None else None
    if file_desc is not None:
        title = _field(file_desc, "titleStmt/title")
        authors = [element_text(a).strip() for a in file_desc.iterfind(_path("titleStmt/author"))]
        author = "; ".join(a for a in authors if a) or None
        statement = " ".join(
            element_text(p) for p in file_desc.iterfind(_path("publicationStmt/p"))
        )
        found = _FROM_WORK.search(statement)
        slug = found[1] if found else None
        notes_found = [element_text(n).strip() for n in file_desc.iterfind(_path("notesStmt/note"))]
        notes = "\n\n".join(n for n in notes_found if n) or None
    if title == slug:
        title = None  # the export writes the slug for a work without a title
    if header is not None:
        date_written = _field(header, "profileDesc/creation/date")
    return DocWork(
        slug or slug_from_name(path.name.split(".", 1)[0], "tei"),
        title, author, date_written, notes,
    )  # fmt: skip


def _read_bibls(
    path: Path,
    header: etree._Element,
    texts: list[DocVersion],
    element_ids: dict[str, str | None],
) -> list[DocVersion]:
    """The versions with each one's fields from its ``<bibl>``, matched by ``xml:id`` or
    ``n``; a ``<bibl>`` with ``n`` and ``textLang`` but no text is a version declared without
    one.  The versions take the order of their ``<bibl>``s."""
    names = {label: (ident or "").removeprefix("text-") for label, ident in element_ids.items()}
    described: list[tuple[DocVersion, etree._Element]] = []
    for bibl in _version_bibls(header):
        version = next(
            (v for v in texts if bibl.get(XML_ID) == f"bibl-{names[v.label]}"),
            next((v for v in texts if bibl.get("n") == v.label), None),
        )
        if version is None:
            version = _declared_version(path, bibl)
        if version is not None and all(v is not version for v, _ in described):
            described.append((version, bibl))
    labels = {b.get(XML_ID, ""): v.label for v, b in described if b.get(XML_ID)}
    versions = [_read_bibl(path, version, bibl, labels) for version, bibl in described]
    versions += [v for v in texts if all(v is not d for d, _ in described)]
    title_stmt = header.find(_path("fileDesc/titleStmt"))
    return [
        replace(v, translator=_translator_from_resp(title_stmt, v.label))
        if v.translator is None and title_stmt is not None
        else v
        for v in versions
    ]


def _version_bibls(header: etree._Element) -> list[etree._Element]:
    """The header's ``<bibl>``s, less those inside a ``<relatedItem>``."""
    return [
        bibl
        for bibl in header.iter(tei("bibl"))
        if not any(a.tag == tei("relatedItem") for a in bibl.iterancestors())
    ]


def _declared_version(path: Path, bibl: etree._Element) -> DocVersion | None:
    label, text_lang = bibl.get("n"), bibl.find(tei("textLang"))
    tag = text_lang.get("mainLang") if text_lang is not None else None
    if not label or not tag:
        return None  # a bibliographic reference, not a version
    if len(label) > MAX_LABEL:
        raise InputError(f"{path}: the version label {label!r} is longer than {MAX_LABEL}")
    return DocVersion(label, _language(path, label, tag))


def _language(path: Path, label: str, tag: str) -> str:
    language = language_info_in(f"{path}: version {label}", tag).tag
    if len(language) > MAX_LANGUAGE:
        raise InputError(
            f"{path}: version {label}: the language tag {tag!r} is longer than {MAX_LANGUAGE} "
            "characters"
        )
    return language


def _read_bibl(
    path: Path, version: DocVersion, bibl: etree._Element, labels: dict[str, str]
) -> DocVersion:
    """The version with its fields from its ``<bibl>``; ``labels``: version label by bibl
    xml:id."""
    role = bibl.get("type")
    title = bibl.find(tei("title"))
    if title is not None and title.get("type") != "work":  # "work": the work's title stood in
        version = replace(version, title=_clean(element_text(title)))
    source, basis = version.translation_of, version.translation_basis
    for related in bibl.findall(tei("relatedItem")):
        if related.get("type") == "translationOf":
            found = labels.get(related.get("target", "").removeprefix("#"))
            source, basis = VersionRef(found) if found else None, related.get("subtype")
    if basis is not None and basis not in TRANSLATION_BASES:
        raise InputError(
            f"{path}: {basis!r}: not a translation basis (use stated, inferred, unknown)"
        )
    notes = {n.get("type"): _clean(element_text(n)) for n in bibl.findall(tei("note"))}
    return replace(
        version,
        role=role if role in ROLES else None,
        translation_of=source,
        translation_basis=basis,
        translator=_field(bibl, "editor[@role='translator']"),
        date=_field(bibl, "date"),
        publication=notes.get("publication"),
        source=notes.get("source"),
        licence=notes.get("licence"),
        notes=notes.get("notes"),
        revision_note=notes.get("revision"),
        demonstration="demonstration" in notes,
    )


def _path(steps: str) -> str:
    """``titleStmt/title`` with the TEI namespace on each step."""
    return "/".join(step if step.startswith("@") else tei(step) for step in steps.split("/"))


def _field(parent: etree._Element, steps: str) -> str | None:
    """The text of the first element at ``steps`` below ``parent``, trimmed; None if empty."""
    found = parent.find(_path(steps))
    return _clean(element_text(found)) if found is not None else None


def _translator_from_resp(title_stmt: etree._Element, label: str) -> str | None:
    for statement in title_stmt.findall(tei("respStmt")):
        resp = statement.findtext(tei("resp")) or ""
        if resp.strip().endswith(f"({label})"):
            return _clean(statement.findtext(tei("name")))
    return None


def _clean(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


def _with_roles(versions: list[DocVersion]) -> list[DocVersion]:
    """The versions with the roles the header leaves out (the first version is the original
    unless one is named) and each one's place in the file as its id."""
    has_original = any(v.role == "original" for v in versions)
    return [
        replace(
            version,
            id=index + 1,
            role=version.role or ("original" if index == 0 and not has_original else "translation"),
        )
        for index, version in enumerate(versions)
    ]
