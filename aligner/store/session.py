"""Engines, schema migrations and transactions.

The CLI owns the lifetime of a :class:`Database`; the store owns transactions through
:meth:`Database.session`.  Every write happens inside one transaction, so a failed import
leaves nothing behind.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from aligner.errors import DatabaseError, InputError

DEFAULT_DB_FILENAME = "aligner.sqlite"
DB_ENV_VAR = "ALIGNER_DB"
TIMEOUT_ENV_VAR = "ALIGNER_DB_TIMEOUT"
DEFAULT_TIMEOUT_S = 5.0


def default_url() -> str:
    """The database URL: ``$ALIGNER_DB`` or an SQLite file in the current directory."""
    return os.environ.get(DB_ENV_VAR) or f"sqlite:///{DEFAULT_DB_FILENAME}"


def migrations_dir() -> str:
    """Where the Alembic environment lives: inside the installed package, or ``db/``.

    The wheel maps the top-level ``db/`` folder to ``aligner.migrations``; a source tree that
    is imported without being installed (tests run from a checkout) has only ``db/``.
    """
    try:
        return str(files("aligner.migrations"))
    except ModuleNotFoundError:
        return str(Path(__file__).resolve().parents[2] / "db")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", migrations_dir())
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def describe_url(url: str) -> str:
    """A short, password-free name for a database, for error messages."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Write-ahead logging: readers never wait for a writer, nor a writer for readers.  A
    # read-only connection, or one that finds the file locked at this instant, goes on in the
    # mode the database is in.
    with suppress(sqlite3.OperationalError):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def sqlite_timeout() -> float:
    """Seconds an SQLite statement waits for another process's write: ``$ALIGNER_DB_TIMEOUT``."""
    raw = os.environ.get(TIMEOUT_ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_S
    try:
        seconds = float(raw)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds < 0:
        raise InputError(
            f"{TIMEOUT_ENV_VAR}={raw!r}: not a number of seconds to wait for a locked database "
            "(for example 5 or 0.5)"
        )
    return seconds


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys, write-ahead logging and a bounded
    lock wait."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"{url}: not a database URL") from exc
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except (ArgumentError, ImportError) as exc:
            raise DatabaseError(f"{describe_url(url)}: cannot use this database: {exc}") from exc
    engine = create_engine(url, connect_args={"timeout": sqlite_timeout()})
    event.listen(engine, "connect", _enable_sqlite_pragmas)
    return engine


_SQLITE_PROBLEMS = (
    (re.compile(r"database is locked|database table is locked"), "database is locked"),
    (re.compile(r"readonly database|read-only"), "database is read-only"),
    (re.compile(r"unable to open database file"), "cannot open the database file"),
    (re.compile(r"file is not a database|file is encrypted"), "not an SQLite database"),
    (re.compile(r"disk I/O error"), "disk I/O error"),
)


def database_problem(exc: DBAPIError) -> str:
    """A one-line description of a driver error, without SQL or traceback."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    for pattern, problem in _SQLITE_PROBLEMS:
        if pattern.search(message):
            return problem
    return message.strip().splitlines()[0] if message.strip() else type(exc).__name__


class Database:
    """An open database: an engine plus the schema checks and transactions around it."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url or default_url()
        self.name = describe_url(self.url)
        self.engine = create_db_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------

    def current_revision(self) -> str | None:
        with self._translate_errors(), self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def head_revision(self) -> str:
        head = ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()
        assert head is not None, "the migration scripts have no head"
        return head

    def _check_not_newer(self, current: str | None) -> None:
        if current is None:
            return
        script = ScriptDirectory.from_config(alembic_config(self.url))
        known = {rev.revision for rev in script.walk_revisions()}
        if current not in known:
            raise DatabaseError(
                f"{self.name}: the database was made by a newer version of aligner "
                f"(schema {current}; this version knows up to {self.head_revision()}); "
                "upgrade aligner to use it"
            )

    def upgrade(self) -> str:
        """Create the schema or bring it up to date; return the schema revision."""
        current = self.current_revision()
        self._check_not_newer(current)
        with self._translate_errors(), self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return self.head_revision()

    def ensure_ready(self, *, create: bool) -> None:
        """Check the schema is current; create it on an empty database when ``create``."""
        path = sqlite_path(self.url)
        if not create and path is not None and not path.exists():
            raise DatabaseError(f"{self.name}: no database here; run `aligner init` first")
        current = self.current_revision()
        self._check_not_newer(current)
        if current == self.head_revision():
            return
        if current is None and (create or not self._has_tables()):
            if not create:
                raise DatabaseError(f"{self.name}: no aligner database here; run `aligner init`")
            self.upgrade()
            return
        raise DatabaseError(
            f"{self.name}: the database schema is older than this aligner; "
            "run `aligner init` to upgrade it"
        )

    def _has_tables(self) -> bool:
        with self._translate_errors(), self.engine.connect() as connection:
            return bool(inspect(connection).get_table_names())

    # --- transactions -------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        with self._translate_errors(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except (OperationalError, DBAPIError) as exc:
            raise DatabaseError(f"{self.name}: {database_problem(exc)}") from exc


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return None
    assert database is not None
    if parsed.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:").split("?", 1)[0]
    return Path(database)
