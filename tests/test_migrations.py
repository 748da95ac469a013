"""The schema: migrations produce exactly the ORM, versions are checked, SQLite is set up right."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from aligner.cli import app
from aligner.errors import DatabaseError
from aligner.store.models import FULL_TEXT_OBJECT_PREFIXES, Base
from aligner.store.session import Database, migrations_dir
from tests.conftest import REPO, Cli, assert_one_line_error

HEAD = "0007"  # the newest migration


def schema_drift(url: str) -> list[object]:
    """What differs between the database at ``url`` and the ORM metadata."""
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "include_object": lambda obj, name, *_: (
                    not (name or "").startswith(FULL_TEXT_OBJECT_PREFIXES)
                ),
                "compare_type": True,
            },
        )
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    return list(diff)


def test_packaged_migrations_yield_exactly_the_orm(db_url: str) -> None:
    with Database(db_url) as db:
        db.upgrade()
    assert schema_drift(db_url) == []


def test_alembic_upgrade_head_from_the_source_tree_yields_exactly_the_orm(db_url: str) -> None:
    config = Config(str(REPO / "alembic.ini"))
    config.set_main_option("script_location", str(REPO / "db"))
    config.set_main_option("sqlalchemy.url", db_url.replace("%", "%%"))
    command.upgrade(config, "head")
    assert schema_drift(db_url) == []
    command.downgrade(config, "base")
    assert set(inspect(create_engine(db_url)).get_table_names()) <= {"alembic_version"}


def test_migrations_ship_inside_the_package() -> None:
    scripts = Path(migrations_dir())
    assert (scripts / "env.py").is_file()
    assert (scripts / "script.py.mako").is_file()
    assert sorted(p.name for p in (scripts / "versions").glob("0*.py")) == [
        "0001_corpus.py",
        "0002_embedding_cache.py",
        "0003_alignment_runs.py",
        "0004_demonstration_versions.py",
        "0005_search_form.py",
        "0007_alignment_reviews.py",
    ]


def test_init_creates_then_reports_up_to_date(cli: Cli) -> None:
    assert f"database created (schema {HEAD})" in cli.ok("init").stdout
    assert f"database up to date (schema {HEAD})" in cli.ok("init").stdout


def test_database_from_a_newer_version_is_refused(cli: Cli) -> None:
    cli.ok("init")
    engine = create_engine(cli.db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    for args in (("works",), ("init",), ("import", REPO / "corpora")):
        result = cli(*args)
        assert_one_line_error(result, "made by a newer version of aligner", "9999_future")
    with pytest.raises(DatabaseError, match="newer version"):
        Database(cli.db_url).ensure_ready(create=True)


def test_every_command_creates_a_missing_database_as_import_does(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.sqlite"
    result = Cli(f"sqlite:///{missing}")("works")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("no works yet: import a text with `aligner import")
    with Database(f"sqlite:///{missing}") as db:
        assert db.current_revision() == db.head_revision()


def test_sqlite_foreign_keys_are_enforced(sqlite_url: str) -> None:
    with Database(sqlite_url) as db:
        db.upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with pytest.raises(DatabaseError), db.session() as session:
            session.execute(
                text(
                    "INSERT INTO segments (revision_id, position, kind, paragraph, sentence,"
                    " start, \"end\", text) VALUES (999, 0, 'sentence', 0, 0, 0, 1, 'x')"
                )
            )


def test_integrity_errors_surface_for_bad_kinds(db_url: str) -> None:
    with Database(db_url) as db:
        db.upgrade()
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO works (slug, created_at) VALUES ('w', CURRENT_TIMESTAMP)")
            )
            connection.execute(
                text(
                    "INSERT INTO versions (work_id, label, language, script, direction, role,"
                    " created_at) VALUES (1, 'en', 'en', 'Latn', 'ltr', 'editor',"
                    " CURRENT_TIMESTAMP)"
                )
            )


def test_the_installed_command_creates_a_database_outside_the_source_tree(tmp_path: Path) -> None:
    """``pip install .`` ships the migrations: run the console script away from the checkout."""
    script = Path(sys.executable).with_name("aligner")
    env = {k: v for k, v in os.environ.items() if k not in ("ALIGNER_DB", "PYTHONPATH")}
    result = subprocess.run(
        [str(script), "init"], cwd=tmp_path, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"aligner.sqlite: database created (schema {HEAD})\n"
    assert (tmp_path / "aligner.sqlite").is_file()


def test_aligner_db_environment_variable_selects_the_database(sqlite_url: str) -> None:
    result = CliRunner().invoke(app, ["init"], env={"ALIGNER_DB": sqlite_url})
    assert result.exit_code == 0
    assert sqlite_url.removeprefix("sqlite:///") in result.stdout


def test_an_older_database_is_upgraded_by_init_and_keeps_its_data(cli: Cli) -> None:
    config = Config()
    config.set_main_option("script_location", migrations_dir())
    config.set_main_option("sqlalchemy.url", cli.db_url.replace("%", "%%"))
    command.upgrade(config, "0001")
    engine = create_engine(cli.db_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO works (slug, title, created_at)"
                " VALUES ('kept', 'Kept', CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    assert_one_line_error(cli("works"), "schema is older than this aligner", "aligner init")
    assert f"database upgraded (schema {HEAD})" in cli.ok("init").stdout
    assert "kept" in cli.ok("works").stdout


def test_0004_adds_the_demonstration_flag_in_place_and_keeps_every_row(
    cli: Cli, tmp_path: Path
) -> None:
    """Up and down through 0004 with texts stored: on SQLite with foreign keys on (as ``init``
    runs), a copy-and-drop of ``versions`` would cascade into revisions and segments."""
    path = tmp_path / "text.txt"
    path.write_text("Title\n\nOne sentence. Two sentences.\n", encoding="utf-8")
    cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "original", "--demonstration")

    def rows() -> tuple[int, int, set[str]]:
        engine = create_engine(cli.db_url)
        with engine.connect() as connection:
            counts = [
                connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("revisions", "segments")
            ]
        columns = {c["name"] for c in inspect(engine).get_columns("versions")}
        engine.dispose()
        return counts[0], counts[1], columns

    config = Config()
    config.set_main_option("script_location", migrations_dir())
    config.set_main_option("sqlalchemy.url", cli.db_url.replace("%", "%%"))
    command.downgrade(config, "0003")
    revisions, segments, columns = rows()
    assert (revisions, segments) == (1, 3) and "demonstration" not in columns
    assert f"database upgraded (schema {HEAD})" in cli.ok("init").stdout
    revisions, segments, columns = rows()
    assert (revisions, segments) == (1, 3) and "demonstration" in columns
    version = json.loads(cli.ok("show", "w", "-f", "json").stdout)["versions"][0]
    assert version["demonstration"] is False  # rows from before 0004 are not demonstrations
    assert schema_drift(cli.db_url) == []
