"""TMX import: the LISA compliance kit, real CAT-tool exports, bad input refused whole, and the
round trip export → import → export on the aligned French demonstration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select, update

from aligner.formats.tmx_import import read_tmx
from aligner.formats.xml import hardened_parser
from aligner.store.models import AlignmentRun, Link, Version, Work
from aligner.store.session import Database
from tests.conftest import SHARED, Cli, assert_one_line_error, requires_shared
from tests.exporting import WORK, aligned_demo
from tests.test_export_tmx import props, segs

SAMPLES = SHARED / "data" / "tmx-samples"
KIT = SAMPLES / "omegat" / "TMXComplianceKit"
# Every .tmx file of the kit imports: file -> translation units.  (Kit files in UTF-16 LE
# with BOM: ImportTest1A, 1F, 2A, 2B; UTF-16 BE with BOM: 1G; UTF-8 with BOM: 1D, 2C, …)
KIT_UNITS = {
    "ExportTest1A": 4, "ExportTest1B": 2, "ExportTest1C": 4, "ExportTest1D": 4,
    "ExportTest1E": 4, "ExportTest2A": 6, "ImportTest1A": 2, "ImportTest1B": 1,
    "ImportTest1C": 3, "ImportTest1D": 3, "ImportTest1E": 3, "ImportTest1F": 3,
    "ImportTest1G": 3, "ImportTest1H": 3, "ImportTest1I": 1, "ImportTest1J": 2,
    "ImportTest1J_many": 3, "ImportTest1K": 2, "ImportTest1L": 1, "ImportTest2A-0index": 7,
    "ImportTest2A": 7, "ImportTest2B": 7, "ImportTest2C": 1,
}  # fmt: skip
OKAPI = {
    "applications/integration-tests/src/test/resources/tmxtest-attributes.tmx": 9,
    "okapi/connectors/pensieve/src/test/resources/mytm.tmx": 25,
    "okapi/filters/tmx/src/test/resources/Paragraph_TM.tmx": 7,
    "okapi/filters/tmx/src/test/resources/html_test.tmx": 11,
    "okapi/steps/aligner/src/test/resources/one_to_one1.tmx": 1,
    "okapi/steps/aligner/src/test/resources/one_to_one2.tmx": 1,
    "okapi/steps/aligner/src/test/resources/smallParagraph.tmx": 2,
    "okapi/steps/segmentation/src/test/resources/issue277.tmx": 2,
    "website/sample14b.tmx": 25,
}
RUS_LTC = SAMPLES / "rus-ltc" / "clean_rltc" / "dedup-tmx_test-files"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE tmx [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<tmx version="1.4"><header srclang="en"/><body><tu>
<tuv xml:lang="en"><seg>&lol3;</seg></tuv><tuv xml:lang="fr"><seg>rire</seg></tuv>
</tu></body></tmx>
"""


def counts(cli: Cli) -> tuple[int, int, int]:
    with Database(cli.db_url) as db, db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Work)) or 0,
            session.scalar(select(func.count()).select_from(Version)) or 0,
            session.scalar(select(func.count()).select_from(Link)) or 0,
        )


@requires_shared
def test_the_whole_compliance_kit_is_listed() -> None:
    assert sorted(p.stem for p in KIT.glob("*.tmx")) == sorted(KIT_UNITS)


@requires_shared
@pytest.mark.parametrize("name", sorted(KIT_UNITS))
def test_every_compliance_kit_file_imports(sqlite_cli: Cli, name: str) -> None:
    result = sqlite_cli.ok("import", KIT / f"{name}.tmx")
    assert "Traceback" not in result.stderr
    assert f"from {KIT_UNITS[name]} translation units" in result.stdout
    assert len(read_tmx(KIT / f"{name}.tmx").units) == KIT_UNITS[name]
    with Database(sqlite_cli.db_url) as db, db.session() as session:
        runs = session.scalars(select(AlignmentRun)).all()
        assert runs and {run.method for run in runs} == {"tmx-import"}
        statuses = {link.status for run in runs for link in run.links}
        assert statuses <= {"confirmed"}


@requires_shared
def test_utf16_and_bom_files_read_the_same_text() -> None:
    # 1D: UTF-8 with BOM, 1E: UTF-8, 1F: UTF-16 LE with BOM, 1G: UTF-16 BE with BOM.
    texts = {
        name: [[(v.language, v.text) for v in u.variants] for u in read_tmx(KIT / name).units]
        for name in ("ImportTest1D.tmx", "ImportTest1E.tmx", "ImportTest1F.tmx", "ImportTest1G.tmx")
    }
    first = texts["ImportTest1E.tmx"]
    assert first[0][0] == ("en-US", "à=agrave, é=eacute, æ=aelig")
    assert all(found == first for found in texts.values())


