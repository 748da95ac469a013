"""The semantic index's arrays and search, checked against brute force on random unit vectors.

These tests exercise the data structure (shared vectors, holes, compaction, the HNSW graph and
filters); ``tests/test_semantic.py`` tests semantic search end to end with the real model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from aligner import semantic_index
from aligner.semantic_index import (
    Additions,
    Generation,
    empty_generation,
    merged,
    nearest,
    open_generation,
    write_generation,
)

DIM = 32


def unit_vectors(count: int, seed: int) -> NDArray[np.float32]:
    vectors = np.random.default_rng(seed).standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def additions(
    keys: range, revision: int, texts: list[int], known: set[int], seed: int
) -> Additions:
    """Segments ``keys`` of ``revision``; segment i has text number ``texts[i]`` (equal numbers,
    equal vectors); texts in ``known`` are already in the index."""
    fresh = sorted(set(texts) - known)
    pool = unit_vectors(max(texts, default=0) + 1, seed)
    return Additions(
        np.array(list(keys), np.int64), np.full(len(keys), revision, np.int64),
        [digest(t) for t in texts], [digest(t) for t in fresh], pool[fresh].astype(np.float16),
    )  # fmt: skip


def digest(text_number: int) -> bytes:
    return (text_number + 1).to_bytes(16, "big")  # all zeros would mark a hole


def brute_force(
    generation: Generation, query: NDArray[np.float32], limit: int, allowed: list[int] | None
) -> list[tuple[int, float]]:
    scores = np.asarray(generation.vectors, np.float32)[generation.vector_ids] @ query
    rows = [
        r for r in range(generation.size) if allowed is None or generation.revisions[r] in allowed
    ]
    rows.sort(key=lambda r: (-scores[r], generation.keys[r]))
    return [(int(generation.keys[r]), float(scores[r])) for r in rows[:limit]]


def saved(generation: Generation, folder: Path, name: str) -> Generation:
    write_generation(folder, name, generation)
    return open_generation(folder, name, generation.graph is not None)


def test_segments_with_the_same_text_share_one_vector_and_tie_by_id() -> None:
    texts = [0, 1, 0, 2, 0, 1]
    built = merged(
        empty_generation(DIM), np.zeros(0, bool), additions(range(10, 16), 1, texts, set(), 1)
    )
    assert built.size == 6 and len(built.vectors) == 3 and built.live_vectors == 3
    assert built.vector_ids.tolist() == [0, 1, 0, 2, 0, 1]
    assert built.offsets.tolist() == [0, 3, 5, 6]
    assert built.by_vector.tolist() == [0, 2, 4, 1, 5, 3]
    query = np.asarray(built.vectors[0], np.float32)
    hits = nearest(built, query / np.linalg.norm(query), 4, None)
    assert [key for key, _ in hits[:3]] == [10, 12, 14]
    assert hits[0][1] == hits[2][1] > hits[3][1]


@pytest.mark.parametrize("through_graph", [False, True])
def test_search_matches_brute_force_with_and_without_filters(
    through_graph: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic_index, "HNSW_FROM", 1 if through_graph else 10**9)
    monkeypatch.setattr(semantic_index, "EXACT_SUBSET", 0 if through_graph else 10**9)
    texts = [i % 700 for i in range(1000)]  # 300 texts appear twice
    first = additions(range(1, 501), 1, texts[:500], set(), 2)
    built = merged(empty_generation(DIM), np.zeros(0, bool), first)
    second = additions(range(501, 1001), 2, texts[500:], set(texts[:500]), 2)
    built = saved(merged(built, np.ones(500, bool), second), tmp_path, "g1")
    assert (built.graph is not None) == through_graph and len(built.vectors) == 700
    for seed, allowed in enumerate([None, [1], [2], [1, 2], [3]]):
        query = unit_vectors(1, 100 + seed)[0]
        found = nearest(built, query, 10, None if allowed is None else np.array(allowed))
        expected = brute_force(built, query, 10, allowed)
        assert [k for k, _ in found] == [k for k, _ in expected]
        assert np.allclose([s for _, s in found], [s for _, s in expected], atol=1e-5)


def test_removed_segments_leave_holes_then_compaction_and_the_graph_follow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic_index, "HNSW_FROM", 1)
    monkeypatch.setattr(semantic_index, "EXACT_SUBSET", 0)
    nothing = additions(range(0), 0, [], set(), 3)
    revisions = [
        additions(range(r * 100, r * 100 + 100), r, list(range(r * 100, r * 100 + 100)), set(), 3)
        for r in range(1, 5)
    ]
    built = merged(empty_generation(DIM), np.zeros(0, bool), revisions[0])
    for number, more in enumerate(revisions[1:], start=2):
        built = saved(merged(built, np.ones(built.size, bool), more), tmp_path, f"g{number}")
    assert built.size == 400 and len(built.vectors) == 400
    keep_three = np.asarray(built.revisions) != 1
    holed = saved(merged(built, keep_three, nothing), tmp_path, "holes")
    assert holed.size == 300 and len(holed.vectors) == 400 and holed.live_vectors == 300
    assert len(holed.graph) == 300  # the removed vectors left the graph
    keep_one = np.asarray(holed.revisions) == 4
    compacted = saved(merged(holed, keep_one, nothing), tmp_path, "compacted")
    assert compacted.size == 100 and len(compacted.vectors) == 100 and len(compacted.graph) == 100
    for generation, allowed in ((holed, [2, 4]), (compacted, None), (compacted, [4])):
        query = unit_vectors(1, 7)[0]
        found = nearest(generation, query, 5, None if allowed is None else np.array(allowed))
        assert [k for k, _ in found] == [k for k, _ in brute_force(generation, query, 5, allowed)]
