"""bench/crossfit.py: every development pair is aligned, for the confidence fit and the
held-out figures, by a scorer trained without the text it comes from."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import REPO, requires_shared

sys.path.append(str(REPO / "bench"))

from crossfit import FOLDS, in_fold, report_held_out
from sets import all_sets

from aligner.core.evaluation import Counts


@requires_shared
def test_every_development_pair_trained_on_is_in_exactly_one_fold() -> None:
    keys = [f"{s.name} / {pair.name}" for s in all_sets() if s.train and s.dev for pair in s.load()]
    assert len(keys) > 20
    for key in keys:
        assert [fold for fold in FOLDS if in_fold(key, fold)] != [], key
        assert sum(in_fold(key, fold) for fold in FOLDS) == 1, key


@requires_shared
def test_a_remade_pair_falls_in_the_fold_of_the_text_it_was_made_from() -> None:
    """Seeded edits and inserted scraps reuse a document's sentences (a quarter or more of them
    survive the merges): their pairs must be held out with that document, or the held-out
    scorer would have trained on its text."""
    dev = {s.name: s.load() for s in all_sets() if s.dev and s.train}
    derived = ("dev pairs with seeded edits", "dev pairs with inserted scraps")
    originals = [
        (f"{name} / {pair.name}", set(pair.src))
        for name, pairs in dev.items()
        if name not in derived
        for pair in pairs
    ]
    for name in derived:
        for pair in dev[name]:
            key = f"{name} / {pair.name}"
            made_from = [o for o, text in originals if len(text & set(pair.src)) > len(text) / 4]
            assert made_from, key
            for original in made_from:
                assert [in_fold(key, f) for f in FOLDS] == [in_fold(original, f) for f in FOLDS]


def test_the_held_out_table_adds_up_each_sets_folds_and_averages_the_real_documents(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report_held_out({
        "Candide en-es": Counts(9, 10, 10, 9, 10, 10),
        "dev pairs with seeded edits": Counts(3, 4, 4, 3, 4, 4) + Counts(1, 4, 4, 1, 4, 4),
        "UDHR paragraphs": Counts(7, 10, 10, 7, 10, 10),
    })  # fmt: skip
    lines = capsys.readouterr().out.splitlines()
    assert "| dev pairs with seeded edits | 0.500 | 0.500 | 0.5000 | 1.0000 |" in lines
    assert lines[-2] == "mean strict F1, the 2 real documents: 0.8000"
    assert lines[-1] == "mean strict F1, every set: 0.7000"


@requires_shared
def test_the_pairs_without_omissions_keep_every_aligned_gold_bead_and_leave_out_nothing() -> None:
    """Scored only (``train=False``): their text is the trained pairs' text once more."""
    by_name = {s.name: s for s in all_sets()}
    clean = by_name["dev pairs without omissions"]
    assert clean.dev and not clean.train
    originals = {
        pair.name: pair
        for pair in [*by_name["Text+Berg dev de-fr"].load(), *by_name["Candide en-es"].load(),
                     *by_name["Candide en-el"].load()]
    }  # fmt: skip
    for pair in clean.load():
        original = originals[pair.name.removesuffix(" without omissions")]
        aligned = [b for b in original.gold if b.src and b.tgt]
        assert len(pair.gold) == len(aligned) < len(original.gold)
        assert all(b.src and b.tgt for b in pair.gold)
        for old, new in zip(aligned, pair.gold, strict=True):
            assert [original.src[i] for i in old.src] == [pair.src[i] for i in new.src]
            assert [original.tgt[j] for j in old.tgt] == [pair.tgt[j] for j in new.tgt]
        assert sum(len(b.src) for b in pair.gold) == len(pair.src)
        assert sum(len(b.tgt) for b in pair.gold) == len(pair.tgt)
