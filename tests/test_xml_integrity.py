"""The XML readers at scale and on bad input (issue 11, items 10 and 12): a TMX import streams
(the parsed tree holds what the parser has read ahead, not the memory) and its SQL statements
do not grow with the units; bytes that are not valid in a file's encoding, a character XML
forbids, ids that imply no order, numbers too long for a ladder and values longer than the
store holds give one ``Error: FILE: problem`` line, on SQLite and PostgreSQL alike, and write
nothing.  (Item 13, TEI runs, is in tests/test_import_tei.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from aligner.formats.tmx import TmxDocument, TranslationUnit, Variant, write_tmx
from aligner.formats.tmx_import import read_tmx
from aligner.formats.xml import release, stream_xml
from aligner.services.interchange.importing import import_file
from aligner.store.models import AlignmentRun, Link, Revision, Segment
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli, assert_one_line_error
from tests.dbdump import database_dump
from tests.test_import_tei import SMALL

DEMO = CORPUS / "demonstration"
GOOD_TMX = (
    '<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>A strike.</seg>'
    '</tuv><tuv xml:lang="fr"><seg>Une grève.</seg></tuv></tu></body></tmx>'
)


def demo_sentences(label: str) -> list[str]:
    """The sentences of a bundled demonstration text (cut at full stops)."""
    text = (DEMO / f"why-we-quit-introduction.{label}.txt").read_text(encoding="utf-8")
    return [s.strip() + "." for s in re.split(r"\.\s+", text) if len(s.strip()) > 20]


def memory(units: int) -> bytes:
    """A memory as ``aligner export tmx --tgt fr,yi`` writes one, of ``units`` units of real
    French and Yiddish sentences: every seventh unit holds two French <tuv>s, every eleventh
    none in Yiddish."""
    french, yiddish = demo_sentences("fr-demo"), demo_sentences("yi-demo")
    document = TmxDocument(srclang="fr")
    for n in range(units):
        variants = [Variant("fr", f"{french[n % len(french)]} ({n})")]
        if n % 7 == 0:
            variants.append(Variant("fr", f"{french[(n + 1) % len(french)]} ({n}b)"))
        if n % 11:
            props = [
                ("x-version", "yi r1"),
                ("x-status", "auto"),
                ("x-score", f"{n % 97 / 96:.4f}"),
            ]
            variants.append(Variant("yi", f"{yiddish[n % len(yiddish)]} ({n})", props))
        props = [("x-work", "scale"), ("x-src-version", "fr r1")]
        document.units.append(TranslationUnit(f"scale:fr:r1:{n}", props, variants))
    return write_tmx(document)


# --- item 10: linear, bounded ---------------------------------------------------------------


def test_the_streamed_tree_holds_a_read_ahead_not_the_memory(tmp_path: Path) -> None:
    path = tmp_path / "scale.tmx"
    path.write_bytes(memory(3000))
    elements = stream_xml(path, ("tu",))
    root = next(elements)
    largest = 0
    read = 0
    for tu in elements:
        read += 1
        body = root.find("body")
        assert body is not None and tu.getparent() is body
        largest = max(largest, len(body))
        release(tu)
    assert read == 3000
    # The units the parser has read ahead (a buffer of tens of kilobytes), not the 3000.
    assert largest < 100, largest


@pytest.fixture
def statements(db_url: str) -> Iterator[tuple[str, list[str]]]:
    """The database and the SQL statements its engines execute (an executemany counts once)."""
    executed: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        executed.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield db_url, executed
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_the_import_runs_as_many_statements_for_3000_units_as_for_300(
    statements: tuple[str, list[str]], tmp_path: Path
) -> None:
    db_url, executed = statements
    counts = []
    for units in (300, 3000):
        path = tmp_path / f"scale-{units}.tmx"
        path.write_bytes(memory(units))
        with Database(db_url) as db:
            db.ensure_ready(create=True)
            executed.clear()
            with db.session() as session:
                outcome = import_file(session, path, f"scale-{units}")
            counts.append(len(executed))
        assert outcome.units == units
    assert counts[0] == counts[1], counts


def test_a_few_thousand_units_are_stored_whole_and_again_not_at_all(
    cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "scale.tmx"
    path.write_bytes(memory(3000))
    units_with_yiddish = sum(1 for n in range(3000) if n % 11)
    french = 3000 + len(range(0, 3000, 7))
    assert cli.ok("import", path).stdout.splitlines() == [
        f"scale/fr: imported 1 (fr): {french} segments",
        f"scale/yi: imported 1 (yi): {units_with_yiddish} segments",
        # A unit without Yiddish is an omission, confirmed as a memory's units are by default.
        f"scale: run 1, fr → yi: 3000 links ({units_with_yiddish} auto, "
        f"{3000 - units_with_yiddish} confirmed) from 3000 translation units",
    ]
    with Database(cli.db_url) as db, db.session() as session:
        revision = session.scalars(select(Revision).order_by(Revision.id)).first()
        assert revision is not None
        rows = session.execute(
            select(Segment.paragraph, Segment.sentence, Segment.start, Segment.end, Segment.text)
            .where(Segment.revision_id == revision.id)
            .order_by(Segment.position)
        ).all()
        text = revision.raw_text
        assert all(text[start:end] == value for _, _, start, end, value in rows)
        assert [(p, s) for p, s, *_ in rows[:10]] == [
            (0, 0), (0, 1), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (7, 0), (7, 1),
        ]  # fmt: skip
        run = session.scalars(select(AlignmentRun)).one()
        link = session.scalars(select(Link).where(Link.run_id == run.id, Link.position == 2999))
        last = link.one()
        assert sorted((m.side, m.segment.text) for m in last.members) == [
            ("src", f"{demo_sentences('fr-demo')[2999 % len(demo_sentences('fr-demo'))]} (2999)"),
            ("tgt", f"{demo_sentences('yi-demo')[2999 % len(demo_sentences('yi-demo'))]} (2999)"),
        ]
        assert last.score == round(2999 % 97 / 96, 4)
    before = database_dump(cli.db_url)
    assert cli.ok("import", path).stdout.splitlines()[-1] == (
        "scale: run 1, fr → yi: unchanged (3000 links)"
    )
    assert database_dump(cli.db_url) == before


# --- item 12: bytes that are not text in the file's encoding ---------------------------------

SMALL_HEADING_LINE = SMALL.splitlines().index('        <head xml:id="f0">La grève</head>') + 1
LATIN1_IN_UTF8 = (
    GOOD_TMX.replace("Une grève", "Une\n gr\xe8ve")
    .encode("utf-8")
    .replace("\xe8".encode(), b"\xe8")
)
BAD_BYTES = {
    "latin1.tmx": (LATIN1_IN_UTF8, "not valid UTF-8 at line 2, column"),
    "utf16.tmx": (
        "\ufeff".encode("utf-16-le")
        + GOOD_TMX.encode("utf-16-le").replace("è".encode("utf-16-le"), b"\x00\xd8"),
        "not valid UTF-16 at line 1, column",
    ),
    "declared.tmx": (
        b'<?xml version="1.0" encoding="UTF-8"?>\n' + LATIN1_IN_UTF8,
        "not valid UTF-8 at line 3, column",
    ),
    "small.tei": (
        SMALL.replace("La grève", "La gr\xe8ve").encode("utf-8").replace("\xe8".encode(), b"\xe8"),
        f"not valid UTF-8 at line {SMALL_HEADING_LINE}, column",
    ),
    "nul.tmx": (
        GOOD_TMX.replace("A strike", "A\x00strike").encode(),
        "not well-formed XML: Invalid character: Char 0x0 out of allowed range, line 1, column",
    ),
    "control.tmx": (
        GOOD_TMX.replace("A strike", "A\x01strike").encode(),
        "not well-formed XML: PCDATA invalid Char value 1, line 1, column",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_bad_bytes_are_one_line_and_nothing_is_written(cli: Cli, tmp_path: Path, name: str) -> None:
    data, message = BAD_BYTES[name]
    kept = tmp_path / "kept.tmx"
    kept.write_text(GOOD_TMX, encoding="utf-8")
    cli.ok("import", kept, "--work", "kept")
    before = database_dump(cli.db_url)
    good, bad = tmp_path / "good.tmx", tmp_path / name
    good.write_text(GOOD_TMX.replace("A strike", "Another strike"), encoding="utf-8")
    bad.write_bytes(data)
    # The good file comes first in the same command: the refusal leaves nothing behind.
    assert_one_line_error(cli("import", good, bad), f"Error: {bad}: {message}")
    assert database_dump(cli.db_url) == before


def test_a_declared_legacy_encoding_is_read(sqlite_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "latin1.tmx"
    path.write_bytes(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + LATIN1_IN_UTF8)
    assert "latin1/fr: imported 1 (fr): 1 segment" in sqlite_cli.ok("import", path).stdout
    assert read_tmx(path).units[0].variants[1].text == "Une\n grève."


CES_GOLD = """<cesAlign version="1.0"><linkList><linkGrp targType="s">
<link xtargets="{a};{b}"/><link xtargets="{c};{d}"/>
</linkGrp></linkList></cesAlign>
"""


def eval_files(tmp_path: Path, ids: tuple[str, str, str, str]) -> tuple[Path, Path]:
    gold = tmp_path / "gold.xml"
    gold.write_text(CES_GOLD.format(a=ids[0], b=ids[1], c=ids[2], d=ids[3]), encoding="utf-8")
    pred = tmp_path / "pred.ladder"
    pred.write_text("[0]:[0]\n[1]:[1]\n", encoding="utf-8")
    return gold, pred


@pytest.mark.parametrize("ids", [("s1", "s1", "s2", "s2"), ("1.1", "1.a", "1.2", "1.b")])
def test_gold_ids_that_imply_no_order_are_one_line(
    sqlite_cli: Cli, tmp_path: Path, ids: tuple[str, str, str, str]
) -> None:
    gold, pred = eval_files(tmp_path, ids)
    bad = sorted(i for i in ids if not re.fullmatch(r"[0-9.]+", i))[0]
    assert_one_line_error(
        sqlite_cli("eval", "--gold", gold, "--pred", pred),
        f"Error: {gold}: sentence id {bad!r} is not numbers separated by dots",
        "give the sentence documents (--src-doc and --tgt-doc)",
    )


def test_sentence_documents_number_any_gold_ids(sqlite_cli: Cli, tmp_path: Path) -> None:
    gold, pred = eval_files(tmp_path, ("s1", "s1", "s2", "s2"))
    doc = tmp_path / "sentences.xml"
    doc.write_text('<text><s id="s1">One.</s><s id="s2">Two.</s></text>', encoding="utf-8")
    result = sqlite_cli.ok(
        "eval", "--gold", gold, "--pred", pred, "--src-doc", doc, "--tgt-doc", doc
    )
    assert result.stdout.splitlines()[2].split() == ["strict", "1.0000", "1.0000", "1.0000"]
    for body, problem in (
        ('<s id="s1">One.</s><s id="s1">Two.</s>', "two sentences have the id 's1'"),
        ('<s id="s1">One.</s><s>Two.</s>', "<s> number 2 has no id"),
        ('<s id="s1">One.</s><s id="s2">caf\xe9</s>', "not valid UTF-8 at line 1, column"),
    ):
        doc.write_bytes(f"<text>{body}</text>".encode().replace("\xe9".encode(), b"\xe9"))
        assert_one_line_error(
            sqlite_cli("eval", "--gold", gold, "--pred", pred, "--src-doc", doc),
            f"Error: {doc}: {problem}",
        )


def test_bad_ladders_and_unreadable_gold_are_one_line(sqlite_cli: Cli, tmp_path: Path) -> None:
    pred = tmp_path / "pred.ladder"
    pred.write_text("[0]:[0]\n", encoding="utf-8")
    gold = tmp_path / "gold.ladder"
    gold.write_bytes("\ufeff[0]:[0]\n".encode())  # a byte-order mark is fine
    assert (
        sqlite_cli.ok("eval", "--gold", gold, "--pred", pred).stdout.splitlines()[2].split()[1:]
        == ["1.0000"] * 3
    )
    gold.write_text(f"[0]:[0]\n[{'9' * 5000}]:[1]\n", encoding="utf-8")
    assert_one_line_error(
        sqlite_cli("eval", "--gold", gold, "--pred", pred),
        f"Error: {gold}: line 2: a sentence number is too long",
    )
    assert_one_line_error(
        sqlite_cli("eval", "--gold", tmp_path, "--pred", pred),
        f"Error: {tmp_path}: cannot be read",
    )
    broken = tmp_path / "gold.xml"
    broken.write_bytes(b'<cesAlign><link xtargets="1.1;1.1"/>\n<s>caf\xe9</s></cesAlign>')
    assert_one_line_error(
        sqlite_cli("eval", "--gold", broken, "--pred", pred),
        f"Error: {broken}: not valid UTF-8 at line 2, column",
    )


# --- values longer than the store's columns: one line on SQLite and PostgreSQL alike ----------

LONG_TAG = "fr-FR-x-aaaaaaaa-bbbbbbbb-cccccccc-dddddddd"  # a valid BCP 47 tag of 43 characters
RUN_DESCRIBED = SMALL.replace(
    '<linkGrp type="alignment">', '<linkGrp type="alignment" corresp="#run-1">'
).replace(
    "<p>Written for a test.</p>",
    f'<p xml:id="run-1"><ident>{"m" * 51}</ident>, <ident>none</ident></p>',
)
TOO_LONG = {
    "tag.tmx": (
        GOOD_TMX.replace('xml:lang="fr"', f'xml:lang="{LONG_TAG}"'),
        f"the language tag {LONG_TAG!r} is longer than 35 characters",
    ),
    "tag.tei": (
        SMALL.replace('xml:lang="fr"', f'xml:lang="{LONG_TAG}"'),
        f"version fr: the language tag {LONG_TAG!r} is longer than 35 characters",
    ),
    "note.tei": (
        SMALL.replace(
            '<head xml:id="e0">', f'<note n="{"n" * 101}">A note.</note><head xml:id="e0">'
        ),
        f"version en: the note label {'n' * 20!r}… is longer than 100 characters",
    ),
    "method.tei": (
        RUN_DESCRIBED,
        "the run described by #run-1 has a method 51 characters long; the most it may be is 50",
    ),
    # Longer than the full-text indexes take (PostgreSQL's tsvector holds 1 MB), as text imports.
    "segment.tmx": (
        GOOD_TMX.replace("A strike.", "x" * 100_001),
        "the <seg> at line 1 is 100,001 characters long, more than the 100,000 one segment may "
        "hold",
    ),
    "segment.tei": (
        SMALL.replace("The meeting opened at noon.", "x" * 100_001),
        "version en: segment 2 (sentence) is 100,001 characters long, more than the 100,000 one "
        "segment may hold",
    ),
}


@pytest.mark.parametrize("name", sorted(TOO_LONG))
def test_values_the_store_cannot_hold_are_one_line_naming_the_file(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    data, message = TOO_LONG[name]
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    cli.ok("init")
    before = database_dump(cli.db_url)
    assert_one_line_error(cli("import", path), f"Error: {path}: {message}")
    assert database_dump(cli.db_url) == before


def test_a_described_run_keeps_its_method(sqlite_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "described.tei"
    path.write_text(RUN_DESCRIBED.replace("m" * 51, "hand-aligned"), encoding="utf-8")
    sqlite_cli.ok("import", path)
    runs = sqlite_cli.ok("runs", "described", "-f", "json").stdout
    assert '"method": "hand-aligned"' in runs


def test_an_x_score_that_is_not_a_finite_number_is_no_score(cli: Cli, tmp_path: Path) -> None:
    units = "".join(
        f'<tu><prop type="x-score">{score}</prop><tuv xml:lang="en"><seg>Line {n}.</seg></tuv>'
        f'<tuv xml:lang="fr"><seg>Ligne {n}.</seg></tuv></tu>'
        for n, score in enumerate(["NaN", "0.5", "inf", "-1e400"])
    )
    path = tmp_path / "scores.tmx"
    path.write_text(f'<tmx version="1.4"><header srclang="en"/><body>{units}</body></tmx>')
    result = cli.ok("import", path)
    assert result.stderr == (
        f"Warning: {path}: 3 x-score values are not a finite number; those links have no score\n"
    )
    with Database(cli.db_url) as db, db.session() as session:
        scores = session.scalars(select(Link.score).order_by(Link.position)).all()
    assert scores == [None, 0.5, None, None]
    assert cli.ok("import", path).stdout.splitlines()[-1].endswith("unchanged (4 links)")
