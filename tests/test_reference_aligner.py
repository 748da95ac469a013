"""bench/reference.py: the plain Bertalign-style aligner the quality benchmark compares with."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from tests.conftest import REPO

sys.path.append(str(REPO / "bench"))

import reference

WORDS = np.random.default_rng(3).normal(size=(40, 256))


def embed(texts: Sequence[str]) -> NDArray[np.float32]:
    """A text's vector: the sum of its words' random vectors (words are ``s0`` … ``s39``)."""
    return np.array([WORDS[[int(w[1:]) for w in t.split()]].sum(0) for t in texts], np.float32)


def shapes(src: list[str], tgt: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(bead.src, bead.tgt) for bead in reference.align(src, tgt, embed) if bead.kind != "1-1"]


def test_a_parallel_text_is_aligned_one_to_one() -> None:
    sentences = [f"s{i}" for i in range(40)]
    beads = reference.align(sentences, sentences, embed)
    assert [(b.src, b.tgt) for b in beads] == [((i,), (i,)) for i in range(40)]
    assert all(b.score is None for b in beads)


def test_a_merge_and_two_omissions_are_found() -> None:
    src = [f"s{i}" for i in range(40)]
    tgt = [f"s{i}" for i in range(40) if i not in (4, 7, 20)]
    tgt[3] = "s3 s4"
    assert shapes(src, tgt) == [((3, 4), (3,)), ((7,), ()), ((20,), ())]


def test_an_added_sentence_is_a_zero_to_one_bead() -> None:
    src = [f"s{i}" for i in range(40)]
    tgt = [*src[:30], "s30 s12 s5", *src[30:]]
    assert shapes(src, tgt) == [((), (30,))]


def test_an_empty_side_leaves_everything_out() -> None:
    beads = reference.align([], ["s1", "s2"], embed)
    assert [(b.src, b.tgt) for b in beads] == [((), (0,)), ((), (1,))]


def test_the_first_pass_chains_anchors_in_order() -> None:
    src = reference.Runs([f"s{i}" for i in range(40)], embed)
    tgt = reference.Runs([f"s{i}" for i in range(40) if i != 9], embed)
    anchors = reference._anchors(src, tgt)
    assert anchors == sorted(anchors)
    assert (8, 8) in anchors and (10, 9) in anchors and all(i != 9 for i, _ in anchors)
