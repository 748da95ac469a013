"""One rule per question, the same in every command: which source --src means when left out,
and which run a command used (an automatic run or a person's review of it)."""

from __future__ import annotations

from pathlib import Path

from aligner.core.bead_edits import EditRequest
from aligner.services.review import edit
from aligner.store.session import Database
from tests.conftest import Cli, assert_one_line_error
from tests.exporting import import_pair

ENGLISH = "The harbour was full of ships.\n\nThe sailors sang all night.\n"
FRENCH = "Le port était plein de navires.\n\nLes marins ont chanté toute la nuit.\n"
GERMAN = "Der Hafen war voller Schiffe.\n\nDie Seeleute sangen die ganze Nacht.\n"


def test_src_defaults_to_the_version_the_translation_was_made_from_everywhere(
    cli: Cli, tmp_path: Path
) -> None:
    import_pair(cli, tmp_path, "h", ENGLISH, FRENCH)
    assert cli.ok("align", "h", "--tgt", "fr").stdout.startswith("h: run 1, en → fr: 2 beads")
    assert cli.ok("show-alignment", "h", "--tgt", "fr").stdout.startswith("h: run 1, en → fr,")
    assert cli.ok("stats", "h", "--tgt", "fr").stdout.startswith("h: run 1, en → fr,")
    for fmt in ("tsv", "csv", "jsonl", "tmx"):
        exported = cli.ok("export", fmt, "h", "--tgt", "fr")
        assert exported.stderr.startswith("h: run 1, en → fr: 2 "), fmt


def test_an_ambiguous_source_is_an_error_naming_the_choices(cli: Cli, tmp_path: Path) -> None:
    for lang, text in (("en", ENGLISH), ("de", GERMAN)):
        (tmp_path / f"{lang}.txt").write_text(text, encoding="utf-8")
        cli.ok("import", tmp_path / f"{lang}.txt", "--work", "two", "--lang", lang,
               "--role", "original")  # fmt: skip
    (tmp_path / "fr.txt").write_text(FRENCH, encoding="utf-8")
    cli.ok("import", tmp_path / "fr.txt", "--work", "two", "--lang", "fr")  # source unknown
    expected = (
        "Error: two: fr does not say what it was translated from and the work has 2 originals; "
        "choose the source with --src (de, en)\n"
    )
    for args in (
        ("align", "two", "--tgt", "fr"),
        ("show-alignment", "two", "--tgt", "fr"),
        ("stats", "two", "--tgt", "fr"),
        ("export", "tsv", "two", "--tgt", "fr"),
        ("export", "tmx", "two", "--tgt", "fr"),
    ):
        result = cli(*args)
        assert_one_line_error(result)
        assert result.stderr == expected, args
    assert cli.ok("align", "two", "--src", "de", "--tgt", "fr").stdout.startswith(
        "two: run 1, de → fr: "
    )


def test_runs_and_every_reader_say_when_they_use_a_review(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path, "h", ENGLISH, FRENCH)
    cli.ok("align", "h", "--tgt", "fr")
    auto = cli.ok("runs", "h").stdout.splitlines()
    assert auto[0].split() == [
        "run", "method", "base", "edits", "src", "tgt", "beads", "mean", "score", "model",
        "created",
    ]  # fmt: skip
    assert auto[2].split()[:4] == ["1", "auto", "-", "-"]
    with Database(cli.db_url) as db, db.session() as session:
        edit(session, 1, EditRequest("confirm", 0), 0, "tester")
    runs = cli.ok("runs", "h").stdout.splitlines()
    assert runs[3].split()[:4] == ["2", "review", "1", "1"]
    used = "run 2 (review of run 1, 1 edit), en → fr"
    assert cli.ok("show-alignment", "h", "--tgt", "fr").stdout.startswith(f"h: {used}, model ")
    assert cli.ok("stats", "h", "--tgt", "fr").stdout.startswith(f"h: {used}, model ")
    assert cli.ok("export", "csv", "h", "--tgt", "fr").stderr == f"h: {used}: 2 beads\n"
    written = cli.ok("export", "tmx", "h", "--tgt", "fr", "-o", tmp_path / "h.tmx").stdout
    assert written == f"h: {used}: 2 translation units written to {tmp_path / 'h.tmx'}\n"
    assert cli.ok("stats", "h", "--tgt", "fr", "--run", "1").stdout.startswith("h: run 1, en")
