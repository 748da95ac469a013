"""Alignment commands: align-files (stateless, the benchmark contract) and eval."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from aligner.align import AlignParams
from aligner.cli import app
from aligner.cli.output import print_json, print_table
from aligner.embed import DEFAULT_MODEL, load_encoder
from aligner.formats.ladder import format_bead, read_ladder
from aligner.pipeline import FileAlignment, align_files
from aligner.score import count, scores


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
    model: Annotated[str, typer.Option(help="Sentence encoder.")] = DEFAULT_MODEL,
    max_bead: Annotated[int, typer.Option(help="Most sentences on one side of a bead.")] = 4,
) -> None:
    """Align two files without a database and print the beads.

    Example: aligner align-files test0.de test0.fr --src-lang de --tgt-lang fr --presplit
    """
    params = AlignParams(max_bead=max_bead, max_total=max(max_bead + 1, 2))
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
    gold: Annotated[Path, typer.Option(help="Gold beads, a ladder file.")],
    pred: Annotated[Path, typer.Option(help="Predicted beads, a ladder file.")],
) -> None:
    """Strict and lax precision, recall and F1 of PRED against GOLD (Vecalign's definition)."""
    result = scores(count(read_ladder(gold), read_ladder(pred)))
    print_table(
        ["", "precision", "recall", "F1"],
        [
            ["strict", f"{result.strict_precision:.4f}", f"{result.strict_recall:.4f}",
             f"{result.strict_f1:.4f}"],
            ["lax", f"{result.lax_precision:.4f}", f"{result.lax_recall:.4f}",
             f"{result.lax_f1:.4f}"],
        ],
    )  # fmt: skip
