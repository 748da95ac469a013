"""Bring texts into the corpus: works, versions, revisions and their segments.

Everything here runs inside a session handed in by the caller, who owns the transaction: an
import either lands whole or not at all.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from sqlalchemy.orm import Session

from aligner.errors import InputError
from aligner.formats.text import TextFile, read_text_file
from aligner.languages import language_info, language_info_in
from aligner.segment import segment_text
from aligner.store.models import (
    ROLES,
    TRANSLATION_BASES,
    Revision,
    Segment,
    SourceDocument,
    Version,
    Work,
)
from aligner.store.queries import (
    find_source_document,
    find_work,
    resolve_version_ref,
    segment_counts,
)
from aligner.types import Segmentation, SegmentUnit

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,199}$")
Status = Literal["new", "revised", "unchanged", "declared"]

# Where the transcription apparatus says something a version's fields should carry.
APPARATUS_TO_WORK = {"written": "date_written"}
APPARATUS_TO_VERSION = {"first_published": "publication", "source": "source"}
# How the output names a version marked ``demonstration``.
DEMONSTRATION_TEXT = "a demonstration text made for this project, not a historical original"


@dataclass(frozen=True)
class WorkSpec:
    """What is known of a work; None leaves a stored value as it is."""

    slug: str
    title: str | None = None
    author: str | None = None
    date_written: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class VersionSpec:
    """What is known of one version; ``translation_of`` is ``LABEL`` or ``SLUG/LABEL``.

    ``demonstration`` is True for a text written for this project to show the tool at work
    (not a historical original or translation); None leaves the stored flag as it is.
    """

    language: str
    role: str
    label: str | None = None
    translation_of: str | None = None
    translation_basis: str | None = None
    title: str | None = None
    translator: str | None = None
    date: str | None = None
    publication: str | None = None
    source: str | None = None
    licence: str | None = None
    notes: str | None = None
    demonstration: bool | None = None


@dataclass(frozen=True)
class TextSpec:
    """Which file holds the text, and which stretch of it when one file holds several works.

    ``start`` and ``end`` are whole lines of the file: the text runs from the line ``start``
    up to (not including) the line ``end``.  Blocks beginning with one of ``editorial`` are an
    editor's or transcriber's words, kept as notes rather than sentences.
    """

    path: Path
    start: str | None = None
    end: str | None = None
    editorial: tuple[str, ...] = ()
    unit: SegmentUnit = "sentence"


@dataclass(frozen=True)
class ImportOutcome:
    """What one import or declaration did."""

    work: str
    label: str
    language: str
    role: str
    status: Status
    revision: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    path: str | None = None
    demonstration: bool = False


def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.match(slug):
        raise InputError(
            f"{slug!r}: not a valid work name (use lower-case letters, digits, '.', '_', '-')"
        )
    return slug


def upsert_work(session: Session, spec: WorkSpec, version: VersionSpec | None = None) -> Work:
    """Create the work or update the fields ``spec`` gives.

    A version of another work named by ``version.translation_of`` is looked up first, so a
    wrong reference fails before anything is added.
    """
    ref = version.translation_of if version is not None else None
    if ref is not None and "/" in ref and ref.rpartition("/")[0] != spec.slug:
        resolve_version_ref(session, ref, None)
    work = find_work(session, check_slug(spec.slug))
    if work is None:
        work = Work(slug=spec.slug)
        session.add(work)
    for name in ("title", "author", "date_written", "notes"):
        value = getattr(spec, name)
        if value is not None:
            setattr(work, name, value)
    session.flush()
    return work


def upsert_version(session: Session, work: Work, spec: VersionSpec) -> Version:
    """Create the version or update the fields ``spec`` gives; checks role and language."""
    if spec.role not in ROLES:
        raise InputError(f"{spec.role!r}: not a role (use original or translation)")
    if spec.translation_basis is not None and spec.translation_basis not in TRANSLATION_BASES:
        raise InputError(
            f"{spec.translation_basis!r}: not a translation basis (use stated, inferred, unknown)"
        )
    info = language_info(spec.language)
    label = spec.label or info.tag
    version = _exact_label(work, label)
    if version is None:
        version = Version(
            label=label,
            language=info.tag,
            script=info.script,
            direction=info.direction,
            role=spec.role,
            demonstration=bool(spec.demonstration),
        )
        work.versions.append(version)
    elif version.language != info.tag:
        raise InputError(
            f"{work.slug}/{label}: already holds {version.language} text, not {info.tag}"
        )
    version.role = spec.role
    for name in ("title", "translator", "date", "publication", "source", "licence", "notes"):
        value = getattr(spec, name)
        if value is not None:
            setattr(version, name, value)
    if spec.demonstration is not None:
        version.demonstration = spec.demonstration
    _set_translation_of(session, work, version, spec)
    session.flush()
    return version


def _exact_label(work: Work, label: str) -> Version | None:
    return next((v for v in work.versions if v.label == label), None)


def _set_translation_of(session: Session, work: Work, version: Version, spec: VersionSpec) -> None:
    if spec.translation_of is not None:
        if spec.role != "translation":
            raise InputError(f"{work.slug}/{version.label}: an original cannot be a translation")
        source = resolve_version_ref(session, spec.translation_of, work)
        if source is version:
            raise InputError(f"{work.slug}/{version.label}: a version cannot translate itself")
        version.translation_of = source
        version.translation_basis = spec.translation_basis or "stated"
    elif spec.translation_basis is not None:
        version.translation_basis = spec.translation_basis


def declare_version(session: Session, work_spec: WorkSpec, spec: VersionSpec) -> ImportOutcome:
    """Record a version whose text is not (yet) available: a lost or undigitised original."""
    work = upsert_work(session, work_spec, spec)
    existed = _exact_label(work, spec.label or language_info(spec.language).tag) is not None
    version = upsert_version(session, work, spec)
    current = version.current
    return ImportOutcome(
        work.slug,
        version.label,
        version.language,
        version.role,
        "unchanged" if existed else "declared",
        revision=current.number if current else None,
        demonstration=version.demonstration,
    )


def import_text(
    session: Session, work_spec: WorkSpec, spec: VersionSpec, text_spec: TextSpec
) -> ImportOutcome:
    """Import one file (or a stretch of it) as the newest revision of a version."""
    language_info_in(str(text_spec.path), spec.language)
    file = read_text_file(text_spec.path)
    start, end = _stretch(file, text_spec)
    work = upsert_work(session, work_spec, spec)
    version = upsert_version(session, work, spec)
    body = file.text[start:end]
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    current = version.current
    if current is not None and current.sha256 == digest:
        return _outcome(session, work, version, current, "unchanged", text_spec.path)
    document = _source_document(session, file)
    segmentation = segment_text(body, version.language, unit=text_spec.unit)
    revision = Revision(
        number=current.number + 1 if current else 1,
        source_document=document,
        char_start=start,
        char_end=end,
        sha256=digest,
        segmentation={**segmentation.settings, "editorial": list(text_spec.editorial)},
        apparatus=segmentation.metadata,
    )
    version.revisions.append(revision)
    session.flush()
    _store_segments(session, revision, segmentation, text_spec.editorial)
    _apply_apparatus(work, version, segmentation.metadata)
    status: Status = "new" if current is None else "revised"
    return _outcome(session, work, version, revision, status, text_spec.path)


def _outcome(
    session: Session, work: Work, version: Version, revision: Revision, status: Status, path: Path
) -> ImportOutcome:
    session.flush()
    return ImportOutcome(
        work.slug,
        version.label,
        version.language,
        version.role,
        status,
        revision=revision.number,
        counts=dict(segment_counts(session, revision)),
        path=str(path),
        demonstration=version.demonstration,
    )


def _stretch(file: TextFile, spec: TextSpec) -> tuple[int, int]:
    start = _line_offset(file, spec.start) if spec.start else 0
    end = _line_offset(file, spec.end) if spec.end else len(file.text)
    if end <= start:
        raise InputError(f"{file.path}: the line {spec.end!r} does not come after {spec.start!r}")
    return start, end


def _line_offset(file: TextFile, line: str) -> int:
    """Offset of the first line of ``file`` that reads exactly ``line`` (ignoring edges)."""
    offset = 0
    for text_line in file.text.splitlines(keepends=True):
        if text_line.strip() == line.strip():
            return offset
        offset += len(text_line)
    raise InputError(f"{file.path}: no line reads {line!r}")


def _source_document(session: Session, file: TextFile) -> SourceDocument:
    document = find_source_document(session, file.sha256)
    if document is None:
        document = SourceDocument(
            sha256=file.sha256,
            filename=file.path.name,
            encoding=file.encoding,
            size=len(file.raw),
            raw=file.raw,
            text=file.text,
        )
        session.add(document)
    return document


def _store_segments(
    session: Session, revision: Revision, segmentation: Segmentation, editorial: tuple[str, ...]
) -> None:
    editorial_blocks = (
        {
            s.paragraph
            for s in segmentation.segments
            if s.sentence == 0 and s.text.startswith(editorial)
        }
        if editorial
        else set()
    )
    rows = []
    for position, segment in enumerate(segmentation.segments):
        if segment.paragraph in editorial_blocks:
            segment = replace(segment, kind="note", label="editorial")
        rows.append(
            Segment(
                revision_id=revision.id,
                position=position,
                kind=segment.kind,
                paragraph=segment.paragraph,
                sentence=segment.sentence,
                start=segment.start,
                end=segment.end,
                text=segment.text,
                label=segment.label,
            )
        )
    session.add_all(rows)


def _apply_apparatus(work: Work, version: Version, metadata: dict[str, str]) -> None:
    """Fill empty fields from what the transcription apparatus says; never overwrite."""
    for key, attribute in APPARATUS_TO_WORK.items():
        if key in metadata and getattr(work, attribute) is None:
            setattr(work, attribute, metadata[key])
    for key, attribute in APPARATUS_TO_VERSION.items():
        if key in metadata and getattr(version, attribute) is None:
            setattr(version, attribute, metadata[key])


def count_summary(counts: Counter[str] | dict[str, int]) -> str:
    """``"64 sentences, 7 headings, 5 notes"``: segment counts in a fixed, readable order."""
    order = ("sentence", "paragraph", "heading", "footnote", "note")
    parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in order if counts.get(k)]
    return ", ".join(parts) or "no segments"
