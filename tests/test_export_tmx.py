"""TMX 1.4b export: every export is validated against the official DTD; the bundled
demonstration pairs, the filters, escaping, unaligned beads and the errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from aligner import __version__
from aligner.formats.xml import hardened_parser
from aligner.services.selection import find_run
from aligner.store.models import AlignmentRun
from aligner.store.session import Database
from tests.conftest import CORPUS, SHARED, Cli, CliResult, assert_one_line_error, requires_shared
from tests.exporting import WORK, aligned_demo, aligned_pair_with_an_addition, import_pair

TMX_DTD = SHARED / "schemas" / "tmx" / "tmx14.dtd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BEADS = {"fr-demo": 13, "yi-demo": 12}  # all 1-1, 1-2 or 2-1 (see test_demonstration.py)
BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def dtd() -> etree.DTD | None:
    return etree.DTD(str(TMX_DTD)) if TMX_DTD.is_file() else None


@requires_shared
def test_the_official_tmx_dtd_is_there() -> None:
    # Every export below is validated against it; without ../shared it is not checked.
    assert TMX_DTD.is_file()


def parse_valid(data: bytes, dtd: etree.DTD | None) -> etree._Element:
    """Parse an export with the hardened parser and validate it against tmx14.dtd."""
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    assert b'<!DOCTYPE tmx SYSTEM "tmx14.dtd">' in data
    root = etree.fromstring(data, hardened_parser())
    if dtd is not None:
        assert dtd.validate(root), dtd.error_log.filter_from_errors()  # type: ignore[attr-defined]
    return root


def units(root: etree._Element) -> list[etree._Element]:
    return list(root.iter("tu"))


def props(tu: etree._Element) -> dict[str, str]:
    return {str(p.get("type")): p.text or "" for p in tu.findall("prop")}


def segs(tu: etree._Element) -> dict[str, str]:
    return {str(tuv.get(XML_LANG)): tuv.findtext("seg") or "" for tuv in tu.findall("tuv")}


def export(cli: Cli, *args: str | Path) -> CliResult:
    return cli.ok("export", "tmx", *args)


@pytest.mark.parametrize("label", sorted(BEADS))
def test_a_demonstration_pair_exports_one_valid_unit_per_bead(
    cli: Cli, label: str, dtd: etree.DTD | None, tmp_path: Path
) -> None:
    aligned_demo(cli, label)
    result = export(cli, WORK, "--src", "en", "--tgt", label)
    assert result.stderr == (  # which run the memory holds
        f"{WORK}: run 1, en → {label}: {BEADS[label]} translation units\n"
    )
    root = parse_valid(result.stdout_bytes, dtd)
    assert root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None
    attributes = {str(name): str(value) for name, value in header.attrib.items()}
    assert re.fullmatch(r"\d{8}T\d{6}Z", attributes.pop("creationdate"))
    assert attributes == {
        "creationtool": "aligner",
        "creationtoolversion": __version__,
        "segtype": "sentence",
        "o-tmf": "aligner",
        "adminlang": "en",
        "srclang": "en",
        "datatype": "plaintext",
    }
    found = units(root)
    assert len(found) == BEADS[label]
    language = label.removesuffix("-demo")
    assert [tu.get("tuid") for tu in found] == [f"{WORK}:1:{i}" for i in range(BEADS[label])]
    assert props(found[0]) == {
        "x-work": WORK,
        "x-src-version": "en r1",
        "x-tgt-version": f"{label} r1",
        "x-translator": "the aligner project",
        "x-status": "auto",
        "x-score": props(found[0])["x-score"],
    }
    assert 0.5 < float(props(found[0])["x-score"]) <= 1.0
    assert [list(segs(tu)) for tu in found] == [["en", language]] * len(found)
    check_sides_as_stored(cli, label, found)
    assert not BIDI_CONTROLS.search(result.stdout)
    # -o writes the same document to a file (the date may differ) and says so.
    target = tmp_path / "out.tmx"
    written = export(cli, WORK, "--src", "en", "--tgt", label, "-o", target)
    assert written.stdout == (
        f"{WORK}: run 1, en → {label}: {BEADS[label]} translation units written to {target}\n"
    )
    dated = re.compile(rb'creationdate="\d{8}T\d{6}Z"')
    file_bytes = target.read_bytes()
    parse_valid(file_bytes, dtd)
    assert dated.sub(b"", file_bytes) == dated.sub(b"", result.stdout_bytes)


def check_sides_as_stored(cli: Cli, label: str, found: list[etree._Element]) -> None:
    """Each side is its bead's sentences in reading order, exactly as stored: for Yiddish the
    same bytes as in the imported file, with no bidi marks added."""
    language = label.removesuffix("-demo")
    with Database(cli.db_url) as db, db.session() as session:
        run = find_run(session, WORK, "en", label, None)
        expected = []
        for link in run.links:
            sides: dict[str, list[tuple[int, str]]] = {"src": [], "tgt": []}
            for member in link.members:
                sides[member.side].append((member.segment.position, member.segment.text))
            expected.append({s: " ".join(t for _, t in sorted(sides[s])) for s in sides})
    assert [segs(tu) for tu in found] == [{"en": e["src"], language: e["tgt"]} for e in expected]
    # The file wraps its lines (and the French puts no-break spaces inside « »); the Yiddish
    # sentences are its bytes exactly once line breaks are read as spaces.
    source = (CORPUS / "demonstration" / f"why-we-quit-introduction.{label}.txt").read_bytes()
    if label == "yi-demo":
        unwrapped = source.replace(b"\n", b" ")
    else:
        unwrapped = re.sub(r"\s+", " ", source.decode("utf-8")).encode("utf-8")
    for tu in found:
        for sentence in re.split(r"(?<=[.!?]) ", segs(tu)[language]):
            assert sentence.encode("utf-8") in unwrapped
    if label == "yi-demo":
        joined = segs(found[2])
        assert joined["en"].startswith("The general reaction to the Moscow frame-ups")
        assert joined["en"].endswith("the third big Moscow trial.")  # the 2-1 bead, joined
        assert joined["yi"].startswith("די אַלגעמיינע רעאַקציע")


def test_status_min_score_and_run_filter_the_units(cli: Cli, dtd: etree.DTD | None) -> None:
    aligned_demo(cli, "fr-demo")
    cli.ok("align", WORK, "--src", "en", "--tgt", "fr-demo")  # run 2, the newest
    with Database(cli.db_url) as db, db.session() as session:
        scores = [link.score or 0.0 for link in find_run(session, WORK, "en", "fr-demo", 2).links]
    threshold = sorted(scores)[len(scores) // 2]
    base = (WORK, "--src", "en", "--tgt", "fr-demo")
    root = parse_valid(export(cli, *base, "--min-score", str(threshold)).stdout_bytes, dtd)
    assert len(units(root)) == sum(score >= threshold for score in scores) < len(scores)
    assert all(float(props(tu)["x-score"]) >= threshold - 5e-5 for tu in units(root))
    root = parse_valid(export(cli, *base, "--min-score", "1.01").stdout_bytes, dtd)
    assert units(root) == []  # an empty body is valid TMX
    root = parse_valid(export(cli, *base, "--status", "confirmed").stdout_bytes, dtd)
    assert units(root) == []  # nothing confirmed yet: every link is "auto"
    with Database(cli.db_url) as db, db.session() as session:
        run = session.get(AlignmentRun, 2)
        assert run is not None
        run.links[3].status, run.links[7].status = "confirmed", "corrected"
    root = parse_valid(export(cli, *base, "--status", "confirmed").stdout_bytes, dtd)
    assert [(tu.get("tuid"), props(tu)["x-status"]) for tu in units(root)] == [
        (f"{WORK}:2:3", "confirmed"),
        (f"{WORK}:2:7", "corrected"),
    ]
    root = parse_valid(export(cli, *base, "--status", "any").stdout_bytes, dtd)
    assert len(units(root)) == 13 and units(root)[0].get("tuid") == f"{WORK}:2:0"
    root = parse_valid(export(cli, *base, "--run", "1").stdout_bytes, dtd)
    assert len(units(root)) == 13 and units(root)[0].get("tuid") == f"{WORK}:1:0"
    assert {props(tu)["x-status"] for tu in units(root)} == {"auto"}


def test_markup_characters_are_escaped_and_control_characters_removed_and_counted(
    cli: Cli, tmp_path: Path, dtd: etree.DTD | None
) -> None:
    import_pair(
        cli, tmp_path, "esc",
        "Tom & Jerry <b>bold</b> met at noon.\x07 They talked about the weather.\n\n"
        "The harbour was full of ships.\n",
        "Tom & Jerry <b>gras</b> se sont vus à midi.\x07 Ils ont parlé du temps.\n\n"
        "Le port était plein de navires.\n",
    )  # fmt: skip
    cli.ok("align", "esc", "--src", "en", "--tgt", "fr")
    result = export(cli, "esc", "--src", "en", "--tgt", "fr")
    assert result.stderr.startswith("removed 2 control characters\nesc: run 1, en → fr: ")
    assert b"Tom &amp; Jerry &lt;b&gt;bold&lt;/b&gt; met at noon." in result.stdout_bytes
    assert b"\x07" not in result.stdout_bytes
    root = parse_valid(result.stdout_bytes, dtd)
    first = segs(units(root)[0])
    assert first == {
        "en": "Tom & Jerry <b>bold</b> met at noon. They talked about the weather.",
        "fr": "Tom & Jerry <b>gras</b> se sont vus à midi. Ils ont parlé du temps.",
    }
    assert segs(units(root)[-1]) == {
        "en": "The harbour was full of ships.",
        "fr": "Le port était plein de navires.",
    }


def test_additions_are_left_out_unless_keep_unaligned_writes_them_with_one_tuv(
    cli: Cli, tmp_path: Path, dtd: etree.DTD | None
) -> None:
    addition = aligned_pair_with_an_addition(cli, tmp_path)
    root = parse_valid(export(cli, "om", "--src", "en", "--tgt", "fr").stdout_bytes, dtd)
    assert len(units(root)) == 4
    assert all(list(segs(tu)) == ["en", "fr"] for tu in units(root))
    kept = export(cli, "om", "--src", "en", "--tgt", "fr", "--keep-unaligned").stdout_bytes
    root = parse_valid(kept, dtd)  # the DTD allows a <tu> with one <tuv> (tuv+)
    assert len(units(root)) == 5
    alone = [tu for tu in units(root) if len(segs(tu)) == 1]
    assert [segs(tu) for tu in alone] == [{"fr": "12345 67890 ISBN 978-3-16-148410-0."}]
    assert alone[0].get("tuid") == f"om:1:{addition}"


def test_unknown_work_unaligned_pair_unknown_run_and_bad_status_are_one_line_errors(
    cli: Cli, tmp_path: Path
) -> None:
    import_pair(cli, tmp_path, "w", "A sentence.\n", "Une phrase.\n")
    assert_one_line_error(cli("export", "tmx", "nope", "--src", "en", "--tgt", "fr"), "nope")
    result = cli("export", "tmx", "w", "--src", "en", "--tgt", "fr")
    assert_one_line_error(result, "w: en and fr are not aligned yet; run `aligner align w")
    assert result.stdout == ""
    assert_one_line_error(cli("export", "tmx", "w", "--src", "en", "--tgt", "de"), "w/de")
    cli.ok("align", "w", "--src", "en", "--tgt", "fr")
    assert_one_line_error(
        cli("export", "tmx", "w", "--src", "en", "--tgt", "fr", "--run", "9"),
        "w: no run 9 aligns en with fr",
    )
    missing = tmp_path / "no-such-folder" / "w.tmx"
    assert_one_line_error(
        cli("export", "tmx", "w", "--src", "en", "--tgt", "fr", "-o", missing),
        f"{missing}: cannot write: No such file or directory",
    )
    result = cli("export", "tmx", "w", "--src", "en", "--tgt", "fr", "--status", "maybe")
    assert_one_line_error(result, "--status must be one of confirmed, any, not 'maybe'")
    assert result.exit_code == 2


def tuv_props(tu: etree._Element) -> dict[str, dict[str, str]]:
    return {
        str(tuv.get(XML_LANG)): {str(p.get("type")): p.text or "" for p in tuv.findall("prop")}
        for tuv in tu.findall("tuv")
    }


def source_spans(cli: Cli, labels: list[str]) -> list[tuple[int, int]]:
    """Stretches of the original that no bead of the labels' newest runs crosses."""
    spans: list[tuple[int, int]] = []
    with Database(cli.db_url) as db, db.session() as session:
        for label in labels:
            for link in find_run(session, WORK, "en", label, None).links:
                src = [m.segment.position for m in link.members if m.side == "src"]
                spans += [(min(src), max(src))] if src else []
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


