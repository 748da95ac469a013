"""TEI P5 import: a document written by ``aligner export tei`` (or any TEI that follows the
guidelines' "Alignment of Parallel Texts") becomes a work, its versions, one revision per
version and one alignment run per ``<linkGrp type="alignment">``.

Versions are the ``<text xml:lang>`` elements of ``<text><group>`` (what the export writes) or
else the ``<div xml:lang>`` children of ``<text><body>``.  Inside a version, ``<head>`` is a
heading, ``<s>`` a sentence of its ``<p>`` (whose ``n`` gives the paragraph number), a ``<p>``
without ``<s>`` a paragraph, ``<note type="footnote">`` a footnote and any other ``<note>`` an
apparatus note; texts are kept exactly as written, inline markup reduced to its text.  The
header gives the work (title, author, notes, date written, and the slug from "from the work
SLUG."), and each version's role, title, translator, date, publication, source, licence, notes,
demonstration flag and what it was translated from (``<bibl>`` matched by ``xml:id`` or ``n``);
a ``<bibl>`` with ``n`` and ``textLang`` but no ``<text>`` is a version declared without text.
What the export writes for this purpose is described in :mod:`aligner.formats.tei`.

Each ``<linkGrp type="alignment">`` is a run, read and checked by
:mod:`aligner.formats.tei_links` (``<link>``/``<ptr>`` beads, ``cert`` scores, ``subtype``
statuses; each segment once, in reading order).  A run described in the header
(``<p xml:id="run-N">``) keeps its method, model, code version and date.

A revision's text is rebuilt from its segments (sentences of one paragraph joined by a space,
blocks by a blank line), so every segment's offsets point at its text.  Importing into a work
that exists reuses its versions; a version whose current revision holds the same segments (kind
and text) keeps it, otherwise it gets a new revision; a run identical to one already stored
(same revisions, method, model, beads, scores and statuses) is not stored twice.  So importing a
file again, or importing an export back into the database it came from, writes nothing new.

The file is refused whole, before anything is written, when it is not well-formed or not valid
in its encoding, its root is not ``<TEI>``, it holds no versions, a version has no or an unknown
``xml:lang``, a pointer names an ``xml:id`` that is not a segment of its versions, or a run is
not one a reader could review (see :mod:`aligner.formats.tei_links`).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import Session

from aligner.core.languages import language_info_in
from aligner.errors import InputError
from aligner.formats.beads import rounded_score, stored_run
from aligner.formats.tei import TEI_NS, XML_ID, XML_LANG, tei
from aligner.formats.tei_links import LinkedVersion, LinkReader, TeiRun
from aligner.formats.xml import parse_xml
from aligner.services.corpus import (
    MAX_SEGMENT_CHARS,
    VersionSpec,
    WorkSpec,
    upsert_version,
    upsert_work,
)
from aligner.store.models import (
    ROLES,
    TRANSLATION_BASES,
    AlignmentRun,
    Link,
    LinkSegment,
    Revision,
    Segment,
    SourceDocument,
    Version,
    Work,
)
from aligner.store.queries import find_source_document

MAX_LABEL = 50
MAX_SEGMENT_LABEL = 100  # models.Segment.label
MAX_LANGUAGE = 35  # models.Version.language
MAX_PARAGRAPH_DIGITS = 9  # a larger <p n> is no paragraph number: the column is 32 bits
_FROM_WORK = re.compile(r"from the work (\S+)\.\s*$")


@dataclass(frozen=True)
class TeiSegment:
    """One segment as written: ``joined`` when it continues the previous one's paragraph."""

    kind: str
    paragraph: int
    sentence: int
    text: str
    label: str | None
    joined: bool


@dataclass
class TeiVersion:
    label: str
    language: str
    element_id: str | None
    segments: list[TeiSegment] = field(default_factory=list)
    role: str | None = None
    title: str | None = None
    translator: str | None = None
    date: str | None = None
    publication: str | None = None
    source: str | None = None
    licence: str | None = None
    notes: str | None = None
    demonstration: bool = False
    translation_of: str | None = None  # a label
    translation_basis: str | None = None
    revision_note: str | None = None


@dataclass
class TeiDocument:
    """What a TEI file says about a work, its versions and their alignments."""

    path: Path
    versions: list[TeiVersion]
    runs: list[TeiRun]
    slug: str | None = None
    title: str | None = None
    author: str | None = None
    date_written: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class VersionOutcome:
    label: str
    language: str
    revision: int | None  # None: the version has no text in the file
    new: bool  # a new revision, rather than the current one reused
    counts: dict[str, int]
    demonstration: bool


