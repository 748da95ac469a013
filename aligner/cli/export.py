"""Export commands: ``aligner export tmx`` (TMX 1.4b for translation-memory tools)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from aligner.alignment import find_run
from aligner.cli import AlignerGroup, app, settings
from aligner.errors import InputError
from aligner.formats.tmx import STATUSES, ExportFilter, document_from_run, write_tmx

export_app = typer.Typer(
    cls=AlignerGroup,
    help="Write alignments in formats other tools read.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")


@export_app.command("tmx")
def export_tmx_command(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    src: Annotated[str, typer.Option(help="The source side's language (or version label).")],
    tgt: Annotated[str, typer.Option(help="The target side's language (or version label).")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    status: Annotated[
        str, typer.Option(help="confirmed: only links confirmed or corrected; any: all.")
    ] = "any",
    min_score: Annotated[
        float | None, typer.Option(help="Leave out beads scoring below this.")
    ] = None,
    run: Annotated[int | None, typer.Option(help="A run id (default: the newest).")] = None,
    keep_unaligned: Annotated[
        bool,
        typer.Option(help="Keep omissions and additions as units with one <tuv>."),
    ] = False,
) -> None:
    """Write a run's beads as a TMX 1.4b translation memory, one <tu> per bead."""
    if status not in STATUSES:
        raise InputError(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    keep = ExportFilter(status=status, min_score=min_score, keep_unaligned=keep_unaligned)
    with settings(ctx).open_database() as db:
        db.ensure_ready(create=False)
        with db.session() as session:
            found = find_run(session, work, src, tgt, run)
            document = document_from_run(found, keep)
            run_id = found.id
    data = write_tmx(document)
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
        f"{work}: run {run_id}, {src} → {tgt}: {len(document.units)} translation units "
        f"written to {output}"
    )
