"""Printing for the command line: tables that fit the terminal, right-to-left text isolated,
JSON."""

from __future__ import annotations

import io
import json
import shutil
import sys
import textwrap
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console, ConsoleOptions, OverflowMethod
from rich.measure import Measurement
from rich.rule import Rule
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

RLI, FSI, PDI = "\u2067", "\u2068", "\u2069"  # right-to-left / first-strong isolate, pop
UNBOUNDED = 1_000_000  # the width of a table written to a file or a pipe: never wrapped


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a right-to-left letter (Hebrew, Yiddish, Arabic …)."""
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolate(text: str, direction: str | None = None) -> str:
    """Text that may be right to left, isolated so that it reads right in a terminal and
    leaves its neighbours (numbers, punctuation, the next column) where they are: a version
    known to be right to left in RLI … PDI, other text holding right-to-left letters in
    FSI … PDI, the rest unchanged."""
    if direction == "rtl":
        return f"{RLI}{text}{PDI}"
    return f"{FSI}{text}{PDI}" if has_rtl(text) else text


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


class _Cell:
    """A table cell whose every wrapped line is isolated on its own when it holds
    right-to-left text (an isolate left open across a line break would leak into the next
    column); words too long for the column end in an ellipsis."""

    def __init__(self, text: str, overflow: OverflowMethod = "ellipsis") -> None:
        self.text = Text(text, no_wrap=False, overflow=overflow)
        self.overflow: OverflowMethod = overflow

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.text)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        for line in self.text.wrap(console, options.max_width, overflow=self.overflow):
            yield Segment(isolate(line.plain.rstrip()))
            yield Segment.line()


def terminal_width() -> int:
    """The terminal's columns when stdout is one; else no limit (a file keeps whole rows)."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else UNBOUNDED


def print_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Rows under headers and a rule, two spaces between columns, fitted to the terminal's
    width (long cells wrap, words too long end in …, but the first column, which names the
    row, folds rather than lose a character); right-to-left text isolated line by line."""
    table = Table(box=None, padding=(0, 1), pad_edge=False, show_header=True, header_style="")
    for header in headers:
        table.add_column(header)
    table.add_row(*(Rule(characters="-", style="") for _ in headers))
    for row in rows:
        cells = ["" if cell is None else str(cell) for cell in row]
        table.add_row(_Cell(cells[0], "fold"), *(_Cell(cell) for cell in cells[1:]))
    buffer = io.StringIO()
    console = Console(file=buffer, width=terminal_width(), color_system=None, highlight=False)
    console.print(table)
    for line in buffer.getvalue().splitlines():
        typer.echo(line.rstrip())


def echo_wrapped(text: str) -> None:
    """A line of prose, wrapped at the terminal's width (whole when written to a file)."""
    width = terminal_width()
    typer.echo(textwrap.fill(text, width) if width < UNBOUNDED else text)


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