@dataclass(frozen=True)
class RunOutcome:
    id: int
    src: str
    tgt: str
    new: bool
    kinds: dict[str, int]

    @property
    def beads(self) -> int:
        return sum(self.kinds.values())


@dataclass(frozen=True)
class TeiImportOutcome:
    work: str
    versions: list[VersionOutcome]
    runs: list[RunOutcome]


# Reading ---------------------------------------------------------------------------------


def read_tei(path: Path) -> TeiDocument:
    """Parse ``path`` as TEI or raise :class:`InputError` naming the file and the problem."""
    tree = parse_xml(path)
    root = tree.getroot()
    if root.tag != tei("TEI"):
        raise InputError(f"{path}: not a TEI document ({_root_problem(root)})")
    elements = _version_elements(path, root)
    versions: list[TeiVersion] = []
    segment_ids: dict[str, tuple[int, int]] = {}
    for index, element in enumerate(elements):
        version, positions = _read_version(path, element)
        if any(v.label == version.label for v in versions):
            raise InputError(f"{path}: two versions are labelled {version.label!r}")
        versions.append(version)
        segment_ids.update({ident: (index, position) for ident, position in positions.items()})
    document = TeiDocument(path, list(versions), runs=[])
    _read_header(document, root.find(tei("teiHeader")))
    _assign_roles(document)
    elements_by_id = {e.get(XML_ID, ""): e for e in root.iter() if e.get(XML_ID)}
    linked = [LinkedVersion(v.label, v.element_id, [s.kind for s in v.segments]) for v in versions]
    links = LinkReader(path, linked, segment_ids, elements_by_id)
    document.runs = [
        links.run(group) for group in root.iter(tei("linkGrp")) if group.get("type") == "alignment"
    ]
    return document


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


def _read_version(path: Path, element: etree._Element) -> tuple[TeiVersion, dict[str, int]]:
    ident = element.get(XML_ID)
    tag = element.get(XML_LANG, "")
    label = element.get("n") or (ident.removeprefix("text-") if ident else "") or tag
    language = _language(path, label, tag)
    if len(label) > MAX_LABEL:
        raise InputError(f"{path}: the version label {label!r} is longer than {MAX_LABEL}")
    reader = _SegmentReader()
    reader.walk(element)
    for number, segment in enumerate(reader.segments, 1):
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
    return TeiVersion(label, language, ident, reader.segments), reader.ids


