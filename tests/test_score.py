"""Ladder files and the strict/lax scores, on hand-made cases and the real gold files."""

from __future__ import annotations

import pytest

from aligner.core.evaluation import count, score_documents, scores
from aligner.core.types import Bead
from aligner.errors import InputError
from aligner.formats.ladder import parse_ladder, read_ladder, write_ladder
from tests.conftest import SHARED, requires_shared

GOLD = parse_ladder("[0]:[0, 1]\n[1]:[2]\n[2]:[]\n[3]:[3]\n")
PREDICTED = parse_ladder("[0]:[0]\n[]:[1]\n[1]:[2]\n[2]:[]\n[3]:[3]\n")


def test_ladder_round_trip_and_bead_kinds() -> None:
    expected = [Bead((0,), (0, 1)), Bead((1,), (2,)), Bead((2,), ()), Bead((3,), (3,))]
    assert parse_ladder(write_ladder(expected)) == expected == GOLD
    assert write_ladder(GOLD) == "[0]:[0, 1]\n[1]:[2]\n[2]:[]\n[3]:[3]\n"
    assert [b.kind for b in GOLD] == ["1-2", "1-1", "1-0", "1-1"]
    assert parse_ladder("[1,2]:[3]:0.87\n") == [Bead((1, 2), (3,))]


def test_malformed_ladder_is_refused_with_its_line() -> None:
    with pytest.raises(InputError, match=r"^gold.txt: line 2 is not a ladder bead: '1 -> 2'$"):
        parse_ladder("[0]:[0]\n1 -> 2\n", "gold.txt")


def test_strict_and_lax_counts_on_a_hand_made_case() -> None:
    counts = count(GOLD, PREDICTED)
    assert counts.as_tuple() == (3, 4, 5, 2, 3, 3)
    result = scores(counts)
    assert result.strict_precision == pytest.approx(0.6)
    assert result.strict_recall == pytest.approx(2 / 3)
    assert result.lax_precision == pytest.approx(0.8)
    assert result.lax_recall == 1.0
    assert result.strict_f1 == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))


def test_documents_are_micro_averaged() -> None:
    perfect = [Bead((i,), (i,)) for i in range(6)]
    combined = score_documents([(GOLD, PREDICTED), (perfect, perfect)])
    assert combined.strict_precision == pytest.approx((3 + 6) / (5 + 6))
    assert combined.strict_recall == pytest.approx((2 + 6) / (3 + 6))


@requires_shared
def test_textberg_gold_files_parse_within_their_documents() -> None:
    folder = SHARED / "data" / "textberg"
    for gold_path in sorted(folder.glob("*.defr")):
        beads = read_ladder(gold_path)
        stem = gold_path.name.removesuffix(".defr")
        n_src = len((folder / f"{stem}.de").read_text("utf-8").splitlines())
        n_tgt = len((folder / f"{stem}.fr").read_text("utf-8").splitlines())
        src = [i for b in beads for i in b.src]
        tgt = [j for b in beads for j in b.tgt]
        # Real gold skips sentences, interleaves beads ([250]:[291, 293, 294]) and, once
        # (test1, source 218), puts a sentence in two beads: only the ranges are certain.
        assert min(src) >= 0 and max(src) < n_src, stem
        assert min(tgt) >= 0 and max(tgt) < n_tgt, stem
        assert scores(count(beads, beads)).strict_f1 == 1.0