def test_several_translations_give_one_unit_per_stretch_of_the_original(
    cli: Cli, dtd: etree.DTD | None
) -> None:
    aligned_demo(cli, "fr-demo")
    cli.ok("align", WORK, "--src", "en", "--tgt", "yi-demo")
    single = {
        label: units(parse_valid(export(cli, WORK, "--tgt", label).stdout_bytes, dtd))
        for label in BEADS
    }
    found = units(parse_valid(export(cli, WORK, "--tgt", "fr-demo,yi-demo").stdout_bytes, dtd))
    spans = source_spans(cli, ["fr-demo", "yi-demo"])
    # The Yiddish 2-1 bead joins two English sentences the French run keeps apart.
    assert len(found) == len(spans) == BEADS["yi-demo"] < BEADS["fr-demo"]
    assert [tu.get("tuid") for tu in found] == [f"{WORK}:en:r1:{i}" for i in range(12)]
    assert all(props(tu) == {"x-work": WORK, "x-src-version": "en r1"} for tu in found)
    assert all(list(segs(tu)) == ["en", "fr", "yi"] for tu in found)
    first = tuv_props(found[0])
    assert first["en"] == {}
    assert {k: v for k, v in first["yi"].items() if k != "x-score"} == {
        "x-version": "yi-demo r1",
        "x-translator": "the aligner project",
        "x-status": "auto",
    }
    # Nothing is lost or repeated: each language reads the same as in its own export.
    for label, language in (("fr-demo", "fr"), ("yi-demo", "yi")):
        ours = " ".join(segs(tu)[language] for tu in found)
        assert ours == " ".join(segs(tu)[language] for tu in single[label])
        assert " ".join(segs(tu)["en"] for tu in found) == " ".join(
            segs(tu)["en"] for tu in single[label]
        )
    joined = next(tu for tu in found if "third big Moscow trial" in segs(tu)["en"])
    assert segs(joined)["en"].startswith("The general reaction to the Moscow frame-ups")
    assert segs(joined)["fr"].endswith("du troisième grand procès de Moscou.")


