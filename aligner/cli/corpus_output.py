"""How ``aligner works`` and ``aligner show`` print the corpus: tables for people, JSON as the
values :mod:`aligner.services.catalogue` gives."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

import typer

from aligner.cli.output import OutputFormat, echo_wrapped, isolate, print_json, print_table
from aligner.services.catalogue import binary_description, imported_bytes, revision_data
from aligner.services.corpus import DEMONSTRATION_TEXT, count_summary
from aligner.store.models import Revision

DEMONSTRATION_MARK = "demonstration"
VERSION_FIELDS = (
    "work", "label", "demonstration", "language", "role", "translation_of", "translation_basis",
    "title", "translator", "date", "publication", "source", "licence", "notes",
)  # fmt: skip


def print_works(data: list[dict[str, Any]], output: OutputFormat) -> None:
    if output is OutputFormat.json:
        print_json(data)
        return
    if not data:
        typer.echo(
            "no works yet: import a text with `aligner import FILE --work SLUG --lang LANG`, "
            "or a corpus folder with `aligner import FOLDER`"
        )
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
        echo_wrapped(f"{DEMONSTRATION_MARK}: {DEMONSTRATION_TEXT}")


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


def print_raw(revision: Revision) -> None:
    """The revision's text exactly as imported, as bytes on stdout; on a terminal, a binary
    document (EPUB, DOCX, ODT, PDF) is described instead (its bytes go to a redirection)."""
    described = binary_description(revision)
    if described is not None and sys.stdout.isatty():
        typer.echo(described)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(imported_bytes(revision))
    sys.stdout.buffer.flush()


def show_work(data: dict[str, Any], output: OutputFormat) -> None:
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


def show_version(
    work: dict[str, Any], version: dict[str, Any], revision: Revision, output: OutputFormat
) -> None:
    if output is OutputFormat.json:
        print_json({"work": work["slug"], "version": version, **revision_data(revision)})
        return
    demonstration = DEMONSTRATION_TEXT if version["demonstration"] else None
    _print_fields({"work": work["slug"], **version, "demonstration": demonstration}, VERSION_FIELDS)
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
            typer.echo(f"{name + ':':<18} {isolate(str(data[name]))}")
