"""``aligner stats``: translation statistics of an alignment run, as a table or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Annotated

import typer

from aligner.cli import app, settings
from aligner.cli.export import RunOption, WorkArgument
from aligner.cli.output import OutputFormat, isolate, print_table
from aligner.errors import InputError
from aligner.services.corpus import DEMONSTRATION_TEXT
from aligner.services.stats import DEFAULT_LOWEST, BeadSummary, RunStats, stats_for

FORMATS = tuple(OutputFormat)

OptionalSrc = Annotated[
    str | None,
    typer.Option(help="The source side's language (or version label); default: the aligned one."),
]
OptionalTgt = Annotated[
    str | None,
    typer.Option(help="The target side's language (or version label); default: the aligned one."),
]


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    work: WorkArgument,
    src: OptionalSrc = None,
    tgt: OptionalTgt = None,
    run: RunOption = None,
    output: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    lowest: Annotated[
        int, typer.Option(help="How many of the lowest-scoring beads to list.")
    ] = DEFAULT_LOWEST,
) -> None:
    """Bead types, length ratios and their outliers, the lowest-scoring beads, omissions and
    additions of a run (the newest of the work's aligned pair by default; its first line says
    which run, and whether it is a review).

    Example: aligner stats why-we-quit-1938-introduction --tgt fr-demo --format json
    """
    if output not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not {output!r}")
    if lowest < 0:
        raise InputError(f"--lowest must be 0 or more, not {lowest}")
    with settings(ctx).session() as session:
        stats = stats_for(session, work, src, tgt, run, lowest)
    if output == OutputFormat.json:
        typer.echo(json.dumps(asdict(stats), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        print_stats(stats)


def print_stats(stats: RunStats) -> None:
    """The statistics for a terminal: counts as tables, beads with their texts as stored."""
    src, tgt = stats.src.label, stats.tgt.label
    typer.echo(f"{stats.work}: {stats.used}, {src} → {tgt}, model {stats.model}")
    for side in (stats.src, stats.tgt):
        if side.demonstration:
            typer.echo(f"Note: {side.label} is {DEMONSTRATION_TEXT}.")
    _print_counts(stats)
    _print_lengths(stats)
    lowest = f"Lowest scores ({len(stats.lowest)} of {stats.totals.beads} beads)"
    _print_beads(lowest, stats.lowest, stats, "none: no bead has a score")
    _print_beads(f"Omissions ({len(stats.omissions)})", stats.omissions, stats, "none")
    _print_beads(f"Additions ({len(stats.additions)})", stats.additions, stats, "none")


def _print_counts(stats: RunStats) -> None:
    totals, types = stats.totals, stats.types
    typer.echo()
    print_table(
        ["", stats.src.label, stats.tgt.label],
        [
            ["sentences", totals.src_sentences, totals.tgt_sentences],
            ["characters", totals.src_characters, totals.tgt_characters],
            ["omitted / added sentences", totals.omitted_sentences, totals.added_sentences],
        ],
    )
    typer.echo()
    rows = [
        ("1-1", types.one_to_one),
        ("1-2", types.one_to_two),
        ("2-1", types.two_to_one),
        *((f"other {shape}", n) for shape, n in types.other.items()),
        (f"omissions ({_shapes(types.shapes, omitted=True)})", types.omissions),
        (f"additions ({_shapes(types.shapes, omitted=False)})", types.additions),
    ]
    print_table(
        ["bead type", "beads", "share"],
        [[kind, n, _share(n, totals.beads)] for kind, n in rows],
    )
    typer.echo(f"all beads: {totals.beads}")
    typer.echo("status: " + ", ".join(f"{s} {n}" for s, n in stats.statuses.items()))


def _shapes(shapes: dict[str, int], omitted: bool) -> str:
    """The shapes an omission (n-0) or addition (0-n) took, ``1-0`` when there were none."""
    seen = [s for s in shapes if (s.endswith("-0") if omitted else s.startswith("0-"))]
    return ", ".join(seen) or ("1-0" if omitted else "0-1")


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "-"


def _print_lengths(stats: RunStats) -> None:
    lengths = stats.lengths
    typer.echo(
        f"\nLength ratio ({stats.tgt.label} characters / {stats.src.label} characters), "
        f"{lengths.measured} beads with text on both sides: median {_number(lengths.median)}, "
        f"whole text {_number(lengths.whole_text)}"
    )
    typer.echo(f"Outliers: {lengths.rule}")
    if lengths.low is None or lengths.high is None:
        typer.echo("  none judged: fewer than three beads with a ratio, or all ratios equal")
        return
    typer.echo(
        f"  s = {lengths.spread:.4f} (MAD {lengths.mad:.4f}): "
        f"ratios outside [{lengths.low:.2f}, {lengths.high:.2f}]: "
        f"{len(lengths.outliers)} bead{'' if len(lengths.outliers) == 1 else 's'}"
    )
    for bead in lengths.outliers:
        _print_bead(bead, stats)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _print_beads(title: str, beads: Sequence[BeadSummary], stats: RunStats, empty: str) -> None:
    typer.echo(f"\n{title}")
    for bead in beads:
        _print_bead(bead, stats)
    if not beads:
        typer.echo(f"  {empty}")


def _print_bead(bead: BeadSummary, stats: RunStats) -> None:
    score = "-" if bead.score is None else f"{bead.score:.2f}"
    ratio = "" if bead.ratio is None else f"  ratio {bead.ratio:.2f}"
    typer.echo(f"  #{bead.position}  {bead.kind}  score {score}  {bead.status}{ratio}")
    for side, ids, text in (
        (stats.src, bead.src_ids, bead.src_text),
        (stats.tgt, bead.tgt_ids, bead.tgt_text),
    ):
        where = " ".join(str(i) for i in ids) or "-"
        shown = isolate(text, side.direction) if text else "∅"
        typer.echo(f"    {side.label} [{where}]: {shown}")
