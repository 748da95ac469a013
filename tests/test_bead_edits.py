"""Review edits on plain beads (aligner.core.bead_edits), without a database: each edit, the
undo plan, completing a run's beads, and the invariants and undo over random edit sequences."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.core.bead_edits import (
    ACTIONS,
    DIRECTIONS,
    SIDES,
    EditError,
    EditRequest,
    UndoPlan,
    bead_from_json,
    bead_to_json,
    check_beads,
    check_request,
    check_undoable,
    complete_beads,
    edit_span,
    edited_beads,
    is_low,
    kinds_after,
    review_summary,
    undo_plan,
)
from aligner.core.types import Bead
from aligner.errors import InputError

TWO_ONE = Bead((1, 2), (10,), 0.4)
ONE_TWO = Bead((3,), (11, 12), 0.7)


def apply(
    beads: list[Bead], request: EditRequest
) -> tuple[int, list[Bead], list[Bead], list[Bead]]:
    """``request`` applied to ``beads`` as the review service does it: (where the edit starts,
    the beads it replaced, the beads it made, all the beads after it)."""
    first, last = edit_span(request)
    old = beads[first : last + 1]
    new = edited_beads(request, old)
    return first, old, new, beads[:first] + new + beads[last + 1 :]


def test_confirm_keeps_the_bead_and_its_score() -> None:
    assert edited_beads(EditRequest("confirm", 4), [TWO_ONE]) == [
        Bead((1, 2), (10,), 0.4, "confirmed")
    ]
    with pytest.raises(EditError, match=r"bead #4 is already confirmed"):
        edited_beads(EditRequest("confirm", 4), [Bead((1,), (1,), 0.9, "confirmed")])


def test_merge_split_move_unlink_make_corrected_beads_without_a_score() -> None:
    assert edited_beads(EditRequest("merge", 0), [TWO_ONE, ONE_TWO]) == [
        Bead((1, 2, 3), (10, 11, 12), None, "corrected")
    ]
    assert edited_beads(EditRequest("split", 0, src_at=1), [TWO_ONE]) == [
        Bead((1,), (10,), None, "corrected"),
        Bead((2,), (), None, "corrected"),
    ]
    moved = edited_beads(EditRequest("move", 1, "tgt", "prev"), [TWO_ONE, ONE_TWO])
    assert moved == [
        Bead((1, 2), (10, 11), None, "corrected"),
        Bead((3,), (12,), None, "corrected"),
    ]
    assert edited_beads(EditRequest("unlink", 0), [TWO_ONE]) == [
        Bead((1,), (), None, "corrected"),
        Bead((2,), (), None, "corrected"),
        Bead((), (10,), None, "corrected"),
    ]


def test_a_move_that_empties_a_bead_removes_it() -> None:
    single = Bead((5,), (), 0.9)
    assert edited_beads(EditRequest("move", 0, "src", "next"), [single, ONE_TWO]) == [
        Bead((5, 3), (11, 12), None, "corrected")
    ]


@pytest.mark.parametrize(
    ("request_", "old", "message"),
    [
        (EditRequest("split", 2, src_at=3), [TWO_ONE], r"bead #2 \(2-1\): cannot cut after"),
        (EditRequest("split", 2, src_at=0, tgt_at=0), [TWO_ONE], r"sentences in both beads"),
        (EditRequest("move", 1, "src", "prev"), [TWO_ONE, Bead((), (4,))], r"no src sentence"),
        (EditRequest("unlink", 0), [Bead((), (4,))], r"already an omission or addition"),
    ],
)
def test_edits_that_do_not_apply_are_one_line(
    request_: EditRequest, old: list[Bead], message: str
) -> None:
    with pytest.raises(EditError, match=message):
        edited_beads(request_, old)


def test_requests_are_checked_before_anything_is_read() -> None:
    for bad, message in [
        (EditRequest("explode"), "unknown action 'explode'"),
        (EditRequest("merge", -1), "position -1: bead numbers start at 0"),
        (EditRequest("move", 1, "left", "prev"), "side must be src or tgt"),
        (EditRequest("move", 1, "src", "up"), "direction must be prev or next"),
    ]:
        with pytest.raises(InputError, match=message):
            check_request(bad)
    assert edit_span(EditRequest("move", 3, "src", "prev")) == (2, 3)
    assert edit_span(EditRequest("move", 3, "src", "next")) == (3, 4)
    assert edit_span(EditRequest("merge", 3)) == (3, 4)
    assert edit_span(EditRequest("unlink", 3)) == (3, 3)


def test_complete_beads_adds_what_a_run_leaves_out_and_refuses_crossing_beads() -> None:
    beads = [Bead((2,), (20,), 0.8), Bead((4,), (22,), 0.6)]
    completed = complete_beads(7, beads, [1, 2, 3, 4], [20, 21, 22, 23])
    assert [(b.src, b.tgt) for b in completed] == [
        ((1,), ()), ((2,), (20,)), ((3,), ()), ((), (21,)), ((4,), (22,)), ((), (23,)),
    ]  # fmt: skip
    check_beads(completed, [1, 2, 3, 4], [20, 21, 22, 23])
    with pytest.raises(EditError, match=r"run 7: bead #1 is out of reading order"):
        complete_beads(7, [Bead((2,), (21,)), Bead((1,), (20,))], [1, 2], [20, 21])


def test_undo_takes_back_the_last_edit_not_yet_undone() -> None:
    first: dict[str, Any] = {"start": 0, "before": [bead_to_json(TWO_ONE)], "after": []}
    second: dict[str, Any] = {
        "start": 3, "before": [bead_to_json(ONE_TWO)], "after": [bead_to_json(TWO_ONE)],
    }  # fmt: skip
    history: list[tuple[str, int, dict[str, Any]]] = [
        ("undo", 3, {"undoes": 2}), ("unlink", 2, second), ("merge", 1, first),
    ]  # fmt: skip
    assert undo_plan(history) == UndoPlan(1, 0, [], [TWO_ONE])
    with pytest.raises(EditError, match="no edit left to undo"):
        undo_plan([("undo", 2, {"undoes": 1}), ("merge", 1, first)])
    plan = undo_plan(history[1:])
    check_undoable(plan, [Bead((1, 2), (10,), 0.1)])  # the score is not the alignment
    with pytest.raises(EditError, match="edit 2 cannot be undone: its beads have changed"):
        check_undoable(plan, [Bead((1, 2), (10,), 0.4, "confirmed")])


def test_summary_and_low_confidence() -> None:
    beads = [TWO_ONE, ONE_TWO, Bead((4,), (13,), None, "confirmed")]
    assert review_summary(9, beads, 0) == {
        "base_run": 9, "beads": 3, "kinds": {"2-1": 1, "1-2": 1, "1-1": 1},
        "mean_score": 0.55, "statuses": {"auto": 2, "confirmed": 1}, "edits": 0,
    }  # fmt: skip
    assert [is_low(b) for b in beads] == [True, False, False]
    assert is_low(Bead((1,), (1,), 0.1, "corrected")) is False


# --- random edit sequences ------------------------------------------------------------------


@st.composite
def aligned_beads(draw: st.DrawFn) -> tuple[list[Bead], list[int], list[int]]:
    """Beads that cover sentences 0..n-1 and 100..100+m-1 in reading order."""
    shapes = draw(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 3)).filter(lambda s: s != (0, 0)),
            min_size=1, max_size=12,
        )
    )  # fmt: skip
    beads, src, tgt = [], 0, 100
    for n_src, n_tgt in shapes:
        score = draw(st.none() | st.floats(0, 1))
        beads.append(Bead(tuple(range(src, src + n_src)), tuple(range(tgt, tgt + n_tgt)), score))
        src, tgt = src + n_src, tgt + n_tgt
    return beads, list(range(src)), list(range(100, tgt))


edit_requests = st.builds(
    EditRequest,
    action=st.sampled_from([a for a in ACTIONS if a != "undo"]),
    position=st.integers(0, 12),
    side=st.sampled_from(SIDES),
    direction=st.sampled_from(DIRECTIONS),
    src_at=st.none() | st.integers(0, 3),
    tgt_at=st.none() | st.integers(0, 3),
)


@settings(max_examples=300, deadline=None)
@given(aligned_beads(), st.lists(edit_requests, max_size=15))
def test_any_edit_sequence_keeps_the_invariants_and_undoes_step_by_step(
    start: tuple[list[Bead], list[int], list[int]], requests: list[EditRequest]
) -> None:
    beads, src_units, tgt_units = start
    states = [beads]
    history: list[tuple[str, int, dict[str, Any]]] = []
    kinds = review_summary(0, beads, 0)["kinds"]
    for request in requests:
        first, last = edit_span(request)
        if first < 0 or last >= len(beads):
            continue  # the service answers these before computing anything
        try:
            at, old, made, beads = apply(beads, request)
        except EditError:
            continue
        check_beads(beads, src_units, tgt_units)
        kinds = kinds_after(kinds, old, made)
        assert kinds == review_summary(0, beads, 0)["kinds"]
        payload = {"start": at, "before": [bead_to_json(b) for b in old],
                   "after": [bead_to_json(b) for b in made]}  # fmt: skip
        history.insert(0, (request.action, len(history) + 1, json.loads(json.dumps(payload))))
        states.append(beads)
    for state in reversed(states[:-1]):
        plan = undo_plan(history)
        current = beads[plan.start : plan.start + len(plan.made)]
        check_undoable(plan, current)
        beads = beads[: plan.start] + list(plan.replaced) + beads[plan.start + len(plan.made) :]
        assert beads == state
        history.insert(0, ("undo", len(history) + 1, {"undoes": plan.version}))
    assert [bead_from_json(bead_to_json(b)) for b in beads] == beads
