"""Vector indexes for semantic search, measured: exact numpy top-k against faiss, usearch, hnswlib
and sqlite-vec at 100,000 and 1,000,000 vectors of the default model's dimension.

Usage: python bench/vector_index.py [--sizes 100000,1000000] [--queries 200] [--vectors F.npz]

usearch is a dependency of aligner; the other candidates are not (``pip install faiss-cpu==1.15.1
hnswlib==0.8.0 sqlite-vec==0.1.9`` to measure them; a missing one is reported as unavailable).

The vectors come from real text: FLORES-200 devtest sentences in English, French, Russian and
Yiddish (``../shared/data/flores``), embedded as passages with the bundled model, as the
corpus's segments are.  Embedding a million unique sentences is out of reach on a CPU, so the
corpus is grown to each size from those real vectors: every extra vector is the normalised blend
``w·a + (1-w)·b`` of two real sentence vectors (``w`` uniform in [0.5, 1)), which stays on the
model's manifold without exact duplicates.  The queries are the English sentences embedded with
the ``query: `` prefix, as ``aligner search --semantic`` embeds them.

For each index: build time (including saving it to disk), the saved size, the time to open the
saved file again (what every ``aligner search`` process pays), single-query latency (median and
p95 of ``--queries`` queries, top 10) and recall@10 against exact float32 search.  A first table
measures whether E5's ``query: `` prefix helps cross-lingual retrieval.  ``--vectors`` keeps the
embeddings in a file so that a second run skips the embedding (about four minutes).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import SHARED_DATA, flores_lines
from numpy.typing import NDArray

from aligner.core import vector_index as semantic_index
from aligner.core.encoders import load_encoder
from aligner.core.vector_index import (
    Additions,
    empty_generation,
    merged,
    nearest,
    open_generation,
    write_generation,
)

FLORES = SHARED_DATA / "flores"
LANGUAGES = ("en", "fr", "ru", "yi")
TOP = 10
Matrix = NDArray[np.float32]
Search = Callable[[Matrix], NDArray[np.int64]]


@dataclass(frozen=True)
class RealVectors:
    passages: dict[str, Matrix]  # language → one row per FLORES sentence, "passage: " prefix
    queries: Matrix  # the English sentences with the "query: " prefix


@dataclass(frozen=True)
class Opened:
    search: Search
    bytes_on_disk: int
    open_seconds: float


@dataclass(frozen=True)
class Candidate:
    name: str
    build: Callable[[Matrix, Path], None]
    open: Callable[[Path], Search]


def real_vectors(cache: Path | None) -> RealVectors:
    if cache is not None and cache.exists():
        saved = np.load(cache)
        return RealVectors({k: saved[f"p_{k}"] for k in LANGUAGES}, saved["queries"])
    encoder = load_encoder()
    sentences = {k: flores_lines(k) for k in LANGUAGES}
    started = time.perf_counter()
    passages = {k: encoder.encode(texts) for k, texts in sentences.items()}
    queries = encoder.encode_queries(sentences["en"])
    count = sum(len(t) for t in sentences.values()) + len(sentences["en"])
    print(f"embedded {count} real sentences in {time.perf_counter() - started:.0f} s")
    if cache is not None:
        # numpy's stubs read a ** argument as possibly its allow_pickle flag
        save: Callable[..., None] = np.savez
        save(cache, queries=queries, **{f"p_{k}": v for k, v in passages.items()})
    return RealVectors(passages, queries)


# --- does the "query: " prefix help? ----------------------------------------------------------


def prefix_table(real: RealVectors) -> None:
    """Recall@1 of each translation among its language's sentences, and how often every
    translation of a query is in the top 3 of the pooled fr+ru+yi sentences."""
    n = len(real.queries)
    truth = np.arange(n)
    foreign = [k for k in LANGUAGES if k != "en"]
    pool = np.concatenate([real.passages[k] for k in foreign])
    rows = []
    for name, queries in (("query: ", real.queries), ("passage: ", real.passages["en"])):
        cells = [name.strip()]
        for language in foreign:
            best = (queries @ real.passages[language].T).argmax(axis=1)
            cells.append(f"{(best == truth).mean():.3f}")
        top3 = np.argsort(-(queries @ pool.T), axis=1)[:, :3] % n
        cells.append(f"{(top3 == truth[:, None]).all(axis=1).mean():.3f}")
        rows.append(cells)
    print(f"\nEnglish FLORES queries ({n}) against passages: does E5's query prefix help?")
    _print_table(["query prefix", *(f"{k} R@1" for k in foreign), "all 3 in top 3"], rows)


# --- a corpus of any size from the real vectors -------------------------------------------------


def grown_corpus(real: RealVectors, size: int, seed: int = 1938) -> Matrix:
    base = np.concatenate(list(real.passages.values()))
    out = np.empty((size, base.shape[1]), dtype=np.float32)
    head = min(size, len(base))
    out[:head] = base[:head]
    rng = np.random.default_rng(seed)
    for start in range(head, size, 100_000):
        stop = min(start + 100_000, size)
        a = base[rng.integers(len(base), size=stop - start)]
        b = base[rng.integers(len(base), size=stop - start)]
        w = rng.uniform(0.5, 1.0, size=(stop - start, 1)).astype(np.float32)
        blend = w * a + (1 - w) * b
        out[start:stop] = blend / np.linalg.norm(blend, axis=1, keepdims=True)
    return out


def exact_top(data: Matrix, queries: Matrix) -> NDArray[np.int64]:
    scores = queries @ data.T
    top = np.argpartition(-scores, TOP, axis=1)[:, :TOP]
    order = np.take_along_axis(scores, top, axis=1).argsort(axis=1)[:, ::-1]
    return np.take_along_axis(top, order, axis=1).astype(np.int64)


# --- the candidates ----------------------------------------------------------------------------


def _numpy_build(data: Matrix, folder: Path) -> None:
    np.save(folder / "vectors.npy", data)


def _numpy_open(folder: Path) -> Search:
    data = np.load(folder / "vectors.npy", mmap_mode="r")
    return lambda q: exact_top(data, q)


def _faiss_build(factory: str) -> Callable[[Matrix, Path], None]:
    def build(data: Matrix, folder: Path) -> None:
        import faiss

        index = faiss.index_factory(data.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
        index.train(data[:100_000])
        index.add(data)
        faiss.write_index(index, str(folder / "index.faiss"))

    return build


def _faiss_open(data: Matrix | None = None, ef_search: int = 64) -> Callable[[Path], Search]:
    def open_(folder: Path) -> Search:
        import faiss

        index = faiss.read_index(str(folder / "index.faiss"))
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = ef_search
        return lambda q: index.search(q, TOP)[1].astype(np.int64)

    return open_


def _usearch_build(dtype: str) -> Callable[[Matrix, Path], None]:
    def build(data: Matrix, folder: Path) -> None:
        from usearch.index import Index

        index = Index(ndim=data.shape[1], metric="cos", dtype=dtype, connectivity=16,
                      expansion_add=128, expansion_search=64)  # fmt: skip
        index.add(np.arange(len(data), dtype=np.uint64), data)
        index.save(str(folder / "index.usearch"))

    return build


def _usearch_open(folder: Path) -> Search:
    from usearch.index import Index

    index = Index.restore(str(folder / "index.usearch"), view=True)
    assert index is not None
    return lambda q: np.asarray(index.search(q, TOP).keys, dtype=np.int64).reshape(len(q), -1)


def _usearch_exact_build(data: Matrix, folder: Path) -> None:
    np.save(folder / "vectors.npy", data.astype(np.float16))


def _usearch_exact_open(folder: Path) -> Search:
    from usearch.index import search

    data = np.load(folder / "vectors.npy", mmap_mode="r")

    def run(q: Matrix) -> NDArray[np.int64]:
        found = search(data, q.astype(np.float16), TOP, "cos", exact=True)
        return np.asarray(found.keys, dtype=np.int64).reshape(len(q), -1)

    return run


def _hnswlib_build(data: Matrix, folder: Path) -> None:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=data.shape[1])
    index.init_index(max_elements=len(data), M=16, ef_construction=128)
    index.add_items(data, np.arange(len(data)))
    index.save_index(str(folder / "index.hnsw"))


def _hnswlib_open(folder: Path) -> Search:
    import hnswlib

    index = hnswlib.Index(space="ip", dim=384)
    index.load_index(str(folder / "index.hnsw"))
    index.set_ef(64)
    return lambda q: index.knn_query(q, k=TOP)[0].astype(np.int64)


def _sqlite_vec_connection(path: Path) -> sqlite3.Connection:
    import sqlite_vec

    connection = sqlite3.connect(path)
    if not hasattr(connection, "enable_load_extension"):
        raise RuntimeError("this Python's sqlite3 cannot load extensions")
    connection.enable_load_extension(True)
    sqlite_vec.load(connection)
    return connection


def _sqlite_vec_build(data: Matrix, folder: Path) -> None:
    connection = _sqlite_vec_connection(folder / "vec.sqlite")
    connection.execute(f"CREATE VIRTUAL TABLE v USING vec0(embedding float[{data.shape[1]}])")
    connection.executemany(
        "INSERT INTO v(rowid, embedding) VALUES (?, ?)",
        ((i, row.tobytes()) for i, row in enumerate(data)),
    )
    connection.commit()
    connection.close()


def _sqlite_vec_open(folder: Path) -> Search:
    connection = _sqlite_vec_connection(folder / "vec.sqlite")
    sql = "SELECT rowid FROM v WHERE embedding MATCH ? ORDER BY distance LIMIT ?"

    def run(q: Matrix) -> NDArray[np.int64]:
        return np.array(
            [[r for (r,) in connection.execute(sql, (row.tobytes(), TOP))] for row in q],
            dtype=np.int64,
        )

    return run


def _aligner_build(graph: bool) -> Callable[[Matrix, Path], None]:
    """What ``aligner index`` writes: float32 rows, searched exactly, and with ``graph`` (as
    from ``HNSW_FROM`` distinct vectors) a bfloat16 usearch graph."""

    def build(data: Matrix, folder: Path) -> None:
        keys = np.arange(1, len(data) + 1, dtype=np.int64)
        digests = [int(k).to_bytes(16, "big") for k in keys]
        new = Additions(keys, keys, digests, digests, data)
        threshold = semantic_index.HNSW_FROM
        semantic_index.HNSW_FROM = 1 if graph else len(data) + 1
        try:
            built = merged(empty_generation(data.shape[1]), np.zeros(0, bool), new)
        finally:
            semantic_index.HNSW_FROM = threshold
        written = write_generation(folder, "g", built)
        (folder / "graph").write_text(f"{written.graph_file or ''}\n{written.graph_rows}\n")

    return build


def _aligner_open(folder: Path) -> Search:
    graph_file, graph_rows = (folder / "graph").read_text().splitlines()
    generation = open_generation(folder, "g", graph_file or None, int(graph_rows))
    exact_subset = semantic_index.EXACT_SUBSET

    def run(q: Matrix) -> NDArray[np.int64]:
        semantic_index.EXACT_SUBSET = 0  # unfiltered: the graph whenever there is one
        try:
            return np.array([[k - 1 for k, _ in nearest(generation, row, TOP, None)] for row in q])
        finally:
            semantic_index.EXACT_SUBSET = exact_subset

    return run


CANDIDATES = [
    Candidate("numpy exact f32", _numpy_build, _numpy_open),
    Candidate("faiss Flat exact f32", _faiss_build("Flat"), _faiss_open()),
    Candidate("faiss SQfp16 exact", _faiss_build("SQfp16"), _faiss_open()),
    Candidate("usearch exact f16", _usearch_exact_build, _usearch_exact_open),
    Candidate("faiss HNSW32 f32", _faiss_build("HNSW32"), _faiss_open()),
    Candidate("hnswlib HNSW16 f32", _hnswlib_build, _hnswlib_open),
    Candidate("usearch HNSW16 f16", _usearch_build("f16"), _usearch_open),
    Candidate("usearch HNSW16 i8", _usearch_build("i8"), _usearch_open),
    Candidate("sqlite-vec exact f32", _sqlite_vec_build, _sqlite_vec_open),
    Candidate("aligner exact", _aligner_build(graph=False), _aligner_open),
    Candidate("aligner graph: usearch bf16, re-scored", _aligner_build(graph=True), _aligner_open),
]


# --- measuring -----------------------------------------------------------------------------------


def measure(
    candidate: Candidate, data: Matrix, queries: Matrix, truth: NDArray[np.int64]
) -> list[str] | str:
    """A row of the table, or why the candidate could not be measured."""
    with tempfile.TemporaryDirectory(prefix="vector-index-") as tmp:
        folder = Path(tmp)
        try:
            started = time.perf_counter()
            candidate.build(data, folder)
            built = time.perf_counter() - started
            started = time.perf_counter()
            search = candidate.open(folder)
            search(queries[:1])
            opened = time.perf_counter() - started
        except (ImportError, RuntimeError) as exc:
            return f"{candidate.name}: unavailable: {exc}"
        size = sum(f.stat().st_size for f in folder.iterdir())
        latencies, found = [], []
        for row in queries:
            started = time.perf_counter()
            found.append(search(row[None, :])[0])
            latencies.append(time.perf_counter() - started)
    recall = np.mean([len(set(f[:TOP]) & set(t)) / TOP for f, t in zip(found, truth, strict=True)])
    ms = np.array(latencies) * 1000
    return [
        candidate.name, f"{built:.1f}", f"{size / 2**20:.0f}", f"{opened * 1000:.0f}",
        f"{np.median(ms):.2f}", f"{np.percentile(ms, 95):.2f}", f"{recall:.3f}",
    ]  # fmt: skip


def _print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(c)) for c in column) for column in zip(headers, *rows, strict=True)]
    for cells in [headers, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--vectors", type=Path, help="keep the real embeddings in this .npz")
    parser.add_argument("--only", help="comma-separated candidate names to run (substrings)")
    args = parser.parse_args()
    if not FLORES.is_dir():
        print(f"skipped: {FLORES} is absent (FLORES-200 devtest is needed for real vectors)")
        return
    real = real_vectors(args.vectors)
    prefix_table(real)
    queries = real.queries[: args.queries]
    chosen = [
        c for c in CANDIDATES if not args.only or any(s in c.name for s in args.only.split(","))
    ]
    real_count = sum(len(v) for v in real.passages.values())
    for size in (int(s) for s in args.sizes.split(",")):
        data = grown_corpus(real, size)
        truth = exact_top(data, queries)
        print(
            f"\n{size:,} vectors of dimension {data.shape[1]}: {min(size, real_count):,} real "
            f"FLORES sentence vectors (en, fr, ru, yi), the rest blends of two of them; "
            f"{len(queries)} real English queries, top {TOP}"
        )
        measured = [measure(candidate, data, queries, truth) for candidate in chosen]
        _print_table(
            ["index", "build s", "MiB", "open ms", "median ms", "p95 ms", f"recall@{TOP}"],
            [row for row in measured if isinstance(row, list)],
        )
        for note in measured:
            if isinstance(note, str):
                print(note)


if __name__ == "__main__":
    main()
