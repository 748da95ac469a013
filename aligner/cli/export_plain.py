"""Plain export commands for spreadsheets and scripts: ``aligner export tsv|csv|jsonl``.

They take the same options as ``aligner export tmx`` and share its run selection, filters
and output handling (``aligner.cli.export``); the writers are in ``aligner.formats.plain``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from aligner.cli.export import (
    MinScoreOption,
    OutputOption,
    RunOption,
    SrcOption,
    StatusOption,
    TgtOption,
    WorkArgument,
    export_app,
    export_filter,
    from_run,
    report_run,
    write_output,
)
from aligner.formats.plain import WRITERS, PlainExport
from aligner.services.interchange.exports import exported_beads

KeepUnalignedOption = Annotated[
    bool,
    typer.Option(help="Keep omissions and additions (kind 1-0 or 0-1, one side empty)."),
]

FIELDS_HELP = (
    "Fields per bead: position, kind (e.g. 1-2), score, status, src_ids and tgt_ids (segment "
    "positions), src_text, tgt_text (the bead's sentences joined with a space). UTF-8."
)


def _export(
    ctx: typer.Context,
    fmt: str,
    work: str,
    src: str | None,
    tgt: str,
    output: OutputOption,
    status: str,
    min_score: float | None,
    run: int | None,
    keep_unaligned: bool,
) -> None:
    keep = export_filter(status, min_score, keep_unaligned)
    writer = WRITERS[fmt]
    export: PlainExport
    export, used = from_run(
        ctx, work, src, tgt, run, lambda found: writer(exported_beads(found, keep))
    )
    if export.replaced_characters:
        count = export.replaced_characters
        plural = "s" if count != 1 else ""
        typer.echo(f"replaced {count} tab{plural} or line break{plural} with spaces", err=True)
    write_output(export.data, output)
    beads = f"{export.records} bead{'s' if export.records != 1 else ''}"
    report_run(f"{work}: {used}: {beads}", output)


HELPS = {
    "tsv": (
        "Write a run's beads as tab-separated values: a header line, then one line per bead."
        f"\n\n{FIELDS_HELP} Ids are separated by spaces. TSV cannot quote, so tabs and line "
        "breaks inside a text are replaced by spaces (counted on stderr)."
    ),
    "csv": (
        "Write a run's beads as CSV (RFC 4180): a header row, then one row per bead.\n\n"
        f"{FIELDS_HELP} Ids are separated by spaces; fields are quoted where needed (texts are "
        "kept whole, line breaks included); lines end in CRLF."
    ),
    "jsonl": (
        "Write a run's beads as JSON Lines: one JSON object per bead and line.\n\n"
        f"{FIELDS_HELP} Ids are lists of integers; score is a number or null; non-ASCII is "
        "written as is."
    ),
}


def _register(fmt: str) -> None:
    """One ``aligner export FMT`` command; the three differ only in their writer."""

    def command(
        ctx: typer.Context,
        work: WorkArgument,
        tgt: TgtOption,
        src: SrcOption = None,
        output: OutputOption = None,
        status: StatusOption = "any",
        min_score: MinScoreOption = None,
        run: RunOption = None,
        keep_unaligned: KeepUnalignedOption = False,
    ) -> None:
        _export(ctx, fmt, work, src, tgt, output, status, min_score, run, keep_unaligned)

    example = f"aligner export {fmt} why-we-quit-1938-introduction --tgt fr-demo -o why.{fmt}"
    export_app.command(fmt, help=f"{HELPS[fmt]}\n\nExample: {example}")(command)


for _fmt in HELPS:
    _register(_fmt)
