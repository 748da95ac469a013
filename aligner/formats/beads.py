"""What every export shares: which beads of a run to write, and each bead's two sides.

A bead's side is its sentences in reading order (segment position) joined with one space, as
stored: nothing is normalised and right-to-left text gets no bidi marks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.store.models import AlignmentRun, Link, Revision

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


# How two runs' beads are compared: source and target positions, status, score as exported.
BeadKey = tuple[tuple[int, ...], tuple[int, ...], str, float | None]


def rounded_score(score: float | None) -> float | None:
    """A score as the exports write it: within [0, 1], to four decimals."""
    return None if score is None else round(min(max(score, 0.0), 1.0), 4)


def bead_keys(run: AlignmentRun) -> list[BeadKey]:
    """A stored run's beads, with segments as indexes into their revision's segments."""
    index = {
        segment.id: i
        for revision in (run.src_revision, run.tgt_revision)
        for i, segment in enumerate(revision.segments)
    }
    beads = []
    for link in run.links:
        sides = {
            side: tuple(sorted(index[m.segment_id] for m in link.members if m.side == side))
            for side in ("src", "tgt")
        }
        beads.append((sides["src"], sides["tgt"], link.status, rounded_score(link.score)))
    return beads


def stored_run(
    session: Session,
    revisions: tuple[Revision, Revision],
    method_model: tuple[str, str],
    wanted: Sequence[BeadKey],
) -> AlignmentRun | None:
    """A run already stored between the two revisions, by the same method and model, with
    exactly the ``wanted`` beads: importing the same alignment twice writes it once."""
    method, model = method_model
    candidates = session.scalars(
        select(AlignmentRun)
        .where(AlignmentRun.src_revision_id == revisions[0].id)
        .where(AlignmentRun.tgt_revision_id == revisions[1].id)
        .where(AlignmentRun.method == method, AlignmentRun.model == model)
        .order_by(AlignmentRun.id)
    )
    return next((run for run in candidates if bead_keys(run) == list(wanted)), None)
