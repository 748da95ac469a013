"""Several translations of one original, each aligned with it in its own run, as one table.

Each run cuts the original into beads its own way: the French run may pair sentences 3 and 4
with one French sentence while the Yiddish run pairs them one by one.  A row of the table is
the smallest stretch of the original that no bead of any run crosses, with, for every
translation, the beads of its run that fall in that stretch.  Additions (beads with no source
sentence) stay on their own, after the row they follow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aligner.errors import InputError
from aligner.formats.model import AlignedBead, DocRun


@dataclass
class PivotRow:
    """Source positions ``first``..``last`` and, per run index, the beads inside them.

    A row with ``first`` None is one addition: a bead of one run with no source sentence.
    """

    first: int | None
    last: int | None
    beads: dict[int, list[AlignedBead]] = field(default_factory=dict)

    @property
    def src_text(self) -> str:
        """The original's sentences of the row, in reading order (from any run: all hold them)."""
        for beads in self.beads.values():
            return " ".join(bead.src_text for bead in beads if bead.src_text)
        return ""


def pivot_rows(work: str, runs: Sequence[DocRun]) -> list[PivotRow]:
    """The rows of ``runs`` of the work ``work``, which must all start from the same revision
    of the original."""
    _check_one_source(work, runs)
    beads = [run.beads for run in runs]
    spans = _merged_spans([bead.src_ids for run_beads in beads for bead in run_beads])
    rows = [PivotRow(first, last) for first, last in spans]
    additions: dict[int, list[PivotRow]] = {}
    row_of = {position: index for index, row in enumerate(rows) for position in _span(row)}
    for run_index, run_beads in enumerate(beads):
        previous = -1
        for bead in run_beads:
            if bead.src_ids:
                previous = row_of[bead.src_ids[0]]
                rows[previous].beads.setdefault(run_index, []).append(bead)
            else:
                addition = PivotRow(None, None, {run_index: [bead]})
                additions.setdefault(previous, []).append(addition)
    ordered = additions.get(-1, [])
    for index, row in enumerate(rows):
        ordered += [row, *additions.get(index, [])]
    return ordered


def _check_one_source(work: str, runs: Sequence[DocRun]) -> None:
    revisions = {(run.src, run.src_revision) for run in runs}
    if len(revisions) > 1:
        numbers = sorted(run.src_revision or 0 for run in runs)
        raise InputError(
            f"{work}: the runs start from different revisions of {runs[0].src} "
            f"({', '.join(f'r{n}' for n in numbers)}); align every translation with the same one"
        )


def _merged_spans(groups: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Overlapping source spans joined, in reading order."""
    spans = sorted((min(group), max(group)) for group in groups if group)
    merged: list[tuple[int, int]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _span(row: PivotRow) -> range:
    assert row.first is not None and row.last is not None
    return range(row.first, row.last + 1)