def _text(element: etree._Element) -> str:
    """The element's text with its inline markup's, leaving out notes inside it."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and child.tag != tei("note"):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


class _SegmentReader:
    """Walks a version in document order.  Each block piece (``<head>``, ``<note>``, ``<p>``)
    has the paragraph number ``<p n>`` gives, else the previous piece's when that one's
    ``next`` points to it, else the next number free."""

    def __init__(self) -> None:
        self.segments: list[TeiSegment] = []
        self.ids: dict[str, int] = {}
        self.next_block = 0
        self.last_paragraph = 0
        self.continued: set[str] = set()  # ids that a previous piece's ``next`` points to
        self.per_paragraph: Counter[int] = Counter()
        self.loose_parent: etree._Element | None = None  # of <s> outside any <p>
        self.loose_paragraph = 0

    def walk(self, container: etree._Element) -> None:
        for child in container:
            if not isinstance(child.tag, str):
                continue
            name = child.tag
            if name == tei("head"):
                self.add(child, "heading", self.block(child))
            elif name == tei("note"):
                self.note(child, self.block(child))
            elif name in (tei("p"), tei("ab")):
                self.paragraph(child)
            elif name == tei("s"):
                self.loose_sentence(child)
            else:
                self.walk(child)

    def block(self, element: etree._Element, number: int | None = None) -> int:
        if number is None and element.get(XML_ID) in self.continued:
            number = self.last_paragraph
        paragraph = self.next_block if number is None else number
        self.next_block = max(self.next_block, paragraph + 1)
        self.last_paragraph = paragraph
        following = element.get("next", "")
        if following.startswith("#"):
            self.continued.add(following[1:])
        return paragraph

    def paragraph(self, element: etree._Element) -> None:
        paragraph = self.block(element, _paragraph_number(element))
        parts = list(element.iter(tei("s"), tei("note")))
        if not parts:
            if _text(element).strip():
                self.add(element, "paragraph", paragraph)
            return
        for index, part in enumerate(parts):
            if part.tag == tei("note"):
                self.note(part, paragraph, joined=index > 0)
            else:
                self.add(part, "sentence", paragraph, joined=index > 0)

    def loose_sentence(self, element: etree._Element) -> None:
        parent = element.getparent()
        joined = parent is self.loose_parent
        if not joined:
            self.loose_parent, self.loose_paragraph = parent, self.block(element)
        self.add(element, "sentence", self.loose_paragraph, joined=joined)

    def note(self, element: etree._Element, paragraph: int, joined: bool = False) -> None:
        kind = "footnote" if element.get("type") == "footnote" else "note"
        self.add(element, kind, paragraph, label=element.get("n"), joined=joined)

    def add(
        self,
        element: etree._Element,
        kind: str,
        paragraph: int,
        label: str | None = None,
        joined: bool = False,
    ) -> None:
        if kind != "sentence":
            self.loose_parent = None
        ident = element.get(XML_ID)
        if ident:
            self.ids[ident] = len(self.segments)
        sentence = self.per_paragraph[paragraph]
        self.per_paragraph[paragraph] += 1
        self.segments.append(TeiSegment(kind, paragraph, sentence, _text(element), label, joined))


def _paragraph_number(element: etree._Element) -> int | None:
    number = element.get("n", "")
    if not number.isdecimal() or len(number) > MAX_PARAGRAPH_DIGITS:
        return None
    return int(number) - 1 if int(number) > 0 else None


def _read_header(document: TeiDocument, header: etree._Element | None) -> None:
    """The work's fields, and each version's from its ``<bibl>``, matched by ``xml:id`` or
    ``n``; a ``<bibl>`` with ``n`` and ``textLang`` but no text is a version declared without
    one.  The versions take the order of their ``<bibl>``s."""
    if header is None:
        return
    _read_work(document, header)
    texts = document.versions
    names = {v.label: (v.element_id or "").removeprefix("text-") for v in texts}
    described: list[tuple[TeiVersion, etree._Element]] = []
    for bibl in _version_bibls(header):
        version = next(
            (v for v in texts if bibl.get(XML_ID) == f"bibl-{names[v.label]}"),
            next((v for v in texts if bibl.get("n") == v.label), None),
        )
        if version is None:
            version = _declared_version(document.path, bibl)
        if version is not None and all(v is not version for v, _ in described):
            described.append((version, bibl))
    labels = {b.get(XML_ID, ""): v.label for v, b in described if b.get(XML_ID)}
    for version, bibl in described:
        _read_bibl(version, bibl, labels)
    document.versions = [v for v, _ in described]
    document.versions += [v for v in texts if all(v is not d for d in document.versions)]
    title_stmt = header.find(_path("fileDesc/titleStmt"))
    for version in document.versions:
        if version.translator is None and title_stmt is not None:
            version.translator = _translator_from_resp(title_stmt, version.label)


def _version_bibls(header: etree._Element) -> list[etree._Element]:
    """The header's ``<bibl>``s, less those inside a ``<relatedItem>``."""
    return [
        bibl
        for bibl in header.iter(tei("bibl"))
        if not any(a.tag == tei("relatedItem") for a in bibl.iterancestors())
    ]


def _declared_version(path: Path, bibl: etree._Element) -> TeiVersion | None:
    label, text_lang = bibl.get("n"), bibl.find(tei("textLang"))
    tag = text_lang.get("mainLang") if text_lang is not None else None
    if not label or not tag:
        return None  # a bibliographic reference, not a version
    if len(label) > MAX_LABEL:
        raise InputError(f"{path}: the version label {label!r} is longer than {MAX_LABEL}")
    return TeiVersion(label, _language(path, label, tag), None)


def _language(path: Path, label: str, tag: str) -> str:
    language = language_info_in(f"{path}: version {label}", tag).tag
    if len(language) > MAX_LANGUAGE:
        raise InputError(
            f"{path}: version {label}: the language tag {tag!r} is longer than {MAX_LANGUAGE} "
            "characters"
        )
    return language


def _read_work(document: TeiDocument, header: etree._Element) -> None:
    file_desc = header.find(tei("fileDesc"))
    if file_desc is not None:
        document.title = _field(file_desc, "titleStmt/title")
        authors = [_text(a).strip() for a in file_desc.iterfind(_path("titleStmt/author"))]
        document.author = "; ".join(a for a in authors if a) or None
        statement = " ".join(_text(p) for p in file_desc.iterfind(_path("publicationStmt/p")))
        found = _FROM_WORK.search(statement)
        document.slug = found[1] if found else None
        notes = [_text(n).strip() for n in file_desc.iterfind(_path("notesStmt/note"))]
        document.notes = "\n\n".join(n for n in notes if n) or None
    if document.title == document.slug:
        document.title = None  # the export writes the slug for a work without a title
    document.date_written = _field(header, "profileDesc/creation/date")


