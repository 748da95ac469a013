"""Review and correct an alignment run, edit by edit (the library under ``aligner serve``).

A person's corrections never change the run they correct.  The first edit copies the run's
beads into a *review run* (method ``review``, its parameters naming the base run), and every
edit changes that copy.  Each edit replaces a stretch of consecutive beads with others, in one
transaction, and is recorded in order (``alignment_edits``) with who made it, when, and the
beads it replaced, so the last edit can be undone.  The links an edit makes are ``confirmed``
(a person agreed with the automatic bead) or ``corrected`` (a person changed it; a corrected
bead has no model score), and ``link_edits`` names the edit behind each.

After every edit each aligned sentence of both revisions is in exactly one bead, the beads are
in reading order and each bead's sides are contiguous (:func:`check_beads`).

Concurrent editors are kept apart by a version number: each edit names the version it was made
against, and an edit against an older version is refused with :class:`StaleVersionError`,
nothing written, so no edit is ever lost to another one made in between.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from aligner import __version__
from aligner.errors import AlignerError, InputError, NotFoundError
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
LOW_CONFIDENCE = 0.5  # beads scored below this are the ones to check first
ACTIONS = ("confirm", "merge", "split", "move", "unlink", "undo")
SIDES = ("src", "tgt")
DIRECTIONS = ("prev", "next")


class StaleVersionError(AlignerError):
    """An edit made against an older version of the review: someone else edited in between."""

    exit_code = 6


class EditError(InputError):
    """An edit that does not apply to the bead it names (nothing to merge with, …)."""


@dataclass(frozen=True)
class Bead:
    """A bead as the review sees it: segment ids per side in reading order, score, status,
    and the id of the edit that made it so (None: as the base run had it)."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float | None
    status: str
    edit: int | None = None

    @property
    def kind(self) -> str:
        return f"{len(self.src)}-{len(self.tgt)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "src": list(self.src), "tgt": list(self.tgt), "score": self.score,
            "status": self.status, "edit": self.edit,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bead:
        return cls(
            tuple(data["src"]), tuple(data["tgt"]), data["score"], data["status"], data["edit"]
        )

    def same_alignment(self, other: Bead) -> bool:
        return (self.src, self.tgt, self.status) == (other.src, other.tgt, other.status)


@dataclass(frozen=True)
class EditRequest:
    """One edit of bead ``position``.

    ``split``: the bead's first ``src_at`` source and ``tgt_at`` target sentences stay, the
    rest become the next bead (a side left out keeps all its sentences in the first bead).
    ``move``: the first (``prev``) or last (``next``) sentence of ``side`` goes to the
    neighbouring bead.  ``unlink`` makes each sentence an omission (1-0) or addition (0-1).
    ``undo`` ignores ``position``.
    """

    action: str
    position: int = 0
    side: str | None = None
    direction: str | None = None
    src_at: int | None = None
    tgt_at: int | None = None


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


def complete_beads(
    run_id: int, beads: Sequence[Bead], src_units: Sequence[int], tgt_units: Sequence[int]
) -> list[Bead]:
    """``beads`` with every sentence they leave out added as an omission (1-0) or addition
    (0-1) where it belongs in reading order (runs imported from a TMX skip one-sided units).

    Beads that cross, or sides that are not contiguous, cannot be reviewed: an error says so.
    """
    index = {
        "src": {s: i for i, s in enumerate(src_units)},
        "tgt": {t: i for i, t in enumerate(tgt_units)},
    }
    ordered = {"src": src_units, "tgt": tgt_units}
    following = {"src": 0, "tgt": 0}
    completed: list[Bead] = []

    def fill_until(side: str, stop: int) -> None:
        while following[side] < stop:
            segment = ordered[side][following[side]]
            alone: tuple[int, ...] = (segment,)
            src, tgt = (alone, ()) if side == "src" else ((), alone)
            completed.append(Bead(src, tgt, score=None, status="auto"))
            following[side] += 1

    for number, bead in enumerate(beads):
        for side, ids in (("src", bead.src), ("tgt", bead.tgt)):
            places = [index[side].get(segment, -1) for segment in ids]
            if not places:
                continue
            if min(places) < following[side] or places != list(
                range(places[0], places[0] + len(places))
            ):
                raise EditError(
                    f"run {run_id}: bead #{number} is out of reading order or not contiguous; "
                    "this run cannot be reviewed"
                )
            fill_until(side, places[0])
            following[side] = places[-1] + 1
        if bead.src or bead.tgt:
            completed.append(bead)
    fill_until("src", len(src_units))
    fill_until("tgt", len(tgt_units))
    return completed


