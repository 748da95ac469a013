"""Corpus commands: init, import, declare, works, show."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from aligner.cli import app, settings
from aligner.cli.interchange import import_parallel_files, parallel_files
from aligner.cli.output import OutputFormat, print_json, print_table, progress
from aligner.errors import InputError
from aligner.formats.text import encode_like
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
from aligner.store.models import Revision, Version, Work
from aligner.store.queries import get_version, get_work, list_works, segment_counts

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
DEMONSTRATION_MARK = "demonstration"


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade an older one to this version's schema."""
    with settings(ctx).open_database() as db:
        before = db.current_revision()
        head = db.upgrade()
        state = "created" if before is None else ("up to date" if before == head else "upgraded")
        typer.echo(f"{db.name}: database {state} (schema {head})")


@app.command("import")
def import_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="A text file (with --work and --lang), TMX or TEI files, or corpus folders."
        ),
    ],
    work: Annotated[str | None, typer.Option(help="Work slug, e.g. trotsky-1936.")] = None,
    lang: Annotated[
        str | None, typer.Option(help="BCP 47 language of the text: yi, ru, fr, en …")
    ] = None,
    role: Annotated[
        str | None,
        typer.Option(help="original or translation (a new version: translation)."),
    ] = None,
    translation_of: Annotated[
        str | None, typer.Option(help="The version it was translated from: LANG or WORK/LANG.")
    ] = None,
    label: Annotated[
        str | None,
        typer.Option(help="Name of the version inside the work when two share a language."),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="Title of this version (and of a new work).")
    ] = None,
    author: Annotated[str | None, typer.Option(help="Author of the work.")] = None,
    translator: Annotated[str | None, typer.Option(help="Translator of this version.")] = None,
    date: Annotated[str | None, typer.Option(help="Date of this version, as printed.")] = None,
    source: Annotated[
        str | None, typer.Option(help="Where the text comes from (publication, pages).")
    ] = None,
    unit: Annotated[
        str, typer.Option(help="Segment into sentence or paragraph units.")
    ] = "sentence",
    demonstration: DemonstrationOption = False,
) -> None:
    """Import texts: one file as a version of a work, or whole corpus folders.

    Example: aligner import trotsky.en.txt --work trotsky-1936 --lang en --translation-of ru

    TMX (.tmx) and TEI (.xml, .tei) files each become a work with its alignments.
    """
    folders = [p for p in paths if p.is_dir()]
    files = [p for p in paths if not p.is_dir()]
    documents = parallel_files(paths)
    if documents:
        import_parallel_files(ctx, documents, work)
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
    with options.session(create=True) as session:
        if folders:
            outcomes = _import_folders(session, folders, options.quiet)
        else:
            assert work is not None and lang is not None
            outcomes = [
                import_text(
                    session,
                    WorkSpec(work, author=author, title_if_new=title),
                    VersionSpec(
                        lang,
                        role,
                        label=label,
                        translation_of=translation_of,
                        title=title,
                        translator=translator,
                        date=date,
                        source=source,
                        demonstration=True if demonstration else None,
                    ),
                    TextSpec(files[0], unit="paragraph" if unit == "paragraph" else "sentence"),
                )
            ]
    for outcome in outcomes:
        typer.echo(_describe_outcome(outcome))


def _import_folders(session: Session, folders: list[Path], quiet: bool) -> list[ImportOutcome]:
    outcomes: list[ImportOutcome] = []
    for folder in folders:
        bar = partial(progress, description=f"importing {folder}", quiet=quiet)
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
    """Record a version whose text is not available yet (a lost or undigitised original)."""
    with settings(ctx).session(create=True) as session:
        outcome = declare_version(
            session,
            WorkSpec(work, author=author, title_if_new=title),
            VersionSpec(
                lang,
                role,
                label=label,
                translation_of=translation_of,
                title=title,
                translator=translator,
                date=date,
                notes=notes,
                demonstration=True if demonstration else None,
            ),
        )
    typer.echo(_describe_outcome(outcome))


@app.command()
def works(ctx: typer.Context, output: FormatOption = OutputFormat.table) -> None:
    """List the works with their versions: languages, roles, segment counts."""
    with settings(ctx).session() as session:
        data = [_work_data(session, work) for work in list_works(session)]
    if output is OutputFormat.json:
        print_json(data)
        return
    rows = [
        [work["slug"], _original_languages(work), _versions_cell(work), work["title"] or ""]
        for work in data
    ]
    print_table(["work", "original", "versions", "title"], rows)
    _print_demonstration_legend(v for work in data for v in work["versions"])


def _print_demonstration_legend(versions: Iterable[dict[str, Any]]) -> None:
    """Under a table that marks a version ``demonstration``: what the mark means."""
    if any(v["demonstration"] for v in versions):
        typer.echo(f"{DEMONSTRATION_MARK}: {DEMONSTRATION_TEXT}")


def _original_languages(work: dict[str, Any]) -> str:
    return ",".join(v["language"] for v in work["versions"] if v["role"] == "original") or "?"


