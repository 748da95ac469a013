"""TMX at the formats layer, on plain values: a parallel document's runs written as a translation
memory and read back give the same versions and beads, with no database and no SQLAlchemy
loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from aligner.formats import model
from aligner.formats.beads import ExportFilter
from aligner.formats.tmx import document_from_runs, write_tmx
from aligner.formats.tmx_import import read_tmx_document

REPO = Path(__file__).resolve().parents[1]
KEEP_ALL = ExportFilter(keep_unaligned=True)
ENGLISH = ["The meeting opened.", "The workers voted.", "The strike lasted.", "Ships waited."]
FRENCH = ["La réunion s'ouvrit.", "Les ouvriers votèrent.", "Un ajout.", "La grève dura."]
YIDDISH = ["די פֿאַרזאַמלונג האָט זיך געעפֿנט.", "די אַרבעטער האָבן געשטימט.", "דער שטרייק האָט געדויערט."]


def bead(position: int, src: tuple[int, ...], tgt: tuple[int, ...], tgt_texts: list[str],
         score: float | None, status: str) -> model.AlignedBead:  # fmt: skip
    return model.AlignedBead(
        position, src, tgt, score, status,
        " ".join(ENGLISH[i] for i in src), " ".join(tgt_texts[j] for j in tgt),
    )  # fmt: skip


def memory(*translations: str) -> model.ParallelDocument:
    """English and the runs to the ``translations`` asked for (``fr``, ``yi``): French adds a
    sentence and leaves the last one out; Yiddish joins two."""
    french = [
        bead(0, (0,), (0,), FRENCH, 0.9, "confirmed"),
        bead(1, (1,), (1,), FRENCH, 0.8123, "auto"),
        bead(2, (), (2,), FRENCH, None, "auto"),
        bead(3, (2,), (3,), FRENCH, 0.75, "corrected"),
        bead(4, (3,), (), FRENCH, None, "auto"),
    ]
    yiddish = [
        bead(0, (0, 1), (0, 1), YIDDISH, 0.7, "auto"),
        bead(1, (2,), (2,), YIDDISH, 0.6, "confirmed"),
        bead(2, (3,), (), YIDDISH, None, "auto"),
    ]
    runs = {
        "fr": model.DocRun("en", "fr", french, id=4, src_revision=1, tgt_revision=2),
        "yi": model.DocRun("en", "yi", yiddish, id=5, src_revision=1, tgt_revision=1),
    }
    versions = [
        model.DocVersion("en", "en", id=1, role="original", segments=texts(ENGLISH)),
        translation("fr", FRENCH, translator="Anne Traductrice"),
        translation("yi", YIDDISH),
    ]
    return model.ParallelDocument(
        model.DocWork("strike"), versions, [runs[t] for t in translations]
    )


def translation(
    label: str, sentences: list[str], translator: str | None = None
) -> model.DocVersion:
    number = 2 if label == "fr" else 3
    return model.DocVersion(
        label, label, id=number, role="translation", translation_of=model.VersionRef("en"),
        translator=translator, segments=texts(sentences),
    )  # fmt: skip


def texts(sentences: list[str]) -> list[model.DocSegment]:
    return [model.DocSegment("sentence", n, 0, text) for n, text in enumerate(sentences)]


def round_trip(folder: Path, *translations: str) -> model.ParallelDocument:
    path = folder / "strike.tmx"
    path.write_bytes(write_tmx(document_from_runs(memory(*translations), KEEP_ALL)))
    return read_tmx_document(path)


def sides(run: model.DocRun) -> list[tuple[list[int], list[int], float | None, str]]:
    return [(list(b.src_ids), list(b.tgt_ids), b.score, b.status) for b in run.beads]


def test_one_run_reads_back_as_its_versions_and_beads(tmp_path: Path) -> None:
    read = round_trip(tmp_path, "fr")
    assert read.work.slug == "strike"
    assert [(v.label, v.language, v.role, v.translation_of, v.translator)
            for v in read.versions] == [
        ("en", "en", "original", None, None),
        ("fr", "fr", "translation", model.VersionRef("en"), "Anne Traductrice"),
    ]  # fmt: skip
    # A unit per bead: each side one segment, numbered by the unit it came from.
    assert [(s.paragraph, s.text) for s in read.versions[0].segments or ()] == [
        (0, ENGLISH[0]), (1, ENGLISH[1]), (3, ENGLISH[2]), (4, ENGLISH[3]),
    ]  # fmt: skip
    assert [s.text for s in read.versions[1].segments or ()] == FRENCH
    (run,) = read.runs
    assert (run.src, run.tgt, run.method, run.parameters) == (
        "en", "fr", "tmx-import", {"file": "strike.tmx"},
    )  # fmt: skip
    assert sides(run) == [
        ([0], [0], 0.9, "confirmed"),
        ([1], [1], 0.8123, "auto"),
        ([], [2], None, "auto"),
        ([2], [3], 0.75, "corrected"),
        ([3], [], None, "auto"),
    ]
    assert (read.units, read.dropped, list(read.warnings)) == (5, {}, [])


def test_two_translations_read_back_from_one_unit_per_stretch_of_the_original(
    tmp_path: Path,
) -> None:
    read = round_trip(tmp_path, "fr", "yi")
    assert [v.label for v in read.versions] == ["en", "fr", "yi"]
    # The French addition stays a unit of its own; the Yiddish join makes one unit of the
    # first two English sentences, which French splits in two beads joined in its <tuv>.
    assert [s.text for s in read.versions[0].segments or ()] == [
        f"{ENGLISH[0]} {ENGLISH[1]}", ENGLISH[2], ENGLISH[3],
    ]  # fmt: skip
    french, yiddish = read.runs
    assert [s.text for s in read.versions[1].segments or ()] == [
        f"{FRENCH[0]} {FRENCH[1]}", FRENCH[2], FRENCH[3],
    ]  # fmt: skip
    assert sides(french) == [
        ([0], [0], 0.8123, "auto"),
        ([], [1], None, "auto"),
        ([1], [2], 0.75, "corrected"),
        ([2], [], None, "confirmed"),
    ]
    assert sides(yiddish) == [
        ([0], [0], 0.7, "auto"),
        ([1], [1], 0.6, "confirmed"),
        ([2], [], None, "confirmed"),
    ]


def database_modules_loaded_by(call: str, folder: Path) -> list[str]:
    """The SQLAlchemy, store and services modules a fresh interpreter has loaded once it has
    run ``call`` (``module:function``) on ``folder``."""
    module, function = call.split(":")
    code = (
        f"import sys, json; from pathlib import Path; from {module} import {function}; "
        f"{function}(Path(sys.argv[1])); "
        "print(json.dumps([m for m in sys.modules if m.split('.')[0] == 'sqlalchemy' "
        "or m.startswith(('aligner.store', 'aligner.services'))]))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code, str(folder)],
        capture_output=True, text=True, check=True, cwd=REPO,
    )  # fmt: skip
    loaded: list[str] = json.loads(found.stdout)
    return loaded


def round_trip_of_two(folder: Path) -> model.ParallelDocument:
    return round_trip(folder, "fr", "yi")


def test_the_round_trip_loads_no_database_library(tmp_path: Path) -> None:
    """In a fresh interpreter: writing and reading TMX imports no SQLAlchemy, store or
    services module."""
    assert database_modules_loaded_by("tests.test_formats_tmx:round_trip_of_two", tmp_path) == []
    assert (tmp_path / "strike.tmx").stat().st_size > 0
