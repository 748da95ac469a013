"""What the corpus holds, as plain data: each work with its versions (languages, roles, what
each was translated from, revisions and segment counts), and a revision's text and segments.

``aligner works`` and ``aligner show`` print these values, and their ``--format json`` is
these values as they are.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from aligner.formats.monolingual import BINARY_ENCODING
from aligner.formats.text import encode_like
from aligner.store.models import Revision, Version, Work
from aligner.store.queries import list_works, segment_counts


def works_data(session: Session) -> list[dict[str, Any]]:
    """Every work, by slug, with its versions."""
    return [work_data(session, work) for work in list_works(session)]


def work_data(session: Session, work: Work) -> dict[str, Any]:
    return {
        "slug": work.slug,
        "title": work.title,
        "author": work.author,
        "date_written": work.date_written,
        "notes": work.notes,
        "versions": [version_data(session, v) for v in work.versions],
    }


def version_data(session: Session, version: Version) -> dict[str, Any]:
    """A version's metadata, its current revision's number and segment counts by kind."""
    current = version.current
    source = version.translation_of
    return {
        "label": version.label,
        "language": version.language,
        "script": version.script,
        "direction": version.direction,
        "role": version.role,
        "translation_of": (
            None
            if source is None
            else source.label
            if source.work_id == version.work_id
            else f"{source.work.slug}/{source.label}"
        ),
        "translation_basis": version.translation_basis,
        "title": version.title,
        "translator": version.translator,
        "date": version.date,
        "publication": version.publication,
        "source": version.source,
        "licence": version.licence,
        "notes": version.notes,
        "demonstration": version.demonstration,
        "revision": current.number if current else None,
        "revisions": len(version.revisions),
        "segments": dict(segment_counts(session, current)) if current else {},
    }


def revision_data(revision: Revision) -> dict[str, Any]:
    """A revision's number, source file, apparatus, segmentation and segments."""
    segments = [
        {
            "position": s.position,
            "kind": s.kind,
            "paragraph": s.paragraph,
            "sentence": s.sentence,
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "text": s.text,
        }
        for s in revision.segments
    ]
    return {
        "revision": revision.number,
        "source_file": revision.source_document.filename,
        "apparatus": revision.apparatus,
        "segmentation": revision.segmentation,
        "segments": segments,
    }


def imported_bytes(revision: Revision) -> bytes:
    """The revision's text exactly as it was imported: the file's bytes when the revision is
    the whole file, else its stretch of the text in the file's encoding."""
    document = revision.source_document
    whole = revision.char_start == 0 and revision.char_end == len(document.text)
    return document.raw if whole else encode_like(revision.raw_text, document.encoding)


def binary_description(revision: Revision) -> str | None:
    """What the revision's file is, when its bytes are not text (an EPUB, DOCX, ODT or PDF):
    a terminal is told this rather than shown the bytes; None for a text file."""
    document = revision.source_document
    if document.encoding != BINARY_ENCODING:
        return None
    found = str(revision.segmentation.get("format", "binary")).upper()
    return (
        f"{document.filename}: a {found} document of {document.size:,} bytes, stored byte for "
        "byte; redirect the output to a file to get it back, or leave out --raw to see its "
        "segments"
    )
