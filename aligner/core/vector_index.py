"""The semantic index's files and search: distinct vectors, the segments sharing each, a graph.

A corpus repeats itself (headings such as "Notes", a text imported in several copies), and
segments with the same clean text have the same vector.  So the index stores each distinct
vector once (float32 rows of ``vectors``, keyed by a digest of the text) and maps every segment
to its row.  Exact search then scores each distinct vector once, and an HNSW graph never holds
a vector twice (exact duplicates would spend its links on each other and tie arbitrarily): a
million segments that are sixty copies of 16,000 texts need 16,000 vectors.

Search is exact below :data:`HNSW_FROM` distinct vectors: a float32 product, about 30 ms per
million vectors on two cores, and it never misses.  From there on a usearch HNSW graph over the
rows proposes candidates (``RERANK`` distinct vectors per hit wanted, more in proportion when a
filter keeps only a fraction of the segments), which are re-scored exactly together with the
rows added since the graph was built (the *buffer*, searched exactly, so a text imported into a
large corpus is found at once even where the graph would not lead to it); the graph is rebuilt
when the buffer passes :data:`REBUILD_FRACTION` of it.  A filter that keeps at most
:data:`EXACT_SUBSET` segments is searched exactly.  Equal scores are ordered by segment id.

Arrays of one *generation*, memory-mapped when searched:

- ``keys``: segment ids, ascending; ``revisions``: each segment's revision; ``vector_ids``:
  each segment's row in ``vectors``;
- ``by_vector`` and ``offsets``: the segment rows grouped by vector, in row order (rows of
  vector ``v`` are ``by_vector[offsets[v]:offsets[v + 1]]``);
- ``vectors`` and ``digests``: a row no segment uses any more is a hole (zeros, zero digest);
  a hole stays in the graph, leading to no segment, until holes are half of the rows and the
  rows are compacted (and the graph rebuilt).

The graph is a file of its own, shared by the generations that extend it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

HNSW_FROM = 2_000_000  # distinct vectors from which a graph is built
REBUILD_FRACTION = 0.1  # rebuild the graph when the buffer passes this share of it
EXACT_SUBSET = 100_000  # with a graph, a filter leaving at most this many segments goes exact
RERANK = 4  # graph candidates per hit wanted, re-scored exactly
GRAPH_FETCH_MAX = 20_000  # beyond this many graph candidates, a filtered search goes exact
EXACT_CHUNK = 65_536
GRAPH_DTYPE = "bf16"
GRAPH_CONNECTIVITY = 16
GRAPH_EXPANSION_ADD = 128
GRAPH_EXPANSION_SEARCH = 128
DIGEST_BYTES = 16

Ids = NDArray[np.int64]
Matrix = NDArray[np.float32]
ARRAYS = ("keys", "revisions", "vector_ids", "by_vector", "offsets", "vectors", "digests")


@dataclass(frozen=True)
class Generation:
    """One generation's arrays (see the module docstring) and its graph, if it has one."""

    keys: Ids
    revisions: Ids
    vector_ids: Ids
    by_vector: Ids
    offsets: Ids
    vectors: Matrix
    digests: NDArray[np.uint8]  # DIGEST_BYTES a row; all zeros for a hole
    graph: Any = None  # usearch.index.Index over rows [0, graph_rows)
    graph_file: str | None = None  # its file name, once saved
    graph_rows: int = 0

    @property
    def size(self) -> int:
        return len(self.keys)

    @property
    def live(self) -> NDArray[np.bool_]:
        """Which rows of ``vectors`` some segment uses."""
        return _live(self.digests)

    @property
    def live_vectors(self) -> int:
        return int(np.count_nonzero(self.live))


def _live(digests: NDArray[np.uint8]) -> NDArray[np.bool_]:
    return np.asarray(np.asarray(digests).any(axis=1), dtype=bool)


def empty_generation(dim: int) -> Generation:
    none = np.empty(0, np.int64)
    return Generation(
        none, none, none, none, np.zeros(1, np.int64), np.empty((0, dim), np.float32),
        np.zeros((0, DIGEST_BYTES), np.uint8),
    )  # fmt: skip


def digest_of(text_key: str) -> bytes:
    """The 16-byte digest under which a text's vector is stored (from its cache key)."""
    return bytes.fromhex(text_key)[:DIGEST_BYTES]


# --- files ------------------------------------------------------------------------------------


def array_path(folder: Path, generation: str, name: str) -> Path:
    return folder / f"{generation}.{name}.npy"


