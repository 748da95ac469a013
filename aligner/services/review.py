"""Review and correct an alignment run, edit by edit (the library under ``aligner serve``).

A person's corrections never change the run they correct.  The first edit copies the run's
beads into a *review run* (method ``review``, its parameters naming the base run), and every
edit changes that copy.  Each edit replaces a stretch of consecutive beads with others (worked
out on plain beads by :mod:`aligner.core.bead_edits`), in one transaction, and is recorded in
order (``alignment_edits``) with who made it, when, and the beads it replaced, so the last edit
can be undone.  ``link_edits`` names the edit behind each link it made.

Concurrent editors are kept apart by a version number: each edit names the version it was made
against, and an edit against an older version is refused with :class:`StaleVersionError`,
nothing written, so no edit is ever lost to another one made in between.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aligner import __version__
from aligner.core.bead_edits import (
    EditError,
    EditRequest,
    bead_to_json,
    check_request,
    check_undoable,
    complete_beads,
    edit_span,
    edited_beads,
    kinds_after,
    no_neighbour,
    review_summary,
    undo_plan,
)
from aligner.core.types import Bead
from aligner.errors import AlignerError, NotFoundError
from aligner.services.alignment import aligned_units
from aligner.store.models import (
    AlignmentEdit,
    AlignmentReview,
    AlignmentRun,
    Link,
    LinkEdit,
    LinkSegment,
    Revision,
    Segment,
    utcnow,
)

REVIEW_METHOD = "review"


class StaleVersionError(AlignerError):
    """An edit made against an older version of the review: someone else edited in between."""

    exit_code = 6


@dataclass(frozen=True)
class EditResult:
    review_run_id: int
    base_run_id: int
    version: int
    action: str
    start: int  # the first bead the edit changed
    beads: Sequence[Bead]  # the beads now at ``start`` onwards
    undone: int | None = None  # for an undo: the version whose edit it took back


@dataclass(frozen=True)
class ReviewTarget:
    """A run as the review pages see it: the base run, its review (if any) and the version."""

    base: AlignmentRun
    review: AlignmentRun | None
    version: int

    @property
    def shown(self) -> AlignmentRun:
        """The run whose beads are current: the review once there is one."""
        return self.review or self.base


# --- finding runs and beads -----------------------------------------------------------------


def get_run(session: Session, run_id: int) -> AlignmentRun:
    run = session.get(AlignmentRun, run_id)
    if run is None:
        raise NotFoundError(f"run {run_id}: no such alignment run")
    return run


def review_target(session: Session, run_id: int) -> ReviewTarget:
    """Run ``run_id`` (automatic or a review) with its base run, review and version."""
    run = get_run(session, run_id)
    if run.method == REVIEW_METHOD:
        record = session.get(AlignmentReview, run.id)
        if record is None:
            raise NotFoundError(f"run {run_id}: a review run without its review record")
        return ReviewTarget(record.base_run, run, record.version)
    record = session.scalars(
        select(AlignmentReview).where(AlignmentReview.base_run_id == run.id)
    ).one_or_none()
    if record is None:
        return ReviewTarget(run, None, 0)
    return ReviewTarget(run, record.run, record.version)


def load_beads(
    session: Session, run_id: int, first: int = 0, last: int | None = None
) -> list[tuple[int, Bead]]:
    """The beads of run ``run_id`` at positions ``first``..``last`` (inclusive), in order."""
    query = (
        select(Link.id, Link.position, Link.score, Link.status, LinkEdit.edit_id)
        .outerjoin(LinkEdit, LinkEdit.link_id == Link.id)
        .where(Link.run_id == run_id, Link.position >= first)
        .order_by(Link.position)
    )
    if last is not None:
        query = query.where(Link.position <= last)
    links = session.execute(query).all()
    if not links:
        return []
    sides: dict[int, dict[str, list[tuple[int, int]]]] = {
        link.id: {"src": [], "tgt": []} for link in links
    }
    members = session.execute(
        select(LinkSegment.link_id, LinkSegment.side, Segment.id, Segment.position)
        .join(Segment, Segment.id == LinkSegment.segment_id)
        .join(Link, Link.id == LinkSegment.link_id)
        .where(Link.run_id == run_id, Link.position >= links[0].position)
        .where(Link.position <= links[-1].position)
    ).all()
    for member in members:
        sides[member.link_id][member.side].append((member.position, member.id))
    return [
        (
            link.position,
            Bead(
                src=tuple(segment for _, segment in sorted(sides[link.id]["src"])),
                tgt=tuple(segment for _, segment in sorted(sides[link.id]["tgt"])),
                score=link.score,
                status=link.status,
                edit=link.edit_id,
            ),
        )
        for link in links
    ]


def units(session: Session, revision: Revision, linked: Iterable[int] = ()) -> list[int]:
    """The ids of a revision's sentences a review keeps in beads, in reading order: the aligned
    units, and any other segment the base run links."""
    kept = {segment.id: segment.position for segment in aligned_units(revision)}
    extra = set(linked) - kept.keys()
    if extra:
        rows = session.execute(
            select(Segment.id, Segment.position).where(
                Segment.id.in_(extra), Segment.revision_id == revision.id
            )
        ).all()
        kept.update({row.id: row.position for row in rows})
    return sorted(kept, key=kept.__getitem__)


def run_units(session: Session, run: AlignmentRun) -> tuple[list[int], list[int]]:
    """The source and target sentence ids a review of ``run`` keeps in beads."""
    linked = session.execute(
        select(LinkSegment.segment_id, LinkSegment.side)
        .join(Link, Link.id == LinkSegment.link_id)
        .where(Link.run_id == run.id)
    ).all()
    by_side: dict[str, list[int]] = {"src": [], "tgt": []}
    for row in linked:
        by_side[row.side].append(row.segment_id)
    return (
        units(session, run.src_revision, by_side["src"]),
        units(session, run.tgt_revision, by_side["tgt"]),
    )


def base_beads(session: Session, run: AlignmentRun) -> list[Bead]:
    """The beads of ``run`` as a review starts from them (left-out sentences added)."""
    beads = [bead for _, bead in load_beads(session, run.id)]
    src_units, tgt_units = run_units(session, run)
    return complete_beads(run.id, beads, src_units, tgt_units)


# --- editing --------------------------------------------------------------------------------


def edit(
    session: Session, run_id: int, request: EditRequest, version: int, user: str
) -> EditResult:
    """Apply one edit to the review of run ``run_id`` (created by the first edit).

    ``version`` is the review's version the edit was made against (0 before any edit); when
    the review has moved on since, :class:`StaleVersionError` is raised and nothing changes.
    The caller's transaction holds the whole edit.
    """
    check_request(request)
    target = review_target(session, run_id)
    if target.version != version:
        raise _stale(target.base.id, version, target.version)
    review = target.review or _start_review(session, target.base, user)
    new_version = _claim_version(session, review.id, target.base.id, version)
    if request.action == "undo":
        start, old, new, undone = _undo_plan(session, review.id)
    else:
        start, old = _window(session, review.id, request)
        new, undone = edited_beads(request, old), None
    record = AlignmentEdit(
        run_id=review.id, sequence=new_version, action=request.action, payload={},
        user_name=user, created_at=utcnow(),
    )  # fmt: skip
    session.add(record)
    session.flush()
    if request.action != "undo":
        new = [replace(bead, edit=record.id) for bead in new]
    record.payload = {
        "start": start, "before": [bead_to_json(b) for b in old],
        "after": [bead_to_json(b) for b in new],
        **({"undoes": undone} if undone is not None else {}),
    }  # fmt: skip
    _splice(session, review.id, start, len(old), new)
    _update_summary(session, review, old, new, new_version)
    return EditResult(review.id, target.base.id, new_version, request.action, start, new, undone)


def _stale(base_id: int, version: int, current: int) -> StaleVersionError:
    return StaleVersionError(
        f"run {base_id}: this edit was made against version {version}, but the alignment is "
        f"now at version {current} (someone else edited it); reload and try again"
    )


def _start_review(session: Session, base: AlignmentRun, user: str) -> AlignmentRun:
    """Copy ``base``'s beads into a new review run; a concurrent first edit loses the race.

    The loser's transaction is dead after the failed insert (its objects cannot even be read
    any more), so the base run's id is taken before: the loser gets the stale edit's 409.
    """
    base_id = base.id
    beads = base_beads(session, base)
    review = AlignmentRun(
        work_id=base.work_id, src_revision_id=base.src_revision_id,
        tgt_revision_id=base.tgt_revision_id, method=REVIEW_METHOD, model=base.model,
        parameters={"base_run": base.id}, code_version=__version__,
        summary=review_summary(base.id, beads, 0),
    )  # fmt: skip
    session.add(review)
    session.flush()
    session.add(AlignmentReview(run_id=review.id, base_run_id=base.id, version=0, created_by=user))
    try:
        session.flush()
    except IntegrityError as exc:
        raise _stale(base_id, 0, 1) from exc
    _insert_beads(session, review.id, 0, beads)
    return review


def _claim_version(session: Session, review_id: int, base_id: int, version: int) -> int:
    """Move the review from ``version`` to the next, or fail if another edit got there first.

    A compare-and-set: the first write of the edit, so concurrent edits serialise on it.
    """
    claimed = session.execute(
        update(AlignmentReview)
        .where(AlignmentReview.run_id == review_id, AlignmentReview.version == version)
        .values(version=version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        current = session.scalar(
            select(AlignmentReview.version).where(AlignmentReview.run_id == review_id)
        )
        raise _stale(base_id, version, current or 0)
    return version + 1


def _window(session: Session, review_id: int, request: EditRequest) -> tuple[int, list[Bead]]:
    """The first position and the beads an edit replaces."""
    p = request.position
    first, last = edit_span(request)
    beads = load_beads(session, review_id, max(first, 0), last)
    count = session.scalar(select(func.count()).where(Link.run_id == review_id)) or 0
    if p >= count:
        raise NotFoundError(f"bead #{p}: no such bead (the alignment has {count} beads)")
    if first < 0 or len(beads) != last - first + 1:
        raise EditError(no_neighbour(request))
    return first, [bead for _, bead in beads]


def _undo_plan(session: Session, review_id: int) -> tuple[int, list[Bead], list[Bead], int]:
    """Where the last edit not yet undone starts, the beads it made, the beads it replaced,
    and its version."""
    edits = session.scalars(
        select(AlignmentEdit)
        .where(AlignmentEdit.run_id == review_id)
        .order_by(AlignmentEdit.sequence.desc())
    ).all()
    plan = undo_plan((e.action, e.sequence, e.payload) for e in edits)
    last = plan.start + len(plan.made) - 1
    current = [bead for _, bead in load_beads(session, review_id, plan.start, last)]
    check_undoable(plan, current)
    return plan.start, current, list(plan.replaced), plan.version


def _splice(session: Session, run_id: int, start: int, removed: int, beads: Sequence[Bead]) -> None:
    """Replace the ``removed`` beads from ``start`` with ``beads``, renumbering those after."""
    session.execute(
        delete(Link)
        .where(Link.run_id == run_id, Link.position >= start, Link.position < start + removed)
        .execution_options(synchronize_session=False)
    )
    shift = len(beads) - removed
    if shift:
        # Two steps through negative numbers: (run_id, position) is unique at every row.
        later = (Link.run_id == run_id, Link.position >= start + removed)
        session.execute(
            update(Link).where(*later).values(position=-(Link.position + shift) - 1)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        session.execute(
            update(Link).where(Link.run_id == run_id, Link.position < 0)
            .values(position=-Link.position - 1)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
    _insert_beads(session, run_id, start, beads)


def _insert_beads(session: Session, run_id: int, start: int, beads: Sequence[Bead]) -> None:
    if not beads:
        return
    ids = session.scalars(
        insert(Link).returning(Link.id, sort_by_parameter_order=True),
        [
            {"run_id": run_id, "position": start + n, "score": b.score, "status": b.status}
            for n, b in enumerate(beads)
        ],
    ).all()
    members = [
        {"link_id": link_id, "segment_id": segment, "side": side}
        for link_id, bead in zip(ids, beads, strict=True)
        for side, segments in (("src", bead.src), ("tgt", bead.tgt))
        for segment in segments
    ]
    session.execute(insert(LinkSegment), members)
    marks = [
        {"link_id": link_id, "edit_id": bead.edit}
        for link_id, bead in zip(ids, beads, strict=True)
        if bead.edit is not None
    ]
    if marks:
        session.execute(insert(LinkEdit), marks)


def _update_summary(
    session: Session, review: AlignmentRun, old: Sequence[Bead], new: Sequence[Bead], version: int
) -> None:
    """Keep the review run's summary (beads, kinds, mean score, statuses) current."""
    summary = dict(review.summary)
    rows = session.execute(
        select(Link.status, func.count()).where(Link.run_id == review.id).group_by(Link.status)
    ).all()
    statuses = {str(status): int(count) for status, count in rows}
    scored = session.execute(
        select(func.count(Link.score), func.sum(Link.score)).where(Link.run_id == review.id)
    ).one()
    summary |= {
        "beads": sum(statuses.values()),
        "kinds": kinds_after(summary.get("kinds", {}), old, new),
        "mean_score": round(float(scored[1] or 0.0) / scored[0], 4) if scored[0] else 0.0,
        "statuses": dict(sorted(statuses.items())),
        "edits": version,
    }
    review.summary = summary
