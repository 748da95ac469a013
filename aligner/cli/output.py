"""Printing for the command line: aligned tables, JSON, progress bars."""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, TypeVar

import typer
from tqdm import tqdm

T = TypeVar("T")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: wide CJK counts 2, combining marks 0."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Print rows under headers, each column as wide as its widest cell (the last is free)."""
    cells = [[str(c) for c in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]
    rules = "  ".join("-" * w for w in [*widths[:-1], display_width(headers[-1])])
    widths[-1] = 0
    for index, row in enumerate(cells):
        typer.echo("  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            typer.echo(rules)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def progress(items: Sequence[T], description: str, quiet: bool) -> Iterable[T]:
    """A progress bar on a terminal's stderr; nothing when quiet or not a terminal."""
    disable = quiet or not sys.stderr.isatty()
    return tqdm(items, desc=description, disable=disable, unit="item", leave=False)