def check_beads(beads: Sequence[Bead], src_units: Sequence[int], tgt_units: Sequence[int]) -> None:
    """Assert the review's invariants: every sentence in exactly one bead, beads in reading
    order, sides contiguous, no empty bead."""
    assert all(bead.src or bead.tgt for bead in beads), "an empty bead"
    assert [s for bead in beads for s in bead.src] == list(src_units), "source sentences"
    assert [t for bead in beads for t in bead.tgt] == list(tgt_units), "target sentences"


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
    _check_request(request)
    target = review_target(session, run_id)
    if target.version != version:
        raise _stale(target.base.id, version, target.version)
    review = target.review or _start_review(session, target.base, user)
    new_version = _claim_version(session, review.id, target.base.id, version)
    if request.action == "undo":
        start, old, new, undone = _undo_plan(session, review.id)
    else:
        start, old = _window(session, review.id, request)
        new, undone = _edited(request, old), None
    record = AlignmentEdit(
        run_id=review.id, sequence=new_version, action=request.action, payload={},
        user_name=user, created_at=utcnow(),
    )  # fmt: skip
    session.add(record)
    session.flush()
    if request.action != "undo":
        new = [replace(bead, edit=record.id) for bead in new]
    record.payload = {
        "start": start, "before": [b.to_json() for b in old], "after": [b.to_json() for b in new],
        **({"undoes": undone} if undone is not None else {}),
    }  # fmt: skip
    _splice(session, review.id, start, len(old), new)
    _update_summary(session, review, old, new, new_version)
    return EditResult(review.id, target.base.id, new_version, request.action, start, new, undone)


def _check_request(request: EditRequest) -> None:
    if request.action not in ACTIONS:
        raise InputError(f"unknown action {request.action!r} (actions: {', '.join(ACTIONS)})")
    if request.position < 0:
        raise InputError(f"position {request.position}: bead numbers start at 0")
    if request.action == "move":
        if request.side not in SIDES:
            raise InputError(f"move: side must be src or tgt, not {request.side!r}")
        if request.direction not in DIRECTIONS:
            raise InputError(f"move: direction must be prev or next, not {request.direction!r}")


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
        summary=_summary(base.id, beads, 0),
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
    if request.action == "merge" or (request.action == "move" and request.direction == "next"):
        first, last = p, p + 1
    elif request.action == "move":
        first, last = p - 1, p
    else:
        first, last = p, p
    beads = load_beads(session, review_id, max(first, 0), last)
    count = session.scalar(select(func.count()).where(Link.run_id == review_id)) or 0
    if p >= count:
        raise NotFoundError(f"bead #{p}: no such bead (the alignment has {count} beads)")
    if first < 0 or len(beads) != last - first + 1:
        raise EditError(_no_neighbour(request))
    return first, [bead for _, bead in beads]


def _no_neighbour(request: EditRequest) -> str:
    if request.action == "merge":
        return f"bead #{request.position} is the last bead: there is nothing to merge it with"
    where = "before" if request.direction == "prev" else "after"
    return f"bead #{request.position} has no bead {where} it to move a sentence to"


def _edited(request: EditRequest, old: list[Bead]) -> list[Bead]:
    p = request.position
    if request.action == "confirm":
        bead = old[0]
        if bead.status != "auto":
            raise EditError(f"bead #{p} is already {bead.status}")
        return [replace(bead, status="confirmed")]
    if request.action == "merge":
        first, second = old
        return [_corrected(first.src + second.src, first.tgt + second.tgt)]
    if request.action == "split":
        return _split(p, old[0], request.src_at, request.tgt_at)
    if request.action == "move":
        return _move(p, old, request.side or "", request.direction or "")
    return _unlink(p, old[0])


def _corrected(src: Sequence[int], tgt: Sequence[int]) -> Bead:
    return Bead(tuple(src), tuple(tgt), score=None, status="corrected")


