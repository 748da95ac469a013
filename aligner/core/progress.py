"""Progress of long work as plain callbacks: the stage, how much of it is done, of how much.

A job that can take more than a moment (embedding, the alignment search, refinement, storing,
indexing) takes a ``report`` callable, ``report(stage, done, total)``, and calls it as it
advances; None reports nothing.  The command line and ``progress=True`` in the Python API pass
:class:`TqdmReport`, a bar per stage on stderr; a program may pass any function of its own.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from tqdm import tqdm

Report = Callable[[str, int, int], None]  # (stage, done, total)
Progress = bool | Report | None  # what the Python API takes: a bar on stderr, a callback, none
Embed = Callable[[Sequence[str]], NDArray[np.float32]]

EMBED_STEP = 16  # sentences embedded between two reports: a few seconds at most on two cores
UNITS = {
    "embedding": "sentence", "embedding spans": "span", "refining": "stretch", "searching": "row",
    "storing": "bead", "indexing": "segment", "exporting": "work", "importing": "file",
}  # fmt: skip


class Steps:
    """One stage of work: reports ``(stage, 0, total)`` at once, then each advance."""

    def __init__(self, report: Report | None, stage: str, total: int) -> None:
        self.report, self.stage, self.total, self.done = report, stage, total, 0
        if report is not None:
            report(stage, 0, total)

    def advance(self, count: int = 1) -> None:
        self.done += count
        if self.report is not None and count:
            self.report(self.stage, self.done, self.total)


def embed_reporting(
    embed: Embed, texts_per_call: Sequence[Sequence[str]], report: Report | None, stage: str
) -> list[NDArray[np.float32]]:
    """``embed`` applied to each list of texts, :data:`EMBED_STEP` texts at a time, the whole
    reported as one stage (one bar for both sides of an alignment)."""
    if report is None:
        return [embed(texts) for texts in texts_per_call]
    steps = Steps(report, stage, sum(len(texts) for texts in texts_per_call))
    out = []
    for texts in texts_per_call:
        parts = []
        for start in range(0, len(texts), EMBED_STEP):
            chunk = texts[start : start + EMBED_STEP]
            parts.append(embed(chunk))
            steps.advance(len(chunk))
        out.append(np.concatenate(parts) if parts else embed(texts))
    return out


def embedding_with_report(embed: Embed, report: Report | None, stage: str) -> Embed:
    """``embed`` that reports each call as a stage of its own (see :func:`embed_reporting`)."""
    if report is None:
        return embed

    def reporting(texts: Sequence[str]) -> NDArray[np.float32]:
        return embed_reporting(embed, [texts], report, stage)[0]

    return reporting


class TqdmReport:
    """A tqdm bar per stage on stderr (a new bar when the stage changes), with rate and ETA."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.file = file
        self._bar: tqdm[Any] | None = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self._bar
        if bar is None or stage != self._stage or done < bar.n:
            self.close()
            self._stage = stage
            bar = self._bar = tqdm(
                total=total, desc=stage, unit=UNITS.get(stage, "item"), leave=False,
                file=self.file if self.file is not None else sys.stderr, dynamic_ncols=True,
            )  # fmt: skip
        bar.update(done - bar.n)
        if done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def as_report(progress: Progress) -> Report | None:
    """The callback ``progress`` asks for: True a :class:`TqdmReport`, False or None none."""
    if progress is True:
        return TqdmReport()
    if progress is False or progress is None:
        return None
    return progress
