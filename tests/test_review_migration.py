"""Migration 0007 (alignment reviews): upgrading a database that holds runs keeps them, the
schema matches the ORM, and downgrading removes only the review tables."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from aligner.core.bead_edits import EditRequest
from aligner.services.review import edit
from aligner.store.session import Database, migrations_dir
from tests.conftest import Cli
from tests.exporting import FixedBead, import_pair, store_run
from tests.test_migrations import schema_drift

REVIEW_TABLES = {"alignment_reviews", "alignment_edits", "link_edits"}


def alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", migrations_dir())
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def counts(url: str) -> tuple[set[str], int, int]:
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        runs, links = (
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in ("alignment_runs", "links")
        )
    engine.dispose()
    return tables, runs, links


def test_0007_adds_the_review_tables_and_keeps_runs_both_ways(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path, "pair", "One.\n\nTwo.\n", "Un.\n\nDeux.\n")
    run = store_run(cli.db_url, "pair", "en", "fr", [FixedBead([0], [0]), FixedBead([1], [1])])
    command.downgrade(alembic(cli.db_url), "0005")
    tables, runs, links = counts(cli.db_url)
    assert not tables & REVIEW_TABLES and (runs, links) == (1, 2)
    command.upgrade(alembic(cli.db_url), "head")
    tables, runs, links = counts(cli.db_url)
    assert tables >= REVIEW_TABLES and (runs, links) == (1, 2)
    assert schema_drift(cli.db_url) == []
    with Database(cli.db_url) as db, db.session() as session:
        assert edit(session, run, EditRequest("merge", 0), 0, "ada").version == 1
    command.downgrade(alembic(cli.db_url), "0005")  # drops the review run's tables, not runs
    tables, runs, links = counts(cli.db_url)
    assert not tables & REVIEW_TABLES and runs == 2
