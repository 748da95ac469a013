"""``aligner search``: a concordance of the corpus, each hit with its aligned counterparts."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

import typer

from aligner.cli import app, settings
from aligner.cli.index import describe
from aligner.cli.output import display_width, isolate, pad, print_json
from aligner.cli.progress import report_for
from aligner.core.encoders import DEFAULT_MODEL
from aligner.services.concordance import DEFAULT_LIMIT, Hit
from aligner.services.corpus_api import Corpus
from aligner.services.counterparts import Counterpart


class SearchFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


CSV_FIELDS = (
    "work", "label", "language", "kind", "position", "segment_id", "before", "match", "after",
    "text", "counterpart_label", "counterpart_language", "bead", "score", "status", "run",
    "counterpart_text", "similarity",
)  # fmt: skip


SEARCH_HELP = (
    "Find segments (a concordance) and show each hit in context with its counterparts.\n\n"
    "Full-text search ignores case, accents, Hebrew points and pre-1918 Russian spelling "
    "(мірѣ = мире); several words are a phrase. Hits come in corpus order, from each version's "
    "current text; counterparts are the other side of the hit's bead in every version aligned "
    "with it (the newest run).\n\n"
    'Example: aligner search "Jaurès" --tgt fr\n\n'
    "With --semantic, the segments closest in meaning in any language, most similar first, "
    "from the index `aligner index` builds (an English query finds the French, Russian and "
    "Yiddish sentences); on a corpus of up to 5,000 segments ($ALIGNER_AUTO_INDEX) a missing or "
    "out-of-date index is built first. With --lang, a hit in an aligned translation counts for its "
    "counterpart in that language (the two rankings fused by reciprocal rank), so a sentence "
    "the model misses directly is found through its translation.\n\n"
    'Example: aligner search --semantic "the party expelled its critics" --lang yi'
)


@app.command("search", help=SEARCH_HELP)
def search_command(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help="Words to find (several words: a phrase), or a --regex.")
    ],
    lang: Annotated[
        str | None,
        typer.Option(help="Only hits in this language (BCP 47, e.g. yi, ru) or version label."),
    ] = None,
    work: Annotated[str | None, typer.Option(help="Only hits in this work (slug).")] = None,
    tgt: Annotated[
        str | None,
        typer.Option(help="Only show counterparts in this language or version label."),
    ] = None,
    regex: Annotated[
        bool,
        typer.Option(help="QUERY is a Python regular expression (case-insensitive, no folding)."),
    ] = False,
    output: Annotated[
        SearchFormat, typer.Option("--format", "-f", help="table, json or csv.")
    ] = SearchFormat.table,
    limit: Annotated[int, typer.Option(help="Show at most this many hits.")] = DEFAULT_LIMIT,
    semantic: Annotated[
        bool, typer.Option(help="Closest in meaning, in any language (see below).")
    ] = False,
    model: Annotated[
        str, typer.Option(help="With --semantic: the encoder the index was built with.")
    ] = DEFAULT_MODEL,
) -> None:
    with Corpus(settings(ctx).db_url, create=True) as corpus:
        if semantic and not regex:
            built = corpus.ensure_index(model=model, progress=report_for(ctx))
            if built is not None:
                typer.echo(describe(built), err=True)
        hits = corpus.search(
            query, lang=lang, work=work, tgt=tgt, regex=regex, limit=limit,
            semantic=semantic, model=model,
        )  # fmt: skip
    PRINTERS[output](hits, limit)


def _print_json(hits: Sequence[Hit], _limit: int) -> None:
    print_json([asdict(hit) for hit in hits])


def _csv_rows(hit: Hit) -> list[list[object]]:
    base: list[object] = [
        hit.work, hit.label, hit.language, hit.kind, hit.position, hit.segment_id,
        hit.before, hit.match, hit.after, hit.text,
    ]  # fmt: skip
    similarity = "" if hit.similarity is None else f"{hit.similarity:.4f}"
    if not hit.counterparts:
        return [[*base, *[""] * 7, similarity]]
    return [
        [
            *base, c.label, c.language, c.kind, _score(c, "{:.4f}", ""), c.status, c.run_id,
            c.text, similarity,
        ]
        for c in hit.counterparts
    ]  # fmt: skip


def _print_csv(hits: Sequence[Hit], _limit: int) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for hit in hits:
        writer.writerows(_csv_rows(hit))
    typer.echo(buffer.getvalue(), nl=False)


def _score(counterpart: Counterpart, fmt: str, missing: str) -> str:
    return missing if counterpart.score is None else fmt.format(counterpart.score)


def _kwic_line(hit: Hit) -> str:
    if hit.similarity is not None:  # a semantic hit: the whole segment, how close it is
        return f"{hit.similarity:.3f}  {isolate(hit.text, hit.direction)}"
    before = ("…" if hit.start > len(hit.before) else "") + hit.before
    after = hit.after + ("…" if hit.end + len(hit.after) < len(hit.text) else "")
    if hit.direction == "rtl":
        return isolate(f"{before}[{hit.match}]{after}", "rtl")
    return " " * max(0, 41 - display_width(before)) + f"{before}[{hit.match}]{after}"


def _print_table(hits: Sequence[Hit], limit: int) -> None:
    places = [f"{hit.work}/{hit.label} {hit.paragraph}.{hit.sentence}" for hit in hits]
    width = max((display_width(place) for place in places), default=0)
    for place, hit in zip(places, hits, strict=True):
        typer.echo(f"{pad(place, width)} {_kwic_line(hit)}".rstrip())
        for counterpart in hit.counterparts:
            text = isolate(counterpart.text, counterpart.direction) if counterpart.text else "∅"
            typer.echo(
                f"    {counterpart.label}  {counterpart.kind}  {_score(counterpart, '{:.2f}', '-')}"
                f"  {text}"
            )
    count = f"{len(hits)} hit{'s' if len(hits) != 1 else ''}"
    typer.echo(f"{count} (the limit; --limit N for more)" if len(hits) == limit else count)


PRINTERS = {
    SearchFormat.table: _print_table,
    SearchFormat.json: _print_json,
    SearchFormat.csv: _print_csv,
}
