"""What every export shares: which beads of a run to write, and each bead's two sides.

A bead's side is its sentences in reading order (segment position) joined with one space, as
stored: nothing is normalised and right-to-left text gets no bidi marks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aligner.store.models import AlignmentRun, Link, LinkSegment, Segment

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


def stored_run(
    session: Session,
    revisions: tuple[int, int],
    method_model: tuple[str, str],
    wanted: Collection[BeadKey],
) -> int | None:
    """The id of a run already stored between the two revisions (by id), by the same method
    and model, with exactly the ``wanted`` beads: importing the same alignment twice writes
    it once.  Read with plain queries and compared bead by bead as the rows come, so a run
    of 100,000 links is compared in seconds, without a copy of either side in memory."""
    method, model = method_model
    candidates = session.scalars(
        select(AlignmentRun.id)
        .where(AlignmentRun.src_revision_id == revisions[0])
        .where(AlignmentRun.tgt_revision_id == revisions[1])
        .where(AlignmentRun.method == method, AlignmentRun.model == model)
        .order_by(AlignmentRun.id)
    ).all()
    if not candidates:
        return None
    index = {
        segment_id: i
        for revision in revisions
        for i, segment_id in enumerate(
            session.scalars(
                select(Segment.id).where(Segment.revision_id == revision).order_by(Segment.position)
            )
        )
    }
    for run_id in candidates:
        links = select(func.count()).select_from(Link).where(Link.run_id == run_id)
        if session.scalar(links) == len(wanted) and all(
            stored == key
            for stored, key in zip(bead_keys(session, run_id, index), wanted, strict=True)
        ):
            return run_id
    return None


def bead_keys(session: Session, run_id: int, index: dict[int, int]) -> Iterator[BeadKey]:
    """A stored run's beads, with segments as indexes into their revision's segments
    (``index``: segment id to index; a segment of another revision is -1)."""
    rows = session.execute(
        select(Link.position, Link.status, Link.score, LinkSegment.side, LinkSegment.segment_id)
        .outerjoin(LinkSegment, LinkSegment.link_id == Link.id)
        .where(Link.run_id == run_id)
        .order_by(Link.position)
    )
    for _, group in groupby(rows, key=lambda row: row.position):
        members = list(group)
        sides: dict[str, list[int]] = {"src": [], "tgt": []}
        for member in members:
            if member.side is not None:
                sides[member.side].append(index.get(member.segment_id, -1))
        first = members[0]
        yield (
            tuple(sorted(sides["src"])), tuple(sorted(sides["tgt"])), first.status,
            rounded_score(first.score),
        )  # fmt: skip
