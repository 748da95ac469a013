"""Bring texts into the corpus: works, versions, revisions and their segments.

Everything here runs inside a session handed in by the caller, who owns the transaction: an
import either lands whole or not at all.  What is known of works and versions is checked and
written by :mod:`aligner.services.specs` (its names are re-exported here).  A large text is
never copied whole more than it must be: it is hashed a stretch at a time and its segments are
written as plain rows in batches (an ORM object per segment made a 50 MB import peak at 1.5 GB).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Literal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from aligner.core.languages import language_info_in
from aligner.core.types import Segment as TextSegment
from aligner.core.types import Segmentation, SegmentUnit
from aligner.errors import InputError
from aligner.formats.model import MAX_SEGMENT_CHARS
from aligner.formats.monolingual import MonolingualFile, plain_reading, read_monolingual
from aligner.formats.text import TextFile, shown_path
from aligner.services.specs import (
    SLUG_PATTERN,
    VersionSpec,
    WorkSpec,
    apply_version,
    apply_work,
    check_label,
    check_slug,
    upsert_version,
    upsert_work,
)
from aligner.store.models import Revision, Segment, SourceDocument, Version, Work
from aligner.store.queries import find_source_document, segment_counts

__all__ = [
    "DEMONSTRATION_TEXT",
    "MAX_SEGMENT_CHARS",
    "SLUG_PATTERN",
    "ImportOutcome",
    "TextSpec",
    "VersionSpec",
    "WorkSpec",
    "check_label",
    "check_slug",
    "count_summary",
    "declare_version",
    "import_text",
    "upsert_version",
    "upsert_work",
]

Status = Literal["new", "revised", "unchanged", "declared"]

# Where the transcription apparatus says something a version's fields should carry.
APPARATUS_TO_WORK = {"written": "date_written"}
APPARATUS_TO_VERSION = {"first_published": "publication", "source": "source"}
# What a document's own metadata (an EPUB's OPF, a DOCX's core properties, an HTML page's
# <meta>) says of the work and the version.  A date is taken only where it is the edition's:
# a DOCX, ODT or PDF date is the day the file was made.
DOCUMENT_TO_WORK = {"author": "author"}
DOCUMENT_TO_VERSION = {"title": "title", "translator": "translator", "date": "date"}
_FILE_DATES = ("docx", "odt", "pdf")
# How the output names a version marked ``demonstration``.
DEMONSTRATION_TEXT = "a demonstration text made for this project, not a historical original"
# Segments go to the database this many rows at a time, as plain rows rather than ORM objects:
# a 50 MB text has some 300,000 of them.
SEGMENT_BATCH = 5_000
_HASH_CHUNK = 1 << 20
# The line breaks of str.splitlines(), each line found without a list of them all.
_LINE = re.compile(
    "[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])?"
)


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
    format: str | None = None  # forced; by default the file's bytes show it


@dataclass(frozen=True)
class ImportOutcome:
    """What one import or declaration did; ``changes`` lists the stored values it changed."""

    work: str
    label: str
    language: str
    role: str
    status: Status
    revision: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    path: str | None = None
    demonstration: bool = False
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # what the file's reader had to say (tracked changes …)


@dataclass(frozen=True)
class _Stored:
    work: Work
    version: Version
    created: bool
    changes: tuple[str, ...]


def _store_specs(
    session: Session, work_spec: WorkSpec, spec: VersionSpec, new_role: str
) -> _Stored:
    work = apply_work(session, work_spec, spec, update=True)
    version = apply_version(session, work.record, spec, new_role=new_role, update=True)
    changes = (*work.changes, *version.changes)
    return _Stored(work.record, version.record, version.created, changes)


def declare_version(
    session: Session, work_spec: WorkSpec, spec: VersionSpec, *, new_role: str = "original"
) -> ImportOutcome:
    """Record a version whose text is not (yet) available: a lost or undigitised original.

    A new version's role is ``spec.role`` or ``new_role``; a stored one keeps its values
    unless ``spec`` gives others, and the outcome lists what changed.
    """
    stored = _store_specs(session, work_spec, spec, new_role)
    version = stored.version
    current = version.current
    return ImportOutcome(
        stored.work.slug,
        version.label,
        version.language,
        version.role,
        "declared" if stored.created else "unchanged",
        revision=current.number if current else None,
        demonstration=version.demonstration,
        changes=stored.changes,
    )


def import_text(
    session: Session,
    work_spec: WorkSpec,
    spec: VersionSpec,
    text_spec: TextSpec,
    *,
    new_role: str = "translation",
) -> ImportOutcome:
    """Import one file (or a stretch of it) as the newest revision of a version.

    A new version's role is ``spec.role`` or ``new_role``; a stored one keeps its values
    unless ``spec`` gives others, and the outcome lists what changed.
    """
    language_info_in(shown_path(text_spec.path), spec.language)
    source = _as_stored_before(session, read_monolingual(text_spec.path, text_spec.format))
    file = source.file
    start, end = _stretch(source, text_spec)
    stored = _store_specs(session, work_spec, spec, new_role)
    work, version = stored.work, stored.version
    body = file.text[start:end]
    digest = _text_sha256(body)
    current = version.current
    if current is not None and current.sha256 == digest:
        return _outcome(session, stored, current, "unchanged", source)
    segmentation = source.segment(body, version.language, text_spec.unit)
    del body
    _check_segment_lengths(file, start, segmentation)
    document = _source_document(session, file)
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
    _apply_apparatus(work, version, segmentation.metadata, source.format)
    status: Status = "new" if current is None else "revised"
    return _outcome(session, stored, revision, status, source)


def _check_segment_lengths(file: TextFile, start: int, segmentation: Segmentation) -> None:
    """Refuse a segment too long for the full-text indexes (and for any alignment)."""
    for segment in segmentation.segments:
        if len(segment.text) > MAX_SEGMENT_CHARS:
            raise InputError(
                f"{shown_path(file.path)}: the {segment.kind} at character "
                f"{start + segment.start:,} is {len(segment.text):,} characters long, more than "
                f"the {MAX_SEGMENT_CHARS:,} one segment may hold (are its paragraphs separated "
                "by blank lines?)"
            )


def _text_sha256(text: str) -> str:
    """SHA-256 of ``text`` in UTF-8, encoded a stretch at a time (no copy of a large text)."""
    digest = hashlib.sha256()
    for start in range(0, len(text), _HASH_CHUNK):
        digest.update(text[start : start + _HASH_CHUNK].encode("utf-8"))
    return digest.hexdigest()


def _outcome(
    session: Session, stored: _Stored, revision: Revision, status: Status, source: MonolingualFile
) -> ImportOutcome:
    session.flush()
    version = stored.version
    return ImportOutcome(
        stored.work.slug,
        version.label,
        version.language,
        version.role,
        status,
        revision=revision.number,
        counts=dict(segment_counts(session, revision)),
        path=str(source.file.path),
        demonstration=version.demonstration,
        changes=stored.changes,
        warnings=(*source.warnings, *_language_warning(source, version.language)),
    )


def _language_warning(source: MonolingualFile, language: str) -> list[str]:
    """A word when the document says it is in another language than the version's."""
    declared = (source.document.metadata.get("language") or "") if source.document else ""
    primary = declared.replace("_", "-").split("-")[0].lower()
    if not primary or primary == language.split("-")[0].lower():
        return []
    return [f"the document says its language is {declared!r}; imported as {language!r}"]


