"""Which beads of a run an export writes.

A bead's side is its sentences in reading order (segment position) joined with one space, as
stored: nothing is normalised and right-to-left text gets no bidi marks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aligner.formats.model import CONFIRMED, AlignedBead

STATUSES = ("confirmed", "any")


@dataclass(frozen=True)
class ExportFilter:
    status: str = "any"  # "confirmed": only links a person confirmed or corrected
    min_score: float | None = None
    keep_unaligned: bool = False

    def keeps(self, bead: AlignedBead) -> bool:
        if not bead.src_text and not bead.tgt_text:
            return False
        if (not bead.src_text or not bead.tgt_text) and not self.keep_unaligned:
            return False
        return self.accepts(bead)

    def accepts(self, bead: AlignedBead) -> bool:
        """Whether the bead's status and score pass, whatever its sides."""
        if self.status == "confirmed" and bead.status not in CONFIRMED:
            return False
        return self.min_score is None or (bead.score or 0.0) >= self.min_score


def kept_beads(beads: Iterable[AlignedBead], keep: ExportFilter) -> Iterator[AlignedBead]:
    """The beads that ``keep`` lets through, in reading order."""
    return (bead for bead in beads if keep.keeps(bead))
