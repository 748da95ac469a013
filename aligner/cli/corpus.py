"""Corpus commands: init, import, declare, works, show."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from aligner.cli import app, settings
from aligner.cli.corpus_output import print_raw, print_works, show_version, show_work
from aligner.cli.interchange import import_parallel_files, parallel_files
from aligner.cli.output import OutputFormat
from aligner.cli.progress import each
from aligner.errors import InputError
from aligner.formats.registry import FORMAT_NAMES, check_format_name
from aligner.services.catalogue import version_data, work_data, works_data
from aligner.services.corpus import (
    DEMONSTRATION_TEXT,
    ImportOutcome,
    TextSpec,
    VersionSpec,
    WorkSpec,
    count_summary,
    declare_version,
    import_text,
)
from aligner.services.manifest import MANIFEST_NAME, import_manifest
from aligner.services.selection import revision_of
from aligner.store.queries import get_version, get_work

FormatOption = Annotated[
    OutputFormat, typer.Option("--format", "-f", help="table for people, json for programs.")
]
DemonstrationOption = Annotated[
    bool,
    typer.Option(
        "--demonstration",
        help="Mark the version as a demonstration text made for this project, "
        "not a historical original or translation.",
    ),
]
ImportPaths = Annotated[
    list[Path],
    typer.Argument(
        help="A text file (with --work and --lang), TMX or TEI files, or corpus folders."
    ),
]
ImportLanguage = Annotated[
    str | None, typer.Option(help="BCP 47 language of the text: yi, ru, fr, en …")
]
ImportRole = Annotated[
    str | None, typer.Option(help="original or translation (a new version: translation).")
]
ImportTranslationOf = Annotated[
    str | None, typer.Option(help="The version it was translated from: LANG or WORK/LANG.")
]
ImportLabel = Annotated[
    str | None,
    typer.Option(help="Name of the version inside the work when two share a language."),
]
ImportTitle = Annotated[str | None, typer.Option(help="Title of this version (and of a new work).")]
ImportSource = Annotated[
    str | None, typer.Option(help="Where the text comes from (publication, pages).")
]
ImportFormat = Annotated[
    str | None,
    typer.Option(
        "--format",
        help=f"Read the file as this format ({', '.join(FORMAT_NAMES)}) instead of the one its "
        "content and name show.",
    ),
]
# The options of ``import`` and ``declare`` that describe the version, as VersionSpec names them.
_VERSION_OPTIONS = ("label", "translation_of", "title", "translator", "date", "source", "notes")


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade an older one to this version's schema.

    Every other command creates a missing database too; init is needed only to upgrade.

    Example: aligner --db postgresql+psycopg://me@localhost/corpus init
    """
    with settings(ctx).open_database() as db:
        before = db.current_revision()
        head = db.upgrade()
        state = "created" if before is None else ("up to date" if before == head else "upgraded")
        typer.echo(f"{db.name}: database {state} (schema {head})")


@app.command("import")
def import_command(
    ctx: typer.Context,
    paths: ImportPaths,
    work: Annotated[str | None, typer.Option(help="Work slug, e.g. trotsky-1936.")] = None,
    lang: ImportLanguage = None,
    role: ImportRole = None,
    translation_of: ImportTranslationOf = None,
    label: ImportLabel = None,
    title: ImportTitle = None,
    author: Annotated[str | None, typer.Option(help="Author of the work.")] = None,
    translator: Annotated[str | None, typer.Option(help="Translator of this version.")] = None,
    date: Annotated[str | None, typer.Option(help="Date of this version, as printed.")] = None,
    source: ImportSource = None,
    unit: Annotated[str, typer.Option(help="Segment into sentence or paragraph units.")] = (
        "sentence"
    ),
    demonstration: DemonstrationOption = False,
    file_format: ImportFormat = None,
) -> None:
    """Import texts: one file as a version of a work, or whole corpus folders.

    Example: aligner import trotsky.en.txt --work trotsky-1936 --lang en --translation-of ru

    A version's file may be plain text, HTML, EPUB, DOCX, ODT, PDF (with a text layer),
    Markdown, SRT or WebVTT (docs/documents.md).  TMX (.tmx) and TEI (.xml, .tei) files each
    become a work with its alignments.

    Example: aligner import corpora
    """
    folders = [p for p in paths if p.is_dir()]
    files = [p for p in paths if not p.is_dir()]
    if file_format is not None:
        check_format_name(file_format)
    documents = parallel_files(paths, file_format)
    if documents:
        import_parallel_files(ctx, documents, work, file_format)
        return
    if files and folders:
        raise InputError(f"{files[0]}: give either text files or corpus folders, not both")
    if unit not in ("sentence", "paragraph"):
        raise InputError(f"{unit!r}: --unit must be sentence or paragraph")
    if files and (len(files) != 1 or work is None or lang is None):
        raise InputError(
            f"{files[0]}: importing a text file needs exactly one file, --work and --lang "
            f"(or give a folder with a {MANIFEST_NAME})"
        )
    options = settings(ctx)
    with options.session() as session:
        if folders:
            outcomes = _import_folders(ctx, session, folders)
        else:
            assert work is not None and lang is not None
            text = TextSpec(
                files[0], unit="paragraph" if unit == "paragraph" else "sentence",
                format=file_format,
            )  # fmt: skip
            outcomes = [import_text(session, *_described(ctx, work, lang), text)]
    for outcome in outcomes:
        for warning in outcome.warnings:
            typer.echo(f"Warning: {outcome.path}: {warning}", err=True)
        typer.echo(_describe_outcome(outcome))


