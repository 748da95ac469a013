"""TEI import: the aligned demonstration work survives export → import → export on SQLite and
PostgreSQL (same document apart from the export date and the revisions' provenance, same beads,
statuses, scores and run dates); importing again writes nothing; a TEI made elsewhere in the
guidelines' "Alignment of Parallel Texts" pattern imports; bad files are refused whole."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select, update

from aligner.formats.tei import TEI_NS
from aligner.store.models import AlignmentRun, Link, Revision, Version, Work
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli, assert_one_line_error
from tests.dbdump import database_dump
from tests.exporting import WORK, aligned_demo, aligned_pair_with_an_addition
from tests.test_export_tei import parse_valid

PAIRS = ("fr-demo", "yi-demo")
# The export's own date (a day); run dates carry a time and must come back unchanged.
EXPORT_DATE = re.compile(rb'<date when="\d{4}-\d\d-\d\d">\d{4}-\d\d-\d\d</date>')
REVISION_NOTE = re.compile(rb'<note type="revision">Revision (\d+), from [^<]*</note>')


@dataclass(frozen=True)
class DemoExport:
    source: Cli  # an SQLite database holding the corpus with both demonstration pairs aligned
    path: Path  # its TEI export


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> DemoExport:
    """Aligned once per module; a person corrected bead 2 and confirmed bead 3 of run 1."""
    folder = tmp_path_factory.mktemp("demo")
    source = Cli(f"sqlite:///{folder / 'source.sqlite'}")
    aligned_demo(source, "fr-demo")
    source.ok("align", WORK, "--src", "en", "--tgt", "yi-demo")
    with Database(source.db_url) as db, db.session() as session:
        for position, status in ((2, "corrected"), (3, "confirmed")):
            session.execute(
                update(Link)
                .where(Link.run_id == 1, Link.position == position)
                .values(status=status)
            )
    path = folder / "first.xml"
    source.ok("export", "tei", WORK, "-o", path)
    return DemoExport(source, path)


def comparable(data: bytes) -> bytes:
    """The document less its export date and where each revision's text was read from."""
    return REVISION_NOTE.sub(rb"Revision \1", EXPORT_DATE.sub(b"DATE", data))


def counts(cli: Cli) -> tuple[int, int, int, int, int]:
    with Database(cli.db_url) as db, db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Work, Version, Revision, AlignmentRun, Link)
        )


def show_json(cli: Cli, *args: str, work: str = WORK) -> dict[str, Any]:
    return dict(json.loads(cli.ok("show", work, *args, "-f", "json").stdout))


def segment_rows(cli: Cli, label: str, work: str = WORK) -> list[tuple[object, ...]]:
    segments = show_json(cli, "--lang", label, work=work)["segments"]
    assert isinstance(segments, list)
    return [(s["kind"], s["paragraph"], s["sentence"], s["label"], s["text"]) for s in segments]


