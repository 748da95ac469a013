"""The stateless align-files contract and the eval command, through the real CLI and model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aligner.formats.ladder import parse_ladder
from tests.conftest import Cli, assert_one_line_error

EN = [
    "The workers met in the square at dawn.",
    "Nobody knew who had called the meeting.",
    "The police arrived an hour later.",
    "By then the square was empty.",
]
FR = [
    "Les ouvriers se sont réunis sur la place à l’aube.",
    "Personne ne savait qui avait convoqué la réunion.",
    "La police est arrivée une heure plus tard, mais la place était déjà vide.",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path / "en.txt", EN), write(tmp_path / "fr.txt", FR)


def test_presplit_ladder_covers_every_sentence_once_in_order(
    sqlite_cli: Cli, pair: tuple[Path, Path]
) -> None:
    src, tgt = pair
    out = sqlite_cli.ok(
        "align-files", src, tgt, "--src-lang", "en", "--tgt-lang", "fr", "--presplit"
    ).stdout
    assert out == "[0]:[0]\n[1]:[1]\n[2, 3]:[2]\n"
    beads = parse_ladder(out)
    assert [i for b in beads for i in b.src] == list(range(len(EN)))
    assert [j for b in beads for j in b.tgt] == list(range(len(FR)))


def test_tsv_and_json_carry_texts_and_scores(sqlite_cli: Cli, pair: tuple[Path, Path]) -> None:
    src, tgt = pair
    args: list[str | Path] = ["align-files", src, tgt, "--src-lang", "en", "--tgt-lang", "fr"]
    args.append("--presplit")
    tsv = sqlite_cli.ok(*args, "--format", "tsv").stdout.splitlines()
    assert tsv[2].split("\t")[:2] == [f"{EN[2]} {EN[3]}", FR[2]]
    assert all(0.0 <= float(line.split("\t")[2]) <= 1.0 for line in tsv)
    rows = json.loads(sqlite_cli.ok(*args, "--format", "json").stdout)
    assert [(r["src"], r["tgt"]) for r in rows] == [([0], [0]), ([1], [1]), ([2, 3], [2])]


def test_without_presplit_the_files_are_segmented(sqlite_cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "en.txt"
    src.write_text("A Meeting\n\n" + " ".join(EN) + "\n", encoding="utf-8")
    tgt = tmp_path / "fr.txt"
    tgt.write_text("Une réunion\n\n" + " ".join(FR) + "\n", encoding="utf-8")
    out = sqlite_cli.ok("align-files", src, tgt, "--src-lang", "en", "--tgt-lang", "fr").stdout
    assert out == "[0]:[0]\n[1]:[1]\n[2]:[2]\n[3, 4]:[3]\n"


def test_bad_input_is_refused(sqlite_cli: Cli, pair: tuple[Path, Path], tmp_path: Path) -> None:
    src, tgt = pair
    base = ["align-files", "--src-lang", "en", "--tgt-lang", "fr"]
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert_one_line_error(sqlite_cli(*base, src, empty), f"{empty}: the file is empty")
    blank = tmp_path / "blank.txt"
    blank.write_text("\n" * 100_000, encoding="utf-8")
    assert_one_line_error(sqlite_cli(*base, src, blank), f"{blank}: the file holds only white")
    gappy = write(tmp_path / "gappy.txt", [EN[0], "", EN[1]])
    assert_one_line_error(
        sqlite_cli(*base, gappy, tgt, "--presplit"), f"{gappy}: line 2 is blank; with --presplit"
    )
    result = sqlite_cli("align-files", src, tgt, "--src-lang", "xx", "--tgt-lang", "fr")
    assert_one_line_error(result, f"{src}: 'xx' is not a known language code")
    result = sqlite_cli(*base, src, tgt, "--model", "nope")
    assert_one_line_error(result, "nope: unknown model")


def test_eval_prints_strict_and_lax_scores(sqlite_cli: Cli, tmp_path: Path) -> None:
    gold = write(tmp_path / "gold", ["[0]:[0, 1]", "[1]:[2]", "[2]:[]", "[3]:[3]"])
    pred = write(tmp_path / "pred", ["[0]:[0]", "[]:[1]", "[1]:[2]", "[2]:[]", "[3]:[3]"])
    out = sqlite_cli.ok("eval", "--gold", gold, "--pred", pred).stdout.splitlines()
    assert out[2].split() == ["strict", "0.6000", "0.6667", "0.6316"]
    assert out[3].split() == ["lax", "0.8000", "1.0000", "0.8889"]
    bad = write(tmp_path / "bad", ["0 -> 0"])
    assert_one_line_error(
        sqlite_cli("eval", "--gold", gold, "--pred", bad), f"{bad}: line 1 is not a ladder bead"
    )
