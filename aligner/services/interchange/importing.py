"""Importing a parallel document (a TMX memory, a TEI document) into the store: its work, its
versions, one revision per version with text, and its runs, all in the caller's transaction.

The file is read whole by its reader (:mod:`aligner.formats.registry`) before anything is
written.  Importing into a work that exists reuses its versions, and their fields are filled
or checked as any import's are (:func:`aligner.services.specs.upsert_version`: a value given
otherwise is refused, never changed silently); a version whose current revision holds the same
segments keeps it, otherwise it gets a new one; a run identical to one already stored (same
revisions, method, model, beads, scores and statuses) is not stored twice.  So importing a
file again, or importing an export back into the database it came from, writes nothing new.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from aligner.errors import InputError
from aligner.formats.model import AlignedBead, DocRun, DocVersion, ParallelDocument
from aligner.formats.registry import FileFormat, format_for
from aligner.services.interchange.storing import (
    StoredRevision,
    TextRecord,
    store_revision,
    store_run,
)
from aligner.services.specs import VersionSpec, WorkSpec, upsert_version, upsert_work
from aligner.store.models import Version, Work


@dataclass(frozen=True)
class VersionOutcome:
    label: str
    language: str
    revision: int | None  # None: the version has no text in the file
    new: bool  # a new revision, rather than the current one reused
    counts: dict[str, int]  # segments per kind
    demonstration: bool


@dataclass(frozen=True)
class RunOutcome:
    id: int
    src: str
    tgt: str
    new: bool  # rather than the same run found already stored
    kinds: dict[str, int]  # beads per shape, the most frequent first
    statuses: dict[str, int]  # beads per status

    @property
    def beads(self) -> int:
        return sum(self.kinds.values())


@dataclass(frozen=True)
class FileImportOutcome:
    """What importing one file did; ``units``, ``dropped`` and ``warnings`` are the reader's
    (a translation memory's units, the inline markup it reduced to nothing)."""

    path: Path
    work: str
    versions: list[VersionOutcome]
    runs: list[RunOutcome]
    units: int | None
    dropped: dict[str, int]
    warnings: list[str]


@dataclass(frozen=True)
class _StoringRules:
    """How a format's texts and runs have always been stored: the source document is named
    after the version's label (or language), and its text ends in a line break or not; the
    segment fields that tell a stored revision holds the same text; how a run's mean score
    counts beads without one."""

    name_by_label: bool = True
    final_newline: bool = True
    compared: tuple[str, ...] = ("kind", "text")
    unscored_count_as_zero: bool = True


# A memory's paragraphs are its units, so they are compared too; its links count as confirmed,
# so a run without scores has a mean score of 1.
_RULES = {
    "tmx": _StoringRules(
        name_by_label=False,
        final_newline=False,
        compared=("paragraph", "kind", "text"),
        unscored_count_as_zero=False,
    ),
}


def import_file(
    session: Session, path: Path, slug: str | None, forced: str | None = None
) -> FileImportOutcome:
    """Import the parallel document in ``path`` (of the format its suffix or ``forced`` names)
    into the session's transaction as the work ``slug`` (by default, the one the file names)."""
    file_format = format_for(path, forced)
    if file_format.read is None:
        raise InputError(f"{path}: not a TMX or TEI file")
    document = file_format.read(path)
    try:
        return _store(session, path, file_format, document, slug or document.work.slug)
    except InputError as exc:  # a conflict with what the database holds
        raise InputError(f"{path}: {exc}") from exc


def _store(
    session: Session, path: Path, file_format: FileFormat, document: ParallelDocument, slug: str
) -> FileImportOutcome:
    rules = _RULES.get(file_format.name, _StoringRules())
    found = document.work
    work = upsert_work(
        session, WorkSpec(slug, found.title, found.author, found.date_written, found.notes)
    )
    versions = {v.label: upsert_version(session, work, _spec(v)) for v in document.versions}
    for version in document.versions:
        _link_translation(session, work, versions[version.label], version)
    revisions: dict[str, StoredRevision | None] = {}
    outcomes = []
    for version in document.versions:
        stored = versions[version.label]
        record = _text_record(path, file_format, rules, version)
        revision = (
            store_revision(session, stored, version.segments, record) if version.segments else None
        )
        revisions[version.label] = revision
        outcomes.append(
            VersionOutcome(
                stored.label, stored.language, revision.number if revision else None,
                revision.new if revision else False,
                dict(Counter(s.kind for s in version.segments or ())), stored.demonstration,
            )
        )  # fmt: skip
    runs = [_run(session, work.id, rules, run, revisions) for run in document.runs]
    return FileImportOutcome(
        path, work.slug, outcomes, runs, document.units, dict(document.dropped),
        list(document.warnings),
    )  # fmt: skip


def _spec(version: DocVersion) -> VersionSpec:
    return VersionSpec(
        version.language,
        version.role or "translation",
        label=version.label,
        title=version.title,
        translator=version.translator,
        date=version.date,
        publication=version.publication,
        source=version.source,
        licence=version.licence,
        notes=version.notes,
        demonstration=True if version.demonstration else None,
    )


def _link_translation(session: Session, work: Work, stored: Version, version: DocVersion) -> None:
    """What the version was made from (another version, or a basis alone such as
    ``unknown``), once every version of the document exists."""
    source, basis = version.translation_of, version.translation_basis
    if source is None and basis is None:
        return
    if stored.role != "translation":
        raise InputError(f"{work.slug}/{stored.label}: an original cannot be a translation")
    reference = None
    if source is not None:
        reference = source.label if source.work is None else f"{source.work}/{source.label}"
    upsert_version(
        session,
        work,
        VersionSpec(
            version.language,
            stored.role,
            label=stored.label,
            translation_of=reference,
            translation_basis=basis,
        ),
    )


def _text_record(
    path: Path, file_format: FileFormat, rules: _StoringRules, version: DocVersion
) -> TextRecord:
    segmentation = {"from": file_format.name, "file": path.name}
    if version.revision_note:
        segmentation["exported_as"] = version.revision_note
    named = version.label if rules.name_by_label else version.language
    return TextRecord(f"{path.name} ({named})", segmentation, rules.final_newline, rules.compared)


def _run(
    session: Session,
    work_id: int,
    rules: _StoringRules,
    run: DocRun,
    revisions: dict[str, StoredRevision | None],
) -> RunOutcome:
    src, tgt = revisions[run.src], revisions[run.tgt]
    if src is None or tgt is None:
        raise InputError(f"{run.src} → {run.tgt}: aligned, but a version has no text")
    mean = _mean_score(run.beads, rules.unscored_count_as_zero)
    run_id, new = store_run(session, work_id, (src, tgt), run, mean)
    kinds = Counter(bead.kind for bead in run.beads)
    statuses = Counter(bead.status for bead in run.beads)
    return RunOutcome(run_id, run.src, run.tgt, new, dict(kinds.most_common()), dict(statuses))


def _mean_score(beads: Sequence[AlignedBead], unscored_count_as_zero: bool) -> float:
    if unscored_count_as_zero:
        return round(sum(b.score or 0.0 for b in beads) / max(len(beads), 1), 4)
    scores = [b.score for b in beads if b.score is not None]
    return round(sum(scores) / len(scores), 4) if scores else 1.0
