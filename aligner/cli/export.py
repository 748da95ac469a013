"""Export commands: ``aligner export tmx`` (TMX 1.4b for translation-memory tools).

The options every export takes (the run, ``--status``, ``--min-score``, ``--keep-unaligned``,
``-o``) and the code that selects the run and writes the result are here, shared by the other
export commands (``aligner.cli.export_plain``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from aligner.alignment import find_run
from aligner.cli import AlignerGroup, app, settings
from aligner.errors import InputError
from aligner.formats.beads import STATUSES, ExportFilter
from aligner.formats.tmx import document_from_run, write_tmx
from aligner.store.models import AlignmentRun

T = TypeVar("T")

export_app = typer.Typer(
    cls=AlignerGroup,
    help="Write alignments in formats other tools read.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

WorkArgument = Annotated[str, typer.Argument(help="Work slug.")]
SrcOption = Annotated[str, typer.Option(help="The source side's language (or version label).")]
TgtOption = Annotated[str, typer.Option(help="The target side's language (or version label).")]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
]
StatusOption = Annotated[
    str, typer.Option(help="confirmed: only links confirmed or corrected; any: all.")
]
MinScoreOption = Annotated[float | None, typer.Option(help="Leave out beads scoring below this.")]
RunOption = Annotated[int | None, typer.Option(help="A run id (default: the newest).")]


def export_filter(status: str, min_score: float | None, keep_unaligned: bool) -> ExportFilter:
    """The filter the options ask for; an unknown ``--status`` is an input error."""
    if status not in STATUSES:
        raise InputError(f"--status must be one of {', '.join(STATUSES)}, not {status!r}")
    return ExportFilter(status=status, min_score=min_score, keep_unaligned=keep_unaligned)


def from_run(
    ctx: typer.Context,
    work: str,
    src: str,
    tgt: str,
    run: int | None,
    build: Callable[[AlignmentRun], T],
) -> tuple[T, int]:
    """``build`` applied to the run asked for (the newest by default), and that run's id."""
    with settings(ctx).open_database() as db:
        db.ensure_ready(create=False)
        with db.session() as session:
            found = find_run(session, work, src, tgt, run)
            return build(found), found.id


def write_output(data: bytes, output: Path | None) -> bool:
    """Write ``data`` to ``output``, or to stdout when there is none; true if a file was written."""
    if output is None:
        typer.echo(data, nl=False)
        return False
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror}") from exc
    return True


@export_app.command("tmx")
def export_tmx_command(
    ctx: typer.Context,
    work: WorkArgument,
    src: SrcOption,
    tgt: TgtOption,
    output: OutputOption = None,
    status: StatusOption = "any",
    min_score: MinScoreOption = None,
    run: RunOption = None,
    keep_unaligned: Annotated[
        bool,
        typer.Option(help="Keep omissions and additions as units with one <tuv>."),
    ] = False,
) -> None:
    """Write a run's beads as a TMX 1.4b translation memory, one <tu> per bead."""
    keep = export_filter(status, min_score, keep_unaligned)
    document, run_id = from_run(
        ctx, work, src, tgt, run, lambda found: document_from_run(found, keep)
    )
    data = write_tmx(document)
    if document.removed_characters:
        typer.echo(
            f"removed {document.removed_characters} control "
            f"character{'s' if document.removed_characters != 1 else ''}",
            err=True,
        )
    if write_output(data, output):
        typer.echo(
            f"{work}: run {run_id}, {src} → {tgt}: {len(document.units)} translation units "
            f"written to {output}"
        )
