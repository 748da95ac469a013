"""Look-ups shared by the importer, the command line and (later) the aligner."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from aligner.errors import NotFoundError
from aligner.store.models import Revision, Segment, SourceDocument, Version, Work

IN_CHUNK = 500  # ids in one ``IN (…)`` list


def chunked(ids: Sequence[int], size: int = IN_CHUNK) -> Iterator[Sequence[int]]:
    """``ids`` in slices of ``size``, for queries that look many ids up with ``IN (…)``."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def find_work(session: Session, slug: str) -> Work | None:
    return session.scalars(select(Work).where(Work.slug == slug)).one_or_none()


def get_work(session: Session, slug: str) -> Work:
    work = find_work(session, slug)
    if work is None:
        known = session.scalars(select(Work.slug).order_by(Work.slug)).all()
        hint = f"; known works: {', '.join(known)}" if known else "; the database has no works yet"
        raise NotFoundError(f"{slug}: no such work{hint}")
    return work


def find_version(work: Work, label: str) -> Version | None:
    """The version of ``work`` with this label, or else the only one in that language."""
    for version in work.versions:
        if version.label == label:
            return version
    same_language = [v for v in work.versions if v.language == label]
    return same_language[0] if len(same_language) == 1 else None


def get_version(work: Work, label: str) -> Version:
    version = find_version(work, label)
    if version is None:
        known = ", ".join(v.label for v in work.versions) or "none"
        raise NotFoundError(f"{work.slug}/{label}: no such version (versions: {known})")
    return version


def resolve_version_ref(session: Session, ref: str, default_work: Work | None) -> Version:
    """Find a version by ``SLUG/LABEL``, or by ``LABEL`` inside ``default_work``."""
    slug, _, label = ref.rpartition("/")
    if slug:
        return get_version(get_work(session, slug), label)
    if default_work is None:
        raise NotFoundError(f"{ref}: name the version as WORK/LANG")
    return get_version(default_work, label)


def find_source_document(session: Session, sha256: str) -> SourceDocument | None:
    return session.scalars(
        select(SourceDocument).where(SourceDocument.sha256 == sha256)
    ).one_or_none()


def list_works(session: Session) -> Sequence[Work]:
    return session.scalars(
        select(Work)
        .order_by(Work.slug)
        .options(selectinload(Work.versions).selectinload(Version.revisions))
    ).all()


def segment_counts(session: Session, revision: Revision) -> Counter[str]:
    rows = session.execute(
        select(Segment.kind, func.count())
        .where(Segment.revision_id == revision.id)
        .group_by(Segment.kind)
    ).all()
    return Counter({kind: count for kind, count in rows})
