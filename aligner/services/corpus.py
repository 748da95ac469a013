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
from aligner.core.segmentation import segment_text
from aligner.core.types import Segment as TextSegment
from aligner.core.types import Segmentation, SegmentUnit
from aligner.errors import InputError
from aligner.formats.model import MAX_SEGMENT_CHARS
from aligner.formats.text import TextFile, read_text_file, shown_path
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
    file = read_text_file(text_spec.path)
    start, end = _stretch(file, text_spec)
    stored = _store_specs(session, work_spec, spec, new_role)
    work, version = stored.work, stored.version
    body = file.text[start:end]
    digest = _text_sha256(body)
    current = version.current
    if current is not None and current.sha256 == digest:
        return _outcome(session, stored, current, "unchanged", text_spec.path)
    segmentation = segment_text(body, version.language, unit=text_spec.unit)
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
    _apply_apparatus(work, version, segmentation.metadata)
    status: Status = "new" if current is None else "revised"
    return _outcome(session, stored, revision, status, text_spec.path)


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
    session: Session, stored: _Stored, revision: Revision, status: Status, path: Path
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
        path=str(path),
        demonstration=version.demonstration,
        changes=stored.changes,
    )


def _stretch(file: TextFile, spec: TextSpec) -> tuple[int, int]:
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


def _apply_apparatus(work: Work, version: Version, metadata: dict[str, str]) -> None:
    """Fill empty fields from what the transcription apparatus says; never overwrite.

    A value longer than its field holds stays in the revision's apparatus only.
    """
    for record, fields in ((work, APPARATUS_TO_WORK), (version, APPARATUS_TO_VERSION)):
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
