"""Imports keep to their files and to what the user asked (issue 11, items 6, 7, 11, 12, 14).

A manifest reads nothing outside its folder; re-importing or re-declaring changes a stored value
only when the user gives another one (and says so); devices, pipes and over-large files are
refused before they are read; a manifest value of the wrong type is one line naming the entry
and the field; version labels follow one rule.  Every refusal leaves the database as it was.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from aligner.errors import InputError
from aligner.services.specs import VersionSpec, WorkSpec, upsert_version, upsert_work
from aligner.store.session import Database
from tests.conftest import Cli, assert_one_line_error
from tests.dbdump import database_dump

SENTENCE = "A sentence of the text.\n"


def write(path: Path, data: str = SENTENCE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data, encoding="utf-8")
    return path


def corpus(folder: Path, version: str, files: dict[str, str] | None = None) -> Path:
    """A corpus folder whose manifest has one work ``w`` with the given version table."""
    for name, data in (files or {}).items():
        write(folder / name, data)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = f"[[work]]\nslug = 'w'\n[[work.version]]\n{version}\n"
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    return folder


def refused(cli: Cli, *args: str | Path, fragments: tuple[str, ...] = ()) -> None:
    """The command is refused with one line holding ``fragments`` and changes nothing."""
    cli.ok("init")
    before = database_dump(cli.db_url)
    assert_one_line_error(cli(*args), *fragments)
    assert database_dump(cli.db_url) == before


def versions(cli: Cli, work: str = "w") -> dict[str, dict[str, object]]:
    data = json.loads(cli.ok("show", work, "-f", "json").stdout)
    return {v["label"]: v for v in data["versions"]}


# --- item 6: a manifest reads only files inside its folder --------------------------------------


@pytest.mark.parametrize(
    "file", ["../secret.txt", "../../../../../../etc/passwd", "/etc/passwd", "sub/../../secret.txt"]
)
def test_a_manifest_path_leading_out_of_its_folder_is_refused(
    cli: Cli, tmp_path: Path, file: str
) -> None:
    write(tmp_path / "secret.txt", "The contents of a private file.\n")
    folder = corpus(tmp_path / "corpus", f"lang = 'en'\nrole = 'original'\nfile = {file!r}")
    refused(
        cli,
        "import",
        folder,
        fragments=(
            f"{folder / 'manifest.toml'}: work 'w' version 'en': file {file!r}",
            "is outside the manifest's folder",
        ),
    )


def test_a_symbolic_link_out_of_the_folder_is_refused_and_one_inside_it_is_followed(
    cli: Cli, tmp_path: Path
) -> None:
    secret = write(tmp_path / "private" / "secret.txt", "The contents of a private file.\n")
    folder = corpus(tmp_path / "corpus", "lang = 'en'\nrole = 'original'\nfile = 'link.txt'")
    (folder / "link.txt").symlink_to(secret)
    refused(cli, "import", folder, fragments=("file 'link.txt' is outside the manifest's folder",))
    (folder / "link.txt").unlink()
    (folder / "link.txt").symlink_to(write(folder / "texts" / "real.txt"))
    assert cli.ok("import", folder).stdout == "w/en: imported 1: 1 sentence\n"
    assert cli.ok("show", "w", "--lang", "en", "--raw").stdout == SENTENCE


def test_a_loop_of_symbolic_links_is_one_line(cli: Cli, tmp_path: Path) -> None:
    folder = corpus(tmp_path / "corpus", "lang = 'en'\nrole = 'original'\nfile = 'loop.txt'")
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    refused(cli, "import", folder, fragments=("work 'w' version 'en': file 'loop.txt'",))


# --- item 7: stored values change only when the user gives another -----------------------------


def test_reimporting_without_role_keeps_an_original_and_redeclaring_keeps_a_translation(
    cli: Cli, tmp_path: Path
) -> None:
    path = write(tmp_path / "w.en.txt")
    cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "original")
    cli.ok("declare", "w", "--lang", "de", "--role", "translation", "--translation-of", "en")
    before = database_dump(cli.db_url)
    again = cli.ok("import", path, "--work", "w", "--lang", "en").stdout
    assert again == "w/en: unchanged (revision 1)\n"
    assert cli.ok("declare", "w", "--lang", "de").stdout == "w/de: unchanged (declared, no text)\n"
    assert database_dump(cli.db_url) == before
    stored = versions(cli)
    assert (stored["en"]["role"], stored["de"]["role"], stored["de"]["translation_of"]) == (
        "original",
        "translation",
        "en",
    )


def test_an_explicit_new_value_is_stored_and_the_output_says_what_changed(
    cli: Cli, tmp_path: Path
) -> None:
    path = write(tmp_path / "w.en.txt")
    cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "original", "--title", "T")
    cli.ok("declare", "w", "--lang", "ru", "--translator", "Anon.")
    out = cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "translation").stdout
    assert out == "w/en: updated (revision 1): role original → translation\n"
    out = cli.ok(
        "declare", "w", "--lang", "ru", "--role", "translation", "--translation-of", "en",
        "--translator", "B. Translator",
    ).stdout  # fmt: skip
    assert out == (
        "w/ru: updated (declared, no text): role original → translation; "
        "translator 'Anon.' → 'B. Translator'; translation_of none → en; "
        "translation_basis none → stated\n"
    )
    out = cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "original").stdout
    assert out == "w/en: updated (revision 1): role translation → original\n"
    stored = versions(cli)
    assert [stored[label]["role"] for label in ("en", "ru")] == ["original", "translation"]
    assert stored["ru"]["translator"] == "B. Translator"


def test_translation_of_an_original_without_a_role_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "w.en.txt")
    cli.ok("declare", "w", "--lang", "ru")
    cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "original")
    refused(
        cli,
        "import", path, "--work", "w", "--lang", "en", "--translation-of", "ru",
        fragments=("w/en: is an original in the database", "give its role as translation"),
    )  # fmt: skip


def test_the_version_title_option_names_a_stored_work_no_more(cli: Cli, tmp_path: Path) -> None:
    original = write(tmp_path / "w.ru.txt", "Текст.\n")
    cli.ok("import", original, "--work", "w", "--lang", "ru", "--role", "original", "--title", "Т")
    english = write(tmp_path / "w.en.txt")
    cli.ok("import", english, "--work", "w", "--lang", "en", "--translation-of", "ru",
           "--title", "The English title")  # fmt: skip
    data = json.loads(cli.ok("show", "w", "-f", "json").stdout)
    assert data["title"] == "Т"
    assert [v["title"] for v in data["versions"]] == ["Т", "The English title"]


def test_a_repeated_translation_of_keeps_the_manifests_basis(cli: Cli, tmp_path: Path) -> None:
    folder = corpus(
        tmp_path / "corpus",
        "lang = 'ru'\nrole = 'original'\n[[work.version]]\nlang = 'en'\nrole = 'translation'\n"
        "translation_of = 'ru'\ntranslation_basis = 'inferred'\nfile = 'en.txt'",
        {"en.txt": SENTENCE},
    )
    cli.ok("import", folder)
    before = database_dump(cli.db_url)
    out = cli.ok(
        "import", folder / "en.txt", "--work", "w", "--lang", "en", "--translation-of", "ru"
    ).stdout
    assert out == "w/en: unchanged (revision 1)\n"
    assert database_dump(cli.db_url) == before
    assert versions(cli)["en"]["translation_basis"] == "inferred"


def test_an_edited_manifest_says_what_it_changed(cli: Cli, tmp_path: Path) -> None:
    version = "lang = 'en'\nrole = 'original'\nfile = 'en.txt'\n"
    folder = corpus(tmp_path / "corpus", version + "notes = 'First notes.'", {"en.txt": SENTENCE})
    cli.ok("import", folder)
    corpus(folder, version + "notes = 'Better notes.'")
    out = cli.ok("import", folder).stdout
    assert out == "w/en: updated (revision 1): notes 'First notes.' → 'Better notes.'\n"
    corpus(folder, version)  # notes no longer given: kept
    assert cli.ok("import", folder).stdout == "w/en: unchanged (revision 1)\n"
    assert versions(cli)["en"]["notes"] == "Better notes."


def test_the_library_upserts_refuse_a_conflicting_value_and_fill_an_empty_one(
    db_url: str,
) -> None:
    """upsert_work and upsert_version (the TMX and TEI importers) have no output to report a
    change in: a stored value given otherwise is refused, an empty field is filled."""
    with Database(db_url) as db:
        db.ensure_ready(create=True)
        with db.session() as session:
            work = upsert_work(session, WorkSpec("w", title="Title"))
            upsert_version(session, work, VersionSpec("en", "original"))
        with db.session() as session:
            work = upsert_work(session, WorkSpec("w", author="An Author"))
            version = upsert_version(session, work, VersionSpec("en", translator="X"))
            assert (work.author, version.role, version.translator) == ("An Author", "original", "X")
        for spec, problem in (
            (VersionSpec("en", "translation"), "w/en: role is original in the database, not "),
            (VersionSpec("en", translator="Y"), "w/en: translator is 'X' in the database, not 'Y'"),
        ):
            with pytest.raises(InputError, match=problem), db.session() as session:
                upsert_version(session, upsert_work(session, WorkSpec("w")), spec)
        with (
            pytest.raises(InputError, match="w: title is 'Title' in the database"),
            db.session() as session,
        ):
            upsert_work(session, WorkSpec("w", title="Another"))


# --- item 11: regular files only, and no larger than the limit ---------------------------------


def test_a_device_is_refused_before_it_is_read(cli: Cli) -> None:
    refused(
        cli,
        "import", "/dev/zero", "--work", "w", "--lang", "en",
        fragments=("/dev/zero: is a character device, not a regular file",),
    )  # fmt: skip


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    env = {**os.environ, "ALIGNER_DB": f"sqlite:///{tmp_path / 'db.sqlite'}"}
    command = [sys.executable, "-m", "aligner", "import", str(pipe), "--work", "w", "--lang", "en"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2
    assert (
        result.stderr
        == f"Error: {pipe}: is a named pipe, not a regular file; only files can be imported\n"
    )


def test_a_file_above_the_limit_is_refused_and_one_at_it_imported(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "text.txt")
    size = len(SENTENCE.encode())
    cli.ok("init")
    before = database_dump(cli.db_url)
    args = ("import", path, "--work", "w", "--lang", "en")
    result = cli(*args, env={"ALIGNER_MAX_TEXT_BYTES": str(size - 1)})
    assert_one_line_error(result, f"{path}: larger than {size - 1} bytes", "ALIGNER_MAX_TEXT_BYTES")
    result = cli(*args, env={"ALIGNER_MAX_TEXT_BYTES": "ten"})
    assert_one_line_error(result, "ALIGNER_MAX_TEXT_BYTES='ten': not a positive number of bytes")
    assert database_dump(cli.db_url) == before
    assert cli(*args, env={"ALIGNER_MAX_TEXT_BYTES": str(size)}).exit_code == 0


def test_a_manifest_naming_a_device_or_a_pipe_is_refused(cli: Cli, tmp_path: Path) -> None:
    folder = corpus(tmp_path / "corpus", "lang = 'en'\nrole = 'original'\nfile = 'zero.txt'")
    (folder / "zero.txt").symlink_to(folder / "pipe")
    os.mkfifo(folder / "pipe")
    refused(cli, "import", folder, fragments=("zero.txt: is a named pipe, not a regular file",))


# --- item 12: a manifest value of the wrong type names the entry and the field -----------------


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("start = 1.5", "work 'w' version 'en': start must be a string, not 1.5 (float)"),
        ("start = true", "work 'w' version 'en': start must be a string, not True (bool)"),
        ("end = ['a']", "work 'w' version 'en': end must be a string, not ['a'] (list)"),
        ("editorial = 'In this'", "work 'w' version 'en': editorial must be a list"),
        ("editorial = [1]", "work 'w' version 'en': editorial must be a list"),
        ("unit = 3", "work 'w' version 'en': unit must be sentence or paragraph, not 3 (int)"),
        ("title = 1938", "work 'w' version 'en': title must be a string, not 1938 (int)"),
        ("date = 1938-05-01", "work 'w' version 'en': date must be a string, not"),
        ("file = ['en.txt']", "work 'w' version 'en': file must be a string"),
        ("label = 5", "work 'w' version 5: label must be a string, not 5 (int)"),
        ('notes = "a\\u0000b"', "work 'w' version 'en': notes holds a NUL character"),
        (
            "date = '" + "x" * 101 + "'",
            "work 'w' version 'en': date is 101 characters long; the most it may be is 100",
        ),
    ],
)
def test_a_manifest_value_of_the_wrong_type_is_one_line(
    cli: Cli, tmp_path: Path, line: str, problem: str
) -> None:
    file = "" if line.startswith("file") else "file = 'en.txt'\n"
    folder = corpus(
        tmp_path / "corpus", f"lang = 'en'\nrole = 'original'\n{file}{line}", {"en.txt": SENTENCE}
    )
    refused(cli, "import", folder, fragments=(f"{folder / 'manifest.toml'}: {problem}",))


@pytest.mark.parametrize(
    ("manifest", "problem"),
    [
        ("work = [1, 2]", "work must be a [[work]] table, not 1 (int)"),
        ("[[work]]\nslug = 7\n", "work: slug must be a string, not 7 (int)"),
        ("[[work]]\nslug = 'w'\nversion = 'en'\n", "work 'w': version must be [[work.version]]"),
        ("[[work]]\nslug = 'w'\nauthor = ['a']\n[[work.version]]\nlang = 'en'\nrole = 'original'",
         "work 'w': author must be a string, not ['a'] (list)"),
        ("[[work]]\nslug = 'w'\n[[work.version]]\nlang = 'en'\nrole = 1",
         "work 'w' version 'en': role must be a string, not 1 (int)"),
    ],
)  # fmt: skip
def test_a_manifest_table_of_the_wrong_shape_is_one_line(
    cli: Cli, tmp_path: Path, manifest: str, problem: str
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    refused(cli, "import", folder, fragments=(f"{folder / 'manifest.toml'}: {problem}",))


# --- item 14: labels follow one rule, so WORK/LABEL always names a version ---------------------


@pytest.mark.parametrize("label", ["a/b", '">x', "two words", "-x", "x" * 51, "ok\n"])
def test_a_label_that_could_not_be_named_back_is_refused(
    cli: Cli, tmp_path: Path, label: str
) -> None:
    path = write(tmp_path / "t.txt")
    problem = f"{label!r}: not a valid version label"
    refused(cli, "import", path, "--work", "w", "--lang", "en", "--label", label,
            fragments=(problem,))  # fmt: skip
    refused(cli, "declare", "w", "--lang", "en", "--label", label, fragments=(problem,))
    folder = corpus(
        tmp_path / "corpus", f"lang = 'en'\nrole = 'original'\nlabel = {json.dumps(label)}"
    )
    refused(cli, "import", folder, fragments=(f"{folder / 'manifest.toml'}: work 'w'", problem))


def test_a_valid_label_is_named_back_through_translation_of(cli: Cli, tmp_path: Path) -> None:
    cli.ok("declare", "w", "--lang", "ru", "--label", "ru-1923.MS_b")
    path = write(tmp_path / "t.txt")
    cli.ok("import", path, "--work", "v", "--lang", "en", "--translation-of", "w/ru-1923.MS_b")
    assert versions(cli, "v")["en"]["translation_of"] == "w/ru-1923.MS_b"


def test_the_tmx_and_tei_importers_label_check_is_the_same_rule(db_url: str) -> None:
    with Database(db_url) as db:
        db.ensure_ready(create=True)
        with (
            pytest.raises(InputError, match="'a/b': not a valid version label"),
            db.session() as session,
        ):
            work = upsert_work(session, WorkSpec("w"))
            upsert_version(session, work, VersionSpec("en", label="a/b"))


def test_suggested_commands_are_shell_quoted(cli: Cli, tmp_path: Path) -> None:
    """A database from before labels were checked may hold any label: the command suggested to
    align it must still be one the shell reads back as typed."""
    path = write(tmp_path / "t.txt")
    cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "original", "--label", "en")
    cli.ok("import", path, "--work", "w", "--lang", "fr", "--translation-of", "en")
    with Database(cli.db_url) as db, db.session() as session:
        session.execute(text("UPDATE versions SET label = 'fr; rm -rf x' WHERE label = 'fr'"))
    result = cli("show-alignment", "w", "--src", "en", "--tgt", "fr; rm -rf x")
    assert_one_line_error(result, "run `aligner align w --src en --tgt 'fr; rm -rf x'`")


def test_a_text_without_breaks_is_refused_rather_than_stored_as_one_huge_segment(
    cli: Cli, tmp_path: Path
) -> None:
    """A segment longer than 100,000 characters is a text without paragraph breaks: SQLite's
    full-text trigger took 350 MB for one of 5 MB, and PostgreSQL's tsvector holds 1 MB."""
    words = " ".join(["word"] * 20_001)  # 100,004 characters, one heading-like block
    path = write(tmp_path / "long.txt", f"A title\n\n{words}\n")
    refused(
        cli,
        "import", path, "--work", "w", "--lang", "en", "--unit", "paragraph",
        fragments=(f"{path}: the paragraph at character 9 is 100,004 characters long",
                   "more than the 100,000 one segment may hold"),
    )  # fmt: skip
    write(path, f"A title\n\n{words[:-5]}\n")
    assert cli.ok("import", path, "--work", "w", "--lang", "en", "--unit", "paragraph").stdout == (
        "w/en: imported 1: 1 paragraph, 1 heading\n"
    )


def test_an_apparatus_value_too_long_for_its_field_stays_in_the_apparatus(
    cli: Cli, tmp_path: Path
) -> None:
    written = "March 1938, " + "and revised in Paris " * 6  # 138 characters: date_written holds 100
    path = write(tmp_path / "t.txt", f"Written: {written}\n\nA sentence of the text.\n")
    cli.ok("import", path, "--work", "w", "--lang", "en", "--role", "original")
    data = json.loads(cli.ok("show", "w", "--lang", "en", "-f", "json").stdout)
    assert data["apparatus"]["written"] == written.strip()
    assert json.loads(cli.ok("show", "w", "-f", "json").stdout)["date_written"] is None