def _split(p: int, bead: Bead, src_at: int | None, tgt_at: int | None) -> list[Bead]:
    cut_src = len(bead.src) if src_at is None else src_at
    cut_tgt = len(bead.tgt) if tgt_at is None else tgt_at
    if not (0 <= cut_src <= len(bead.src) and 0 <= cut_tgt <= len(bead.tgt)):
        raise EditError(
            f"bead #{p} ({bead.kind}): cannot cut after source sentence {cut_src} "
            f"and target sentence {cut_tgt}"
        )
    first = _corrected(bead.src[:cut_src], bead.tgt[:cut_tgt])
    second = _corrected(bead.src[cut_src:], bead.tgt[cut_tgt:])
    if not (first.src or first.tgt) or not (second.src or second.tgt):
        raise EditError(f"bead #{p} ({bead.kind}): a split must leave sentences in both beads")
    return [first, second]


def _move(p: int, old: list[Bead], side: str, direction: str) -> list[Bead]:
    before, after = old
    giver = after if direction == "prev" else before
    moving = getattr(giver, side)
    if not moving:
        raise EditError(f"bead #{p} has no {side} sentence to move")
    if direction == "prev":
        sentence, rest = moving[:1], moving[1:]
        taker = getattr(before, side) + sentence
        changed = [_with_side(before, side, taker), _with_side(after, side, rest)]
    else:
        sentence, rest = moving[-1:], moving[:-1]
        taker = sentence + getattr(after, side)
        changed = [_with_side(before, side, rest), _with_side(after, side, taker)]
    return [bead for bead in changed if bead.src or bead.tgt]


def _with_side(bead: Bead, side: str, sentences: tuple[int, ...]) -> Bead:
    if side == "src":
        return _corrected(sentences, bead.tgt)
    return _corrected(bead.src, sentences)


def _unlink(p: int, bead: Bead) -> list[Bead]:
    if not bead.src or not bead.tgt:
        raise EditError(f"bead #{p} ({bead.kind}) is already an omission or addition")
    return [_corrected((s,), ()) for s in bead.src] + [_corrected((), (t,)) for t in bead.tgt]


def _undo_plan(session: Session, review_id: int) -> tuple[int, list[Bead], list[Bead], int]:
    """Where the last edit not yet undone starts, the beads it made, the beads it replaced,
    and its version."""
    edits = session.scalars(
        select(AlignmentEdit)
        .where(AlignmentEdit.run_id == review_id)
        .order_by(AlignmentEdit.sequence.desc())
    ).all()
    undone = {e.payload["undoes"] for e in edits if e.action == "undo"}
    last = next((e for e in edits if e.action != "undo" and e.sequence not in undone), None)
    if last is None:
        raise EditError("there is no edit left to undo")
    start = int(last.payload["start"])
    made = [Bead.from_json(b) for b in last.payload["after"]]
    current = [bead for _, bead in load_beads(session, review_id, start, start + len(made) - 1)]
    if len(current) != len(made) or not all(
        a.same_alignment(b) for a, b in zip(current, made, strict=False)
    ):
        raise EditError(f"edit {last.sequence} cannot be undone: its beads have changed")
    return start, current, [Bead.from_json(b) for b in last.payload["before"]], last.sequence


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


def _summary(base_id: int, beads: Sequence[Bead], version: int) -> dict[str, Any]:
    kinds = Counter(bead.kind for bead in beads)
    statuses = Counter(bead.status for bead in beads)
    scores = [bead.score for bead in beads if bead.score is not None]
    return {
        "base_run": base_id,
        "beads": len(beads),
        "kinds": dict(kinds.most_common()),
        "mean_score": round(sum(scores) / len(scores), 4) if scores else 0.0,
        "statuses": dict(sorted(statuses.items())),
        "edits": version,
    }


def _update_summary(
    session: Session, review: AlignmentRun, old: Sequence[Bead], new: Sequence[Bead], version: int
) -> None:
    """Keep the review run's summary (beads, kinds, mean score, statuses) current."""
    summary = dict(review.summary)
    kinds = Counter(summary.get("kinds", {}))
    kinds.subtract(bead.kind for bead in old)
    kinds.update(bead.kind for bead in new)
    rows = session.execute(
        select(Link.status, func.count()).where(Link.run_id == review.id).group_by(Link.status)
    ).all()
    statuses = {str(status): int(count) for status, count in rows}
    scored = session.execute(
        select(func.count(Link.score), func.sum(Link.score)).where(Link.run_id == review.id)
    ).one()
    summary |= {
        "beads": sum(statuses.values()),
        "kinds": {kind: n for kind, n in kinds.most_common() if n > 0},
        "mean_score": round(float(scored[1] or 0.0) / scored[0], 4) if scored[0] else 0.0,
        "statuses": dict(sorted(statuses.items())),
        "edits": version,
    }
    review.summary = summary
