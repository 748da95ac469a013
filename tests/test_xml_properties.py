"""Properties of the XML readers over arbitrary input (Hypothesis): the TMX and TEI importers,
the cesAlign gold reader and the ladder reader of ``aligner eval``.

The inputs are our own exports of the bundled demonstration work (a TMX of one translation,
one of two, the TEI of the work; a cesAlign gold with its sentence documents and a ladder made
from the same run), generated once and then mutated (elements deleted, doubled, moved or
renamed, attributes and texts set to odd values, bytes replaced, inserted or cut off), and
documents and bytes generated from nothing.  Whatever the input, the command either succeeds
or prints exactly one ``Error:`` line with a non-zero exit and no traceback, and a refused
import leaves the database exactly as it was.

One SQLite database per module serves every import (a modest number of examples, no deadline).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml import etree
from sqlalchemy import select

from aligner.core.types import Bead
from aligner.formats.ladder import write_ladder
from aligner.formats.tei import TEI_NS
from aligner.formats.xml import hardened_parser
from aligner.services.alignment import aligned_units
from aligner.services.review import base_beads
from aligner.store.models import AlignmentRun
from aligner.store.session import Database
from tests.conftest import Cli, CliResult, assert_one_line_error
from tests.dbdump import database_dump
from tests.exporting import WORK, aligned_demo

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
XML_NS = "http://www.w3.org/XML/1998/namespace"
_QUOTED = re.compile(r"[\"'#].*")  # what follows is the file's own words: left out of statistics


@dataclass(frozen=True)
class Exports:
    folder: Path
    tmx: list[bytes]  # one translation, two translations
    tei: bytes
    gold: bytes  # cesAlign
    src_doc: bytes  # its sentence documents
    tgt_doc: bytes
    ladder: bytes
    cli: Cli  # the database the imports go to: the TEI export already in it


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Exports:
    folder = tmp_path_factory.mktemp("xml-properties")
    source = Cli(f"sqlite:///{folder / 'source.sqlite'}")
    aligned_demo(source, "fr-demo")
    source.ok("align", WORK, "--src", "en", "--tgt", "yi-demo")
    files = {}
    for name, args in (
        ("one.tmx", ("tmx", WORK, "--tgt", "fr-demo")),
        ("two.tmx", ("tmx", WORK, "--tgt", "fr-demo,yi-demo")),
        ("work.xml", ("tei", WORK)),
    ):
        source.ok("export", *args, "-o", folder / name)
        files[name] = (folder / name).read_bytes()
    gold, src_doc, tgt_doc, ladder = cesalign_of_run(source.db_url)
    cli = Cli(f"sqlite:///{folder / 'target.sqlite'}")
    cli.ok("import", folder / "work.xml")
    return Exports(
        folder, [files["one.tmx"], files["two.tmx"]], files["work.xml"], gold, src_doc, tgt_doc,
        ladder, cli,
    )  # fmt: skip


def cesalign_of_run(db_url: str) -> tuple[bytes, bytes, bytes, bytes]:
    """Run 1 as cesAlign gold with its two sentence documents (ids ``P.S``), and as a ladder."""
    with Database(db_url) as db, db.session() as session:
        run = session.scalars(select(AlignmentRun).order_by(AlignmentRun.id)).first()
        assert run is not None
        sides = []
        for revision in (run.src_revision, run.tgt_revision):
            units = aligned_units(revision)
            ids = {s.id: f"{s.paragraph + 1}.{s.sentence + 1}" for s in units}
            index = {s.id: i for i, s in enumerate(units)}
            body = "".join(f'<s id="{ids[s.id]}">{escape(s.text)}</s>' for s in units)
            sides.append((ids, index, f"<text><p>{body}</p></text>".encode()))
        links, beads = [], []
        for link in run.links:
            members = {side: sorted(m.segment_id for m in link.members if m.side == side)
                       for side in ("src", "tgt")}  # fmt: skip
            src = " ".join(sides[0][0][i] for i in members["src"])
            tgt = " ".join(sides[1][0][i] for i in members["tgt"])
            links.append(f'<link id="SL{link.position}" xtargets="{src};{tgt}"/>')
            beads.append(Bead(tuple(sides[0][1][i] for i in members["src"]),
                              tuple(sides[1][1][i] for i in members["tgt"])))  # fmt: skip
    gold = f'<cesAlign version="1.0"><linkList><linkGrp targType="s">{"".join(links)}'
    gold += "</linkGrp></linkList></cesAlign>"
    return gold.encode(), sides[0][2], sides[1][2], write_ladder(beads).encode()


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- mutations --------------------------------------------------------------------------------

ODD_VALUES = [
    "", " ", "NaN", "nan", "inf", "-inf", "1e309", "-1", "-0", "0", "1", "0.5", "1.5", "high",
    "0x1p-1", "1_0", "٣", "²", "9" * 30, "en", "fr", "yi", "fr-demo", "xx", "x-klingon", "en-US",
    "und", "*all*", "zh-Hant-TW", "a" * 300, "en r1", "fr-demo r1", "yi-demo r9", "fr-demo r",
    "Bad Slug", "why-we-quit-1938-introduction", "auto", "confirmed", "corrected", "maybe",
    "#en.1", "#fr-demo.2", "#yi-demo.3", "#nowhere", "#en.1 #en.1 #fr-demo.1", "1.1",
    "1.1 1.2;2.1", ";", "a;b", "1.a;1.b", "addition", "omission", "footnote", "2026-13-45",
    "2024-01-01T00:00:00+14:00", "עברית", "\u202e", "\ufeff", "a\nb",
]  # fmt: skip
odd_values = st.one_of(st.sampled_from(ODD_VALUES), st.text(max_size=12))
# xml:id values that parse (an NCName), some naming what the document already has.
ids = st.sampled_from(["en.1", "en.2", "fr-demo.1", "fr-demo.3", "yi-demo.2", "text-en", "x1"])
ATTRIBUTES = [
    f"{{{XML_NS}}}lang", f"{{{XML_NS}}}id", "lang", "target", "cert", "subtype", "type", "n",
    "srclang", "xtargets", "id", "domains", "corresp", "when", "next", "mainLang",
]  # fmt: skip
TAGS = {
    "tmx": ["tmx", "header", "body", "tu", "tuv", "seg", "prop", "note", "hi", "bpt", "ph", "sub"],
    "tei": [f"{{{TEI_NS}}}{name}" for name in (
        "TEI", "teiHeader", "text", "group", "body", "div", "p", "s", "head", "note", "linkGrp",
        "link", "ptr", "bibl", "hi", "ab", "textLang", "relatedItem", "date", "ident",
    )],
    "ces": ["cesAlign", "linkList", "linkGrp", "link", "s", "p", "text"],
}  # fmt: skip
SPECIAL_BYTES = [
    b"\xff", b"\xe9", b"\x00", b"\x01", b"<", b">", b"&", b"&lol;", b"]]>", b'"', b"\xef\xbb\xbf",
    b"<!DOCTYPE x [<!ENTITY lol 'lol'>]>", b'<!DOCTYPE x SYSTEM "http://example.com/x.dtd">',
    b"\xed\xa0\x80", b"\r\n", b"<?pi x?>", b"<!-- c -->",
]  # fmt: skip


@st.composite
def tree_mutation(draw: st.DrawFn, data: bytes, kind: str) -> bytes:
    root = etree.fromstring(data, hardened_parser())
    for _ in range(draw(st.integers(1, 4))):
        elements = [e for e in root.iter() if isinstance(e.tag, str)]
        element = elements[draw(st.integers(0, len(elements) - 1))]
        parent = element.getparent()
        operation = draw(st.sampled_from(["delete", "double", "move", "swap", "set", "unset",
                                          "text", "rename"]))  # fmt: skip
        if operation == "delete" and parent is not None:
            parent.remove(element)
        elif operation == "double" and parent is not None:
            element.addnext(copy.deepcopy(element))
        elif operation == "move" and parent is not None:
            others = [e for e in elements if e is not element and element not in e.iterancestors()]
            destination = others[draw(st.integers(0, len(others) - 1))]
            destination.append(element)
        elif operation == "swap" and element.getnext() is not None:
            following = element.getnext()
            assert following is not None
            following.addnext(element)
        elif operation == "set":
            name = draw(st.sampled_from([*map(str, element.attrib.keys()), *ATTRIBUTES]))
            value = draw(ids if name.endswith("}id") else odd_values)
            if xml_safe(value):
                element.set(name, value)
        elif operation == "unset" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib.keys())))]
        elif operation == "text":
            value = draw(odd_values)
            if xml_safe(value):
                element.text = value
        elif operation == "rename":
            element.tag = draw(st.sampled_from(TAGS[kind]))
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True))


def xml_safe(text: str) -> bool:
    """Whether lxml can write ``text`` (the strategies draw any characters)."""
    try:
        etree.Element("x").text = text
    except ValueError:
        return False
    return True


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data)))
        piece = draw(st.one_of(st.sampled_from(SPECIAL_BYTES), st.binary(min_size=1, max_size=4)))
        how = draw(st.sampled_from(["insert", "replace", "cut"]))
        if how == "insert":
            data = data[:at] + piece + data[at:]
        elif how == "replace":
            data = data[:at] + piece + data[at + len(piece) :]
        else:
            data = data[:at]
    return data


@st.composite
def generated_xml(draw: st.DrawFn, kind: str) -> bytes:
    """A document from nothing: the format's own element names and attributes, odd values."""
    tags = TAGS[kind]

    def element(depth: int) -> etree._Element:
        made = etree.Element(draw(st.sampled_from(tags)))
        for name in draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3, unique=True)):
            value = draw(odd_values)
            if xml_safe(value):
                made.set(name, value)
        text = draw(odd_values)
        if xml_safe(text):
            made.text = text
        if depth < 4:
            for _ in range(draw(st.integers(0, 3))):
                made.append(element(depth + 1))
        return made

    return bytes(etree.tostring(element(0), encoding="UTF-8", xml_declaration=True))


