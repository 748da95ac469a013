"""What the exports write, from the store: a work, its versions and runs as the formats' parallel
document (:mod:`aligner.formats.model`), mapped here once for TMX, TEI, the plain exports and
the statistics.

A bead's side is its segments in reading order (segment position) joined with one space, as
stored.  A version's text is its current revision's segments.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from aligner.formats.beads import ExportFilter, kept_beads
from aligner.formats.model import (
    AlignedBead,
    DocRun,
    DocSegment,
    DocVersion,
    DocWork,
    ParallelDocument,
    VersionRef,
)
from aligner.formats.tei import TeiExport
from aligner.formats.tei import build_tei as build_tei_document
from aligner.formats.tmx import TmxDocument
from aligner.formats.tmx import document_from_runs as tmx_from_document
from aligner.store.models import AlignmentRun, Link, Version, Work


def exported_bead(link: Link) -> AlignedBead:
    """The link as a bead: its segments' positions and texts per side, its score and status."""
    sides: dict[str, list[tuple[int, str]]] = {"src": [], "tgt": []}
    for member in link.members:
        sides[member.side].append((member.segment.position, member.segment.text))
    src, tgt = sorted(sides["src"]), sorted(sides["tgt"])
    return AlignedBead(
        position=link.position,
        src_ids=[position for position, _ in src],
        tgt_ids=[position for position, _ in tgt],
        score=link.score,
        status=link.status,
        src_text=" ".join(text for _, text in src),
        tgt_text=" ".join(text for _, text in tgt),
    )


def exported_beads(run: AlignmentRun, keep: ExportFilter) -> Iterator[AlignedBead]:
    """``run``'s beads that ``keep`` lets through, in reading order."""
    return kept_beads((exported_bead(link) for link in run.links), keep)


def document_run(run: AlignmentRun) -> DocRun:
    """The run with all its beads, the revisions it aligns and how it was made."""
    src, tgt = run.src_revision, run.tgt_revision
    return DocRun(
        src=src.version.label, tgt=tgt.version.label,
        beads=[exported_bead(link) for link in run.links], id=run.id, method=run.method,
        model=run.model, code_version=run.code_version, created_at=run.created_at,
        src_revision=src.number, tgt_revision=tgt.number, parameters=run.parameters,
    )  # fmt: skip


def work_document(work: Work, runs: Sequence[AlignmentRun]) -> ParallelDocument:
    """``work`` with every version (those with text, with their current revision's
    segments) and ``runs``."""
    # The versions first: their segments, loaded in one query each, are those most links
    # point to, which then need no query of their own.
    versions = [_document_version(work, version) for version in work.versions]
    return ParallelDocument(
        DocWork(work.slug, work.title, work.author, work.date_written, work.notes),
        versions,
        [document_run(run) for run in runs],
    )


def _document_version(work: Work, version: Version) -> DocVersion:
    revision, source = version.current, version.translation_of
    reference = None
    if source is not None:
        elsewhere = source.work_id != work.id
        reference = VersionRef(source.label, source.work.slug if elsewhere else None)
    return DocVersion(
        version.label, version.language, id=version.id, role=version.role,
        translation_of=reference, translation_basis=version.translation_basis,
        title=version.title, translator=version.translator, date=version.date,
        publication=version.publication, source=version.source, licence=version.licence,
        notes=version.notes, demonstration=version.demonstration,
        segments=None if revision is None else [
            DocSegment(s.kind, s.paragraph, s.sentence, s.text, s.label)
            for s in revision.segments
        ],
        revision=None if revision is None else revision.number,
        revision_note=None if revision is None else (
            f"Revision {revision.number}, from {revision.source_document.filename}."
        ),
    )  # fmt: skip


def document_from_runs(runs: Sequence[AlignmentRun], keep: ExportFilter) -> TmxDocument:
    """The translation memory of ``runs`` (one work's: one run, or several translations of one
    revision of the original), the beads ``keep`` lets through."""
    work = runs[0].src_revision.version.work
    return tmx_from_document(work_document(work, runs), keep)


def build_tei(
    work: Work, runs: Sequence[AlignmentRun], exported: datetime | None = None
) -> TeiExport:
    """The TEI document of ``work``'s versions with text and the given runs' beads."""
    return build_tei_document(work_document(work, runs), exported)