@requires_shared
def test_inline_markup_is_reduced_to_text_and_reported(sqlite_cli: Cli) -> None:
    memory = read_tmx(KIT / "ImportTest2C.tmx")
    # <hi> keeps its text; the codes (and the <sub> alt text inside <ph>) are dropped.
    assert [(v.language, v.text) for v in memory.units[0].variants] == [
        ("en-US", "Click  to start."),
        ("fr", "Cliquez  pour commencer."),
        ("en-GB", "Click  to start."),
    ]
    result = sqlite_cli.ok("import", KIT / "ImportTest2A.tmx", "--work", "kit-2a")
    assert result.stderr == (
        f"{KIT / 'ImportTest2A.tmx'}: inline markup dropped: 18 <bpt>, 18 <ept>, 4 <it>, 2 <ph>\n"
    )
    assert result.stdout.splitlines() == [
        "kit-2a/en-US: imported 1 (en-US): 7 segments",
        "kit-2a/fr-CA: imported 1 (fr-CA): 7 segments",
        "kit-2a: run 1, en-US → fr-CA: 7 links (7 confirmed) from 7 translation units",
    ]


@requires_shared
@pytest.mark.parametrize("relative", sorted(OKAPI))
def test_okapi_exports_import(sqlite_cli: Cli, relative: str) -> None:
    result = sqlite_cli.ok("import", SAMPLES / "okapi" / relative)
    assert f"from {OKAPI[relative]} translation units" in result.stdout


@requires_shared
@pytest.mark.parametrize("name", ["empty_rltc.tmx", "new_rltc2demultiplicate.tmx"])
def test_rus_ltc_files_are_read_with_a_warning(sqlite_cli: Cli, name: str) -> None:
    # srclang="all" is not TMX's "*all*"; the first <tuv>'s language is taken instead.
    result = sqlite_cli.ok("import", RUS_LTC / name)
    assert result.stderr.splitlines()[0] == (
        f"Warning: {RUS_LTC / name}: no <tuv> is in srclang all; en is taken as the original"
    )
    assert "en → ru" in result.stdout


@requires_shared
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.tmx", "the TMX body holds no translation unit with text"),
        ("invalid.tmx", "the TMX body holds no translation unit with text"),
    ],
)
def test_omegat_bad_files_are_refused(sqlite_cli: Cli, name: str, message: str) -> None:
    path = SAMPLES / "omegat" / name
    assert_one_line_error(sqlite_cli("import", path), f"{path}: {message}")
    assert counts(sqlite_cli) == (0, 0, 0)


