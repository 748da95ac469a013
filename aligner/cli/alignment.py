"""Alignment commands: align, runs, show-alignment; align-files (stateless) and eval."""

from __future__ import annotations

from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from aligner.cli import app, settings
from aligner.cli.output import OutputFormat, print_json, print_table, progress
from aligner.core.dp import AlignParams
from aligner.core.encoders import DEFAULT_MODEL, load_encoder
from aligner.core.evaluation import count, scores
from aligner.formats.cesalign import read_cesalign, read_sentences
from aligner.formats.ladder import format_bead, read_ladder
from aligner.services.alignment import align_versions
from aligner.services.corpus import DEMONSTRATION_TEXT
from aligner.services.file_alignment import FileAlignment, align_files
from aligner.services.selection import find_run, runs_of
from aligner.store.models import Link, LinkSegment, Version

SrcOption = Annotated[str, typer.Option(help="The original's language (or version label).")]
TgtOption = Annotated[str, typer.Option(help="The translation's language (or version label).")]
ModelOption = Annotated[str, typer.Option(help="Sentence encoder.")]
MaxBeadOption = Annotated[int, typer.Option(help="Most sentences on one side of a bead.")]


def params_for(max_bead: int) -> AlignParams:
    """Search parameters for beads of up to ``max_bead`` sentences a side (one more in all)."""
    return AlignParams(max_bead=max_bead, max_total=max(max_bead + 1, 2))


class AlignmentFormat(StrEnum):
    ladder = "ladder"
    tsv = "tsv"
    json = "json"


@app.command("align-files")
def align_files_command(
    src: Annotated[Path, typer.Argument(help="The original (source) text file.")],
    tgt: Annotated[Path, typer.Argument(help="The translation (target) text file.")],
    src_lang: Annotated[str, typer.Option(help="BCP 47 language of SRC.")],
    tgt_lang: Annotated[str, typer.Option(help="BCP 47 language of TGT.")],
    presplit: Annotated[bool, typer.Option(help="One sentence per line: do not segment.")] = False,
    output: Annotated[
        AlignmentFormat, typer.Option("--format", "-f", help="ladder, tsv or json.")
    ] = AlignmentFormat.ladder,
    model: ModelOption = DEFAULT_MODEL,
    max_bead: MaxBeadOption = 4,
) -> None:
    """Align two files without a database and print the beads.

    Example: aligner align-files test0.de test0.fr --src-lang de --tgt-lang fr --presplit
    """
    params = params_for(max_bead)
    result = align_files(
        src, tgt, src_lang, tgt_lang, load_encoder(model), presplit=presplit, params=params
    )
    _print_alignment(result, output)


def _print_alignment(result: FileAlignment, output: AlignmentFormat) -> None:
    if output is AlignmentFormat.ladder:
        for bead in result.beads:
            typer.echo(format_bead(bead))
        return
    rows = [
        {
            "src": list(b.src),
            "tgt": list(b.tgt),
            "src_text": " ".join(result.src_sentences[i] for i in b.src),
            "tgt_text": " ".join(result.tgt_sentences[j] for j in b.tgt),
            "score": round(b.score or 0.0, 4),
        }
        for b in result.beads
    ]
    if output is AlignmentFormat.json:
        print_json(rows)
        return
    for row in rows:
        texts = (str(row["src_text"]), str(row["tgt_text"]))
        cells = [t.replace("\t", " ") for t in texts]
        typer.echo(f"{cells[0]}\t{cells[1]}\t{row['score']:.4f}")


@app.command("eval")
def eval_command(
    gold: Annotated[Path, typer.Option(help="Gold beads: a ladder file or cesAlign XML.")],
    pred: Annotated[Path, typer.Option(help="Predicted beads, a ladder file.")],
    src_doc: Annotated[
        Path | None, typer.Option(help="cesAlign gold: the source sentence document (<s id>).")
    ] = None,
    tgt_doc: Annotated[
        Path | None, typer.Option(help="cesAlign gold: the target sentence document.")
    ] = None,
) -> None:
    """Strict and lax precision, recall and F1 of PRED against GOLD (Vecalign's definition).

    With cesAlign gold, sentence ids are numbered in the order of --src-doc/--tgt-doc, or in
    the document order the ids imply when those are not given.
    """
    if gold.suffix.lower() == ".xml":
        src_ids = read_sentences(src_doc)[0] if src_doc else None
        tgt_ids = read_sentences(tgt_doc)[0] if tgt_doc else None
        gold_beads = read_cesalign(gold, src_ids, tgt_ids)
    else:
        gold_beads = read_ladder(gold)
    result = scores(count(gold_beads, read_ladder(pred)))
    print_table(
        ["", "precision", "recall", "F1"],
        [
            ["strict", f"{result.strict_precision:.4f}", f"{result.strict_recall:.4f}",
             f"{result.strict_f1:.4f}"],
            ["lax", f"{result.lax_precision:.4f}", f"{result.lax_recall:.4f}",
             f"{result.lax_f1:.4f}"],
        ],
    )  # fmt: skip


