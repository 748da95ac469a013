"""``aligner export tei``: a work's versions and alignments as one TEI P5 document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from aligner.cli import settings
from aligner.cli.export import export_app
from aligner.errors import InputError, NotFoundError
from aligner.formats.tei import build_tei, write_tei
from aligner.services.alignment import runs_of
from aligner.store.models import AlignmentRun
from aligner.store.queries import get_work


def choose_runs(
    session: Session, work_slug: str, run_ids: list[int] | None
) -> tuple[list[AlignmentRun], list[AlignmentRun]]:
    """The runs to export, and the runs left out because they align an earlier revision.

    With ``run_ids``, exactly those runs (each must belong to the work and align its versions'
    current revisions); without, the newest run per (source, target) version pair among the
    runs on current revisions.
    """
    runs = runs_of(session, work_slug)

    def current(run: AlignmentRun) -> bool:
        return all(r.version.current is r for r in (run.src_revision, run.tgt_revision))

    if run_ids:
        by_id = {run.id: run for run in runs}
        chosen = []
        for run_id in dict.fromkeys(run_ids):
            run = by_id.get(run_id)
            if run is None:
                raise NotFoundError(f"{work_slug}: no run {run_id} in this work")
            if not current(run):
                raise InputError(
                    f"{work_slug}: run {run_id} aligns an earlier revision; the TEI export holds "
                    f"current revisions only (align again, or leave --run {run_id} out)"
                )
            chosen.append(run)
        return chosen, []
    newest: dict[tuple[int, int], AlignmentRun] = {}
    for run in runs:
        if current(run):
            newest[(run.src_revision.version_id, run.tgt_revision.version_id)] = run
    kept = sorted(newest.values(), key=lambda run: run.id)
    skipped = [
        run for run in runs
        if not current(run)
        and (run.src_revision.version_id, run.tgt_revision.version_id) not in newest
    ]  # fmt: skip
    return kept, skipped


@export_app.command("tei")
def export_tei_command(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    run: Annotated[
        list[int] | None,
        typer.Option(help="A run id to include (repeatable; default: the newest run per pair)."),
    ] = None,
) -> None:
    """Write a work's versions and alignment runs as one TEI P5 document (<linkGrp> per run)."""
    with settings(ctx).open_database() as db:
        db.ensure_ready(create=False)
        with db.session() as session:
            found = get_work(session, work)
            runs, skipped = choose_runs(session, work, run)
            document = build_tei(found, runs)
            data = write_tei(document)
    for old in skipped:
        typer.echo(f"left out run {old.id}: it aligns an earlier revision", err=True)
    if document.removed_characters:
        typer.echo(
            f"removed {document.removed_characters} control "
            f"character{'s' if document.removed_characters != 1 else ''}",
            err=True,
        )
    if output is None:
        typer.echo(data, nl=False)
        return
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror}") from exc
    typer.echo(
        f"{work}: {document.versions} versions, {len(document.runs)} alignment runs, "
        f"{document.links} links and {document.unaligned} unaligned beads written to {output}"
    )
