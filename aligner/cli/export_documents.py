"""Bilingual exports for translators and reviewers: ``aligner export docx|xlsx|html``.

The same run selection as ``aligner export tmx`` (the source defaults to the version the
translation was made from) and the same bead filters; the writers are in
:mod:`aligner.formats.bilingual`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

from aligner.cli import settings
from aligner.cli.export import (
    MinScoreOption,
    OutputOption,
    RunOption,
    StatusOption,
    WorkArgument,
    export_app,
    export_filter,
    write_output,
)
from aligner.errors import InputError
from aligner.formats.bilingual import BilingualTable, write_docx, write_html, write_xlsx
from aligner.services.interchange.bilingual import bilingual_table
from aligner.services.selection import runs_for_translations

WRITERS: dict[str, Callable[[BilingualTable], bytes]] = {
    "docx": write_docx,
    "xlsx": write_xlsx,
    "html": write_html,
}
# A file format that is not text: it goes to a file, never to a terminal.
BINARY = ("docx", "xlsx")
BilingualSrcOption = Annotated[
    str | None,
    typer.Option(help="The source side (default: the version the translation was made from)."),
]
BilingualTgtOption = Annotated[str, typer.Option(help="The translation's language or label.")]
KeepUnalignedOption = Annotated[
    bool,
    typer.Option(
        "--keep-unaligned/--drop-unaligned",
        help="Keep omissions and additions as rows with one side empty, so that every "
        "sentence of both texts is in the table.",
    ),
]
HELPS = {
    "docx": (
        "Write a run as a Word document: a side-by-side table, original | translation | "
        "score and status, one row per bead (right-to-left languages set right to left).\n\n"
        "Example: aligner export docx why-we-quit-1938-introduction --tgt yi-demo -o why.docx"
    ),
    "xlsx": (
        "Write a run as a spreadsheet, as LF Aligner does: the two texts side by side, then "
        "the score and the status, one row per bead under a header row of language tags.\n\n"
        "Example: aligner export xlsx why-we-quit-1938-introduction --tgt yi-demo -o why.xlsx"
    ),
    "html": (
        "Write a run as one standalone HTML page (no script, no external file): the parallel "
        "texts in a table, each cell with its language and direction.\n\n"
        "Example: aligner export html why-we-quit-1938-introduction --tgt yi-demo -o why.html"
    ),
}


def _export(
    ctx: typer.Context,
    fmt: str,
    work: str,
    src: str | None,
    tgt: str,
    output: OutputOption,
    keep: tuple[str, float | None, bool, int | None],
) -> None:
    status, min_score, keep_unaligned, run = keep
    beads = export_filter(status, min_score, keep_unaligned)
    if output is None and fmt in BINARY:
        raise InputError(f"{work}: a {fmt.upper()} file is not text; give -o FILE to write it")
    with settings(ctx).session() as session:
        found = runs_for_translations(session, work, src, [tgt], run)[0]
        table = bilingual_table(found, beads)
        run_id, src_label = found.id, found.src_revision.version.label
    if write_output(WRITERS[fmt](table), output):
        rows = len(table.rows)
        typer.echo(
            f"{work}: run {run_id}, {src_label} → {tgt}: {rows} row{'s' if rows != 1 else ''} "
            f"written to {output}"
        )


def _register(fmt: str) -> None:
    """One ``aligner export FMT`` command; the three differ only in their writer."""

    def command(
        ctx: typer.Context,
        work: WorkArgument,
        tgt: BilingualTgtOption,
        src: BilingualSrcOption = None,
        output: OutputOption = None,
        status: StatusOption = "any",
        min_score: MinScoreOption = None,
        run: RunOption = None,
        keep_unaligned: KeepUnalignedOption = True,
    ) -> None:
        _export(ctx, fmt, work, src, tgt, output, (status, min_score, keep_unaligned, run))

    export_app.command(fmt, help=HELPS[fmt])(command)


for _fmt in HELPS:
    _register(_fmt)