def _read_bibl(version: TeiVersion, bibl: etree._Element, labels: dict[str, str]) -> None:
    """The version's fields from its ``<bibl>``; ``labels``: version label by bibl xml:id."""
    role = bibl.get("type")
    version.role = role if role in ROLES else None
    title = bibl.find(tei("title"))
    if title is not None and title.get("type") != "work":  # "work": the work's title stood in
        version.title = _clean(_text(title))
    version.translator = _field(bibl, "editor[@role='translator']")
    version.date = _field(bibl, "date")
    notes = {n.get("type"): _clean(_text(n)) for n in bibl.findall(tei("note"))}
    version.publication, version.source = notes.get("publication"), notes.get("source")
    version.licence, version.notes = notes.get("licence"), notes.get("notes")
    version.revision_note = notes.get("revision")
    version.demonstration = "demonstration" in notes
    for related in bibl.findall(tei("relatedItem")):
        if related.get("type") != "translationOf":
            continue
        target = related.get("target", "").removeprefix("#")
        version.translation_of = labels.get(target)
        version.translation_basis = related.get("subtype")


def _path(steps: str) -> str:
    """``titleStmt/title`` with the TEI namespace on each step."""
    return "/".join(step if step.startswith("@") else tei(step) for step in steps.split("/"))


def _field(parent: etree._Element, steps: str) -> str | None:
    """The text of the first element at ``steps`` below ``parent``, trimmed; None if empty."""
    found = parent.find(_path(steps))
    return _clean(_text(found)) if found is not None else None


def _translator_from_resp(title_stmt: etree._Element, label: str) -> str | None:
    for statement in title_stmt.findall(tei("respStmt")):
        resp = statement.findtext(tei("resp")) or ""
        if resp.strip().endswith(f"({label})"):
            return _clean(statement.findtext(tei("name")))
    return None


