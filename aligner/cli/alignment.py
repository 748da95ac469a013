"""Alignment commands: align, runs, show-alignment; align-files (stateless) and eval."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aligner.cli import app, batch, settings
from aligner.cli.output import OutputFormat, isolate, print_json, print_table
from aligner.cli.progress import report_for
from aligner.core.dp import AlignParams
from aligner.core.encoders import DEFAULT_MODEL, load_encoder
from aligner.core.evaluation import count, scores
from aligner.errors import InputError
from aligner.formats.cesalign import read_cesalign, read_sentences
from aligner.formats.ladder import format_bead, read_ladder
from aligner.services.alignment import align_versions
from aligner.services.corpus import DEMONSTRATION_TEXT
from aligner.services.file_alignment import FileAlignment, align_files
from aligner.services.selection import describe_run, find_run, run_method, runs_of, source_label
from aligner.store.models import Link, LinkSegment, Version

SrcOption = Annotated[
    str | None,
    typer.Option(
        help="The original's language (or version label); default: the version the "
        "translation was made from."
    ),
]
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
    ctx: typer.Context,
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

    Example: aligner align-files corpora/demonstration/why-we-quit-introduction.fr-demo.txt
    corpora/demonstration/why-we-quit-introduction.yi-demo.txt --src-lang fr --tgt-lang yi
    """
    params = params_for(max_bead)
    result = align_files(
        src, tgt, src_lang, tgt_lang, load_encoder(model), presplit=presplit, params=params,
        progress=report_for(ctx, output.value),
    )  # fmt: skip
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

    Example: aligner eval --gold gold.ladder --pred predicted.ladder
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
    work: Annotated[str | None, typer.Argument(help="Work slug (none with --all).")] = None,
    src: Annotated[
        str | None,
        typer.Option(
            help="The original's language (or version label); default: the version the "
            "translation was made from."
        ),
    ] = None,
    tgt: Annotated[
        str | None,
        typer.Option(
            help="The translation's language (or version label); with --all, one or more "
            "(fr,de), default: every translation."
        ),
    ] = None,
    model: ModelOption = DEFAULT_MODEL,
    max_bead: MaxBeadOption = 4,
    all_pairs: Annotated[bool, typer.Option("--all", help=batch.ALL_HELP)] = False,
    works: Annotated[list[str] | None, typer.Option("--work", help=batch.WORK_HELP)] = None,
    executor: Annotated[batch.ExecutorKind | None, typer.Option(help=batch.EXECUTOR_HELP)] = None,
    scheduler: Annotated[
        str | None, typer.Option(envvar=batch.SCHEDULER_ENV_VAR, help=batch.SCHEDULER_HELP)
    ] = None,
    force: Annotated[bool, typer.Option(help=batch.FORCE_HELP)] = False,
    device: Annotated[str | None, typer.Option(help=batch.DEVICE_HELP)] = None,
    verbose: Annotated[bool, typer.Option(help=batch.VERBOSE_HELP)] = False,
) -> None:
    """Align two versions of a work and store the result as a new alignment run; with
    --all, every translation of the library (see docs/scaling.md).

    Example: aligner align why-we-quit-1938-introduction --tgt fr-demo

    Example: aligner align --all --executor dask
    """
    params = params_for(max_bead)
    options = settings(ctx)
    if all_pairs:
        choice = batch.BatchChoice(work, src, tgt, works or [], executor, scheduler, force)
        batch.align_all(options, batch.request(choice, params, model, device), choice, verbose)
        return
    if work is None:
        raise InputError("align: name a WORK, or align every translation with --all")
    batch.refuse_batch_options(works, executor, force, verbose)
    if tgt is None:
        raise InputError(f"{work}: name the translation to align with --tgt")
    encoder = load_encoder(model, device)
    with options.database() as db:
        with db.session() as session:
            src = source_label(session, work, src, tgt)
        run = align_versions(db, work, src, tgt, encoder, params, progress=report_for(ctx))
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
    """List a work's alignment runs, oldest first: how each was made (auto, or a review of
    the base run with its edits), its beads and model.

    Example: aligner runs why-we-quit-1938-introduction --format json
    """
    with settings(ctx).session() as session:
        data = [
            {
                "run": run.id,
                "src": run.src_revision.version.label,
                "src_revision": run.src_revision.number,
                "tgt": run.tgt_revision.version.label,
                "tgt_revision": run.tgt_revision.number,
                "method": run.method,
                "kind": run_method(run),
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
        ["run", "method", "base", "edits", "src", "tgt", "beads", "mean score", "model",
         "created"],
        [
            [r["run"], r["kind"], r.get("base_run", "-"), r.get("edits", "-"),
             f"{r['src']} r{r['src_revision']}", f"{r['tgt']} r{r['tgt_revision']}",
             r["beads"], f"{r['mean_score']:.3f}", r["model"], r["created_at"]]
            for r in data
        ],
    )  # fmt: skip


@app.command("show-alignment")
def show_alignment_command(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    tgt: TgtOption,
    src: SrcOption = None,
    run: Annotated[int | None, typer.Option(help="A run id (default: the newest).")] = None,
    below: Annotated[
        float | None, typer.Option(help="Only beads scoring below this (to find what to check).")
    ] = None,
) -> None:
    """Print the aligned pairs bead by bead; right-to-left text is isolated so it reads right.

    The first line names the run shown: the newest (a review once someone edited it) unless
    --run picks another.

    Example: aligner show-alignment why-we-quit-1938-introduction --tgt yi-demo --below 0.9
    """
    with settings(ctx).session() as session:
        found = find_run(session, work, src, tgt, run)
        versions = (found.src_revision.version, found.tgt_revision.version)
        typer.echo(
            f"{work}: {describe_run(found)}, {versions[0].label} → {versions[1].label}, "
            f"model {found.model}"
        )
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
        text = " ".join(m.segment.text for m in sides[side])
        typer.echo(f"  {version.label}: {isolate(text, version.direction) if text else '∅'}")