def documents(exports: Callable[[], list[bytes]], kind: str) -> st.SearchStrategy[bytes]:
    originals = st.deferred(lambda: st.sampled_from(exports()))
    mutated = originals.flatmap(lambda data: tree_mutation(data, kind))
    return st.one_of(
        mutated,
        mutated,  # twice: what the format's checks see most
        originals.flatmap(byte_mutation),
        generated_xml(kind),
        st.binary(max_size=400),
    )


# The strategies read the module's exports through this holder, filled by the fixture.
ORIGINALS: dict[str, list[bytes]] = {}


@pytest.fixture(scope="module", autouse=True)
def originals(exports: Exports) -> None:
    ORIGINALS.update(tmx=exports.tmx, tei=[exports.tei], gold=[exports.gold],
                     doc=[exports.src_doc, exports.tgt_doc], ladder=[exports.ladder])  # fmt: skip


# --- checks -----------------------------------------------------------------------------------


def check_outcome(result: CliResult, db_url: str | None, before: object) -> bool:
    """True for a success; a refusal must be one line and (an import) leave the database as
    it was."""
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert "Error" not in result.stderr, result.stderr
        event("succeeded")
        return True
    assert_one_line_error(result)
    event("refused: " + " ".join(_QUOTED.sub("", result.stderr.split(": ", 2)[-1]).split()[:4]))
    if db_url is not None:
        assert database_dump(db_url) == before
    return False