def _stretch(source: MonolingualFile, spec: TextSpec) -> tuple[int, int]:
    file = source.file
    if source.document is not None and (spec.start or spec.end):
        raise InputError(
            f"{shown_path(file.path)}: start and end pick lines of a plain-text file with "
            f"blank lines between paragraphs; this is read as a {source.format} document"
        )
    start = _line_offset(file, spec.start) if spec.start else 0
    end = _line_offset(file, spec.end) if spec.end else len(file.text)
    if end <= start:
        raise InputError(
            f"{shown_path(file.path)}: the line {spec.end!r} does not come after {spec.start!r}"
        )
    return start, end


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Each line of ``text`` with its offset, as ``text.splitlines(keepends=True)`` cuts them."""
    for match in _LINE.finditer(text):
        if match.start() == match.end():
            return
        yield match.start(), match.group()


def _line_offset(file: TextFile, line: str) -> int:
    """Offset of the first line of ``file`` that reads exactly ``line`` (ignoring edges)."""
    wanted = line.strip()
    for offset, text_line in _lines(file.text):
        if text_line.strip() == wanted:
            return offset
    raise InputError(f"{shown_path(file.path)}: no line reads {line!r}")


def _as_stored_before(session: Session, source: MonolingualFile) -> MonolingualFile:
    """``source``, or the reading its bytes were stored with when they were imported before:
    a text of one paragraph a line imported before aligner read such layouts keeps its text
    and offsets, so that importing it again changes nothing."""
    stored = find_source_document(session, source.file.sha256)
    if stored is None or stored.text == source.file.text:
        return source
    plain = plain_reading(source)
    if plain is not None and plain.file.text == stored.text:
        return plain
    raise InputError(
        f"{shown_path(source.file.path)}: these bytes were imported before ({stored.filename}) "
        "and read another way; import it as it was read then (check --format)"
    )


def _source_document(session: Session, file: TextFile) -> SourceDocument:
    sha256 = file.sha256
    document = find_source_document(session, sha256)
    if document is None:
        document = SourceDocument(
            sha256=sha256,
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
    rows = (
        _segment_row(revision.id, position, segment, segment.paragraph in editorial_blocks)
        for position, segment in enumerate(segmentation.segments)
    )
    while batch := list(islice(rows, SEGMENT_BATCH)):
        session.execute(insert(Segment), batch)


def _segment_row(
    revision_id: int, position: int, segment: TextSegment, editorial: bool
) -> dict[str, object]:
    if editorial:
        segment = replace(segment, kind="note", label="editorial")
    return {
        "revision_id": revision_id,
        "position": position,
        "kind": segment.kind,
        "paragraph": segment.paragraph,
        "sentence": segment.sentence,
        "start": segment.start,
        "end": segment.end,
        "text": segment.text,
        "label": segment.label,
    }


def _apply_apparatus(
    work: Work, version: Version, metadata: dict[str, str], file_format: str = "text"
) -> None:
    """Fill empty fields from what the transcription apparatus and the document's metadata
    say; never overwrite.

    A value longer than its field holds stays in the revision's apparatus only.
    """
    to_version = {**DOCUMENT_TO_VERSION, **APPARATUS_TO_VERSION}
    if file_format in _FILE_DATES:
        del to_version["date"]
    to_work = {**DOCUMENT_TO_WORK, **APPARATUS_TO_WORK}
    for record, fields in ((work, to_work), (version, to_version)):
        columns = type(record).__table__.c
        for key, attribute in fields.items():
            value = metadata.get(key)
            length = getattr(columns[attribute].type, "length", None)
            if value is None or getattr(record, attribute) is not None:
                continue
            if length is None or len(value) <= length:
                setattr(record, attribute, value)


def count_summary(counts: Counter[str] | dict[str, int]) -> str:
    """``"64 sentences, 7 headings, 5 notes"``: segment counts in a fixed, readable order."""
    order = ("sentence", "paragraph", "heading", "footnote", "note")
    parts = [f"{counts[k]} {k}{'s' if counts[k] != 1 else ''}" for k in order if counts.get(k)]
    return ", ".join(parts) or "no segments"
