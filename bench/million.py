"""Query latency at a million segments: concordance and semantic search, SQLite and PostgreSQL.

Usage:
  python bench/million.py load --db URL [--segments 1000000] [--no-semantic] [--vectors F.npz]
  python bench/million.py time --db URL [--db URL2] [--queries 70] [--semantic-queries 40]
                               [--repeat 3] [--seed 1938]

``load`` builds a normal aligner database (all migrations, full-text index) from the real texts
of ``../shared/data`` (FLORES-200 devtest, the five TransRead novels, Text+Berg, Bilinguator;
see ``million_corpus.py``), with their gold alignments stored as runs, so every hit has
counterparts.  The real works hold 16,255 segments; to reach ``--segments`` they are loaded
again as numbered copies (``flores-devtest-c07``), which the output says.  A PostgreSQL
database named in the URL is created when it does not exist; loading again carries on where
an interrupted load stopped.  Then every distinct text gets its real vector in the embedding
cache (embedded once, kept in ``--vectors`` for the next database) and ``aligner index``'s
``build_index`` makes the semantic index; ``--no-semantic`` skips both.

``time`` draws a fixed, seeded list of queries from the real texts (see ``million_queries.py``:
frequent, middling and rare words, phrases, accent-free spellings, Yiddish without points,
language filters, a common word filtered to a language that lacks it; sentences and phrases
for semantic search, some with a gold translation to find), runs each once to warm up, then
``--repeat`` times through ``Corpus.search`` or ``semantic_search`` (query embedding included),
and prints the median and 95th percentile latency per kind of query and per database.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import time
from collections.abc import Sequence
from pathlib import Path

from _common import BENCH_CACHE
from million_corpus import RealWork, real_works
from million_load import loaded_copies, segment_total, store_copy, store_documents
from million_queries import (
    SEMANTIC,
    Query,
    concordance_queries,
    corpus_stats,
    semantic_queries,
)
from million_timing import Timed, count_segments, print_slowest, print_table, time_all
from million_vectors import VectorFile, distinct_texts, store_vectors
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aligner.core.encoders import Encoder, load_encoder
from aligner.services.corpus_api import Corpus
from aligner.store.session import Database, sqlite_path

DEFAULT_SEGMENTS = 1_000_000
VECTOR_FILE = BENCH_CACHE / "million-vectors.npz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="build the corpus in a database")
    load.add_argument("--db", required=True, help="SQLAlchemy URL")
    load.add_argument("--segments", type=int, default=DEFAULT_SEGMENTS)
    load.add_argument(
        "--no-semantic", action="store_true",
        help="skip the vectors and the semantic index (concordance only)",
    )  # fmt: skip
    load.add_argument(
        "--vectors", type=Path, default=VECTOR_FILE,
        help=f"keeps the real vectors between loads (default {VECTOR_FILE})",
    )  # fmt: skip
    timing = commands.add_parser("time", help="time queries on loaded databases")
    timing.add_argument("--db", required=True, action="append", help="URL (repeatable)")
    timing.add_argument("--queries", type=int, default=70, help="concordance queries")
    timing.add_argument("--semantic-queries", type=int, default=40)
    timing.add_argument("--repeat", type=int, default=3)
    timing.add_argument("--seed", type=int, default=1938)
    args = parser.parse_args()
    works = real_works()
    if args.command == "load":
        load_corpus(args.db, works, args.segments)
        if not args.no_semantic and semantic_available():
            load_vectors(args.db, works, args.vectors)
            build_semantic_index(args.db)
    else:
        stats = corpus_stats(works)
        queries = concordance_queries(stats, args.queries, args.seed)
        queries += semantic_queries(works, stats, args.semantic_queries, args.seed)
        time_queries(args.db, queries, args.repeat)


def semantic_available() -> bool:
    """Whether this aligner has semantic search (``aligner.services.semantic_search``)."""
    if importlib.util.find_spec("aligner.services.semantic_search") is None:
        print("semantic search: aligner.services.semantic_search is absent; concordance only")
        return False
    return True


def load_corpus(url: str, works: Sequence[RealWork], target: int) -> None:
    """Copies of ``works`` until the database holds ``target`` segments; prints what it did."""
    create_postgres_database(url)
    started = time.perf_counter()
    with Database(url) as database:
        prepare_schema(database)
        with database.engine.begin() as connection:
            documents = store_documents(connection, works)
            first = copy = loaded_copies(connection, works)
            total = segment_total(connection)
        per_copy = sum(w.segment_count for w in works)
        distinct = len({s.text for w in works for v in w.versions for s in v.segments})
        print(
            f"real works: {len(works)}, {per_copy:,} segments ({distinct:,} distinct texts) "
            f"per copy; the database holds {copy} copies, {total:,} segments"
        )
        while total < target:
            copy_started = time.perf_counter()
            with database.engine.begin() as connection:
                counts = store_copy(connection, works, copy, documents)
            total += counts.segments
            print(
                f"copy {copy:3d}: {counts.segments:,} segments, {counts.links:,} links in "
                f"{time.perf_counter() - copy_started:.1f} s; {total:,} segments in all",
                flush=True,
            )
            copy += 1
        analyze(database)
        print(
            f"{copy - first} copies loaded in {time.perf_counter() - started:.0f} s; the database "
            f"holds {total:,} segments = {copy} copies of the {per_copy:,} real segments "
            f"({distinct:,} distinct texts; copy 0 keeps the works' slugs, copy k is SLUG-cKK); "
            f"database size {database_size(database) / 2**20:,.0f} MiB"
        )


def prepare_schema(database: Database) -> None:
    """A new database gets every migration; one made by an older aligner is upgraded."""
    if database.current_revision() is None:
        database.ensure_ready(create=True)
    else:
        database.upgrade()


def load_vectors(url: str, works: Sequence[RealWork], path: Path) -> None:
    """A real vector for every distinct text, in the embedding cache (and in ``path``)."""
    encoder = load_encoder()
    chosen = distinct_texts(works)
    path.parent.mkdir(parents=True, exist_ok=True)
    vectors = VectorFile(path, encoder.model_id)
    started = time.perf_counter()
    embedded = vectors.fill(encoder, chosen)
    embed_seconds = time.perf_counter() - started
    started = time.perf_counter()
    with Database(url) as database, database.engine.begin() as connection:
        added = store_vectors(connection, encoder.model_id, {k: vectors.vectors[k] for k in chosen})
    print(
        f"vectors: all {len(chosen):,} distinct texts ({embedded:,} embedded now in "
        f"{embed_seconds:.0f} s, the rest read from {path}); {added:,} added to the embedding "
        f"cache in {time.perf_counter() - started:.1f} s, so every segment of every copy has "
        f"its real vector ({encoder.model_id})"
    )


def build_semantic_index(url: str) -> None:
    from aligner.services.semantic import build_index

    encoder = load_encoder()
    started = time.perf_counter()
    with Database(url) as database, database.session() as session:
        info = build_index(session, encoder)
    how = "HNSW graph" if info.hnsw else "exact search"
    print(
        f"semantic index: {info.segments:,} segments sharing {info.vectors:,} distinct vectors "
        f"({info.embedded:,} texts embedded, the rest from the cache; {how}), built in "
        f"{time.perf_counter() - started:.0f} s; {info.location} "
        f"({folder_size(info.location) / 2**20:,.0f} MiB)"
    )


def time_queries(urls: Sequence[str], queries: Sequence[Query], repeat: int) -> None:
    wants_semantic = any(q.kind == SEMANTIC for q in queries) and semantic_available()
    encoder = load_encoder() if wants_semantic else None
    results: dict[str, list[Timed]] = {}
    sizes: dict[str, int] = {}
    for url in urls:
        with Corpus(url) as corpus:
            name = f"{corpus.database.engine.dialect.name} ({corpus.database.name})"
            sizes[name] = count_segments(corpus)
            usable = (
                encoder if encoder is not None and has_semantic_index(corpus, encoder) else None
            )
            before = os.getloadavg()[0]
            results[name] = time_all(corpus, queries, repeat, usable)
            print(
                f"{name}: {sizes[name]:,} segments; timed with the machine's 1-minute load "
                f"average at {before:.1f} before and {os.getloadavg()[0]:.1f} after",
                flush=True,
            )
    print_table(results, sizes, repeat)
    print_slowest(results)


def has_semantic_index(corpus: Corpus, encoder: Encoder) -> bool:
    from aligner.services.semantic_files import SemanticIndexError
    from aligner.services.semantic_search import semantic_search

    try:
        with corpus.database.session() as session:
            semantic_search(session, encoder, "probe", limit=1)
    except SemanticIndexError as exc:
        print(f"{corpus.database.name}: no semantic timing: {exc}")
        return False
    return True


def create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if the server lacks it."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        return
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
            )
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
                print(f"created the PostgreSQL database {parsed.database}")
    finally:
        server.dispose()


def analyze(database: Database) -> None:
    """PostgreSQL: planner statistics now, as autovacuum would gather them after a large load.

    SQLite is left as ``aligner import`` leaves it (aligner never runs ANALYZE there).
    """
    if database.engine.dialect.name != "postgresql":
        return
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def database_size(database: Database) -> int:
    path = sqlite_path(database.url)
    if path is not None:
        return sum(p.stat().st_size for p in _sqlite_files(path))
    with database.engine.connect() as connection:
        return int(connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _sqlite_files(path: Path) -> list[Path]:
    candidates = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return [p for p in candidates if p.exists()]


if __name__ == "__main__":
    main()
