"""``aligner import`` of parallel documents (TMX, TEI): each file a work with its alignments,
all in one transaction, and what each import did, one line per version and run."""

from __future__ import annotations

from pathlib import Path

import typer

from aligner.cli import settings
from aligner.cli.progress import each
from aligner.errors import InputError
from aligner.formats.registry import format_for
from aligner.services.corpus import DEMONSTRATION_TEXT, count_summary
from aligner.services.interchange.importing import FileImportOutcome, import_file


def parallel_files(paths: list[Path], forced: str | None = None) -> list[Path]:
    """The files among ``paths`` that hold parallel documents (all of them when ``forced``
    names a parallel format); they are imported on their own (:func:`import_parallel_files`),
    so nothing else may come with them."""
    found = [p for p in paths if not p.is_dir() and format_for(p, forced).parallel]
    others = [p for p in paths if p not in found]
    if found and others:
        raise InputError(
            f"{found[0]}: TMX and TEI files are imported on their own, not with "
            f"text files or folders ({others[0]}); import those in another command"
        )
    return found


def import_parallel_files(
    ctx: typer.Context, files: list[Path], work: str | None, forced: str | None = None
) -> None:
    """Each file as a work, all in one transaction: a refused file writes nothing."""
    with settings(ctx).session() as session:
        outcomes = [
            import_file(session, path, work, forced)
            for path in each(ctx, files, "importing", unit="file")
        ]
    for outcome in outcomes:
        print_outcome(outcome)


def print_outcome(outcome: FileImportOutcome) -> None:
    """The reader's warnings on stderr, then a line per version and per run.  A memory's
    versions count segments and its runs links per status, from its translation units; a
    document's count segments per kind and beads per shape."""
    for warning in dict.fromkeys(outcome.warnings):
        typer.echo(f"Warning: {outcome.path}: {warning}", err=True)
    if outcome.dropped:
        counts = ", ".join(f"{n} <{tag}>" for tag, n in outcome.dropped.items())
        typer.echo(f"{outcome.path}: inline markup dropped: {counts}", err=True)
    memory = outcome.units is not None
    for version in outcome.versions:
        name = f"{outcome.work}/{version.label}"
        if version.revision is None:
            line = f"{name}: declared ({version.language}), no text"
        elif version.new:
            segments = sum(version.counts.values())
            counted = (
                f"{segments} segment{'s' if segments != 1 else ''}"
                if memory
                else count_summary(version.counts)
            )
            line = f"{name}: imported {version.revision} ({version.language}): {counted}"
        else:
            line = f"{name}: unchanged (revision {version.revision})"
        typer.echo(f"{line} ({DEMONSTRATION_TEXT})" if version.demonstration else line)
    beads = "links" if memory else "beads"
    for run in outcome.runs:
        name = f"{outcome.work}: run {run.id}, {run.src} → {run.tgt}"
        if not run.new:
            typer.echo(f"{name}: unchanged ({run.beads} {beads})")
        elif memory:
            statuses = ", ".join(f"{n} {status}" for status, n in sorted(run.statuses.items()))
            typer.echo(
                f"{name}: {run.beads} links ({statuses}) from {outcome.units} translation units"
            )
        else:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in run.kinds.items())
            typer.echo(f"{name}: {run.beads} beads ({kinds})")