def _versions_cell(work: dict[str, Any]) -> str:
    cells = []
    for version in work["versions"]:
        segments = version["segments"]
        units = segments.get("sentence", 0) + segments.get("paragraph", 0)
        size = f"{units} units" if version["revision"] else "no text"
        arrow = f"<{version['translation_of'] or '?'}" if version["role"] == "translation" else ""
        mark = f", {DEMONSTRATION_MARK}" if version["demonstration"] else ""
        cells.append(f"{version['label']}{arrow} ({size}{mark})")
    return "; ".join(cells)


def _work_data(session: Session, work: Work) -> dict[str, Any]:
    return {
        "slug": work.slug,
        "title": work.title,
        "author": work.author,
        "date_written": work.date_written,
        "notes": work.notes,
        "versions": [_version_data(session, v) for v in work.versions],
    }


def _version_data(session: Session, version: Version) -> dict[str, Any]:
    current = version.current
    source = version.translation_of
    return {
        "label": version.label,
        "language": version.language,
        "script": version.script,
        "direction": version.direction,
        "role": version.role,
        "translation_of": (
            None
            if source is None
            else source.label
            if source.work_id == version.work_id
            else f"{source.work.slug}/{source.label}"
        ),
        "translation_basis": version.translation_basis,
        "title": version.title,
        "translator": version.translator,
        "date": version.date,
        "publication": version.publication,
        "source": version.source,
        "licence": version.licence,
        "notes": version.notes,
        "demonstration": version.demonstration,
        "revision": current.number if current else None,
        "revisions": len(version.revisions),
        "segments": dict(segment_counts(session, current)) if current else {},
    }


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
    """Show a work's metadata and versions, or one version's segments or raw text."""
    if (raw or revision is not None) and lang is None:
        raise InputError(f"{work}: --raw and --revision need --lang")
    with settings(ctx).session() as session:
        found = get_work(session, work)
        if lang is None:
            _show_work(_work_data(session, found), output)
            return
        version = get_version(found, lang)
        chosen = _revision(version, revision)
        if raw:
            _print_raw(chosen)
            return
        _show_version(_work_data(session, found), _version_data(session, version), chosen, output)


def _revision(version: Version, number: int | None) -> Revision:
    name = f"{version.work.slug}/{version.label}"
    if not version.revisions:
        raise InputError(f"{name}: declared without text; nothing to show")
    if number is None:
        return version.revisions[-1]
    for candidate in version.revisions:
        if candidate.number == number:
            return candidate
    raise InputError(f"{name}: no revision {number} (revisions 1-{len(version.revisions)})")


def _print_raw(revision: Revision) -> None:
    document = revision.source_document
    whole = revision.char_start == 0 and revision.char_end == len(document.text)
    data = document.raw if whole else encode_like(revision.raw_text, document.encoding)
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def _show_work(data: dict[str, Any], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(data)
        return
    _print_fields(data, ("slug", "title", "author", "date_written", "notes"))
    typer.echo("")
    print_table(
        ["version", "lang", "script", "role", "from", "basis", "revision", "segments"],
        [
            [
                v["label"] + (f" ({DEMONSTRATION_MARK})" if v["demonstration"] else ""),
                v["language"],
                f"{v['script']} {v['direction']}",
                v["role"],
                v["translation_of"] or "",
                v["translation_basis"] or "",
                v["revision"] or "none",
                count_summary(v["segments"]) if v["revision"] else "declared, no text",
            ]
            for v in data["versions"]
        ],
    )
    _print_demonstration_legend(data["versions"])


def _show_version(
    work: dict[str, Any], version: dict[str, Any], revision: Revision, output: OutputFormat
) -> None:
    if output is OutputFormat.json:
        segments = [
            {
                "position": s.position,
                "kind": s.kind,
                "paragraph": s.paragraph,
                "sentence": s.sentence,
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "text": s.text,
            }
            for s in revision.segments
        ]
        print_json(
            {
                "work": work["slug"],
                "version": version,
                "revision": revision.number,
                "source_file": revision.source_document.filename,
                "apparatus": revision.apparatus,
                "segmentation": revision.segmentation,
                "segments": segments,
            }
        )
        return
    _print_fields(
        {
            "work": work["slug"],
            **version,
            "demonstration": DEMONSTRATION_TEXT if version["demonstration"] else None,
        },
        (
            "work",
            "label",
            "demonstration",
            "language",
            "role",
            "translation_of",
            "translation_basis",
            "title",
            "translator",
            "date",
            "publication",
            "source",
            "licence",
            "notes",
        ),
    )
    typer.echo(
        f"revision:          {revision.number} of {version['revisions']} "
        f"({revision.source_document.filename}, characters "
        f"{revision.char_start}-{revision.char_end})"
    )
    typer.echo("")
    print_table(
        ["#", "kind", "p.s", "text"],
        [
            [
                s.position,
                s.kind + (f" {s.label}" if s.label else ""),
                f"{s.paragraph}.{s.sentence}",
                s.text,
            ]
            for s in revision.segments
        ],
    )


def _print_fields(data: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        if data.get(name):
            typer.echo(f"{name + ':':<18} {data[name]}")