def imported_or_refused(exports: Exports, name: str, data: bytes) -> None:
    """Import ``data``; a success must leave runs a review can open (each segment once, in
    reading order: ``base_beads`` refuses any other run)."""
    path = exports.folder / name
    path.write_bytes(data)
    before = database_dump(exports.cli.db_url)
    if check_outcome(exports.cli("import", path), exports.cli.db_url, before):
        with Database(exports.cli.db_url) as db, db.session() as session:
            for run in session.scalars(select(AlignmentRun)):
                base_beads(session, run)


@SETTINGS
@given(data=documents(lambda: ORIGINALS["tmx"], "tmx"))
def test_any_tmx_is_imported_or_refused_in_one_line(exports: Exports, data: bytes) -> None:
    imported_or_refused(exports, "memory.tmx", data)


@SETTINGS
@given(data=documents(lambda: ORIGINALS["tei"], "tei"))
def test_any_tei_is_imported_or_refused_in_one_line(exports: Exports, data: bytes) -> None:
    imported_or_refused(exports, "document.xml", data)


def scored_or_refused(exports: Exports, gold: Path, pred: Path, *docs: str | Path) -> None:
    result = exports.cli("eval", "--gold", gold, "--pred", pred, *docs)
    if check_outcome(result, None, None):
        lines = result.stdout.splitlines()
        assert [line.split()[0] for line in lines[2:]] == ["strict", "lax"]
        assert all(0.0 <= float(x) <= 1.0 for line in lines[2:] for x in line.split()[1:])


