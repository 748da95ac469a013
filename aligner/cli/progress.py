"""Progress bars on the command line, decided in one place: a bar shows on stderr when stderr is
a terminal, ``--quiet`` is not given and the output is not ``--format json``."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TypeVar

import typer
from tqdm import tqdm

from aligner.cli import settings
from aligner.core.progress import Report, TqdmReport

T = TypeVar("T")


def bars_wanted(quiet: bool, output: str | None = None) -> bool:
    """Whether to draw bars: a terminal on stderr, not quiet, no JSON for a program."""
    return not quiet and output != "json" and sys.stderr.isatty()


def report_for(ctx: typer.Context, output: str | None = None) -> Report | None:
    """A bar per stage of a long job (embedding, searching, …), or None when none is wanted."""
    return TqdmReport() if bars_wanted(settings(ctx).quiet, output) else None


def each(ctx: typer.Context, items: Sequence[T], stage: str, unit: str = "item") -> Iterable[T]:
    """``items`` with a bar counting them when bars are wanted."""
    wanted = bars_wanted(settings(ctx).quiet)
    return tqdm(items, desc=stage, unit=unit, disable=not wanted, leave=False, file=sys.stderr)