@app.command("align")
def align_command(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    src: SrcOption,
    tgt: TgtOption,
    model: ModelOption = DEFAULT_MODEL,
    max_bead: MaxBeadOption = 4,
) -> None:
    """Align two versions of a work and store the result as a new alignment run."""
    params = params_for(max_bead)
    encoder = load_encoder(model)
    options = settings(ctx)
    bar = partial(progress, description="embedding", quiet=options.quiet)
    with options.database() as db:
        run = align_versions(db, work, src, tgt, encoder, params, progress=bar)
        summary, run_id = run.summary, run.id
    kinds = ", ".join(f"{kind}: {n}" for kind, n in summary["kinds"].items())
    typer.echo(
        f"{work}: run {run_id}, {src} → {tgt}: {summary['beads']} beads ({kinds}); "
        f"mean score {summary['mean_score']:.3f}; "
        f"embedded {summary['embedded']} sentences, {summary['reused']} from the cache"
    )


@app.command("runs")
def runs_command(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    output: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
) -> None:
    """List a work's alignment runs, oldest first."""
    with settings(ctx).session() as session:
        data = [
            {
                "run": run.id,
                "src": run.src_revision.version.label,
                "src_revision": run.src_revision.number,
                "tgt": run.tgt_revision.version.label,
                "tgt_revision": run.tgt_revision.number,
                "method": run.method,
                "model": run.model,
                "parameters": run.parameters,
                "code_version": run.code_version,
                "created_at": run.created_at.isoformat(timespec="seconds"),
                **run.summary,
            }
            for run in runs_of(session, work)
        ]
    if output is OutputFormat.json:
        print_json(data)
        return
    print_table(
        ["run", "src", "tgt", "beads", "mean score", "model", "created"],
        [
            [r["run"], f"{r['src']} r{r['src_revision']}", f"{r['tgt']} r{r['tgt_revision']}",
             r["beads"], f"{r['mean_score']:.3f}", r["model"], r["created_at"]]
            for r in data
        ],
    )  # fmt: skip


@app.command("show-alignment")
def show_alignment_command(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    src: SrcOption,
    tgt: TgtOption,
    run: Annotated[int | None, typer.Option(help="A run id (default: the newest).")] = None,
    below: Annotated[
        float | None, typer.Option(help="Only beads scoring below this (to find what to check).")
    ] = None,
) -> None:
    """Print the aligned pairs bead by bead; right-to-left text is isolated so it reads right."""
    with settings(ctx).session() as session:
        found = find_run(session, work, src, tgt, run)
        typer.echo(f"{work}: run {found.id}, {src} → {tgt}, model {found.model}")
        versions = (found.src_revision.version, found.tgt_revision.version)
        demonstrations = [v.label for v in versions if v.demonstration]
        if len(demonstrations) == 1:
            typer.echo(f"Note: {demonstrations[0]} is {DEMONSTRATION_TEXT}.")
        elif demonstrations:
            typer.echo(
                f"Note: {' and '.join(demonstrations)} are demonstration texts made for "
                "this project, not historical originals."
            )
        for link in found.links:
            if below is not None and (link.score or 0.0) >= below:
                continue
            _print_link(link, versions)


def _print_link(link: Link, versions: tuple[Version, Version]) -> None:
    sides: dict[str, list[LinkSegment]] = {"src": [], "tgt": []}
    for member in link.members:
        sides[member.side].append(member)
    kind = f"{len(sides['src'])}-{len(sides['tgt'])}"
    score = "-" if link.score is None else f"{link.score:.2f}"
    typer.echo(f"\n#{link.position}  {kind}  {score}  {link.status}")
    for side, version in zip(("src", "tgt"), versions, strict=True):
        text = " ".join(m.segment.text for m in sides[side]) or "∅"
        if version.direction == "rtl":
            text = f"\u2067{text}\u2069"  # right-to-left isolate … pop directional isolate
        typer.echo(f"  {version.label}: {text}")
