"""Golden files: every export of one small, hand-aligned pair, byte for byte, dates aside.

The pair is an English original and a Yiddish translation (right to left) with ``&`` and
``<`` in the text, a 2-1 bead, an addition and an omission, and every link status.  The run
is stored by hand, so no model is involved and the files only change when a format does.
Set ALIGNER_UPDATE_GOLDEN=1 to rewrite them after a deliberate change, and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import SHARED, Cli
from tests.exporting import FixedBead, store_run

GOLDEN = Path(__file__).parent / "golden"
TMX_DTD = SHARED / "schemas" / "tmx" / "tmx14.dtd"
ENGLISH = (
    "The meeting opened at noon.\n\n"
    "Tom & Jerry <b>met</b> at the harbour. They talked.\n\n"
    "The strike lasted three weeks.\n\n"
    "The harbour was full of ships.\n"
)
YIDDISH = (
    "די זיצונג האָט זיך אָנגעהויבן צו מיטאָג.\n\n"
    "טאָם & דזשערי <b> האָבן זיך געטראָפֿן בײַם האַפֿן און גערעדט.\n\n"
    "אַ נײַער זאַץ, נאָר אין דער איבערזעצונג.\n\n"
    "דער סטרייק האָט געדויערט דרײַ וואָכן.\n"
)
BEADS = [
    FixedBead([0], [0], 0.97, "auto"),
    FixedBead([1, 2], [1], 0.9125, "confirmed"),
    FixedBead([], [2], 0.41, "auto"),
    FixedBead([3], [3], 0.95, "corrected"),
    FixedBead([4], [], 0.3, "auto"),
]
EXPORTS = {
    "golden.tmx": ("tmx",),
    "golden-keep-unaligned.tmx": ("tmx", "--keep-unaligned"),
    "golden-confirmed.tmx": ("tmx", "--status", "confirmed"),
    "golden.tsv": ("tsv",),
    "golden.csv": ("csv",),
    "golden.jsonl": ("jsonl",),
}
_VARYING = [
    (re.compile(rb'creationdate="\d{8}T\d{6}Z"'), b'creationdate="DATE"'),
    (re.compile(rb'creationtoolversion="[^"]*"'), b'creationtoolversion="VERSION"'),
]


def normalised(data: bytes) -> bytes:
    for pattern, replacement in _VARYING:
        data = pattern.sub(replacement, data)
    return data


@pytest.fixture
def golden_pair(sqlite_cli: Cli, tmp_path: Path) -> Cli:
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "yi.txt").write_text(YIDDISH, encoding="utf-8")
    sqlite_cli.ok("import", tmp_path / "en.txt", "--work", "golden", "--lang", "en",
                  "--role", "original")  # fmt: skip
    sqlite_cli.ok("import", tmp_path / "yi.txt", "--work", "golden", "--lang", "yi",
                  "--translation-of", "en", "--translator", "A. Translator")  # fmt: skip
    store_run(sqlite_cli.db_url, "golden", "en", "yi", BEADS)
    return sqlite_cli


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_each_export_matches_its_golden_file(golden_pair: Cli, name: str) -> None:
    fmt, *options = EXPORTS[name]
    result = golden_pair.ok("export", fmt, "golden", "--src", "en", "--tgt", "yi", *options)
    data = normalised(result.stdout_bytes)
    if name.endswith(".tmx") and TMX_DTD.is_file():
        dtd = etree.DTD(str(TMX_DTD))
        assert dtd.validate(etree.fromstring(data)), str(dtd.error_log)
    path = GOLDEN / name
    if os.environ.get("ALIGNER_UPDATE_GOLDEN") == "1":
        path.write_bytes(data)
    assert path.is_file(), f"{path} is missing: run with ALIGNER_UPDATE_GOLDEN=1 and review it"
    assert data == path.read_bytes()


def test_the_complete_golden_tmx_imports_back_into_the_same_memory(sqlite_url: str) -> None:
    # Complete: with its addition and omission.  A filtered export cannot come back whole,
    # and its units are renumbered (the tuid holds the bead's place in the run).
    fresh = Cli(sqlite_url)
    golden = GOLDEN / "golden-keep-unaligned.tmx"
    assert fresh.ok("import", golden).stderr == ""
    again = fresh.ok("export", "tmx", "golden", "--tgt", "yi", "--keep-unaligned")
    assert normalised(again.stdout_bytes) == golden.read_bytes()
