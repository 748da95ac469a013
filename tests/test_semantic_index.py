"""The semantic index's arrays and search, checked against brute force on random unit vectors.

These tests exercise the data structure (shared vectors, holes, compaction, the HNSW graph and
filters); ``tests/test_semantic.py`` tests semantic search end to end with the real model.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from aligner.core import vector_index as semantic_index
from aligner.core.vector_index import (
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
    normalised: NDArray[np.float32] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return normalised


def additions(
    keys: range, revision: int, texts: list[int], known: set[int], seed: int
) -> Additions:
    """Segments ``keys`` of ``revision``; segment i has text number ``texts[i]`` (equal numbers,
    equal vectors); texts in ``known`` are already in the index."""
    fresh = sorted(set(texts) - known)
    pool = unit_vectors(max(texts, default=0) + 1, seed)
    return Additions(
        np.array(list(keys), np.int64), np.full(len(keys), revision, np.int64),
        [digest(t) for t in texts], [digest(t) for t in fresh], pool[fresh],
    )  # fmt: skip


def digest(text_number: int) -> bytes:
    return (text_number + 1).to_bytes(16, "big")  # all zeros would mark a hole


def brute_force(
    generation: Generation, query: NDArray[np.float32], allowed: list[int] | None
) -> dict[int, float]:
    """The cosine of every segment the filter keeps, by segment id."""
    scores = np.asarray(generation.vectors)[generation.vector_ids] @ query
    return {
        int(key): float(score)
        for key, score, revision in zip(generation.keys, scores, generation.revisions, strict=True)
        if allowed is None or revision in allowed
    }


def check(
    generation: Generation, seed: int, allowed: list[int] | None, *, exact: bool, limit: int = 10
) -> None:
    """Hits pass the filter, carry their exact cosine, come best first (ties by id), and are
    the true nearest (exact search) or all but at most one of them (through the graph)."""
    query = unit_vectors(1, seed)[0]
    found = nearest(generation, query, limit, None if allowed is None else np.array(allowed))
    truth = brute_force(generation, query, allowed)
    best = sorted(truth, key=lambda key: (-truth[key], key))[:limit]
    assert len(found) == len(best)
    assert all(abs(truth[key] - score) < 1e-5 for key, score in found)
    assert found == sorted(found, key=lambda hit: (-hit[1], hit[0]))
    if exact:
        assert [key for key, _ in found] == best
    else:
        assert len({key for key, _ in found} & set(best)) >= len(best) - 1


def saved(generation: Generation, folder: Path, name: str) -> Generation:
    written = write_generation(folder, name, generation)
    return open_generation(folder, name, written.graph_file, written.graph_rows)


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
        check(built, 100 + seed, allowed, exact=not through_graph)


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
    assert built.size == 400 and len(built.vectors) == 400 and len(built.graph) == 400
    holed = saved(merged(built, np.asarray(built.revisions) != 1, nothing), tmp_path, "holes")
    assert holed.size == 300 and len(holed.vectors) == 400 and holed.live_vectors == 300
    assert len(holed.graph) == 400  # the holes stay in the graph and lead to no segment
    compacted = saved(merged(holed, np.asarray(holed.revisions) == 4, nothing), tmp_path, "c")
    assert compacted.size == 100 and len(compacted.vectors) == 100
    assert len(compacted.graph) == 100  # rebuilt over the live rows
    assert compacted.vector_ids.tolist() == list(range(100))
    for generation, allowed in (
        (holed, None),
        (holed, [2, 4]),
        (compacted, None),
        (compacted, [4]),
    ):
        for seed in range(5):
            check(generation, seed, allowed, exact=False)


def test_rows_added_after_the_graph_are_searched_exactly_until_it_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic_index, "HNSW_FROM", 1)
    monkeypatch.setattr(semantic_index, "EXACT_SUBSET", 0)
    first = additions(range(1000), 1, list(range(1000)), set(), 4)
    built = saved(merged(empty_generation(DIM), np.zeros(0, bool), first), tmp_path, "g1")
    assert built.graph_rows == 1000 and built.graph_file == "g1.usearch"
    texts = list(range(1000, 1050))
    more = additions(range(1000, 1050), 2, texts, set(range(1000)), 5)
    extended = saved(merged(built, np.ones(1000, bool), more), tmp_path, "g2")
    assert extended.graph_file == "g1.usearch" and extended.graph_rows == 1000  # the buffer: 50
    for row in range(1000, 1050):  # every added vector is its own nearest segment
        query = np.asarray(extended.vectors[row])
        assert nearest(extended, query, 1, None)[0][0] == row
    for seed in range(5):
        check(extended, 10 + seed, None, exact=False)
        check(extended, 20 + seed, [2], exact=False)
    most = additions(range(1050, 1150), 3, list(range(1050, 1150)), set(range(1050)), 6)
    rebuilt = saved(merged(extended, np.ones(1050, bool), most), tmp_path, "g3")
    assert rebuilt.graph_file == "g3.usearch" and rebuilt.graph_rows == 1150  # buffer > 10%
