"""``aligner export docx|xlsx|html``: the bundled English introduction aligned with its Yiddish
demonstration translation, one row per bead as the JSON Lines export gives them (the same run
and bead filters), the Yiddish set right to left, and the refusals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import lxml.html
import pytest

from aligner.store.models import AlignmentRun
from aligner.store.session import Database
from tests.conftest import Cli, assert_one_line_error
from tests.document_makers import docx_rows, xlsx_rows
from tests.exporting import WORK, aligned_demo

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LABEL = "yi-demo"
BASE = (WORK, "--tgt", LABEL)


def jsonl_rows(cli: Cli, *options: str) -> list[list[object]]:
    """The beads as the JSON Lines export writes them, as bilingual rows."""
    result = cli.ok("export", "jsonl", WORK, "--src", "en", "--tgt", LABEL, *options)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return [[r["src_text"], r["tgt_text"], r["score"], r["status"]] for r in records]


@pytest.fixture
def aligned(cli: Cli) -> Cli:
    aligned_demo(cli, LABEL)
    return cli


def test_rows_are_the_beads_the_other_exports_write(aligned: Cli, tmp_path: Path) -> None:
    expected = jsonl_rows(aligned)
    assert len(expected) == 12
    written = aligned.ok("export", "xlsx", *BASE, "-o", tmp_path / "a.xlsx")
    assert written.stdout == f"{WORK}: run 1, en → {LABEL}: 12 rows written to {tmp_path}/a.xlsx\n"
    sheet = xlsx_rows(tmp_path / "a.xlsx")
    assert sheet[0] == ["en", "yi", "score", "status"]
    assert [[r[0], r[1], round(float(str(r[2])), 4), r[3]] for r in sheet[1:]] == expected

    aligned.ok("export", "docx", *BASE, "-o", tmp_path / "a.docx")
    table = docx_rows(tmp_path / "a.docx")
    assert table[0] == ["en", "yi", "score / status"]
    assert [r[:2] for r in table[1:]] == [r[:2] for r in expected]
    assert table[1][2] == f"{float(str(expected[0][2])):.2f} · auto"

    page = aligned.ok("export", "html", *BASE).stdout_bytes  # text: stdout is fine
    cells = [row.findall("td") for row in lxml.html.fromstring(page).findall(".//tr")[1:]]
    texts = [["".join(str(t) for t in cell.itertext()) for cell in c[:2]] for c in cells]
    assert texts == [r[:2] for r in expected]
    assert {(c[1].get("lang"), c[1].get("dir")) for c in cells} == {("yi", "rtl")}


def test_yiddish_cells_are_right_to_left(aligned: Cli, tmp_path: Path) -> None:
    import docx

    aligned.ok("export", "docx", *BASE, "-o", tmp_path / "a.docx")
    row = docx.Document(str(tmp_path / "a.docx")).tables[0].rows[1]
    english, yiddish = (cell.paragraphs[0]._p for cell in row.cells[:2])
    assert yiddish.find(f"{W}pPr/{W}bidi") is not None
    assert english.find(f"{W}pPr/{W}bidi") is None


def test_status_min_score_and_run_filter_as_for_tmx(aligned: Cli, tmp_path: Path) -> None:
    with Database(aligned.db_url) as db, db.session() as session:
        scores = sorted(float(link.score or 0) for link in session.get_one(AlignmentRun, 1).links)
    middle = f"{scores[len(scores) // 2]:.6f}"
    kept = jsonl_rows(aligned, "--min-score", middle)
    assert 0 < len(kept) < len(scores)
    aligned.ok("export", "xlsx", *BASE, "--min-score", middle, "-o", tmp_path / "m.xlsx")
    assert [r[:2] for r in xlsx_rows(tmp_path / "m.xlsx")[1:]] == [r[:2] for r in kept]
    confirmed = aligned.ok("export", "docx", *BASE, "--status", "confirmed", "-o", tmp_path / "c")
    assert confirmed.stdout.endswith(f"0 rows written to {tmp_path}/c\n")
    assert docx_rows(tmp_path / "c") == [["en", "yi", "score / status"]]
    assert_one_line_error(aligned("export", "docx", *BASE, "--run", "7", "-o", tmp_path / "r"))


def test_refusals_are_one_line(aligned: Cli, tmp_path: Path) -> None:
    assert_one_line_error(aligned("export", "docx", *BASE), "give -o FILE")
    assert_one_line_error(aligned("export", "xlsx", *BASE), "give -o FILE")
    assert_one_line_error(
        aligned("export", "html", *BASE, "--status", "maybe"), "--status must be one of"
    )
    assert_one_line_error(aligned("export", "html", WORK, "--tgt", "de"))
    assert not [p for p in tmp_path.iterdir() if p.suffix != ".sqlite"]
    missing = tmp_path / "no" / "such" / "folder.docx"
    assert_one_line_error(aligned("export", "docx", *BASE, "-o", missing), "cannot write")


def test_an_xlsx_export_opens_as_a_workbook(aligned: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    aligned.ok("export", "xlsx", *BASE, "-o", tmp_path / "a.xlsx")
    workbook = load_workbook(io.BytesIO((tmp_path / "a.xlsx").read_bytes()))
    assert workbook.sheetnames == ["alignment"]