@lru_cache(maxsize=4)
def open_generation(
    folder: Path, generation: str, graph_file: str | None, graph_rows: int
) -> Generation:
    """Memory-map a generation (cached: a generation's files never change once written)."""
    arrays = {name: np.load(array_path(folder, generation, name), mmap_mode="r") for name in ARRAYS}
    if graph_file is None:
        return Generation(**arrays)
    from usearch.index import Index

    graph = Index.restore(str(folder / graph_file), view=True)
    if graph is None:
        raise OSError(f"{folder / graph_file}: not a usearch index")
    return Generation(**arrays, graph=graph, graph_file=graph_file, graph_rows=graph_rows)


def write_generation(folder: Path, generation: str, built: Generation) -> Generation:
    """Write a generation's arrays, and its graph if it is new; the generation as written.
    (The caller then writes ``meta.json``, which makes it the current one.)"""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ARRAYS:
        np.save(array_path(folder, generation, name), getattr(built, name))
    if built.graph is None or built.graph_file is not None:
        return built
    graph_file = f"{generation}.usearch"
    built.graph.save(str(folder / graph_file))
    return replace(built, graph_file=graph_file)


def remove_other_generations(folder: Path, current: Generation, generation: str) -> None:
    """Delete the files of earlier generations, keeping the current one's and its graph."""
    for path in folder.iterdir():
        if path.name in ("meta.json", current.graph_file):
            continue
        if not path.name.startswith(f"{generation}."):
            path.unlink(missing_ok=True)


# --- building a generation from the last one ----------------------------------------------------


def known_digests(old: Generation) -> dict[bytes, int]:
    """Row of each live vector of ``old`` by its digest."""
    digests = np.asarray(old.digests)
    return {digests[i].tobytes(): int(i) for i in np.flatnonzero(old.live)}


@dataclass(frozen=True)
class Additions:
    """New segments (ids, revisions, the digest of each one's text) and the vectors of the
    digests that the old generation does not have (``fresh_digests[i]`` ↔ ``fresh[i]``)."""

    keys: Ids
    revisions: Ids
    digests: list[bytes]
    fresh_digests: list[bytes]
    fresh: Matrix


def merged(old: Generation, keep: NDArray[np.bool_], new: Additions) -> Generation:
    """The next generation: ``old``'s segments where ``keep``, plus ``new``'s.  Old rows keep
    their numbers and fresh rows are appended, so the graph goes on serving the rows it has,
    until the rows are compacted (holes are half of them) or the buffer outgrows it."""
    rows = known_digests(old)
    for offset, digest in enumerate(new.fresh_digests):
        rows[digest] = len(old.digests) + offset
    vectors = np.concatenate([np.asarray(old.vectors), new.fresh])
    fresh_digests = np.frombuffer(b"".join(new.fresh_digests), np.uint8).reshape(-1, DIGEST_BYTES)
    digests = np.concatenate([np.asarray(old.digests), fresh_digests])
    new_ids = np.fromiter((rows[d] for d in new.digests), np.int64, len(new.digests))
    keys = np.concatenate([old.keys[keep], new.keys])
    order = np.argsort(keys, kind="stable")
    revisions = np.concatenate([old.revisions[keep], new.revisions])[order]
    vector_ids = np.concatenate([old.vector_ids[keep], new_ids])[order]
    used = np.zeros(len(vectors), bool)
    used[vector_ids] = True
    orphaned = np.flatnonzero(~used & _live(digests))
    vectors[orphaned] = 0
    digests[orphaned] = 0
    compact = np.count_nonzero(~used) * 2 > len(vectors)
    if compact:
        live = np.flatnonzero(used)
        renumber = np.full(len(vectors), -1, np.int64)
        renumber[live] = np.arange(len(live))
        vectors, digests, vector_ids = vectors[live], digests[live], renumber[vector_ids]
    by_vector = np.argsort(vector_ids, kind="stable").astype(np.int64)
    offsets = np.zeros(len(vectors) + 1, np.int64)
    np.cumsum(np.bincount(vector_ids, minlength=len(vectors)), out=offsets[1:])
    arrays = Generation(keys[order], revisions, vector_ids, by_vector, offsets, vectors, digests)
    return _with_graph(arrays, None if compact else old)


