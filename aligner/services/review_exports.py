"""A run as the review pages offer it for download: its current beads (the review's once there
is one) as TMX or TEI, with a file name that says what it holds."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from aligner.formats.beads import ExportFilter
from aligner.formats.tei import write_tei
from aligner.formats.tmx import write_tmx
from aligner.services.interchange.exports import build_tei, document_from_runs
from aligner.services.review import review_target
from aligner.services.selection import choose_runs
from aligner.store.models import AlignmentRun


@dataclass(frozen=True)
class ExportFile:
    data: bytes
    name: str  # work.src-tgt.runN.suffix


def run_as_tmx(session: Session, run_id: int, keep: ExportFilter) -> ExportFile:
    run = review_target(session, run_id).shown
    return ExportFile(write_tmx(document_from_runs([run], keep)), _file_name(run, "tmx"))


def run_as_tei(session: Session, run_id: int) -> ExportFile:
    """The run's work as TEI with this one run's links (its versions' current revisions)."""
    run = review_target(session, run_id).shown
    work = run.src_revision.version.work
    runs, _ = choose_runs(session, work.slug, [run.id])
    return ExportFile(write_tei(build_tei(work, runs)), _file_name(run, "tei.xml"))


def _file_name(run: AlignmentRun, suffix: str) -> str:
    src, tgt = run.src_revision.version, run.tgt_revision.version
    return f"{src.work.slug}.{src.label}-{tgt.label}.run{run.id}.{suffix}"
