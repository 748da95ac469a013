"""What the exports write, from the store: a work, its versions and runs as the formats' parallel
document (:mod:`aligner.formats.model`), mapped here once for TMX, TEI, the plain exports and
the statistics.

A bead's side is its segments in reading order (segment position) joined with one space, as
stored.  A version's text is its current revision's segments.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from aligner.errors import AlignerError, InputError
from aligner.formats import model
from aligner.formats.beads import ExportFilter, kept_beads
from aligner.formats.tei import TeiExport
from aligner.formats.tei import build_tei as build_tei_document
from aligner.formats.tmx import TmxDocument
from aligner.formats.tmx import document_from_runs as tmx_from_document
from aligner.services.selection import default_source, runs_for_translations
from aligner.store.models import AlignmentRun, Link, Version, Work
from aligner.store.queries import find_version, list_works


def exported_bead(link: Link) -> model.AlignedBead:
    """The link as a bead: its segments' positions and texts per side, its score and status."""
    sides: dict[str, list[tuple[int, str]]] = {"src": [], "tgt": []}
    for member in link.members:
        sides[member.side].append((member.segment.position, member.segment.text))
    src, tgt = sorted(sides["src"]), sorted(sides["tgt"])
    return model.AlignedBead(
        position=link.position,
        src_ids=[position for position, _ in src],
        tgt_ids=[position for position, _ in tgt],
        score=link.score,
        status=link.status,
        src_text=" ".join(text for _, text in src),
        tgt_text=" ".join(text for _, text in tgt),
    )


def exported_beads(run: AlignmentRun, keep: ExportFilter) -> Iterator[model.AlignedBead]:
    """``run``'s beads that ``keep`` lets through, in reading order."""
    return kept_beads((exported_bead(link) for link in run.links), keep)


def document_run(run: AlignmentRun) -> model.DocRun:
    """The run with all its beads, the revisions it aligns and how it was made."""
    src, tgt = run.src_revision, run.tgt_revision
    return model.DocRun(
        src=src.version.label, tgt=tgt.version.label,
        beads=[exported_bead(link) for link in run.links], id=run.id, method=run.method,
        model=run.model, code_version=run.code_version, created_at=run.created_at,
        src_revision=src.number, tgt_revision=tgt.number, parameters=run.parameters,
    )  # fmt: skip


def work_document(work: Work, runs: Sequence[AlignmentRun]) -> model.ParallelDocument:
    """``work`` with every version (those with text, with their current revision's
    segments) and ``runs``."""
    # The versions first: their segments, loaded in one query each, are those most links
    # point to, which then need no query of their own.
    versions = [_document_version(work, version) for version in work.versions]
    return model.ParallelDocument(
        model.DocWork(work.slug, work.title, work.author, work.date_written, work.notes),
        versions,
        [document_run(run) for run in runs],
    )


def _document_version(work: Work, version: Version) -> model.DocVersion:
    revision, source = version.current, version.translation_of
    reference = None
    if source is not None:
        elsewhere = source.work_id != work.id
        reference = model.VersionRef(source.label, source.work.slug if elsewhere else None)
    return model.DocVersion(
        version.label, version.language, id=version.id, role=version.role,
        translation_of=reference, translation_basis=version.translation_basis,
        title=version.title, translator=version.translator, date=version.date,
        publication=version.publication, source=version.source, licence=version.licence,
        notes=version.notes, demonstration=version.demonstration,
        segments=None if revision is None else [
            model.DocSegment(s.kind, s.paragraph, s.sentence, s.text, s.label)
            for s in revision.segments
        ],
        revision=None if revision is None else revision.number,
        revision_note=None if revision is None else (
            f"Revision {revision.number}, from {revision.source_document.filename}."
        ),
    )  # fmt: skip


def aligned_works(
    session: Session, src: str | None, targets: Sequence[str]
) -> tuple[list[tuple[str, list[AlignmentRun]]], list[str]]:
    """Each work with at least one of the translations ``targets`` aligned, with those runs
    (from ``src``, else from the version the translations were made from); and a note for each
    translation a work holds but has not aligned."""
    exported, skipped = [], []
    for work in list_works(session):
        runs = []
        for label in _translations_present(work, src, targets):
            try:
                runs += runs_for_translations(session, work.slug, src, [label])
            except AlignerError as exc:
                skipped.append(f"{work.slug}/{label}: {exc}")
        if runs:
            exported.append((work.slug, runs))
    return exported, skipped


def _translations_present(work: Work, src: str | None, targets: Sequence[str]) -> list[str]:
    """Those of ``targets`` that ``work`` holds apart from its source version."""
    present = [v for v in (find_version(work, label) for label in targets) if v is not None]
    try:
        source = find_version(work, src) if src else default_source(work, present)
    except InputError:
        source = None
    return [v.label for v in present if source is not None and v.id != source.id]


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
