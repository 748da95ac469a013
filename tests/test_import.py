"""Importing single files: encodings, revisions, declared versions, relay translation."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from tests.conftest import Cli

YIDDISH = "דער אַפּעל.\n\nצו אַלע קאָמוניסטן! מיר רופֿן אײַך.\n"
RUSSIAN_1918 = "Въ 1905 г. онъ писалъ о рабочихъ.\n\nВсѣ рабочіе пришли. Это было въ Петербургѣ.\n"
FRENCH = "« Le parti », dit-il\u00a0: « c’est nous\u202f! » Il partit.\r\nPuis il revint.\r\n"


def import_args(path: Path, work: str, lang: str, *extra: str) -> list[str | Path]:
    return ["import", path, "--work", work, "--lang", lang, *extra]


def test_utf8_utf8_bom_and_utf16_files_round_trip_byte_for_byte(cli: Cli, tmp_path: Path) -> None:
    encodings = {
        "utf8": YIDDISH.encode("utf-8"),
        "utf8bom": codecs.BOM_UTF8 + RUSSIAN_1918.encode("utf-8"),
        "utf16le": codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"),
        "utf16be": codecs.BOM_UTF16_BE + YIDDISH.encode("utf-16-be"),
    }
    languages = {"utf8": "yi", "utf8bom": "ru", "utf16le": "fr", "utf16be": "yi"}
    for name, data in encodings.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(data)
        cli.ok(*import_args(path, name, languages[name], "--role", "original"))
        assert cli.ok("show", name, "--lang", languages[name], "--raw").stdout_bytes == data


def test_multilingual_segments_keep_their_script(cli: Cli, tmp_path: Path) -> None:
    for name, text, lang in (
        ("yi", YIDDISH, "yi"),
        ("ru", RUSSIAN_1918, "ru"),
        ("fr", FRENCH, "fr"),
    ):
        path = tmp_path / f"{name}.txt"
        path.write_bytes(text.encode("utf-8"))
        cli.ok(*import_args(path, f"w-{name}", lang, "--role", "original"))
    segments = {
        name: [
            s["text"]
            for s in json.loads(cli.ok("show", f"w-{name}", "--lang", name, "-f", "json").stdout)[
                "segments"
            ]
        ]
        for name in ("yi", "ru", "fr")
    }
    assert segments["yi"] == ["דער אַפּעל.", "צו אַלע קאָמוניסטן!", "מיר רופֿן אײַך."]
    assert segments["ru"] == [
        "Въ 1905 г. онъ писалъ о рабочихъ.", "Всѣ рабочіе пришли.", "Это было въ Петербургѣ.",
    ]  # fmt: skip
    assert segments["fr"] == [
        "« Le parti », dit-il : « c’est nous ! »", "Il partit.", "Puis il revint.",
    ]  # fmt: skip
    shown = json.loads(cli.ok("show", "w-yi", "--lang", "yi", "-f", "json").stdout)
    assert (shown["version"]["script"], shown["version"]["direction"]) == ("Hebr", "rtl")


def test_same_file_twice_is_not_duplicated_and_a_changed_file_is_a_new_revision(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "text.en.txt"
    first = "First version of the text. It has two sentences.\n"
    path.write_text(first, encoding="utf-8")
    args = import_args(path, "essay", "en", "--role", "original")
    assert "essay/en: imported 1: 2 sentences" in cli.ok(*args).stdout
    assert "essay/en: unchanged (revision 1)" in cli.ok(*args).stdout
    second = first + "\nA paragraph the editor added later.\n"
    path.write_text(second, encoding="utf-8")
    assert "essay/en: new revision 2: 3 sentences" in cli.ok(*args).stdout
    assert cli.ok("show", "essay", "--lang", "en", "--raw").stdout == second
    assert cli.ok("show", "essay", "--lang", "en", "--raw", "--revision", "1").stdout == first
    data = json.loads(cli.ok("show", "essay", "-f", "json").stdout)
    assert (data["versions"][0]["revision"], data["versions"][0]["revisions"]) == (2, 2)
    # Going back to the first text is a third revision: nothing is ever overwritten.
    path.write_text(first, encoding="utf-8")
    assert "essay/en: new revision 3" in cli.ok(*args).stdout


def test_a_version_can_be_declared_before_its_text_exists(cli: Cli, tmp_path: Path) -> None:
    out = cli.ok("declare", "essay", "--lang", "ru", "--title", "Очередной обман").stdout
    assert out.strip() == "essay/ru: declared (original, ru), no text yet"
    assert "unchanged (declared, no text)" in cli.ok("declare", "essay", "--lang", "ru").stdout
    path = tmp_path / "essay.en.txt"
    path.write_text("The Latest Deception. A translation.\n", encoding="utf-8")
    cli.ok(*import_args(path, "essay", "en", "--translation-of", "ru", "--translator", "Anon."))
    result = cli("show", "essay", "--lang", "ru", "--raw")
    assert result.exit_code != 0 and "declared without text" in result.stderr
    versions = json.loads(cli.ok("show", "essay", "-f", "json").stdout)["versions"]
    assert [(v["label"], v["role"], v["translation_of"], v["revision"]) for v in versions] == [
        ("ru", "original", None, None),
        ("en", "translation", "ru", 1),
    ]
    # The declared original's text arrives later: it becomes revision 1 of the same version.
    original = tmp_path / "essay.ru.txt"
    original.write_text("Очередной обман. Перевод.\n", encoding="utf-8")
    cli.ok(*import_args(original, "essay", "ru", "--role", "original"))
    versions = json.loads(cli.ok("show", "essay", "-f", "json").stdout)["versions"]
    assert [v["revision"] for v in versions] == [1, 1]


def test_relay_translation_original_to_intermediate_to_english(cli: Cli, tmp_path: Path) -> None:
    cli.ok("declare", "essay", "--lang", "ru")
    cli.ok("declare", "essay", "--lang", "fr", "--role", "translation", "--translation-of", "ru")
    path = tmp_path / "essay.en.txt"
    path.write_text("An English text made from the French.\n", encoding="utf-8")
    cli.ok(*import_args(path, "essay", "en", "--translation-of", "essay/fr"))
    with Database(cli.db_url) as db, db.session() as session:
        english = get_version(get_work(session, "essay"), "en")
        chain = []
        version = english
        while version.translation_of is not None:
            version = version.translation_of
            chain.append((version.label, version.role))
        assert chain == [("fr", "translation"), ("ru", "original")]
        assert english.translation_basis == "stated"


def test_two_translations_into_one_language_are_told_apart_by_label(
    cli: Cli, tmp_path: Path
) -> None:
    for label, text in (("en-1938", "One rendering.\n"), ("en-2016", "Another rendering.\n")):
        path = tmp_path / f"{label}.txt"
        path.write_text(text, encoding="utf-8")
        cli.ok(*import_args(path, "essay", "en", "--label", label))
    assert cli.ok("show", "essay", "--lang", "en-2016", "--raw").stdout == "Another rendering.\n"
    result = cli("show", "essay", "--lang", "en", "--raw")
    assert result.exit_code != 0 and "versions: en-1938, en-2016" in result.stderr


def test_one_stored_file_serves_every_work_cut_from_it(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "issue.txt"
    path.write_text("Part A\n\nFirst text.\n\nPart B\n\nSecond text.\n", encoding="utf-8")
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        '[[work]]\nslug = "a"\n[[work.version]]\nlang = "en"\nrole = "original"\n'
        'file = "issue.txt"\nend = "Part B"\n'
        '[[work]]\nslug = "b"\n[[work.version]]\nlang = "en"\nrole = "original"\n'
        'file = "issue.txt"\nstart = "Part B"\n',
        encoding="utf-8",
    )
    cli.ok("import", tmp_path)
    assert cli.ok("show", "a", "--lang", "en", "--raw").stdout == "Part A\n\nFirst text.\n\n"
    assert cli.ok("show", "b", "--lang", "en", "--raw").stdout == "Part B\n\nSecond text.\n"
    with Database(cli.db_url) as db, db.session() as session:
        a = get_version(get_work(session, "a"), "en").current
        b = get_version(get_work(session, "b"), "en").current
        assert a is not None and b is not None
        assert a.source_document_id == b.source_document_id