def test_export_import_export_round_trip(cli: Cli, demo_export: DemoExport, tmp_path: Path) -> None:
    imported = cli.ok("import", demo_export.path)
    assert imported.stderr == ""
    demonstration = " (a demonstration text made for this project, not a historical original)"
    assert imported.stdout.splitlines() == [
        f"{WORK}/en: imported 1 (en): 11 sentences, 2 headings, 1 note",
        f"{WORK}/fr-demo: imported 1 (fr): 12 sentences, 2 headings, 1 note{demonstration}",
        f"{WORK}/yi-demo: imported 1 (yi): 10 sentences, 2 headings, 1 note{demonstration}",
        f"{WORK}: run 1, en → fr-demo: 13 beads (1-1: 12, 1-2: 1)",
        f"{WORK}: run 2, en → yi-demo: 12 beads (1-1: 11, 2-1: 1)",
    ]
    second = tmp_path / "second.xml"
    cli.ok("export", "tei", WORK, "-o", second)
    first_bytes, second_bytes = demo_export.path.read_bytes(), second.read_bytes()
    assert len(EXPORT_DATE.findall(first_bytes)) == 1  # the run dates are compared as they are
    assert comparable(second_bytes) == comparable(first_bytes)
    assert [m.decode() for m in re.findall(rb'type="revision">([^<]*)<', second_bytes)] == [
        f"Revision 1, from first.xml ({label})." for label in ("en", *PAIRS)
    ]

    # The work, its versions (roles, translation_of, notes, flags) and segments are the same.
    assert show_json(cli) == show_json(demo_export.source)
    for label in ("en", *PAIRS):
        assert segment_rows(cli, label) == segment_rows(demo_export.source, label)
    with Database(cli.db_url) as db, db.session() as session:
        for revision in session.scalars(select(Revision)):
            assert revision.segmentation["from"] == "tei"
            assert all(revision.raw_text[s.start : s.end] == s.text for s in revision.segments)

    # The same beads with the same statuses and scores (to the four decimals TEI carries).
    for label in PAIRS:
        args = ("show-alignment", WORK, "--src", "en", "--tgt", label)
        assert cli.ok(*args).stdout == demo_export.source.ok(*args).stdout
    with (
        Database(cli.db_url) as db,
        db.session() as session,
        Database(demo_export.source.db_url) as source_db,
        source_db.session() as source_session,
    ):
        for run_id in (1, 2):
            run, original = (
                session.get(AlignmentRun, run_id),
                source_session.get(AlignmentRun, run_id),
            )
            assert run is not None and original is not None
            assert (run.method, run.model, run.code_version) == (
                original.method, original.model, original.code_version,
            )  # fmt: skip
            assert [link.status for link in run.links] == [link.status for link in original.links]
            for link, before in zip(run.links, original.links, strict=True):
                assert link.score is not None and before.score is not None
                assert link.score == round(min(max(before.score, 0.0), 1.0), 4)
        statuses = [link.status for link in session.scalars(select(Link).where(Link.run_id == 1))]
        assert statuses[2:4] == ["corrected", "confirmed"] and statuses.count("auto") == 11