BAD = {
    "malformed.tmx": (
        b"<tmx version='1.4'><header/><body><tu></body></tmx>",
        "not well-formed XML",
    ),
    "laughs.tmx": (BILLION_LAUGHS, "the DOCTYPE declares entities (lol, lol2, lol3); refused"),
    "network.tmx": (
        b'<!DOCTYPE tmx SYSTEM "http://example.com/tmx14.dtd"><tmx version="1.4"><header/>'
        b'<body><tu><tuv xml:lang="en"><seg>a</seg></tuv></tu></body></tmx>',
        "the DOCTYPE points at a network resource (http://example.com/tmx14.dtd)",
    ),
    "nobody.tmx": (b"<tmx version='1.4'><header srclang='en'/></tmx>", "no <body>"),
    "notmx.tmx": (b"<xliff/>", "not a TMX file (the root element is <xliff>, not <tmx>)"),
    "emptybody.tmx": (b"<tmx><header/><body/></tmx>", "holds no translation unit"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_are_refused_and_nothing_is_written(cli: Cli, tmp_path: Path, name: str) -> None:
    data, message = BAD[name]
    good = tmp_path / "good.tmx"
    good.write_bytes(
        b'<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>a</seg>'
        b'</tuv><tuv xml:lang="fr"><seg>b</seg></tuv></tu></body></tmx>'
    )
    path = tmp_path / name
    path.write_bytes(data)
    # The good file comes first in the same command: the refusal leaves nothing behind.
    assert_one_line_error(cli("import", good, path), f"{path}: ", message)
    assert counts(cli) == (0, 0, 0)
    assert cli.ok("import", good).stdout.endswith(
        "1 links (1 confirmed) from 1 translation units\n"
    )
    assert counts(cli) == (1, 2, 1)


def comparable(data: bytes) -> tuple[dict[str, str], list[tuple[dict[str, str], dict[str, str]]]]:
    root = etree.fromstring(data, hardened_parser())
    header = root.find("header")
    assert header is not None
    attributes = {str(k): str(v) for k, v in header.attrib.items() if k != "creationdate"}
    return attributes, [(props(tu), segs(tu)) for tu in root.iter("tu")]


def test_export_import_export_round_trip(cli: Cli, tmp_path: Path) -> None:
    aligned_demo(cli, "fr-demo")
    with Database(cli.db_url) as db, db.session() as session:
        session.execute(update(Link).values(status="confirmed"))
    first = tmp_path / "first.tmx"
    cli.ok("export", "tmx", WORK, "--src", "en", "--tgt", "fr-demo", "-o", first)
    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    imported = fresh.ok("import", first)
    assert imported.stderr == ""
    assert imported.stdout.splitlines() == [
        f"{WORK}/en: imported 1 (en): 13 segments",
        f"{WORK}/fr-demo: imported 1 (fr): 13 segments",
        f"{WORK}: run 1, en → fr-demo: 13 links (13 confirmed) from 13 translation units",
    ]
    second = tmp_path / "second.tmx"
    fresh.ok("export", "tmx", WORK, "--src", "en", "--tgt", "fr-demo", "-o", second)
    before, after = comparable(first.read_bytes()), comparable(second.read_bytes())
    assert len(before[1]) == 13
    assert after == before


@requires_shared
def test_several_tuvs_of_one_language_in_a_unit_are_each_a_segment(sqlite_cli: Cli) -> None:
    result = sqlite_cli.ok("import", SAMPLES / "omegat" / "test-multiple-tuv14.tmx")
    lines = result.stdout.splitlines()
    assert "test-multiple-tuv14/en-US: imported 1 (en-US): 3 segments" in lines
    assert "test-multiple-tuv14/fr-CA: imported 1 (fr-CA): 2 segments" in lines
    # A unit without fr-CA is an omission in the en-US → fr-CA run: one 1-2 link, two 1-0.
    assert (
        "test-multiple-tuv14: run 6, en-US → fr-CA: 3 links (3 confirmed) from 3 translation units"
        in lines
    )
    assert len(lines) == 8 + 7


def test_a_memory_of_several_translations_round_trips_with_statuses_and_scores(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    aligned_demo(sqlite_cli, "fr-demo")
    sqlite_cli.ok("align", WORK, "--src", "en", "--tgt", "yi-demo")
    with Database(sqlite_cli.db_url) as db, db.session() as session:
        session.execute(update(Link).where(Link.position < 2).values(status="corrected"))
    first = tmp_path / "first.tmx"
    sqlite_cli.ok("export", "tmx", WORK, "--tgt", "fr-demo,yi-demo", "-o", first)
    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    imported = fresh.ok("import", first).stdout.splitlines()
    assert imported[-2:] == [
        f"{WORK}: run 1, en → fr-demo: 12 links (10 auto, 2 corrected) from 12 translation units",
        f"{WORK}: run 2, en → yi-demo: 12 links (10 auto, 2 corrected) from 12 translation units",
    ]
    with Database(fresh.db_url) as db, db.session() as session:
        statuses = [link.status for link in session.scalars(select(Link).order_by(Link.id))]
    assert statuses[:2] == statuses[12:14] == ["corrected"] * 2
    assert set(statuses[2:12]) == set(statuses[14:]) == {"auto"}
    second = tmp_path / "second.tmx"
    fresh.ok("export", "tmx", WORK, "--tgt", "fr-demo,yi-demo", "-o", second)
    assert undated(second.read_bytes()) == undated(first.read_bytes())
    assert b'<prop type="x-status">corrected</prop>' in first.read_bytes()


def undated(data: bytes) -> bytes:
    return re.sub(rb' creationdate="\d{8}T\d{6}Z"', b"", data)


def test_importing_the_same_memory_again_writes_nothing_new(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    aligned_demo(sqlite_cli, "fr-demo")
    memory = tmp_path / "fr.tmx"
    sqlite_cli.ok("export", "tmx", WORK, "--tgt", "fr-demo", "-o", memory)
    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.ok("import", memory)
    assert fresh.ok("import", memory).stdout.splitlines() == [
        f"{WORK}/en: unchanged (revision 1)",
        f"{WORK}/fr-demo: unchanged (revision 1)",
        f"{WORK}: run 1, en → fr-demo: unchanged (13 links)",
    ]
    with Database(fresh.db_url) as db, db.session() as session:
        assert session.scalar(select(func.count()).select_from(AlignmentRun)) == 1
        link = session.scalars(select(Link).order_by(Link.id)).first()
        assert link is not None
        link.status = "corrected"
    # The same text with another status is a new run on the same revisions.
    assert fresh.ok("import", memory).stdout.splitlines()[-1] == (
        f"{WORK}: run 2, en → fr-demo: 13 links (13 auto) from 13 translation units"
    )


def test_a_memory_imported_into_the_database_it_came_from_names_its_demonstration_texts(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    """TMX and TEI imports print their outcome alike: a demonstration version is labelled."""
    aligned_demo(sqlite_cli, "fr-demo")
    memory = tmp_path / "fr.tmx"
    sqlite_cli.ok("export", "tmx", WORK, "--tgt", "fr-demo", "-o", memory)
    lines = sqlite_cli.ok("import", memory).stdout.splitlines()
    # The memory cuts the texts by bead, so both versions get a new revision.
    assert lines[:2] == [
        f"{WORK}/en: imported 2 (en): 13 segments",
        f"{WORK}/fr-demo: imported 2 (fr): 13 segments (a demonstration text made for this "
        "project, not a historical original)",
    ]
