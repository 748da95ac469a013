"""Concordance query time (``aligner.Corpus.search``) on a corpus grown to N segments.

Usage: python bench/search.py --db URL [--segments 1000000] [--repeat 5]

Imports the bundled corpus into the (empty) database named by URL, aligns the English
introduction with its French and Yiddish demonstration texts, then copies every work, version,
revision, segment, run and link until the database holds about N segments (the copies are new
works, so every copy is a current revision and the full-text index holds all of them).  Prints
how long the copying (and the index upkeep) took, then for each query the median and worst time
of ``--repeat`` runs of ``Corpus.search`` (hits, KWIC and counterparts; the first run is a
warm-up and not counted).  Texts are the corpus's real sentences, so each word is as frequent
as in the corpus, times the number of copies.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import REPO
from sqlalchemy import Connection, text

from aligner.services.corpus_api import Corpus
from aligner.store.session import Database

WORK = "why-we-quit-1938-introduction"


def queries(copies: int) -> list[tuple[str, dict[str, object]]]:
    """Each query and its options; ``copies`` names a work in the middle of the database."""
    return [
        ("party", {}),  # in about 1 segment of 8
        ("party", {"lang": "yi"}),  # common word, none of its hits in the language asked for
        ("the Communist Party", {}),
        ("Jaurès", {"tgt": "fr"}),
        ("jaures", {"lang": "fr"}),
        ("פארוואס", {}),
        ("בילבול פראצעסן", {}),
        ("Sneevliet", {}),  # in 1 segment of about 1,100
        ("Lafayette", {"work": f"{WORK}-copy-{copies // 2}"}),  # in none of its segments
        ("nonexistentword", {}),
        (r"Jaur[eè]s\b", {"regex": True}),
    ]


def aligner(url: str, *args: str) -> None:
    command = [str(Path(sys.executable).with_name("aligner")), "--db", url, "--quiet", *args]
    subprocess.run(command, check=True, capture_output=True, cwd=REPO)


def max_id(connection: Connection, table: str) -> int:
    return int(connection.execute(text(f"SELECT max(id) FROM {table}")).scalar_one())


# Each table's columns, and what a copy puts in them (offsets by the base's largest ids).
COPIES: dict[str, dict[str, str]] = {
    "works": {"id": "id + :works", "slug": "slug || '-copy-' || :copy", "title": "title",
              "author": "author", "date_written": "date_written", "notes": "notes",
              "created_at": "created_at"},
    "versions": {"id": "id + :versions", "work_id": "work_id + :works", "label": "label",
                 "language": "language", "script": "script", "direction": "direction",
                 "role": "role", "translation_of_id": "translation_of_id + :versions",
                 "translation_basis": "translation_basis", "title": "title",
                 "translator": "translator", "date": "date", "publication": "publication",
                 "source": "source", "licence": "licence", "notes": "notes",
                 "demonstration": "demonstration", "created_at": "created_at"},
    "revisions": {"id": "id + :revisions", "version_id": "version_id + :versions",
                  "number": "number", "source_document_id": "source_document_id",
                  "char_start": "char_start", "char_end": "char_end", "sha256": "sha256",
                  "segmentation": "segmentation", "apparatus": "apparatus",
                  "imported_at": "imported_at"},
    "segments": {"id": "id + :segments", "revision_id": "revision_id + :revisions",
                 "position": "position", "kind": "kind", "paragraph": "paragraph",
                 "sentence": "sentence", "start": "start", '"end"': '"end"', "text": "text",
                 "label": "label"},
    "alignment_runs": {"id": "id + :alignment_runs", "work_id": "work_id + :works",
                       "src_revision_id": "src_revision_id + :revisions",
                       "tgt_revision_id": "tgt_revision_id + :revisions", "method": "method",
                       "model": "model", "parameters": "parameters",
                       "code_version": "code_version", "summary": "summary",
                       "created_at": "created_at"},
    "links": {"id": "id + :links", "run_id": "run_id + :alignment_runs",
              "position": "position", "score": "score", "status": "status"},
    "link_segments": {"link_id": "link_id + :links", "segment_id": "segment_id + :segments",
                      "side": "side"},
}  # fmt: skip
# Which column bounds the base rows of each table.
KEYS = {table: "link_id" if table == "link_segments" else "id" for table in COPIES}
OFFSET_TABLES = ("works", "versions", "revisions", "segments", "alignment_runs", "links")


def grow(url: str, segments: int) -> tuple[int, float]:
    """Copy the corpus until it has about ``segments`` segments; the copies made, seconds."""
    started = time.perf_counter()
    with Database(url) as db, db.engine.begin() as connection:
        base = {table: max_id(connection, table) for table in OFFSET_TABLES}
        copies = max(0, segments // base["segments"] - 1)
        for copy in range(1, copies + 1):
            offsets = {table: base[table] * copy for table in base} | {"copy": copy}
            for table, columns in COPIES.items():
                key = KEYS[table]
                limit = base["links" if table == "link_segments" else table]
                connection.execute(
                    text(
                        f"INSERT INTO {table} ({', '.join(columns)})"
                        f" SELECT {', '.join(columns.values())} FROM {table}"
                        f" WHERE {key} <= :limit"
                    ),
                    offsets | {"limit": limit},
                )
        if connection.dialect.name == "postgresql":
            connection.execute(text("ANALYZE"))
    return copies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="an empty database (SQLAlchemy URL)")
    parser.add_argument("--segments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    aligner(args.db, "import", "corpora")
    for label in ("fr-demo", "yi-demo"):
        aligner(args.db, "align", WORK, "--src", "en", "--tgt", label)
    copies, seconds = grow(args.db, args.segments)
    with Database(args.db) as db, db.engine.connect() as connection:
        total = int(connection.execute(text("SELECT count(*) FROM segments")).scalar_one())
    print(f"{total:,} segments ({copies} copies of the corpus) made in {seconds:.1f} s")
    print(f"{'query':<34} {'options':<44} {'hits':>4} {'median ms':>9} {'max ms':>7}")
    with Corpus(args.db) as corpus:
        for query, options in queries(copies):
            corpus.search(query, **options)  # type: ignore[arg-type]
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                hits = corpus.search(query, **options)  # type: ignore[arg-type]
                times.append((time.perf_counter() - started) * 1000)
            shown = ", ".join(f"{k}={v}" for k, v in options.items())
            print(
                f"{query:<34} {shown:<44} {len(hits):>4} "
                f"{statistics.median(times):>9.1f} {max(times):>7.1f}"
            )


if __name__ == "__main__":
    main()