def _with_graph(arrays: Generation, old: Generation | None) -> Generation:
    """Keep ``old``'s graph while it still serves, build a new one, or have none (small)."""
    if arrays.live_vectors < HNSW_FROM:
        return arrays
    if old is not None and old.graph is not None:
        buffer = len(arrays.vectors) - old.graph_rows
        if buffer <= REBUILD_FRACTION * old.graph_rows:
            return replace(
                arrays, graph=old.graph, graph_file=old.graph_file, graph_rows=old.graph_rows
            )
    from usearch.index import Index

    graph = Index(
        ndim=arrays.vectors.shape[1], metric="cos", dtype=GRAPH_DTYPE,
        connectivity=GRAPH_CONNECTIVITY, expansion_add=GRAPH_EXPANSION_ADD,
        expansion_search=GRAPH_EXPANSION_SEARCH,
    )  # fmt: skip
    live = np.flatnonzero(arrays.live)
    graph.add(live.astype(np.uint64), arrays.vectors[live])
    return replace(arrays, graph=graph, graph_rows=len(arrays.vectors))


# --- searching ----------------------------------------------------------------------------------


def nearest(
    generation: Generation, query: Matrix, limit: int, allowed: Ids | None
) -> list[tuple[int, float]]:
    """(segment id, cosine) of the ``limit`` segments nearest ``query`` among the segments of
    the ``allowed`` revisions (all when None), most similar first, ties by segment id."""
    if allowed is None:
        rows: Ids | None = None
        wanted = generation.size
    else:
        rows = np.flatnonzero(np.isin(generation.revisions, allowed))
        wanted = len(rows)
    if wanted == 0:
        return []
    if generation.graph is not None and wanted > EXACT_SUBSET:
        candidates = _graph_candidates(generation, query, limit, wanted, allowed)
        if candidates is not None:
            rows = candidates
    return _best(generation, query, rows, limit)


def _graph_candidates(
    generation: Generation, query: Matrix, limit: int, wanted: int, allowed: Ids | None
) -> Ids | None:
    """Rows of the segments of the graph's nearest vectors that pass the filter (``RERANK``
    distinct vectors per hit wanted) and of the buffer's; None when the filter keeps so few
    segments that the graph cannot supply them cheaply."""
    unseen = generation.by_vector[generation.offsets[generation.graph_rows] :]
    buffer = _passing(generation, unseen, allowed)
    count = math.ceil(limit * RERANK * generation.size / wanted)
    while count <= GRAPH_FETCH_MAX:
        found = np.asarray(generation.graph.search(query, count, threads=1).keys, np.int64)
        rows = _passing(generation, _segments_of_vectors(generation, found), allowed)
        distinct = len(np.unique(generation.vector_ids[rows]))
        if distinct >= limit * RERANK or len(found) < count:
            return np.concatenate([rows, buffer])
        count *= 4
    return None


def _passing(generation: Generation, rows: Ids, allowed: Ids | None) -> Ids:
    rows = np.asarray(rows, np.int64)
    return rows if allowed is None else rows[np.isin(generation.revisions[rows], allowed)]


def _segments_of_vectors(generation: Generation, vector_rows: Ids) -> Ids:
    starts = generation.offsets[vector_rows]
    lengths = generation.offsets[vector_rows + 1] - starts
    shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.asarray(generation.by_vector[shift + np.arange(int(lengths.sum()))], np.int64)


def _best(
    generation: Generation, query: Matrix, rows: Ids | None, limit: int
) -> list[tuple[int, float]]:
    """Exact scores of ``rows`` (all segments when None), the best ``limit`` of them."""
    vector_ids = generation.vector_ids if rows is None else generation.vector_ids[rows]
    if rows is None or len(rows) * 4 > len(generation.vectors):
        scores = _scores(generation.vectors, query)[vector_ids]
    else:
        needed, where = np.unique(vector_ids, return_inverse=True)
        scores = _scores(generation.vectors, query, needed)[where]
    keys = generation.keys if rows is None else generation.keys[rows]
    if len(scores) > limit:  # all the segments that tie with the limit-th score, then by id
        floor = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        chosen = np.flatnonzero(scores >= floor)
        keys, scores = keys[chosen], scores[chosen]
    order = np.lexsort((keys, -scores))[:limit]
    return [(int(keys[i]), float(scores[i])) for i in order]


def _scores(vectors: Matrix, query: Matrix, rows: Ids | None = None) -> Matrix:
    total = len(vectors) if rows is None else len(rows)
    out = np.empty(total, np.float32)
    for start in range(0, total, EXACT_CHUNK):
        stop = min(start + EXACT_CHUNK, total)
        block = vectors[start:stop] if rows is None else vectors[rows[start:stop]]
        out[start:stop] = np.asarray(block, np.float32) @ query
    return out
