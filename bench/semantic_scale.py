"""Semantic search end to end at a million *distinct* segments: ``build_index`` and
``semantic_search`` (the query's embedding included) on a real aligner database.

Usage: python bench/semantic_scale.py --db URL [--works 250] [--vectors F.npz] [--graph]

``bench/million.py`` times a million segments that are copies of 16,174 texts, which the index
stores as 16,174 vectors.  Here every segment has a vector of its own: the FLORES-200 devtest
sentences in English, French, Russian and Yiddish (4,048, embedded once with the bundled model
as passages, as ``bench/vector_index.py`` does) are loaded as ``--works`` works of four versions
each; in work ``w > 0`` each sentence gets the suffix `` [w]`` and, in the embedding cache, the
normalised blend ``a·v + (1-a)·u`` of its real vector ``v`` with another sentence's ``u`` of
the same language (``a`` uniform in [0.5, 1)).  The database is built by bulk inserts (all
migrations, full-text triggers included), the vectors go straight into the embedding cache, and
``build_index`` is timed (it embeds nothing).  Then 40 English FLORES sentences are searched
(embedded with the ``query: `` prefix) without a filter, with ``languages=["fr"]``,
``["yi", "ru"]`` and one work; after one warm-up query, median and p95 in ms, and how often the
top hit is the query's sentence or one of its translations.  ``--graph`` builds the HNSW graph
however few the vectors (it is otherwise built from 2,000,000).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from _common import flores_lines, print_header, print_row
from sqlalchemy import insert
from vector_index import FLORES, LANGUAGES, RealVectors, real_vectors

from aligner.core import vector_index as semantic_index
from aligner.core.encoders import Encoder, load_encoder, text_key
from aligner.services.semantic import build_index
from aligner.services.semantic_search import semantic_search
from aligner.store.models import Embedding, Revision, Segment, SourceDocument, Version, Work
from aligner.store.session import Database

QUERIES = range(0, 1000, 25)
NOW = datetime.now(UTC)


def load(db: Database, real: RealVectors, encoder: Encoder, works: int) -> int:
    sentences = {k: flores_lines(k) for k in LANGUAGES}
    rng = np.random.default_rng(1938)
    segment_id = 0
    with db.engine.begin() as connection:
        connection.execute(insert(SourceDocument), [{
            "id": 1, "sha256": "0" * 64, "filename": "flores", "encoding": "utf-8", "size": 1,
            "raw": b"-", "text": "-", "imported_at": NOW,
        }])  # fmt: skip
        connection.execute(
            insert(Work),
            [{"id": w + 1, "slug": f"flores-{w}", "created_at": NOW} for w in range(works)],
        )
    for w in range(works):
        segments, vectors = [], []
        with db.engine.begin() as connection:
            for j, language in enumerate(LANGUAGES):
                version = w * len(LANGUAGES) + j + 1
                connection.execute(insert(Version), [{
                    "id": version, "work_id": w + 1, "label": language, "language": language,
                    "script": "Hebr" if language == "yi" else "Latn",
                    "direction": "rtl" if language == "yi" else "ltr",
                    "role": "original" if language == "en" else "translation",
                    "created_at": NOW,
                }])  # fmt: skip
                connection.execute(insert(Revision), [{
                    "id": version, "version_id": version, "number": 1, "source_document_id": 1,
                    "char_start": 0, "char_end": 1, "sha256": f"{version:064x}",
                    "segmentation": {}, "apparatus": {}, "imported_at": NOW,
                }])  # fmt: skip
                for i, sentence in enumerate(sentences[language]):
                    segment_id += 1
                    text = sentence if w == 0 else f"{sentence} [{w}]"
                    segments.append({
                        "id": segment_id, "revision_id": version, "position": i, "kind": "sentence",
                        "paragraph": i, "sentence": 0, "start": 0, "end": 1, "text": text,
                    })  # fmt: skip
                    vector = real.passages[language][i]
                    if w:
                        other = real.passages[language][rng.integers(len(sentences[language]))]
                        a = rng.uniform(0.5, 1.0)
                        vector = a * vector + (1 - a) * other
                        vector = vector / np.linalg.norm(vector)
                    vectors.append({
                        "model": encoder.model_id, "text_sha256": text_key(text),
                        "dim": encoder.dim, "vector": vector.astype(np.float32).tobytes(),
                        "created_at": NOW,
                    })  # fmt: skip
            connection.execute(insert(Segment), segments)
            connection.execute(insert(Embedding), vectors)
    return segment_id


def timed_queries(db: Database, encoder: Encoder, works: int) -> None:
    english = flores_lines("en")
    with db.session() as session:
        semantic_search(session, encoder, "warm-up")
    print_header("filter", "median ms", "p95 ms", "top hit: the sentence or a translation")
    for name, filters in (
        ("none", {}),
        ('languages=["fr"]', {"languages": ["fr"]}),
        ('languages=["yi", "ru"]', {"languages": ["yi", "ru"]}),
        (f"work=flores-{works // 2}", {"work": f"flores-{works // 2}"}),
    ):
        seconds, right = [], 0
        for i in QUERIES:
            with db.session() as session:
                started = time.perf_counter()
                hits = semantic_search(session, encoder, english[i], **filters)
                seconds.append(time.perf_counter() - started)
                top = session.get(Segment, hits[0].segment_id)
                right += top is not None and top.position == i
        ms = np.array(seconds) * 1000
        print_row(
            name, f"{np.median(ms):.1f}", f"{np.percentile(ms, 95):.1f}", f"{right}/{len(ms)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="an empty database (created if need be)")
    parser.add_argument("--works", type=int, default=250)
    parser.add_argument("--vectors", type=Path, help="keep the real embeddings in this .npz")
    parser.add_argument("--graph", action="store_true", help="build the HNSW graph anyway")
    args = parser.parse_args()
    if not FLORES.is_dir():
        print(f"skipped: {FLORES} is absent (FLORES-200 devtest is needed for real vectors)")
        return
    if args.graph:
        semantic_index.HNSW_FROM = 1
    real, encoder = real_vectors(args.vectors), load_encoder()
    with Database(args.db) as db:
        db.upgrade()
        started = time.perf_counter()
        count = load(db, real, encoder, args.works)
        took = time.perf_counter() - started
        print(f"loaded {count:,} segments, each with its own vector, in {took:.0f} s")
        with db.session() as session:
            started = time.perf_counter()
            info = build_index(session, encoder)
        how, took = "HNSW graph" if info.hnsw else "exact search", time.perf_counter() - started
        print(
            f"build_index: {info.segments:,} segments, {info.vectors:,} distinct vectors, "
            f"{how}, {took:.0f} s"
        )
        timed_queries(db, encoder, args.works)


if __name__ == "__main__":
    main()
