"""What every export shares: which beads of a run to write, and each bead's two sides.

A bead's side is its sentences in reading order (segment position) joined with one space, as
stored: nothing is normalised and right-to-left text gets no bidi marks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from aligner.store.models import AlignmentRun, Link

STATUSES = ("confirmed", "any")
CONFIRMED = ("confirmed", "corrected")


@dataclass(frozen=True)
class ExportFilter:
    status: str = "any"  # "confirmed": only links a person confirmed or corrected
    min_score: float | None = None
    keep_unaligned: bool = False

    def keeps(self, bead: ExportedBead) -> bool:
        if not bead.src_text and not bead.tgt_text:
            return False
        if (not bead.src_text or not bead.tgt_text) and not self.keep_unaligned:
            return False
        return self.accepts(bead)

    def accepts(self, bead: ExportedBead) -> bool:
        """Whether the bead's status and score pass, whatever its sides."""
        if self.status == "confirmed" and bead.status not in CONFIRMED:
            return False
        return self.min_score is None or (bead.score or 0.0) >= self.min_score


@dataclass(frozen=True)
class ExportedBead:
    """One bead as the exports see it; ``src_ids``/``tgt_ids`` are segment positions."""

    position: int
    score: float | None
    status: str
    src_ids: Sequence[int]
    tgt_ids: Sequence[int]
    src_text: str
    tgt_text: str

    @property
    def kind(self) -> str:
        """The bead's shape, source sentences then target sentences: ``1-1``, ``1-2``, ``0-1``."""
        return f"{len(self.src_ids)}-{len(self.tgt_ids)}"


def exported_bead(link: Link) -> ExportedBead:
    sides: dict[str, list[tuple[int, str]]] = {"src": [], "tgt": []}
    for member in link.members:
        sides[member.side].append((member.segment.position, member.segment.text))
    src, tgt = sorted(sides["src"]), sorted(sides["tgt"])
    return ExportedBead(
        position=link.position,
        score=link.score,
        status=link.status,
        src_ids=[position for position, _ in src],
        tgt_ids=[position for position, _ in tgt],
        src_text=" ".join(text for _, text in src),
        tgt_text=" ".join(text for _, text in tgt),
    )


def exported_beads(run: AlignmentRun, keep: ExportFilter) -> Iterator[ExportedBead]:
    """``run``'s beads that ``keep`` lets through, in reading order."""
    for link in run.links:
        bead = exported_bead(link)
        if keep.keeps(bead):
            yield bead
