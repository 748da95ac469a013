"""What the review pages show, read from the database as plain values: the works with their
versions and runs, one page of an alignment's beads with their texts, statuses and who
confirmed or corrected them, and the next bead to check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from aligner.core.bead_edits import LOW_CONFIDENCE, is_low
from aligner.core.types import ALIGNED_KINDS, Bead
from aligner.services.review import ReviewTarget, base_beads, load_beads, review_target
from aligner.store.models import (
    AlignmentEdit,
    AlignmentReview,
    AlignmentRun,
    Link,
    LinkSegment,
    Revision,
    Segment,
    Version,
)
from aligner.store.queries import list_works

PER_PAGE = 200


@dataclass(frozen=True)
class RunRow:
    """A run in the works list: its shape, how many beads look doubtful, its review state."""

    id: int
    method: str
    src: str
    tgt: str
    created_at: datetime
    beads: int
    low: int
    confirmed: int
    corrected: int
    review_of: int | None  # for a review run: the run it corrects
    reviewed_as: int | None  # for a run under review: its review run

    @property
    def low_share(self) -> float:
        return self.low / self.beads if self.beads else 0.0

    @property
    def status(self) -> str:
        if self.review_of is not None:
            return f"review of run {self.review_of}"
        if self.reviewed_as is not None:
            return f"under review (run {self.reviewed_as})"
        return "not reviewed"


@dataclass(frozen=True)
class VersionRow:
    """A version in the works list; ``has_text``: whether it has a revision to align."""

    label: str
    language: str
    direction: str
    role: str
    demonstration: bool
    has_text: bool


@dataclass(frozen=True)
class WorkRow:
    """A work in the works list, with its versions and runs."""

    slug: str
    title: str | None
    versions: Sequence[VersionRow]
    runs: Sequence[RunRow]


def works_overview(session: Session) -> list[WorkRow]:
    """Every work with its versions and runs, counted in one query per table."""
    by_work: dict[int, list[RunRow]] = {}
    for work_id, row in _run_rows(session):
        by_work.setdefault(work_id, []).append(row)
    return [
        WorkRow(
            work.slug, work.title,
            [
                VersionRow(v.label, v.language, v.direction, v.role, v.demonstration,
                           has_text=v.current is not None)
                for v in work.versions
            ],
            by_work.get(work.id, []),
        )
        for work in list_works(session)
    ]  # fmt: skip


def _run_rows(session: Session) -> list[tuple[int, RunRow]]:
    """Every run, in order, as (its work's id, its row)."""
    low = and_(Link.status == "auto", Link.score < LOW_CONFIDENCE)
    counts = {
        row.run_id: row
        for row in session.execute(
            select(
                Link.run_id,
                func.count().label("beads"),
                func.sum(case((low, 1), else_=0)).label("low"),
                func.sum(case((Link.status == "confirmed", 1), else_=0)).label("confirmed"),
                func.sum(case((Link.status == "corrected", 1), else_=0)).label("corrected"),
            ).group_by(Link.run_id)
        )
    }
    reviews = session.execute(select(AlignmentReview.run_id, AlignmentReview.base_run_id)).all()
    review_of = {row.run_id: row.base_run_id for row in reviews}
    reviewed_as = {row.base_run_id: row.run_id for row in reviews}
    runs = session.scalars(
        select(AlignmentRun)
        .order_by(AlignmentRun.id)
        .options(
            selectinload(AlignmentRun.src_revision).selectinload(Revision.version),
            selectinload(AlignmentRun.tgt_revision).selectinload(Revision.version),
        )
    ).all()
    rows = []
    for run in runs:
        count = counts.get(run.id)
        rows.append((run.work_id, RunRow(
            id=run.id, method=run.method, src=run.src_revision.version.label,
            tgt=run.tgt_revision.version.label, created_at=run.created_at,
            beads=count.beads if count else 0, low=int(count.low or 0) if count else 0,
            confirmed=int(count.confirmed or 0) if count else 0,
            corrected=int(count.corrected or 0) if count else 0,
            review_of=review_of.get(run.id), reviewed_as=reviewed_as.get(run.id),
        )))  # fmt: skip
    return rows


@dataclass(frozen=True)
class Sentence:
    """One sentence of a bead: its segment id, its place, its text."""

    id: int
    position: int  # the segment's place in its revision, as the exports number it
    text: str


@dataclass(frozen=True)
class BeadRow:
    """A bead as a page shows it: its sentences' texts, whether to check it first (``low``),
    and who last edited it when (None: as the aligner made it)."""

    position: int
    kind: str
    score: float | None
    status: str
    src: Sequence[Sentence]
    tgt: Sequence[Sentence]
    low: bool
    edited_by: str | None
    edited_at: datetime | None


@dataclass(frozen=True)
class Side:
    """One version of the pair as a page lays it out (``direction``: ltr or rtl)."""

    label: str
    language: str
    direction: str
    demonstration: bool


@dataclass(frozen=True)
class LastEdit:
    """Who made a review's last edit, and when."""

    user: str
    made_at: datetime


@dataclass(frozen=True)
class AlignmentPage:
    """One page of a run's current beads.  ``base_run``: the run asked for (an automatic run,
    or the one a review run corrects), ``review_run`` its review if there is one, ``version``
    the review's version an edit must name (0 before the first edit)."""

    work_slug: str
    work_title: str | None
    base_run: int
    method: str
    review_run: int | None
    version: int
    src: Side
    tgt: Side
    beads: Sequence[BeadRow]
    page: int  # 1-based
    pages: int
    total: int
    low_total: int
    edits: int
    last_edit: LastEdit | None


class _Beads:
    """The current beads of a target: stored (its review, or a base run that covers every
    sentence) and read by position, or a base run completed in memory first."""

    def __init__(self, session: Session, target: ReviewTarget) -> None:
        self.session, self.run_id = session, target.shown.id
        self.in_memory: list[Bead] | None = None
        if target.review is None and not _covers_every_sentence(session, target.base):
            self.in_memory = base_beads(session, target.base)

    def count(self) -> int:
        if self.in_memory is not None:
            return len(self.in_memory)
        return self.session.scalar(select(func.count()).where(Link.run_id == self.run_id)) or 0

    def low_positions_count(self) -> int:
        if self.in_memory is not None:
            return sum(is_low(b) for b in self.in_memory)
        return (
            self.session.scalar(
                select(func.count()).where(
                    Link.run_id == self.run_id, Link.status == "auto", Link.score < LOW_CONFIDENCE
                )
            )
            or 0
        )

    def window(self, first: int, last: int) -> list[tuple[int, Bead]]:
        if self.in_memory is not None:
            return list(enumerate(self.in_memory))[first : last + 1]
        return load_beads(self.session, self.run_id, first, last)

    def next_low(self, after: int) -> int | None:
        """The first low-confidence bead after ``after``, else the first one from the start."""
        if self.in_memory is not None:
            lows = [p for p, b in enumerate(self.in_memory) if is_low(b)]
            return next((p for p in lows if p > after), lows[0] if lows else None)
        doubtful = (Link.run_id == self.run_id, Link.status == "auto", Link.score < LOW_CONFIDENCE)
        found = self.session.scalar(
            select(func.min(Link.position)).where(*doubtful, Link.position > after)
        )
        if found is None:
            found = self.session.scalar(select(func.min(Link.position)).where(*doubtful))
        return found


def _covers_every_sentence(session: Session, run: AlignmentRun) -> bool:
    """Whether ``run`` links as many segments as its two revisions have aligned units (then a
    review copies it bead for bead, and its positions are the review's)."""
    linked = session.scalar(
        select(func.count())
        .select_from(LinkSegment)
        .join(Link, Link.id == LinkSegment.link_id)
        .where(Link.run_id == run.id)
    )
    units = session.scalar(
        select(func.count()).where(
            Segment.revision_id.in_([run.src_revision_id, run.tgt_revision_id]),
            Segment.kind.in_(ALIGNED_KINDS),
        )
    )
    return linked == units


def alignment_page(
    session: Session, run_id: int, page: int = 1, per_page: int = PER_PAGE
) -> AlignmentPage:
    """Page ``page`` (1-based, clamped to the last) of run ``run_id``'s current beads."""
    target = review_target(session, run_id)
    beads = _Beads(session, target)
    total = beads.count()
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    first = (page - 1) * per_page
    window = beads.window(first, first + per_page - 1)
    run = target.base
    edits, last_edit = (0, None) if target.review is None else _edits(session, target.review.id)
    work = run.src_revision.version.work
    return AlignmentPage(
        work_slug=work.slug, work_title=work.title, base_run=run.id, method=run.method,
        review_run=target.review.id if target.review else None, version=target.version,
        src=_side(run.src_revision.version), tgt=_side(run.tgt_revision.version),
        beads=_rows(session, window), page=page, pages=pages, total=total,
        low_total=beads.low_positions_count(), edits=edits, last_edit=last_edit,
    )  # fmt: skip


def page_of(position: int, per_page: int = PER_PAGE) -> int:
    return position // per_page + 1


def next_low_confidence(session: Session, run_id: int, after: int) -> int | None:
    return _Beads(session, review_target(session, run_id)).next_low(after)


def _edits(session: Session, review_id: int) -> tuple[int, LastEdit | None]:
    """How many edits the review has had, and who made the last one when."""
    count = session.scalar(
        select(func.count()).select_from(AlignmentEdit).where(AlignmentEdit.run_id == review_id)
    )
    last = session.execute(
        select(AlignmentEdit.user_name, AlignmentEdit.created_at)
        .where(AlignmentEdit.run_id == review_id)
        .order_by(AlignmentEdit.sequence.desc())
        .limit(1)
    ).one_or_none()
    return count or 0, None if last is None else LastEdit(last.user_name, last.created_at)


def _side(version: Version) -> Side:
    return Side(version.label, version.language, version.direction, version.demonstration)


def _rows(session: Session, window: Sequence[tuple[int, Bead]]) -> list[BeadRow]:
    ids = [s for _, bead in window for s in (*bead.src, *bead.tgt)]
    segments = {
        row.id: Sentence(row.id, row.position, row.text)
        for row in session.execute(
            select(Segment.id, Segment.position, Segment.text).where(Segment.id.in_(ids))
        )
    }
    edit_ids = {bead.edit for _, bead in window if bead.edit is not None}
    edits = {
        row.id: row
        for row in session.execute(
            select(AlignmentEdit.id, AlignmentEdit.user_name, AlignmentEdit.created_at).where(
                AlignmentEdit.id.in_(edit_ids)
            )
        )
    }
    rows = []
    for position, bead in window:
        made = edits.get(bead.edit) if bead.edit is not None else None
        rows.append(
            BeadRow(
                position=position, kind=bead.kind, score=bead.score, status=bead.status,
                src=[segments[s] for s in bead.src], tgt=[segments[t] for t in bead.tgt],
                low=is_low(bead),
                edited_by=made.user_name if made else None,
                edited_at=made.created_at if made else None,
            )
        )  # fmt: skip
    return rows