def test_a_translation_whose_beads_are_filtered_out_loses_only_its_own_tuv(
    cli: Cli, dtd: etree.DTD | None
) -> None:
    aligned_demo(cli, "fr-demo")
    cli.ok("align", WORK, "--src", "en", "--tgt", "yi-demo")
    args = (WORK, "--tgt", "fr-demo,yi-demo", "--status", "confirmed")

    def confirm_french(count: int) -> list[etree._Element]:
        with Database(cli.db_url) as db, db.session() as session:
            for link in find_run(session, WORK, "en", "fr-demo", None).links[:count]:
                link.status = "confirmed"
        return units(parse_valid(export(cli, *args).stdout_bytes, dtd))

    # The third French bead shares a stretch of the original (the Yiddish 2-1 bead) with the
    # fourth: the stretch's French is confirmed only once both beads are.
    assert [list(segs(tu)) for tu in confirm_french(3)] == [["en", "fr"]] * 2
    found = confirm_french(4)
    assert [list(segs(tu)) for tu in found] == [["en", "fr"]] * 3
    assert {tuv_props(tu)["fr"]["x-status"] for tu in found} == {"confirmed"}


def test_all_exports_every_work_with_the_translation_aligned(
    cli: Cli, tmp_path: Path, dtd: etree.DTD | None
) -> None:
    aligned_demo(cli, "fr-demo")
    import_pair(
        cli, tmp_path, "om", "The meeting opened at noon.\n", "La réunion commença à midi.\n"
    )
    import_pair(cli, tmp_path, "later", "The strike lasted.\n", "La grève dura.\n")
    cli.ok("align", "om", "--src", "en", "--tgt", "fr")
    target = tmp_path / "all.tmx"
    result = cli.ok("export", "tmx", "--all", "--tgt", "fr", "-o", target)
    assert result.stdout.splitlines() == [
        "om: run 2, en → fr: 1 translation units",
        f"{WORK}: run 1, en → fr-demo: 13 translation units",
        f"14 translation units from 2 works written to {target}",
    ]
    assert result.stderr == (
        "skipped later/fr: later: en and fr are not aligned yet; "
        "run `aligner align later --src en --tgt fr`\n"
    )
    found = units(parse_valid(target.read_bytes(), dtd))
    assert [props(tu)["x-work"] for tu in found] == ["om"] + [WORK] * 13
    assert segs(found[0]) == {
        "en": "The meeting opened at noon.",
        "fr": "La réunion commença à midi.",
    }
    assert_one_line_error(cli("export", "tmx", "--all", "--tgt", "de"), "no work has de aligned")


def test_bad_selections_are_one_line_errors(cli: Cli) -> None:
    aligned_demo(cli, "fr-demo")
    assert_one_line_error(cli("export", "tmx", "--tgt", "fr"), "name a WORK, or give --all")
    assert_one_line_error(
        cli("export", "tmx", WORK, "--all", "--tgt", "fr"),
        f"{WORK}: give a WORK or --all, not both",
    )
    assert_one_line_error(
        cli("export", "tmx", WORK, "--tgt", "fr-demo,yi-demo", "--run", "1"),
        "--run picks one run: give one WORK and one --tgt",
    )
    assert_one_line_error(cli("export", "tmx", WORK, "--tgt", "fr-demo,,yi-demo"), "an empty label")
    assert_one_line_error(
        cli("export", "tmx", WORK, "--tgt", "fr-demo,yi-demo"),
        f"{WORK}: en and yi-demo are not aligned yet",
    )