def test_every_bundled_work_comes_back_whole(
    sqlite_cli: Cli, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # Works with versions declared without text (the originals not in the corpus), relay
    # translations of unknown basis, apparatus lines that share a block, footnotes, licences.
    schema: etree.RelaxNG = request.getfixturevalue("tei_schema")
    source = Cli(f"sqlite:///{tmp_path / 'source.sqlite'}")
    source.ok("import", CORPUS)
    works = [w["slug"] for w in json.loads(source.ok("works", "-f", "json").stdout)]
    assert len(works) == 7
    for work in works:
        first = tmp_path / f"{work}.xml"
        source.ok("export", "tei", work, "-o", first)
        parse_valid(first.read_bytes(), schema)
        sqlite_cli.ok("import", first)
        second = tmp_path / f"{work}.again.xml"
        sqlite_cli.ok("export", "tei", work, "-o", second)
        assert comparable(second.read_bytes()) == comparable(first.read_bytes()), work
        data = show_json(source, work=work)
        assert show_json(sqlite_cli, work=work) == data, work
        for version in data["versions"]:
            if version["revision"]:
                label = version["label"]
                assert segment_rows(sqlite_cli, label, work) == segment_rows(source, label, work)
    miasnikov = show_json(sqlite_cli, work="miasnikov-latest-deception")["versions"]
    assert [(v["label"], v["role"], v["revision"], v["translation_basis"]) for v in miasnikov] == [
        ("ru", "original", None, None),
        ("en", "translation", 1, "unknown"),
    ]


def test_importing_again_writes_nothing_and_a_changed_file_adds_only_what_changed(
    cli: Cli, demo_export: DemoExport, tmp_path: Path
) -> None:
    cli.ok("import", demo_export.path)
    before = counts(cli)
    assert before == (1, 3, 3, 2, 25)
    again = cli.ok("import", demo_export.path)
    assert again.stdout.splitlines()[0] == f"{WORK}/en: unchanged (revision 1)"
    assert again.stdout.splitlines()[-2:] == [
        f"{WORK}: run 1, en → fr-demo: unchanged (13 beads)",
        f"{WORK}: run 2, en → yi-demo: unchanged (12 beads)",
    ]
    assert counts(cli) == before

    # A colleague confirms a bead and rewords a Yiddish heading: fr-demo gets a second run,
    # yi-demo a second revision and a run on it; en and the runs already there stay as they are.
    data = demo_export.path.read_text(encoding="utf-8")
    data = data.replace('n="0" cert=', 'n="0" subtype="confirmed" cert=', 1)
    heading = re.search(r'<head xml:id="yi-demo\.1">([^<]*)<', data)
    assert heading is not None
    data = data.replace(heading[0], heading[0].replace(heading[1], heading[1] + " (1938)"))
    changed = tmp_path / "changed.xml"
    changed.write_text(data, encoding="utf-8")
    result = cli.ok("import", changed)
    assert result.stdout.splitlines() == [
        f"{WORK}/en: unchanged (revision 1)",
        f"{WORK}/fr-demo: unchanged (revision 1) (a demonstration text made for this project, "
        "not a historical original)",
        f"{WORK}/yi-demo: imported 2 (yi): 10 sentences, 2 headings, 1 note (a demonstration "
        "text made for this project, not a historical original)",
        f"{WORK}: run 3, en → fr-demo: 13 beads (1-1: 12, 1-2: 1)",
        f"{WORK}: run 4, en → yi-demo: 12 beads (1-1: 11, 2-1: 1)",
    ]
    assert counts(cli) == (1, 3, 4, 4, 50)
    with Database(cli.db_url) as db, db.session() as session:
        run = session.get(AlignmentRun, 3)
        assert run is not None and run.links[0].status == "confirmed"
        assert run.src_revision.number == run.tgt_revision.number == 1


def test_an_export_imported_back_into_its_own_database_changes_nothing(
    demo_export: DemoExport, tmp_path: Path
) -> None:
    source_file = Path(demo_export.source.db_url.removeprefix("sqlite:///"))
    shutil.copy(source_file, tmp_path / "copy.sqlite")
    cli = Cli(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    before = counts(cli)
    result = cli.ok("import", demo_export.path)
    assert [line.split(": ", 1)[1] for line in result.stdout.splitlines()] == [
        "unchanged (revision 1)",
        "unchanged (revision 1) (a demonstration text made for this project, not a historical "
        "original)",
        "unchanged (revision 1) (a demonstration text made for this project, not a historical "
        "original)",
        "run 1, en → fr-demo: unchanged (13 beads)",
        "run 2, en → yi-demo: unchanged (12 beads)",
    ]
    assert counts(cli) == before


def test_an_addition_comes_back_as_a_0_1_bead(cli: Cli, tmp_path: Path) -> None:
    source = Cli(f"sqlite:///{tmp_path / 'source.sqlite'}")
    position = aligned_pair_with_an_addition(source, tmp_path)
    first = tmp_path / "om.xml"
    source.ok("export", "tei", "om", "-o", first)
    assert f'<ptr target="#fr.2" type="addition" n="{position}"' in first.read_text("utf-8")
    assert cli.ok("import", first).stdout.splitlines()[-1] == (
        "om: run 1, en → fr: 5 beads (1-1: 4, 0-1: 1)"
    )
    second = tmp_path / "again.xml"
    cli.ok("export", "tei", "om", "-o", second)
    assert comparable(second.read_bytes()) == comparable(first.read_bytes())
    with Database(cli.db_url) as db, db.session() as session:
        link = session.scalars(select(Link).where(Link.position == position)).one()
        assert [(m.side, m.segment.text) for m in link.members] == [
            ("tgt", "12345 67890 ISBN 978-3-16-148410-0.")
        ]


# A TEI made elsewhere: versions as <div xml:lang> in one <body>, links in <back>, no header
# metadata for the versions, inline markup, a pointer for an addition.
SMALL = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <teiHeader>
    <fileDesc>
      <titleStmt><title>A small parallel text</title><author>A. Writer</author></titleStmt>
      <publicationStmt><p>Unpublished.</p></publicationStmt>
      <sourceDesc><p>Written for a test.</p></sourceDesc>
    </fileDesc>
  </teiHeader>
  <text>
    <body>
      <div xml:id="en" xml:lang="en">
        <head xml:id="e0">The strike</head>
        <p><s xml:id="e1">The meeting opened at noon.</s> <s xml:id="e2">The workers met.</s>
          <s xml:id="e3">They voted to strike.</s></p>
        <p><s xml:id="e4">It lasted three <hi>weeks</hi>.</s></p>
      </div>
      <div xml:id="fr" xml:lang="fr">
        <head xml:id="f0">La grève</head>
        <p><s xml:id="f1">La réunion commença à midi.</s>
          <s xml:id="f2">Les ouvriers votèrent la grève.</s></p>
        <p><s xml:id="f3">Un ajout.</s><s xml:id="f4">Elle dura trois semaines.</s></p>
      </div>
    </body>
    <back>
      <linkGrp type="alignment">
        <link target="#e0 #f0"/>
        <link target="#e1 #f1" cert="0.9"/>
        <link target="#e2 #e3 #f2" subtype="confirmed"/>
        <ptr target="#f3"/>
        <link target="#e4 #f4" cert=" 1 "/>
      </linkGrp>
    </back>
  </text>
</TEI>
"""


def test_a_tei_in_the_guidelines_pattern_imports(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "small.tei"
    path.write_text(SMALL, encoding="utf-8")
    assert cli.ok("import", path).stdout.splitlines() == [
        "small/en: imported 1 (en): 4 sentences, 1 heading",
        "small/fr: imported 1 (fr): 4 sentences, 1 heading",
        "small: run 1, en → fr: 5 beads (1-1: 3, 2-1: 1, 0-1: 1)",
    ]
    with Database(cli.db_url) as db, db.session() as session:
        work = session.scalars(select(Work)).one()
        assert (work.slug, work.title, work.author) == (
            "small",
            "A small parallel text",
            "A. Writer",
        )
        assert [(v.label, v.language, v.role, v.demonstration) for v in work.versions] == [
            ("en", "en", "original", False),
            ("fr", "fr", "translation", False),
        ]
        english = work.versions[0].revisions[0]
        assert [(s.kind, s.paragraph, s.sentence, s.text) for s in english.segments] == [
            ("heading", 0, 0, "The strike"),
            ("sentence", 1, 0, "The meeting opened at noon."),
            ("sentence", 1, 1, "The workers met."),
            ("sentence", 1, 2, "They voted to strike."),
            ("sentence", 2, 0, "It lasted three weeks."),
        ]
        assert english.raw_text == (
            "The strike\n\nThe meeting opened at noon. The workers met. They voted to strike."
            "\n\nIt lasted three weeks.\n"
        )
        run = session.scalars(select(AlignmentRun)).one()
        assert (run.method, run.model) == ("tei-import", "none")
        beads = [
            (
                [m.segment.text for m in link.members if m.side == "src"],
                [m.segment.text for m in link.members if m.side == "tgt"],
                link.score,
                link.status,
            )
            for link in run.links
        ]
        assert beads == [
            (["The strike"], ["La grève"], None, "auto"),
            (["The meeting opened at noon."], ["La réunion commença à midi."], 0.9, "auto"),
            (
                ["The workers met.", "They voted to strike."],
                ["Les ouvriers votèrent la grève."],
                None,
                "confirmed",
            ),
            ([], ["Un ajout."], None, "auto"),
            (["It lasted three weeks."], ["Elle dura trois semaines."], 1.0, "auto"),
        ]
    assert cli.ok("import", path, "--work", "other").stdout.startswith("other/en: imported 1")


def test_a_translation_basis_that_clashes_with_the_database_is_refused(
    demo_export: DemoExport, tmp_path: Path
) -> None:
    """What a version was translated from is checked as its other fields are: a file that says
    otherwise than the database is refused, and nothing is written."""
    source_file = Path(demo_export.source.db_url.removeprefix("sqlite:///"))
    shutil.copy(source_file, tmp_path / "copy.sqlite")
    cli = Cli(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    tree = etree.fromstring(demo_export.path.read_bytes())
    related = tree.find(f".//{{{TEI_NS}}}bibl[@n='fr-demo']/{{{TEI_NS}}}relatedItem")
    assert related is not None
    stored = related.get("subtype")
    other = "inferred" if stored == "stated" else "stated"
    related.set("subtype", other)
    path = tmp_path / "other-basis.xml"
    path.write_bytes(etree.tostring(tree))
    before = database_dump(cli.db_url)
    result = cli("import", path)
    assert_one_line_error(result)
    assert result.stderr == (
        f"Error: {path}: {WORK}/fr-demo: translation_basis is {stored} in the database, "
        f"not {other}\n"
    )
    assert database_dump(cli.db_url) == before