def _clean(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None


def _assign_roles(document: TeiDocument) -> None:
    """Roles the header leaves out: the first version is the original unless one is named."""
    has_original = any(v.role == "original" for v in document.versions)
    for index, version in enumerate(document.versions):
        if version.role is None:
            version.role = "original" if index == 0 and not has_original else "translation"


# Storing ---------------------------------------------------------------------------------


def import_tei(session: Session, path: Path, slug: str | None) -> TeiImportOutcome:
    """Import the TEI document in ``path`` into the session's transaction."""
    document = read_tei(path)
    try:
        return _store(session, document, slug or document.slug or _slug_from(path))
    except InputError as exc:  # a conflict with what the database holds
        raise InputError(f"{path}: {exc}") from exc


def _slug_from(path: Path) -> str:
    stem = path.name.split(".", 1)[0]
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    return slug or "tei"


def _store(session: Session, document: TeiDocument, slug: str) -> TeiImportOutcome:
    work = upsert_work(
        session,
        WorkSpec(slug, document.title, document.author, document.date_written, document.notes),
    )
    versions = {v.label: _version(session, work, v) for v in document.versions}
    for tei_version in document.versions:
        _set_translation_of(versions, tei_version)
    revisions: dict[str, Revision | None] = {}
    outcomes = []
    for tei_version in document.versions:
        version = versions[tei_version.label]
        revision, new = _revision(session, document.path, version, tei_version)
        revisions[tei_version.label] = revision
        counts = Counter(s.kind for s in tei_version.segments)
        outcomes.append(
            VersionOutcome(
                version.label,
                version.language,
                revision.number if revision else None,
                new,
                dict(counts),
                version.demonstration,
            )
        )
    runs = [_run(session, work.id, document.path, run, revisions) for run in document.runs]
    return TeiImportOutcome(work.slug, outcomes, runs)


def _version(session: Session, work: Work, tei_version: TeiVersion) -> Version:
    spec = VersionSpec(
        tei_version.language,
        tei_version.role or "translation",
        label=tei_version.label,
        title=tei_version.title,
        translator=tei_version.translator,
        date=tei_version.date,
        publication=tei_version.publication,
        source=tei_version.source,
        licence=tei_version.licence,
        notes=tei_version.notes,
        demonstration=True if tei_version.demonstration else None,
    )
    return upsert_version(session, work, spec)


def _set_translation_of(versions: dict[str, Version], tei_version: TeiVersion) -> None:
    """What the version was made from: another version, or a basis alone (``unknown``)."""
    basis = tei_version.translation_basis
    if tei_version.translation_of is None and basis is None:
        return
    version = versions[tei_version.label]
    name = f"{version.work.slug}/{version.label}"
    if version.role != "translation":
        raise InputError(f"{name}: an original cannot be a translation")
    if basis is not None and basis not in TRANSLATION_BASES:
        raise InputError(f"{basis!r}: not a translation basis (use stated, inferred, unknown)")
    if tei_version.translation_of is not None:
        source = versions[tei_version.translation_of]
        if source is version:
            raise InputError(f"{name}: a version cannot translate itself")
        version.translation_of, basis = source, basis or "stated"
    version.translation_basis = basis


def _revision(
    session: Session, path: Path, version: Version, tei_version: TeiVersion
) -> tuple[Revision | None, bool]:
    """The version's current revision when it holds these segments, else a new one."""
    segments = tei_version.segments
    current = version.current
    if not segments:
        return None, False
    if current is not None and [(s.kind, s.text) for s in current.segments] == [
        (s.kind, s.text) for s in segments
    ]:
        return current, False
    text, spans = _rebuilt_text(segments)
    raw = text.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    document = find_source_document(session, digest)
    if document is None:
        document = SourceDocument(
            sha256=digest, filename=f"{path.name} ({version.label})", encoding="utf-8",
            size=len(raw), raw=raw, text=text,
        )  # fmt: skip
        session.add(document)
    provenance = {"from": "tei", "file": path.name}
    if tei_version.revision_note:
        provenance["exported_as"] = tei_version.revision_note
    revision = Revision(
        number=current.number + 1 if current else 1, source_document=document, char_start=0,
        char_end=len(text), sha256=digest, segmentation=provenance, apparatus={},
    )  # fmt: skip
    revision.segments = [
        Segment(
            position=position,
            kind=s.kind,
            paragraph=s.paragraph,
            sentence=s.sentence,
            start=start,
            end=end,
            text=s.text,
            label=s.label,
        )
        for position, (s, (start, end)) in enumerate(zip(segments, spans, strict=True))
    ]
    version.revisions.append(revision)
    session.flush()
    return revision, True


def _rebuilt_text(segments: list[TeiSegment]) -> tuple[str, list[tuple[int, int]]]:
    """The segments' texts as one text, and where each one lies in it."""
    parts: list[str] = []
    spans = []
    offset = 0
    for segment in segments:
        if parts:
            separator = " " if segment.joined else "\n\n"
            parts.append(separator)
            offset += len(separator)
        parts.append(segment.text)
        spans.append((offset, offset + len(segment.text)))
        offset += len(segment.text)
    return "".join(parts) + "\n", spans


def _run(
    session: Session,
    work_id: int,
    path: Path,
    tei_run: TeiRun,
    revisions: dict[str, Revision | None],
) -> RunOutcome:
    """The run of ``tei_run``'s beads, unless the same run is stored already."""
    src_revision, tgt_revision = revisions[tei_run.src], revisions[tei_run.tgt]
    if src_revision is None or tgt_revision is None:
        raise InputError(f"{tei_run.src} → {tei_run.tgt}: aligned, but a version has no text")
    kinds = Counter(f"{len(b.src)}-{len(b.tgt)}" for b in tei_run.beads)
    wanted = [(b.src, b.tgt, b.status, rounded_score(b.score)) for b in tei_run.beads]
    stored = stored_run(
        session, (src_revision.id, tgt_revision.id), (tei_run.method, tei_run.model), wanted
    )
    if stored is not None:
        return RunOutcome(stored, tei_run.src, tei_run.tgt, False, dict(kinds.most_common()))
    run = AlignmentRun(
        work_id=work_id, src_revision=src_revision, tgt_revision=tgt_revision,
        method=tei_run.method, model=tei_run.model, code_version=tei_run.code_version,
        parameters={"imported_from": path.name, "format": "tei"},
        summary={
            "beads": len(tei_run.beads), "kinds": dict(kinds.most_common()),
            "mean_score": round(
                sum(b.score or 0.0 for b in tei_run.beads) / max(len(tei_run.beads), 1), 4
            ),
            "embedded": 0, "reused": 0,
        },
    )  # fmt: skip
    if tei_run.created_at is not None:
        run.created_at = tei_run.created_at
    src_segments, tgt_segments = src_revision.segments, tgt_revision.segments
    for position, bead in enumerate(tei_run.beads):
        members = [LinkSegment(segment=src_segments[i], side="src") for i in bead.src]
        members += [LinkSegment(segment=tgt_segments[j], side="tgt") for j in bead.tgt]
        run.links.append(
            Link(position=position, score=bead.score, status=bead.status, members=members)
        )
    session.add(run)
    session.flush()
    return RunOutcome(run.id, tei_run.src, tei_run.tgt, True, dict(kinds.most_common()))
