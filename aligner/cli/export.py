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

from aligner.cli import app, settings
from aligner.cli.framework import AlignerGroup, AlignerTyper
from aligner.cli.progress import each
from aligner.errors import InputError, NotFoundError
from aligner.formats.beads import STATUSES, ExportFilter
from aligner.formats.tmx import TmxDocument, write_tmx
from aligner.services.interchange.exports import aligned_works, document_from_runs
from aligner.services.selection import describe_run, find_run, runs_for_translations
from aligner.store.models import AlignmentRun

T = TypeVar("T")

export_app = AlignerTyper(
    cls=AlignerGroup,
    help="Write alignments in formats other tools read."
    "\n\nExample: aligner export tsv why-we-quit-1938-introduction --tgt fr-demo -o why.tsv",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

WorkArgument = Annotated[str, typer.Argument(help="Work slug.")]
SrcOption = Annotated[
    str | None,
    typer.Option(
        help="The source side's language (or version label); default: the version the "
        "translation was made from."
    ),
]
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
    src: str | None,
    tgt: str,
    run: int | None,
    build: Callable[[AlignmentRun], T],
) -> tuple[T, str]:
    """``build`` applied to the run asked for (the newest by default), and which run that is
    (``run 3 (review of run 2, 1 edit), en → fr``)."""
    with settings(ctx).session() as session:
        found = find_run(session, work, src, tgt, run)
        return build(found), describe_runs([found])


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


def report_run(line: str, output: Path | None) -> None:
    """Say which run an export holds: on stdout after writing a file, on stderr (stdout holds
    the export) otherwise."""
    if output is None:
        typer.echo(line, err=True)
    else:
        typer.echo(f"{line} written to {output}")


def report_removed(count: int) -> None:
    """Say on stderr how many characters XML cannot carry were left out of the texts."""
    if count:
        typer.echo(f"removed {count} control character{'s' if count != 1 else ''}", err=True)


TranslationsOption = Annotated[
    str,
    typer.Option(
        "--tgt",
        help="The translation's language or version label; several, joined by commas "
        "(--tgt en,fr), give one unit with a <tuv> per translation.",
    ),
]
TmxSrcOption = Annotated[
    str | None,
    typer.Option(help="The source side (default: the version the translations were made from)."),
]


@export_app.command("tmx")
def export_tmx_command(
    ctx: typer.Context,
    tgt: TranslationsOption,
    work: Annotated[str | None, typer.Argument(help="Work slug (leave out with --all).")] = None,
    src: TmxSrcOption = None,
    all_works: Annotated[
        bool, typer.Option("--all", help="Every work with these translations aligned.")
    ] = False,
    output: OutputOption = None,
    status: StatusOption = "any",
    min_score: MinScoreOption = None,
    run: RunOption = None,
    keep_unaligned: Annotated[
        bool,
        typer.Option(help="Keep omissions and additions as units with one <tuv>."),
    ] = False,
) -> None:
    """Write beads as a TMX 1.4b translation memory: one <tu> per bead, or per stretch of the
    original when several translations are asked for.

    Which runs it holds (the newest per pair, a review once someone edited it) is said on
    stderr, or with the summary when -o writes a file.

    Example: aligner export tmx why-we-quit-1938-introduction --tgt fr-demo,yi-demo -o why.tmx
    """
    keep = export_filter(status, min_score, keep_unaligned)
    targets = _translation_labels(tgt)
    _check_selection(work, all_works, run, targets)
    with settings(ctx).session() as session:
        if work is not None:
            chosen = runs_for_translations(session, work, src, targets, run)
            exported = [(work, chosen)]
        else:
            exported, skipped = aligned_works(session, src, targets)
            for note in skipped:
                typer.echo(f"skipped {note}", err=True)
            if not exported:
                raise NotFoundError(f"no work has {', '.join(targets)} aligned")
        document = TmxDocument(srclang=exported[0][1][0].src_revision.version.language)
        lines = []
        for slug, runs in each(ctx, exported, "exporting", unit="work"):
            part = document_from_runs(runs, keep)
            document.extend(part)
            lines.append(f"{slug}: {describe_runs(runs)}: {len(part.units)} translation units")
    data = write_tmx(document)
    report_removed(document.removed_characters)
    write_output(data, output)
    if len(lines) == 1:
        report_run(lines[0], output)
        return
    typer.echo("\n".join(lines), err=output is None)
    if output is not None:
        typer.echo(
            f"{len(document.units)} translation units from {len(lines)} works written to {output}"
        )


def _translation_labels(tgt: str) -> list[str]:
    labels = [label.strip() for label in tgt.split(",")]
    if not all(labels):
        raise InputError(
            f"--tgt {tgt!r}: an empty label; give languages or labels joined by commas"
        )
    if len(set(labels)) != len(labels):
        raise InputError(f"--tgt {tgt!r} names a translation twice")
    return labels


def _check_selection(
    work: str | None, all_works: bool, run: int | None, targets: list[str]
) -> None:
    if work is None and not all_works:
        raise InputError("name a WORK, or give --all for every work")
    if work is not None and all_works:
        raise InputError(f"{work}: give a WORK or --all, not both")
    if run is not None and (all_works or len(targets) > 1):
        raise InputError("--run picks one run: give one WORK and one --tgt")


def describe_runs(runs: list[AlignmentRun]) -> str:
    """``run 1, en → fr`` or ``runs 1, 3 (review of run 2, 1 edit), en → fr, yi``."""
    src = runs[0].src_revision.version.label
    tgts = ", ".join(run.tgt_revision.version.label for run in runs)
    used = ", ".join(describe_run(run).removeprefix("run ") for run in runs)
    return f"run{'s' if len(runs) > 1 else ''} {used}, {src} → {tgts}"
