"""Plain exports (``aligner export tsv|csv|jsonl``): one record per bead with the texts as
stored, parsed back with the csv and json modules; the filters shared with TMX, tabs and line
breaks inside texts, unaligned beads and the errors."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from aligner.services.selection import find_run
from aligner.store.models import AlignmentRun
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli, CliResult, assert_one_line_error
from tests.exporting import WORK, aligned_demo, aligned_pair_with_an_addition, import_pair

BEADS = {"fr-demo": 13, "yi-demo": 12}  # all 1-1, 1-2 or 2-1 (see test_demonstration.py)
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
FORMATS = ("tsv", "csv", "jsonl")
HEADER = ["position", "kind", "score", "status", "src_ids", "tgt_ids", "src_text", "tgt_text"]
Record = dict[str, object]


def parse(fmt: str, data: bytes) -> list[Record]:
    """An export read back as the tools that read it would: records with typed fields."""
    text = data.decode("utf-8")
    if fmt == "jsonl":
        assert text == "" or text.endswith("\n")
        records = [json.loads(line) for line in text.splitlines()]
        for read in records:
            assert list(read) == HEADER
        return records
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert text.endswith("\r\n")
    else:
        assert text.endswith("\n") and "\r" not in text
        rows = [line.split("\t") for line in text.split("\n")[:-1]]
    assert rows[0] == HEADER
    records = []
    for row in rows[1:]:
        assert len(row) == len(HEADER)
        record: Record = dict(zip(HEADER, row, strict=True))
        record["position"] = int(row[0])
        record["score"] = float(row[2]) if row[2] else None
        record["src_ids"] = [int(i) for i in row[4].split()]
        record["tgt_ids"] = [int(i) for i in row[5].split()]
        records.append(record)
    return records


def export(cli: Cli, fmt: str, *args: str | Path) -> CliResult:
    return cli.ok("export", fmt, *args)


def expected_records(cli: Cli, work: str, src: str, tgt: str, run_id: int | None) -> list[Record]:
    """Every bead of the run, straight from the database."""
    with Database(cli.db_url) as db, db.session() as session:
        run = find_run(session, work, src, tgt, run_id)
        expected = []
        for link in run.links:
            sides: dict[str, list[tuple[int, str]]] = {"src": [], "tgt": []}
            for member in link.members:
                sides[member.side].append((member.segment.position, member.segment.text))
            src_side, tgt_side = sorted(sides["src"]), sorted(sides["tgt"])
            expected.append(
                {
                    "position": link.position,
                    "kind": f"{len(src_side)}-{len(tgt_side)}",
                    "score": None if link.score is None else round(link.score, 4),
                    "status": link.status,
                    "src_ids": [p for p, _ in src_side],
                    "tgt_ids": [p for p, _ in tgt_side],
                    "src_text": " ".join(t for _, t in src_side),
                    "tgt_text": " ".join(t for _, t in tgt_side),
                }
            )
    return expected


@pytest.mark.parametrize("label", sorted(BEADS))
def test_a_demonstration_pair_exports_one_record_per_bead_with_the_stored_texts(
    cli: Cli, label: str, tmp_path: Path
) -> None:
    aligned_demo(cli, label)
    expected = expected_records(cli, WORK, "en", label, None)
    assert len(expected) == BEADS[label]
    assert {e["kind"] for e in expected} <= {"1-1", "1-2", "2-1"}
    assert "1-1" in {e["kind"] for e in expected} and len({e["kind"] for e in expected}) > 1
    base = (WORK, "--src", "en", "--tgt", label)
    for fmt in FORMATS:
        result = export(cli, fmt, *base)
        assert result.stderr == f"{WORK}: run 1, en → {label}: {BEADS[label]} beads\n"  # the run
        records = parse(fmt, result.stdout_bytes)
        assert len(records) == BEADS[label]
        assert [r["position"] for r in records] == list(range(BEADS[label]))
        assert records == expected, fmt  # the texts exactly as stored, ids, kinds, scores
        assert 0.5 < float(str(records[0]["score"])) <= 1.0
        # The Yiddish goes out as its UTF-8 bytes, with no bidi marks added.
        assert not BIDI_CONTROLS.search(result.stdout)
        for record in expected:
            assert str(record["tgt_text"]).encode("utf-8") in result.stdout_bytes
        # -o writes the same bytes to a file and says so.
        target = tmp_path / f"out.{fmt}"
        written = export(cli, fmt, *base, "-o", target)
        assert written.stdout == (
            f"{WORK}: run 1, en → {label}: {BEADS[label]} beads written to {target}\n"
        )
        assert written.stderr == ""
        assert target.read_bytes() == result.stdout_bytes
    if label == "yi-demo":
        joined = next(e for e in expected if e["kind"] == "2-1")
        assert str(joined["src_text"]).endswith("the third big Moscow trial.")
        assert isinstance(joined["src_ids"], list) and len(joined["src_ids"]) == 2
        source = (CORPUS / "demonstration" / f"why-we-quit-introduction.{label}.txt").read_bytes()
        unwrapped = source.replace(b"\n", b" ")
        for record in parse("tsv", export(cli, "tsv", *base).stdout_bytes):
            for sentence in re.split(r"(?<=[.!?]) ", str(record["tgt_text"])):
                assert sentence.encode("utf-8") in unwrapped


def test_the_tsv_head_is_plain_text_a_spreadsheet_reads(cli: Cli) -> None:
    aligned_demo(cli, "fr-demo")
    lines = export(cli, "tsv", WORK, "--src", "en", "--tgt", "fr-demo").stdout.split("\n")
    assert lines[0] == "\t".join(HEADER)
    assert re.fullmatch(
        r"0\t1-1\t\d\.\d{4}\tauto\t\d+\t\d+\tThe New International, May 1938\t"
        r"The New International, mai 1938",
        lines[1],
    )


def test_status_min_score_and_run_filter_the_records(cli: Cli, tmp_path: Path) -> None:
    aligned_demo(cli, "fr-demo")
    cli.ok("align", WORK, "--src", "en", "--tgt", "fr-demo")  # run 2, the newest
    with Database(cli.db_url) as db, db.session() as session:
        scores = [link.score or 0.0 for link in find_run(session, WORK, "en", "fr-demo", 2).links]
    threshold = sorted(scores)[len(scores) // 2]
    base = (WORK, "--src", "en", "--tgt", "fr-demo")
    for fmt in FORMATS:
        records = parse(fmt, export(cli, fmt, *base, "--min-score", str(threshold)).stdout_bytes)
        assert len(records) == sum(score >= threshold for score in scores) < len(scores)
        assert all(float(str(r["score"])) >= threshold - 5e-5 for r in records)
        assert parse(fmt, export(cli, fmt, *base, "--min-score", "1.01").stdout_bytes) == []
        assert parse(fmt, export(cli, fmt, *base, "--status", "confirmed").stdout_bytes) == []
    with Database(cli.db_url) as db, db.session() as session:
        run = session.get(AlignmentRun, 2)
        assert run is not None
        run.links[3].status, run.links[7].status = "confirmed", "corrected"
    for fmt in FORMATS:
        records = parse(fmt, export(cli, fmt, *base, "--status", "confirmed").stdout_bytes)
        assert [(r["position"], r["status"]) for r in records] == [
            (3, "confirmed"),
            (7, "corrected"),
        ]
        records = parse(fmt, export(cli, fmt, *base, "--status", "any").stdout_bytes)
        assert len(records) == 13 and {r["status"] for r in records} == {
            "auto",
            "confirmed",
            "corrected",
        }
        records = parse(fmt, export(cli, fmt, *base, "--run", "1").stdout_bytes)
        assert records == expected_records(cli, WORK, "en", "fr-demo", 1)
        assert {r["status"] for r in records} == {"auto"}
    target = tmp_path / "none.csv"
    written = export(cli, "csv", *base, "--run", "1", "--min-score", "1.01", "-o", target)
    assert written.stdout == f"{WORK}: run 1, en → fr-demo: 0 beads written to {target}\n"
    assert (
        target.read_bytes() == b"position,kind,score,status,src_ids,tgt_ids,src_text,tgt_text\r\n"
    )


def test_quotes_commas_tabs_and_line_breaks_inside_texts(cli: Cli, tmp_path: Path) -> None:
    import_pair(
        cli, tmp_path, "q",
        'Tom "the cat", and Jerry met at noon.\n\nThe harbour was full of ships.\n',
        "Tom « le chat », et Jerry se sont vus à midi.\n\nLe port était plein de navires.\n",
    )  # fmt: skip
    cli.ok("align", "q", "--src", "en", "--tgt", "fr")
    # Imported text has its whitespace normalised; a tab and line breaks can still be stored
    # (an edited segment), and each format must keep the record whole.
    with Database(cli.db_url) as db, db.session() as session:
        run = find_run(session, "q", "en", "fr", None)
        segment = next(m.segment for m in run.links[1].members if m.side == "src")
        segment.text = "The harbour\twas full\nof ships.\r\n"
    base = ("q", "--src", "en", "--tgt", "fr")
    expected = expected_records(cli, "q", "en", "fr", None)
    assert expected[0]["src_text"] == 'Tom "the cat", and Jerry met at noon.'
    for fmt in ("csv", "jsonl"):
        result = export(cli, fmt, *base)
        assert result.stderr == "q: run 1, en → fr: 2 beads\n"
        assert parse(fmt, result.stdout_bytes) == expected
    result = export(cli, "tsv", *base)
    assert result.stderr == (
        "replaced 4 tabs or line breaks with spaces\nq: run 1, en → fr: 2 beads\n"
    )
    records = parse("tsv", result.stdout_bytes)
    assert len(records) == 2
    assert records[0] == expected[0]
    assert records[1]["src_text"] == "The harbour was full of ships.  "
    assert records[1]["tgt_text"] == expected[1]["tgt_text"]


def test_additions_are_left_out_unless_keep_unaligned_writes_an_empty_side(
    cli: Cli, tmp_path: Path
) -> None:
    addition = aligned_pair_with_an_addition(cli, tmp_path)
    base = ("om", "--src", "en", "--tgt", "fr")
    for fmt in FORMATS:
        records = parse(fmt, export(cli, fmt, *base).stdout_bytes)
        assert len(records) == 4 and all(r["kind"] == "1-1" for r in records)
        assert addition not in [r["position"] for r in records]
        records = parse(fmt, export(cli, fmt, *base, "--keep-unaligned").stdout_bytes)
        assert len(records) == 5
        alone = [r for r in records if r["kind"] == "0-1"]
        assert len(alone) == 1
        assert alone[0]["position"] == addition
        assert alone[0]["src_ids"] == [] and alone[0]["src_text"] == ""
        assert alone[0]["tgt_text"] == "12345 67890 ISBN 978-3-16-148410-0."


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_work_unaligned_pair_unknown_run_and_bad_status_are_one_line_errors(
    cli: Cli, tmp_path: Path, fmt: str
) -> None:
    import_pair(cli, tmp_path, "w", "A sentence.\n", "Une phrase.\n")
    assert_one_line_error(cli("export", fmt, "nope", "--src", "en", "--tgt", "fr"), "nope")
    result = cli("export", fmt, "w", "--src", "en", "--tgt", "fr")
    assert_one_line_error(result, "w: en and fr are not aligned yet; run `aligner align w")
    assert result.stdout == ""
    assert_one_line_error(cli("export", fmt, "w", "--src", "en", "--tgt", "de"), "w/de")
    cli.ok("align", "w", "--src", "en", "--tgt", "fr")
    assert_one_line_error(
        cli("export", fmt, "w", "--src", "en", "--tgt", "fr", "--run", "9"),
        "w: no run 9 aligns en with fr",
    )
    missing = tmp_path / "no-such-folder" / f"w.{fmt}"
    assert_one_line_error(
        cli("export", fmt, "w", "--src", "en", "--tgt", "fr", "-o", missing),
        f"{missing}: cannot write: No such file or directory",
    )
    result = cli("export", fmt, "w", "--src", "en", "--tgt", "fr", "--status", "maybe")
    assert_one_line_error(result, "--status must be one of confirmed, any, not 'maybe'")
    assert result.exit_code == 2
