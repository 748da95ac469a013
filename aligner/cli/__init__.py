"""The ``aligner`` command line: thin commands over the library, errors as one line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

import typer

from aligner import __version__
from aligner.cli.framework import AlignerGroup, AlignerTyper
from aligner.store.session import DB_ENV_VAR, Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass
class Settings:
    db_url: str | None
    quiet: bool

    def open_database(self) -> Database:
        """The database at ``--db``, its schema unchecked (``aligner init`` creates it)."""
        return Database(self.db_url)

    @contextmanager
    def database(self) -> Iterator[Database]:
        """The database, its schema checked, closed when the block ends.  One rule for every
        command: a missing or empty database is created, as ``aligner import`` always did
        (an older schema is upgraded only by ``aligner init``)."""
        with self.open_database() as db:
            db.ensure_ready(create=True)
            yield db

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction on the checked database (see :meth:`database`)."""
        with self.database() as db, db.session() as session:
            yield session


app = AlignerTyper(
    cls=AlignerGroup,
    help="Keep texts and their translations, align them sentence by sentence, query, export."
    "\n\nExample: aligner import corpora",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"aligner {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=DB_ENV_VAR,
            help="Database URL (default: sqlite:///aligner.sqlite in the current folder); "
            "any SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    ctx.obj = Settings(db_url=db, quiet=quiet)


def settings(ctx: typer.Context) -> Settings:
    assert isinstance(ctx.obj, Settings)
    return ctx.obj


def main() -> None:
    """Entry point of the ``aligner`` console script."""
    app()


from aligner.cli import alignment as _alignment  # noqa: E402  (registers the commands)
from aligner.cli import corpus as _corpus  # noqa: E402
from aligner.cli import export as _export  # noqa: E402
from aligner.cli import export_documents as _export_documents  # noqa: E402
from aligner.cli import export_plain as _export_plain  # noqa: E402
from aligner.cli import export_tei as _export_tei  # noqa: E402
from aligner.cli import index as _index  # noqa: E402
from aligner.cli import search as _search  # noqa: E402
from aligner.cli import serve as _serve  # noqa: E402, F401
from aligner.cli import stats as _stats  # noqa: E402

__all__ = [
    "AlignerGroup",
    "_alignment",
    "_corpus",
    "_export",
    "_export_documents",
    "_export_plain",
    "_export_tei",
    "_index",
    "_search",
    "_stats",
    "app",
    "main",
]
