"""Bad input is refused with one clear line, a non-zero exit and nothing written half-way."""

from __future__ import annotations

import codecs
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, Cli, CliResult, assert_one_line_error


def import_file(cli: Cli, path: Path, lang: str = "en") -> CliResult:
    return cli("import", path, "--work", "w", "--lang", lang, "--role", "original")


def assert_no_works(cli: Cli) -> None:
    result = cli("works", "-f", "json")
    assert result.exit_code != 0 or json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\n\t\n", "the file holds only white space"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("controls.txt", bytes(range(1, 9)) * 20, "binary file"),
        ("cp1251.txt", "Все рабочие".encode("cp1251"), "not valid UTF-8: byte 0xc2 at offset 0"),
        ("latin1.txt", "Déjà vu".encode("latin-1"), "not valid UTF-8: byte 0xe9 at offset 1"),
        ("utf32.txt", codecs.BOM_UTF32_LE + "text".encode("utf-32-le"), "UTF-32 is not supported"),
        ("bad16.txt", codecs.BOM_UTF16_LE + b"a\x00\x00\xdc", "not valid UTF-16"),
    ],
)
def test_unreadable_files_are_refused(
    cli: Cli, tmp_path: Path, name: str, data: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert_one_line_error(import_file(cli, path), f"{path}: {problem}")
    assert_no_works(cli)


def test_missing_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.txt"
    assert_one_line_error(import_file(cli, missing), f"{missing}: no such file")


def test_a_file_name_too_long_for_the_file_system_is_refused(cli: Cli, tmp_path: Path) -> None:
    too_long = tmp_path / ("y" * 300 + ".txt")
    assert_one_line_error(import_file(cli, too_long), f"{too_long}: file name too long")
    assert_no_works(cli)


def test_unknown_language_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "text.txt"
    path.write_text("A sentence.\n", encoding="utf-8")
    for code in ("xx", "klingon", "und"):
        result = import_file(cli, path, lang=code)
        assert_one_line_error(result, f"{path}: '{code}' is not a known language code")
    assert_no_works(cli)


def write_corpus(folder: Path, files: dict[str, bytes], manifest: str) -> Path:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    return folder


TWO_WORKS = """
[[work]]
slug = "first"
[[work.version]]
lang = "en"
role = "original"
file = "first.txt"

[[work]]
slug = "second"
[[work.version]]
lang = "en"
role = "original"
file = "second.txt"
"""


def test_manifest_naming_a_missing_file_is_refused_before_anything_is_written(
    cli: Cli, tmp_path: Path
) -> None:
    folder = write_corpus(tmp_path / "corpus", {"first.txt": b"Fine text.\n"}, TWO_WORKS)
    result = cli("import", folder)
    assert_one_line_error(result, f"{folder / 'second.txt'}: no such file (named in the manifest)")
    assert_no_works(cli)


def test_a_bad_file_late_in_a_corpus_leaves_nothing_half_written(cli: Cli, tmp_path: Path) -> None:
    folder = write_corpus(
        tmp_path / "corpus", {"first.txt": b"Fine text.\n", "second.txt": b"caf\xe9\n"}, TWO_WORKS
    )
    cli.ok("init")
    result = cli("import", folder)
    assert_one_line_error(result, f"{folder / 'second.txt'}: not valid UTF-8")
    assert json.loads(cli.ok("works", "-f", "json").stdout) == []


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ("[[work]\nslug = 'x'", "not a valid TOML manifest"),
        ("title = 'no works'", "no [[work]] entries"),
        ("[[work]]\nslug = 'x'\ncolour = 'red'\n[[work.version]]\nlang='en'\nrole='original'",
         "unknown key(s) colour"),
        ("[[work]]\nslug = 'x'\ndemonstration = true\n[[work.version]]\nlang='en'\n"
         "role='original'", "work: unknown key(s) demonstration"),
        ("[[work]]\nslug = 'x'\n[[work.version]]\nlang='en'\nrole='original'\ndemo = true",
         "work 'x' version 'en': unknown key(s) demo"),
        ("[[work]]\nslug = 'x'\n[[work.version]]\nlang = 'en'", "has no role"),
        ("[[work]]\nslug = 'Bad Slug'\n[[work.version]]\nlang='en'\nrole='original'",
         "not a valid work name"),
        ("[[work]]\nslug = 'x'\n[[work.version]]\nlang='en'\nrole='editor'", "not a role"),
        ("[[work]]\nslug = 'x'\n[[work.version]]\nlang='qq'\nrole='original'",
         "manifest.toml: work 'x' version 'qq': 'qq' is not a known language code"),
    ],
)  # fmt: skip
def test_malformed_manifests_are_refused(
    cli: Cli, tmp_path: Path, manifest: str, problem: str
) -> None:
    folder = write_corpus(tmp_path / "corpus", {}, manifest)
    assert_one_line_error(cli("import", folder), problem)
    assert_no_works(cli)


def test_folder_without_manifest_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert_one_line_error(cli("import", tmp_path), f"{tmp_path}: no manifest.toml in this folder")


def test_unknown_work_and_version_are_reported(cli: Cli) -> None:
    cli.ok("import", CORPUS)
    assert_one_line_error(cli("show", "no-such-work"), "no-such-work: no such work; known works:")
    assert_one_line_error(
        cli("show", "rappoport-statement-1938", "--lang", "de"),
        "rappoport-statement-1938/de: no such version (versions: fr, en)",
    )
    assert_one_line_error(
        cli("import", CORPUS / "manifest.toml", "--work", "x", "--lang", "en",
            "--translation-of", "nowhere/ru"),
        "nowhere: no such work",
    )  # fmt: skip


def test_locked_database_is_reported(sqlite_cli: Cli, tmp_path: Path) -> None:
    sqlite_cli.ok("init")
    path = tmp_path / "text.txt"
    path.write_text("A sentence.\n", encoding="utf-8")
    database = sqlite_cli.db_url.removeprefix("sqlite:///")
    holder = sqlite3.connect(database)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = sqlite_cli(
            "import", path, "--work", "w", "--lang", "en", env={"ALIGNER_DB_TIMEOUT": "0.2"}
        )
    finally:
        holder.rollback()
        holder.close()
    assert_one_line_error(result, f"{database}: database is locked")
    assert json.loads(sqlite_cli.ok("works", "-f", "json").stdout) == []


def test_read_only_database_is_reported(sqlite_cli: Cli, tmp_path: Path) -> None:
    sqlite_cli.ok("init")
    database = sqlite_cli.db_url.removeprefix("sqlite:///")
    read_only = Cli(f"sqlite:///file:{database}?mode=ro&uri=true")
    assert json.loads(read_only.ok("works", "-f", "json").stdout) == []
    result = read_only("import", CORPUS)
    assert_one_line_error(result, database, "database is read-only")
    assert json.loads(sqlite_cli.ok("works", "-f", "json").stdout) == []


def test_not_a_database_is_reported(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("this is not a database\n" * 100, encoding="utf-8")
    assert_one_line_error(Cli(f"sqlite:///{bogus}")("works"), f"{bogus}: not an SQLite database")


def test_the_installed_command_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    env = {**os.environ, "ALIGNER_DB": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    command = [sys.executable, "-m", "aligner", "import", str(empty), "--work", "w", "--lang", "en"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: {empty}: the file is empty\n"