def _described(ctx: typer.Context, work: str, lang: str) -> tuple[WorkSpec, VersionSpec]:
    """The work and the version that the command's options describe (``import`` takes
    ``--source``, ``declare`` takes ``--notes``).  ``--demonstration`` left out keeps a stored
    version's mark."""
    given = ctx.params
    described = {name: given[name] for name in _VERSION_OPTIONS if name in given}
    demonstration = True if given["demonstration"] else None
    version = VersionSpec(lang, given["role"], demonstration=demonstration, **described)
    return WorkSpec(work, author=given["author"], title_if_new=given["title"]), version


def _import_folders(
    ctx: typer.Context, session: Session, folders: list[Path]
) -> list[ImportOutcome]:
    outcomes: list[ImportOutcome] = []
    for folder in folders:
        bar = partial(each, ctx, stage=f"importing {folder}", unit="text")
        outcomes += import_manifest(session, folder, bar)
    return outcomes


def _describe_outcome(outcome: ImportOutcome) -> str:
    """One line per version; a stored value the command changed is named with its old value."""
    name = f"{outcome.work}/{outcome.label}"
    changed = "; ".join(outcome.changes)
    if outcome.status == "declared":
        line = f"{name}: declared ({outcome.role}, {outcome.language}), no text yet"
    elif outcome.status == "unchanged":
        state = f"revision {outcome.revision}" if outcome.revision else "declared, no text"
        line = (
            f"{name}: updated ({state}): {changed}" if changed else f"{name}: unchanged ({state})"
        )
        changed = ""
    else:
        action = "imported" if outcome.status == "new" else "new revision"
        line = f"{name}: {action} {outcome.revision}: {count_summary(outcome.counts)}"
    if changed:
        line = f"{line}; changed {changed}"
    return f"{line} ({DEMONSTRATION_TEXT})" if outcome.demonstration else line


@app.command()
def declare(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    lang: Annotated[str, typer.Option(help="BCP 47 language of the version.")],
    role: Annotated[
        str | None, typer.Option(help="original or translation (a new version: original).")
    ] = None,
    translation_of: Annotated[str | None, typer.Option(help="LANG or WORK/LANG.")] = None,
    label: Annotated[str | None, typer.Option(help="Name of the version inside the work.")] = None,
    title: Annotated[str | None, typer.Option()] = None,
    author: Annotated[str | None, typer.Option()] = None,
    translator: Annotated[str | None, typer.Option()] = None,
    date: Annotated[str | None, typer.Option()] = None,
    notes: Annotated[str | None, typer.Option(help="What is known of this version.")] = None,
    demonstration: DemonstrationOption = False,
) -> None:
    """Record a version whose text is not available yet (a lost or undigitised original).

    Example: aligner declare trotsky-1936 --lang ru --role original --title "Ответ"
    """
    with settings(ctx).session() as session:
        outcome = declare_version(session, *_described(ctx, work, lang))
    typer.echo(_describe_outcome(outcome))


@app.command()
def works(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """List the works with their versions: languages, roles, segment counts.

    Example: aligner works --format json
    """
    with settings(ctx).session() as session:
        data = works_data(session)
    print_works(data, output)


@app.command()
def show(
    ctx: typer.Context,
    work: Annotated[str, typer.Argument(help="Work slug.")],
    lang: Annotated[
        str | None, typer.Option(help="Show this version's segments (LANG or label).")
    ] = None,
    raw: Annotated[
        bool, typer.Option("--raw", help="Print the version's text exactly as imported.")
    ] = False,
    revision: Annotated[
        int | None, typer.Option(help="An earlier revision (default: the newest).")
    ] = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """Show a work's metadata and versions, or one version's segments or raw text.

    Example: aligner show why-we-quit-1938-introduction --lang yi-demo
    """
    if (raw or revision is not None) and lang is None:
        raise InputError(f"{work}: --raw and --revision need --lang")
    with settings(ctx).session() as session:
        found = get_work(session, work)
        if lang is None:
            show_work(work_data(session, found), output)
            return
        version = get_version(found, lang)
        chosen = revision_of(version, revision)
        if raw:
            print_raw(chosen)
            return
        show_version(work_data(session, found), version_data(session, version), chosen, output)
