"""``aligner export tei``: a work's versions and alignments as one TEI P5 document."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aligner.cli import settings
from aligner.cli.export import describe_runs, export_app, report_removed, write_output
from aligner.formats.tei import write_tei
from aligner.services.interchange.exports import build_tei
from aligner.services.selection import choose_runs
from aligner.store.queries import get_work


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
    """Write a work's versions and alignment runs as one TEI P5 document (<linkGrp> per run).

    Example: aligner export tei why-we-quit-1938-introduction -o why.xml
    """
    with settings(ctx).session() as session:
        found = get_work(session, work)
        runs, skipped = choose_runs(session, work, run)
        document = build_tei(found, runs)
        data = write_tei(document)
        used = "; ".join(describe_runs([run]) for run in runs)
    for old in skipped:
        typer.echo(f"left out run {old.id}: it aligns an earlier revision", err=True)
    report_removed(document.removed_characters)
    if not write_output(data, output):
        if used:
            typer.echo(used, err=True)
        return
    typer.echo(
        f"{work}: {document.versions} versions, {len(document.runs)} alignment runs, "
        f"{document.links} links and {document.unaligned} unaligned beads written to {output}"
    )
    if used:
        typer.echo(used)
