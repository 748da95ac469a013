"""Shared fixtures: real databases (an SQLite file, a PostgreSQL server), the CLI, paths."""

from __future__ import annotations

import functools
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main
import typer.testing
from lxml import etree
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from aligner.cli import app

# pytest runs on every core (pytest-xdist, -n auto in pyproject.toml), so the bundled model's
# OpenMP threads share them with another worker.  Spinning threads then take twice as long
# (600 sentences: 20 s against 13 s for two workers on two cores); passive ones cost nothing
# alone (6.8 s).  The model's library reads this when it is first loaded, after this line.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Typer's CliRunner builds the click command tree anew on every invoke: two thirds of an
# in-process `aligner` call.  The tree is the same for the whole session, so build it once.
typer.testing._get_command = functools.cache(typer.main.get_command)  # type: ignore[attr-defined]

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpora"
SHARED = REPO.parent / "shared"
PG_ENV_VAR = "ALIGNER_TEST_PG_URL"

requires_shared = pytest.mark.skipif(
    not (SHARED / "data").is_dir(),
    reason=f"{SHARED}/data is absent (a user's checkout); CI runs these tests with it",
)


def _postgres_admin_url() -> str:
    url = os.environ.get(PG_ENV_VAR)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must test PostgreSQL: set {PG_ENV_VAR} (.ci/run does)")
    pytest.skip(
        f"no PostgreSQL server given: set {PG_ENV_VAR}, "
        "e.g. postgresql+psycopg://postgres:postgres@localhost/postgres"
    )


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database on the server named by $ALIGNER_TEST_PG_URL."""
    yield from fresh_postgres_database()


def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database, yield its URL, drop it: the body of a database fixture."""
    admin_url = _postgres_admin_url()
    name = f"aligner_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def module_database(kind: str, folder: Path) -> AbstractContextManager[str]:
    """A fresh database for a module-scoped fixture: ``kind`` "sqlite" is a file in ``folder``,
    "postgresql" a database on the test server, dropped afterwards."""
    if kind == "sqlite":
        return nullcontext(f"sqlite:///{folder / 'aligner.sqlite'}")
    return contextmanager(fresh_postgres_database)()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'aligner.sqlite'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """The storage suite runs once on an SQLite file and once on a PostgreSQL server."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@dataclass(frozen=True)
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


@dataclass(frozen=True)
class Cli:
    """Runs ``aligner --db URL …`` in-process and keeps stdout and stderr apart."""

    db_url: str

    def __call__(self, *args: str | Path, env: dict[str, str] | None = None) -> CliResult:
        runner = CliRunner()
        result = runner.invoke(app, ["--db", self.db_url, *map(str, args)], env=env)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result.exit_code, result.stdout, result.stderr, result.stdout_bytes)

    def ok(self, *args: str | Path) -> CliResult:
        result = self(*args)
        assert result.exit_code == 0, result.stderr
        return result


@pytest.fixture
def cli(db_url: str) -> Cli:
    return Cli(db_url)


@pytest.fixture
def sqlite_cli(sqlite_url: str) -> Cli:
    return Cli(sqlite_url)


@pytest.fixture
def corpus_cli(cli: Cli) -> Cli:
    """A database holding the bundled corpus."""
    cli.ok("import", CORPUS)
    return cli


def assert_one_line_error(result: CliResult, *fragments: str) -> None:
    """A refused command: non-zero exit, one ``Error: …`` line naming what went wrong."""
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), lines[0]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


TEI_ALL = SHARED / "schemas" / "tei" / "tei_all.rng"


@pytest.fixture(scope="session")
def tei_schema() -> Iterator[etree.RelaxNG]:
    """tei_all.rng, compiled once per test session (about 5 s on a laptop-class CPU)."""
    if not TEI_ALL.is_file():
        pytest.skip(f"{TEI_ALL} is absent (a user's checkout): the TEI output is not validated")
    started = time.perf_counter()
    schema = etree.RelaxNG(etree.parse(str(TEI_ALL)))
    print(f"\ntei_all.rng compiled in {time.perf_counter() - started:.1f} s")
    yield schema
