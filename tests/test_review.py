"""Review edits as a library (aligner.services.review) on SQLite and PostgreSQL: each edit,
undo, the version check, the invariants over random edit sequences, and what the exports then
see."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from aligner.core.bead_edits import EditError, EditRequest, check_beads
from aligner.core.types import Bead
from aligner.errors import InputError, NotFoundError
from aligner.services.review import (
    EditResult,
    StaleVersionError,
    base_beads,
    edit,
    load_beads,
    review_target,
    run_units,
)
from aligner.store.models import AlignmentEdit, AlignmentReview, AlignmentRun, Segment
from aligner.store.session import Database
from tests.conftest import Cli
from tests.exporting import FixedBead, import_pair, store_run

ENGLISH = "".join(f"English sentence number {n}.\n\n" for n in range(8))
FRENCH = "".join(f"Phrase française numéro {n}.\n\n" for n in range(9))
# Eight English and nine French sentences: a 2-1, a 1-2, an omission and an addition.
BEADS = [
    FixedBead([0], [0], 0.9, "auto"),
    FixedBead([1, 2], [1], 0.4, "auto"),
    FixedBead([3], [2, 3], 0.7, "auto"),
    FixedBead([4], [], 0.3, "auto"),
    FixedBead([], [4], 0.2, "auto"),
    FixedBead([5], [5], 0.95, "auto"),
    FixedBead([6], [6, 7], 0.6, "auto"),
    FixedBead([7], [8], 0.99, "auto"),
]


@pytest.fixture
def run_id(cli: Cli, tmp_path: Path) -> int:
    import_pair(cli, tmp_path, "pair", ENGLISH, FRENCH)
    return store_run(cli.db_url, "pair", "en", "fr", BEADS, method="aligner-dp-refine")


def apply(
    db_url: str, run: int, request: EditRequest, version: int, user: str = "ada"
) -> EditResult:
    with Database(db_url) as db, db.session() as session:
        return edit(session, run, request, version, user)


def shapes(db_url: str, run: int) -> list[tuple[str, str]]:
    """Each bead of the current state of run ``run`` (its review once there is one) as
    (kind, status), after checking the invariants."""
    with Database(db_url) as db, db.session() as session:
        target = review_target(session, run)
        beads = [bead for _, bead in load_beads(session, target.shown.id)]
        check_beads(beads, *run_units(session, target.base))
        return [(bead.kind, bead.status) for bead in beads]


def sentence_numbers(db_url: str, run: int) -> list[tuple[list[int], list[int]]]:
    """The beads of the current state as sentence numbers (English, French), 0-based."""
    with Database(db_url) as db, db.session() as session:
        target = review_target(session, run)
        src_units, tgt_units = run_units(session, target.base)
        beads = [bead for _, bead in load_beads(session, target.shown.id)]
        return [
            ([src_units.index(s) for s in b.src], [tgt_units.index(t) for t in b.tgt])
            for b in beads
        ]


def test_the_first_edit_copies_the_run_into_a_review_and_leaves_the_run_alone(
    cli: Cli, run_id: int
) -> None:
    before = shapes(cli.db_url, run_id)
    result = apply(cli.db_url, run_id, EditRequest("confirm", 0), version=0)
    assert result.version == 1 and result.base_run_id == run_id
    with Database(cli.db_url) as db, db.session() as session:
        review = session.get(AlignmentRun, result.review_run_id)
        assert review is not None and review.method == "review"
        assert review.parameters == {"base_run": run_id}
        assert review.summary["beads"] == 8 and review.summary["statuses"] == {
            "auto": 7, "confirmed": 1,
        }  # fmt: skip
        base = session.get(AlignmentRun, run_id)
        assert base is not None
        assert [(b.kind, b.status) for b in base_beads(session, base)] == before
        record = session.scalars(select(AlignmentEdit)).one()
        assert (record.sequence, record.action, record.user_name) == (1, "confirm", "ada")
        assert record.created_at is not None
        reviewed = load_beads(session, review.id, 0, 0)[0][1]
        assert reviewed.status == "confirmed" and reviewed.edit == record.id
    assert shapes(cli.db_url, run_id) == [("1-1", "confirmed"), *before[1:]]
    # Addressing the review run itself edits the same review.
    again = apply(cli.db_url, result.review_run_id, EditRequest("confirm", 1), version=1)
    assert (again.review_run_id, again.version) == (result.review_run_id, 2)


def test_merge_split_move_unlink_and_undo(cli: Cli, run_id: int) -> None:
    url = cli.db_url
    apply(url, run_id, EditRequest("merge", 3), 0)  # the omission and the addition
    assert sentence_numbers(url, run_id)[3] == ([4], [4])
    assert shapes(url, run_id)[3] == ("1-1", "corrected")
    apply(url, run_id, EditRequest("split", 1, src_at=1, tgt_at=1), 1)  # 2-1 → 1-1 + 1-0
    assert sentence_numbers(url, run_id)[1:3] == [([1], [1]), ([2], [])]
    apply(url, run_id, EditRequest("move", 3, side="tgt", direction="prev"), 2)
    assert sentence_numbers(url, run_id)[2:4] == [([2], [2]), ([3], [3])]
    apply(url, run_id, EditRequest("move", 6, side="tgt", direction="next"), 3)
    assert sentence_numbers(url, run_id)[6:8] == [([6], [6]), ([7], [7, 8])]
    apply(url, run_id, EditRequest("unlink", 0), 4)
    assert sentence_numbers(url, run_id)[:2] == [([0], []), ([], [0])]
    for version in range(5, 10):
        result = apply(url, run_id, EditRequest("undo"), version)
        assert result.undone == 10 - version
    assert sentence_numbers(url, run_id) == [(b.src, b.tgt) for b in BEADS]
    assert shapes(url, run_id) == [("1-1", "auto")] + [
        (f"{len(b.src)}-{len(b.tgt)}", "auto") for b in BEADS[1:]
    ]
    with pytest.raises(EditError, match="no edit left to undo"):
        apply(url, run_id, EditRequest("undo"), 10)


def test_undo_restores_who_made_the_beads_it_brings_back(cli: Cli, run_id: int) -> None:
    first = apply(cli.db_url, run_id, EditRequest("confirm", 5), 0, user="ada")
    apply(cli.db_url, run_id, EditRequest("merge", 4), 1, user="bob")
    apply(cli.db_url, run_id, EditRequest("undo"), 2, user="bob")
    with Database(cli.db_url) as db, db.session() as session:
        bead = load_beads(session, first.review_run_id, 5, 5)[0][1]
        record = session.get(AlignmentEdit, bead.edit)
        assert record is not None and (record.user_name, record.action) == ("ada", "confirm")
        users = session.scalars(select(AlignmentEdit.user_name).order_by(AlignmentEdit.sequence))
        assert list(users) == ["ada", "bob", "bob"]


def test_a_stale_version_is_refused_and_changes_nothing(cli: Cli, run_id: int) -> None:
    apply(cli.db_url, run_id, EditRequest("confirm", 0), 0)
    before = shapes(cli.db_url, run_id)
    with pytest.raises(
        StaleVersionError, match="made against version 0, but the alignment is now at version 1"
    ):
        apply(cli.db_url, run_id, EditRequest("merge", 1), 0)
    with pytest.raises(StaleVersionError, match="version 7"):
        apply(cli.db_url, run_id, EditRequest("merge", 1), 7)
    assert shapes(cli.db_url, run_id) == before
    with Database(cli.db_url) as db, db.session() as session:
        assert session.scalars(select(AlignmentReview.version)).one() == 1
        assert len(session.scalars(select(AlignmentEdit)).all()) == 1


@pytest.mark.parametrize(
    ("request_", "error", "message"),
    [
        (EditRequest("merge", 7), EditError, "last bead: there is nothing to merge"),
        (EditRequest("move", 0, side="src", direction="prev"), EditError, "no bead before"),
        (EditRequest("move", 7, side="tgt", direction="next"), EditError, "no bead after"),
        (EditRequest("move", 4, side="src", direction="prev"), EditError, "no src sentence"),
        (EditRequest("split", 0, src_at=0, tgt_at=0), EditError, "sentences in both beads"),
        (EditRequest("split", 1, src_at=3), EditError, "cannot cut after source sentence 3"),
        (EditRequest("unlink", 3), EditError, "already an omission or addition"),
        (EditRequest("confirm", 8), NotFoundError, "bead #8: no such bead (the alignment has 8"),
        (EditRequest("confirm", -1), InputError, "bead numbers start at 0"),
        (EditRequest("rotate", 0), InputError, "unknown action 'rotate'"),
        (EditRequest("move", 2, side="left", direction="prev"), InputError, "side must be"),
        (EditRequest("move", 2, side="src", direction="up"), InputError, "direction must be"),
    ],
)
def test_edits_that_do_not_apply_say_why_and_write_nothing(
    cli: Cli, run_id: int, request_: EditRequest, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        apply(cli.db_url, run_id, request_, 0)
    with Database(cli.db_url) as db, db.session() as session:
        assert session.scalars(select(AlignmentRun.method)).all() == ["aligner-dp-refine"]
        assert session.scalars(select(AlignmentEdit)).all() == []


def test_confirming_twice_and_unknown_runs(cli: Cli, run_id: int) -> None:
    apply(cli.db_url, run_id, EditRequest("confirm", 2), 0)
    with pytest.raises(EditError, match="bead #2 is already confirmed"):
        apply(cli.db_url, run_id, EditRequest("confirm", 2), 1)
    with pytest.raises(NotFoundError, match="run 999: no such alignment run"):
        apply(cli.db_url, 999, EditRequest("confirm", 2), 0)


def test_a_run_that_leaves_sentences_out_is_reviewed_with_them_as_omissions(
    cli: Cli, tmp_path: Path
) -> None:
    """A run imported from a TMX has no link for a one-sided unit: the review adds it."""
    import_pair(cli, tmp_path, "pair", ENGLISH, FRENCH)
    partial = [FixedBead([0], [0]), FixedBead([1, 2], [1]), FixedBead([5], [5])]
    run = store_run(cli.db_url, "pair", "en", "fr", partial, method="tmx-import")
    apply(cli.db_url, run, EditRequest("merge", 0), 0)
    numbers = sentence_numbers(cli.db_url, run)
    assert numbers[0] == ([0, 1, 2], [0, 1])
    assert ([3], []) in numbers and ([], [2]) in numbers and ([7], []) in numbers
    assert numbers[-1] == ([], [8])


def test_a_run_whose_beads_cross_cannot_be_reviewed(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path, "pair", ENGLISH, FRENCH)
    crossing = [FixedBead([1], [0]), FixedBead([0], [1])]
    run = store_run(cli.db_url, "pair", "en", "fr", crossing, method="tmx-import")
    with pytest.raises(EditError, match="out of reading order or not contiguous"):
        apply(cli.db_url, run, EditRequest("confirm", 0), 0)


def random_request(rng: random.Random, beads: int) -> EditRequest:
    action = rng.choice(["confirm", "merge", "split", "move", "move", "unlink", "undo"])
    return EditRequest(
        action, rng.randrange(beads), side=rng.choice(["src", "tgt"]),
        direction=rng.choice(["prev", "next"]), src_at=rng.randrange(3), tgt_at=rng.randrange(3),
    )  # fmt: skip


def test_random_edit_sequences_keep_every_sentence_in_one_bead_in_order(
    cli: Cli, run_id: int
) -> None:
    """Property-style: 120 random edits (seeded); after each, the invariants hold; edits that
    do not apply are refused whole; undoing everything gives back the run as aligned."""
    rng = random.Random(1938)
    version = applied = 0
    with Database(cli.db_url) as db:

        def current() -> list[Bead]:
            with db.session() as session:
                target = review_target(session, run_id)
                beads = [bead for _, bead in load_beads(session, target.shown.id)]
                check_beads(beads, *run_units(session, target.base))
                return beads

        for _ in range(120):
            request = random_request(rng, len(current()))
            try:
                with db.session() as session:
                    version = edit(session, run_id, request, version, "ada").version
                applied += 1
            except EditError:
                pass
        assert applied > 40
        while True:
            try:
                with db.session() as session:
                    version = edit(session, run_id, EditRequest("undo"), version, "ada").version
            except EditError:
                break
            current()
    assert sentence_numbers(cli.db_url, run_id) == [(b.src, b.tgt) for b in BEADS]
    assert {status for _, status in shapes(cli.db_url, run_id)} == {"auto"}


def test_exports_take_the_review_by_default_and_the_automatic_run_with_run(
    cli: Cli, run_id: int
) -> None:
    apply(cli.db_url, run_id, EditRequest("confirm", 0), 0)
    apply(cli.db_url, run_id, EditRequest("merge", 3), 1)
    confirmed = cli.ok(
        "export", "tmx", "pair", "--src", "en", "--tgt", "fr", "--status", "confirmed"
    )
    assert confirmed.stdout.count("<tu ") == 2
    assert '<prop type="x-status">corrected</prop>' in confirmed.stdout
    assert "English sentence number 4." in confirmed.stdout
    automatic = cli.ok(
        "export", "tmx", "pair", "--src", "en", "--tgt", "fr", "--status", "confirmed",
        "--run", str(run_id),
    )  # fmt: skip
    assert automatic.stdout.count("<tu ") == 0
    listing = json.loads(cli.ok("runs", "pair", "-f", "json").stdout)
    assert [r["method"] for r in listing] == ["aligner-dp-refine", "review"]
    assert listing[1]["parameters"] == {"base_run": run_id}
    assert listing[1]["statuses"] == {"auto": 5, "confirmed": 1, "corrected": 1}


def test_segments_of_a_review_are_the_runs_own(cli: Cli, run_id: int) -> None:
    result = apply(cli.db_url, run_id, EditRequest("unlink", 1), 0)
    with Database(cli.db_url) as db, db.session() as session:
        beads: list[Bead] = [b for _, b in load_beads(session, result.review_run_id)]
        texts = {
            s.id: s.text
            for s in session.scalars(
                select(Segment).where(Segment.id.in_([*beads[1].src, *beads[3].tgt]))
            )
        }
    assert texts[beads[1].src[0]] == "English sentence number 1."
    assert texts[beads[3].tgt[0]] == "Phrase française numéro 1."