@SETTINGS
@given(
    gold=documents(lambda: ORIGINALS["gold"], "ces"),
    doc=st.one_of(st.none(), documents(lambda: ORIGINALS["doc"], "ces")),
)
def test_any_cesalign_gold_is_scored_or_refused_in_one_line(
    exports: Exports, gold: bytes, doc: bytes | None
) -> None:
    (exports.folder / "gold.xml").write_bytes(gold)
    (exports.folder / "pred.ladder").write_bytes(exports.ladder)
    (exports.folder / "src.xml").write_bytes(doc if doc is not None else exports.src_doc)
    (exports.folder / "tgt.xml").write_bytes(exports.tgt_doc)
    docs: list[str | Path] = ["--src-doc", exports.folder / "src.xml"]
    docs += ["--tgt-doc", exports.folder / "tgt.xml"]
    scored_or_refused(exports, exports.folder / "gold.xml", exports.folder / "pred.ladder", *docs)
    scored_or_refused(exports, exports.folder / "gold.xml", exports.folder / "pred.ladder")


ODD_IDS = ["-1", "x", "1.5", "٣", "9" * 5000]
side = st.lists(st.one_of(st.integers(0, 60), st.sampled_from(ODD_IDS)), max_size=3).map(
    lambda ids: ", ".join(map(str, ids))
)
scores = st.sampled_from(["", ":0.9", ":x", " : 1"])
ladder_lines = st.one_of(
    st.builds(lambda s, t, score: f"[{s}]:[{t}]{score}", side, side, scores),
    st.sampled_from(["", " ", "[]:[]", "[0]:[0", "0:0", "[0]:[0]:[0]", "\ufeff[0]:[0]", "\t"]),
    st.text(max_size=15),
)
ladders = st.one_of(
    st.lists(ladder_lines, max_size=12).map(lambda lines: "\n".join(lines).encode()),
    st.binary(max_size=300),
    st.deferred(lambda: st.sampled_from(ORIGINALS["ladder"])).flatmap(byte_mutation),
)


@SETTINGS
@given(gold=ladders, pred=ladders)
def test_any_ladder_is_scored_or_refused_in_one_line(
    exports: Exports, gold: bytes, pred: bytes
) -> None:
    (exports.folder / "gold.ladder").write_bytes(gold)
    (exports.folder / "pred.ladder").write_bytes(pred)
    scored_or_refused(exports, exports.folder / "gold.ladder", exports.folder / "pred.ladder")
