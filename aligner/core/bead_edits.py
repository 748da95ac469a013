"""A person's review edits, computed on plain beads (no database: :mod:`aligner.services.review`
loads the beads an edit replaces, and stores the ones it makes).

An edit replaces a stretch of consecutive beads with others.  The beads it makes are
``confirmed`` (a person agreed with the automatic bead) or ``corrected`` (a person changed it;
a corrected bead has no model score).  After every edit each aligned sentence of both
revisions is in exactly one bead, the beads are in reading order and each bead's sides are
contiguous (:func:`check_beads`); :func:`complete_beads` makes a run's beads so before a review
starts from them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from aligner.core.types import Bead
from aligner.errors import InputError

ACTIONS = ("confirm", "merge", "split", "move", "unlink", "undo")
SIDES = ("src", "tgt")
DIRECTIONS = ("prev", "next")
LOW_CONFIDENCE = 0.5  # beads scored below this are the ones to check first


class EditError(InputError):
    """An edit that does not apply to the bead it names (nothing to merge with, …)."""


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
class UndoPlan:
    """What undoing an edit does: the beads it made at ``start`` (which must still be there)
    go back to the beads it replaced.  ``version``: the version the edit made."""

    version: int
    start: int
    made: Sequence[Bead]
    replaced: Sequence[Bead]


def is_low(bead: Bead) -> bool:
    """A bead to check first: scored below the threshold and not yet seen by a person."""
    return bead.status == "auto" and bead.score is not None and bead.score < LOW_CONFIDENCE


# --- requests -------------------------------------------------------------------------------


def check_request(request: EditRequest) -> None:
    if request.action not in ACTIONS:
        raise InputError(f"unknown action {request.action!r} (actions: {', '.join(ACTIONS)})")
    if request.position < 0:
        raise InputError(f"position {request.position}: bead numbers start at 0")
    if request.action == "move":
        if request.side not in SIDES:
            raise InputError(f"move: side must be src or tgt, not {request.side!r}")
        if request.direction not in DIRECTIONS:
            raise InputError(f"move: direction must be prev or next, not {request.direction!r}")


def edit_span(request: EditRequest) -> tuple[int, int]:
    """The first and last positions of the beads the edit replaces (the first may be -1: a
    move to the bead before the first)."""
    p = request.position
    if request.action == "merge" or (request.action == "move" and request.direction == "next"):
        return p, p + 1
    if request.action == "move":
        return p - 1, p
    return p, p


def no_neighbour(request: EditRequest) -> str:
    """Why an edit that needs the next or previous bead cannot have it."""
    if request.action == "merge":
        return f"bead #{request.position} is the last bead: there is nothing to merge it with"
    where = "before" if request.direction == "prev" else "after"
    return f"bead #{request.position} has no bead {where} it to move a sentence to"


# --- the edits ------------------------------------------------------------------------------


def edited_beads(request: EditRequest, old: Sequence[Bead]) -> list[Bead]:
    """The beads that replace ``old`` (the beads at :func:`edit_span`) under ``request``."""
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


def _move(p: int, old: Sequence[Bead], side: str, direction: str) -> list[Bead]:
    before, after = old
    giver = after if direction == "prev" else before
    moving = _side(giver, side)
    if not moving:
        raise EditError(f"bead #{p} has no {side} sentence to move")
    if direction == "prev":
        sentence, rest = moving[:1], moving[1:]
        taker = _side(before, side) + sentence
        changed = [_with_side(before, side, taker), _with_side(after, side, rest)]
    else:
        sentence, rest = moving[-1:], moving[:-1]
        taker = sentence + _side(after, side)
        changed = [_with_side(before, side, rest), _with_side(after, side, taker)]
    return [bead for bead in changed if bead.src or bead.tgt]


def _side(bead: Bead, side: str) -> tuple[int, ...]:
    return bead.src if side == "src" else bead.tgt


def _with_side(bead: Bead, side: str, sentences: tuple[int, ...]) -> Bead:
    if side == "src":
        return _corrected(sentences, bead.tgt)
    return _corrected(bead.src, sentences)


def _unlink(p: int, bead: Bead) -> list[Bead]:
    if not bead.src or not bead.tgt:
        raise EditError(f"bead #{p} ({bead.kind}) is already an omission or addition")
    return [_corrected((s,), ()) for s in bead.src] + [_corrected((), (t,)) for t in bead.tgt]


# --- undo -----------------------------------------------------------------------------------


def undo_plan(history: Iterable[tuple[str, int, Mapping[str, Any]]]) -> UndoPlan:
    """How to undo the last edit not yet undone, from the recorded edits as (action, version,
    payload), newest first."""
    edits = list(history)
    undone = {payload["undoes"] for action, _, payload in edits if action == "undo"}
    last = next(
        ((version, payload) for action, version, payload in edits
         if action != "undo" and version not in undone),
        None,
    )  # fmt: skip
    if last is None:
        raise EditError("there is no edit left to undo")
    version, payload = last
    return UndoPlan(
        version=version, start=int(payload["start"]),
        made=[bead_from_json(b) for b in payload["after"]],
        replaced=[bead_from_json(b) for b in payload["before"]],
    )  # fmt: skip


def check_undoable(plan: UndoPlan, current: Sequence[Bead]) -> None:
    """Refuse the undo when the beads the edit made (``current``: the beads now in their
    place) have changed since."""
    if len(current) != len(plan.made) or not all(
        _same_alignment(a, b) for a, b in zip(current, plan.made, strict=False)
    ):
        raise EditError(f"edit {plan.version} cannot be undone: its beads have changed")


def _same_alignment(one: Bead, other: Bead) -> bool:
    return (one.src, one.tgt, one.status) == (other.src, other.tgt, other.status)


def bead_to_json(bead: Bead) -> dict[str, Any]:
    """A bead as an edit's record keeps it (what it replaced and what it made)."""
    return {
        "src": list(bead.src), "tgt": list(bead.tgt), "score": bead.score,
        "status": bead.status, "edit": bead.edit,
    }  # fmt: skip


def bead_from_json(data: Mapping[str, Any]) -> Bead:
    return Bead(tuple(data["src"]), tuple(data["tgt"]), data["score"], data["status"], data["edit"])


# --- the beads as a whole -------------------------------------------------------------------


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


def review_summary(base_id: int, beads: Sequence[Bead], version: int) -> dict[str, Any]:
    """A review run's summary: its base run, beads, kinds, mean score, statuses and edits."""
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


def kinds_after(
    kinds: Mapping[str, int], old: Sequence[Bead], new: Sequence[Bead]
) -> dict[str, int]:
    """A summary's bead kinds once ``old`` beads were replaced by ``new``."""
    counted = Counter(kinds)
    counted.subtract(bead.kind for bead in old)
    counted.update(bead.kind for bead in new)
    return {kind: n for kind, n in counted.most_common() if n > 0}
