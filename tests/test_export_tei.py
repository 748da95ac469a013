"""TEI P5 export: the bundled demonstration work, aligned with the real model, is validated
against the full TEI schema (tei_all.rng, compiled once per session); every pointer resolves,
one <link> per bead, texts as stored, run selection, unaligned beads and the errors."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from aligner.formats.xml import hardened_parser
from aligner.services.selection import find_run
from aligner.store.models import AlignmentRun
from aligner.store.queries import get_work
from aligner.store.session import Database
from tests.conftest import (
    CORPUS,
    TEI_ALL,
    Cli,
    CliResult,
    assert_one_line_error,
    requires_shared,
)
from tests.exporting import FOUR_ENGLISH_SENTENCES, FRENCH_WITH_AN_ADDITION, import_pair

WORK = "why-we-quit-1938-introduction"
NS = {"t": "http://www.tei-c.org/ns/1.0"}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BEADS = {"fr-demo": 13, "yi-demo": 12}  # as in test_export_tmx.py


@requires_shared
def test_the_tei_all_schema_is_there() -> None:
    # Every export below is validated against it; without ../shared it is not checked.
    assert TEI_ALL.is_file()


def parse_valid(data: bytes, schema: etree.RelaxNG) -> etree._Element:
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    root = etree.fromstring(data, hardened_parser())
    assert schema.validate(root), schema.error_log.filter_from_errors()
    return root


def export(cli: Cli, *args: str | Path) -> CliResult:
    return cli.ok("export", "tei", *args)


def ids(root: etree._Element) -> dict[str, etree._Element]:
    found = {str(e.get(XML_ID)): e for e in root.iter() if e.get(XML_ID) is not None}
    assert len(found) == sum(1 for e in root.iter() if e.get(XML_ID) is not None)  # unique
    return found


def link_groups(root: etree._Element) -> list[etree._Element]:
    return root.findall("t:standOff/t:linkGrp", NS)


def targets(element: etree._Element) -> list[str]:
    return [t.removeprefix("#") for t in str(element.get("target")).split()]


def one(root: etree._Element, path: str) -> etree._Element:
    found = root.findall(path, NS)
    assert len(found) == 1, path
    return found[0]


def test_the_demonstration_work_is_valid_tei_with_one_link_per_bead(
    cli: Cli, tei_schema: etree.RelaxNG, tmp_path: Path
) -> None:
    cli.ok("import", CORPUS)
    cli.ok("align", WORK, "--src", "en", "--tgt", "fr-demo")
    cli.ok("align", WORK, "--src", "en", "--tgt", "yi-demo")
    result = export(cli, WORK)
    assert result.stderr == "run 1, en → fr-demo; run 2, en → yi-demo\n"
    root = parse_valid(result.stdout_bytes, tei_schema)
    by_id = ids(root)
    check_header(cli, one(root, "t:teiHeader"), by_id)
    check_texts(cli, root, by_id)
    groups = link_groups(root)
    check_links(cli, groups, by_id)
    yi_group = groups[1]
    assert [link.get("type") for link in yi_group].count("2-1") == 1

    # -o writes the same document (the dates aside) and says what it wrote.
    target = tmp_path / "work.tei.xml"
    written = export(cli, WORK, "-o", target)
    assert written.stdout == (
        f"{WORK}: 3 versions, 2 alignment runs, 25 links and 0 unaligned beads "
        f"written to {target}\nrun 1, en → fr-demo; run 2, en → yi-demo\n"
    )
    dated = re.compile(rb'when="[^"]*">[^<]*<')
    file_bytes = target.read_bytes()
    parse_valid(file_bytes, tei_schema)
    assert dated.sub(b"", file_bytes) == dated.sub(b"", result.stdout_bytes)


def check_header(cli: Cli, header: etree._Element, by_id: dict[str, etree._Element]) -> None:
    """The header: title, author, translators, who exported it, sources, languages, runs."""
    title_stmt = one(header, "t:fileDesc/t:titleStmt")
    assert title_stmt.findtext("t:title", namespaces=NS) == (
        "Why We Quit the Communist Party (editorial introduction)"
    )
    assert title_stmt.findtext("t:author", namespaces=NS) == "The editors of The New International"
    assert [
        (r.findtext("t:resp", namespaces=NS), r.findtext("t:name", namespaces=NS))
        for r in title_stmt.findall("t:respStmt", NS)
    ] == [
        ("translation into fr (fr-demo)", "the aligner project"),
        ("translation into yi (yi-demo)", "the aligner project"),
    ]
    published = "".join(str(t) for t in one(header, "t:fileDesc/t:publicationStmt/t:p").itertext())
    assert re.fullmatch(
        rf"Exported by aligner \S+ on \d{{4}}-\d\d-\d\d from the work {WORK}\.", published
    )
    bibls = header.findall("t:fileDesc/t:sourceDesc/t:listBibl/t:bibl", NS)
    assert [b.get("n") for b in bibls] == ["en", "fr-demo", "yi-demo"]
    notes = [{n.get("type"): n.text for n in b.findall("t:note", NS)} for b in bibls]
    assert notes[0]["publication"] == "New International, Vol.4 No.4, May 1938, pp.137-139"
    assert "demonstration" not in notes[0]
    assert all(
        str(n["demonstration"]).startswith("A demonstration text written") for n in notes[1:]
    )
    languages = header.findall("t:profileDesc/t:langUsage/t:language", NS)
    assert [(x.get("ident"), x.text) for x in languages] == [
        ("en", "English (en)"),
        ("fr", "French (fr-demo)"),
        ("yi", "Yiddish (yi-demo)"),
    ]
    runs = [by_id["run-1"], by_id["run-2"]]
    with Database(cli.db_url) as db, db.session() as session:
        for element, number in zip(runs, (1, 2), strict=True):
            run = session.get(AlignmentRun, number)
            assert run is not None
            assert [i.text for i in element.findall("t:ident", NS)] == [run.method, run.model]
            assert element.getparent() is one(header, "t:encodingDesc")


def check_texts(cli: Cli, root: etree._Element, by_id: dict[str, etree._Element]) -> None:
    """The texts: one per version, its language, every segment by id with the stored text."""
    texts = root.findall("t:text/t:group/t:text", NS)
    assert [(t.get(XML_ID), t.get(XML_LANG)) for t in texts] == [
        ("text-en", "en"),
        ("text-fr-demo", "fr"),
        ("text-yi-demo", "yi"),
    ]
    tags = {"sentence": "s", "heading": "head", "footnote": "note", "note": "note"}
    with Database(cli.db_url) as db, db.session() as session:
        work = get_work(session, WORK)
        for version, text in zip(work.versions, texts, strict=True):
            assert version.current is not None
            segments = version.current.segments
            written = [
                e for e in text.iterdescendants() if re.fullmatch(r"[\w-]+\.\d+", e.get(XML_ID, ""))
            ]  # fmt: skip
            for s in text.iterfind(".//t:s", NS):
                parent = s.getparent()
                assert parent is not None and parent.tag == f"{{{NS['t']}}}p"
                assert re.fullmatch(rf"{version.label}\.p\d+", parent.get(XML_ID, ""))
            assert [e.get(XML_ID) for e in written] == [
                f"{version.label}.{s.position}" for s in segments
            ]
            for element, segment in zip(written, segments, strict=True):
                assert element.tag == f"{{{NS['t']}}}{tags[segment.kind]}"
                assert element.text == segment.text  # Yiddish too: unchanged
                assert len(element) == 0
        heading = by_id["yi-demo.2"]
        assert heading.text == "פֿאַרוואָס מיר האָבן פֿאַרלאָזט די קאָמוניסטישע פּאַרטיי"


def check_links(cli: Cli, groups: list[etree._Element], by_id: dict[str, etree._Element]) -> None:
    """The alignments: one linkGrp per run, one link per bead, every target an s/head id."""
    with Database(cli.db_url) as db, db.session() as session:
        assert [(g.get("type"), g.get("corresp"), g.get("domains")) for g in groups] == [
            ("alignment", "#run-1", "#text-en #text-fr-demo"),
            ("alignment", "#run-2", "#text-en #text-yi-demo"),
        ]
        for group, label in zip(groups, ("fr-demo", "yi-demo"), strict=True):
            run = find_run(session, WORK, "en", label, None)
            links = group.findall("t:link", NS)
            assert len(group) == len(links) == len(run.links) == BEADS[label]
            for element, link in zip(links, run.links, strict=True):
                expected = {
                    side: [
                        f"{m.segment.revision.version.label}.{m.segment.position}"
                        for m in sorted(link.members, key=lambda m: m.segment.position)
                        if m.side == side
                    ]
                    for side in ("src", "tgt")
                }
                assert targets(element) == expected["src"] + expected["tgt"]
                assert element.get("type") == f"{len(expected['src'])}-{len(expected['tgt'])}"
                assert link.score is not None
                assert abs(float(str(element.get("cert"))) - link.score) < 1e-4
                for target in targets(element):
                    assert by_id[target].tag in {f"{{{NS['t']}}}s", f"{{{NS['t']}}}head"}
                src_text, tgt_text = (
                    by_id[t].getparent() for t in (expected["src"][0], expected["tgt"][0])
                )
                assert src_text is not None and tgt_text is not None
                assert all(by_id[t].get(XML_ID, "").startswith("en.") for t in expected["src"])
                assert all(
                    by_id[t].get(XML_ID, "").startswith(f"{label}.") for t in expected["tgt"]
                )


def test_the_newest_run_per_pair_unless_run_names_them(
    sqlite_cli: Cli, tmp_path: Path, tei_schema: etree.RelaxNG
) -> None:
    cli = sqlite_cli
    cli.ok("import", CORPUS)
    cli.ok("align", WORK, "--src", "en", "--tgt", "fr-demo")  # run 1
    cli.ok("align", WORK, "--src", "en", "--tgt", "yi-demo")  # run 2
    cli.ok("align", WORK, "--src", "en", "--tgt", "fr-demo")  # run 3, the newest en → fr-demo
    newest = export(cli, WORK)
    root = parse_valid(newest.stdout_bytes, tei_schema)
    assert [g.get("corresp") for g in link_groups(root)] == ["#run-2", "#run-3"]
    # Which runs the document holds: on stderr, or after the summary when -o writes a file.
    assert newest.stderr == "run 2, en → yi-demo; run 3, en → fr-demo\n"
    written = cli.ok("export", "tei", WORK, "--run", "1", "-o", tmp_path / "w.xml")
    assert written.stdout.splitlines()[-1] == "run 1, en → fr-demo"
    root = parse_valid(export(cli, WORK, "--run", "1").stdout_bytes, tei_schema)
    assert [g.get("corresp") for g in link_groups(root)] == ["#run-1"]
    assert [p.get(XML_ID) for p in root.iterfind(".//t:encodingDesc/t:p", NS)] == [None, "run-1"]
    root = parse_valid(export(cli, WORK, "--run", "3", "--run", "1").stdout_bytes, tei_schema)
    assert [g.get("corresp") for g in link_groups(root)] == ["#run-3", "#run-1"]
    # A work nobody aligned yet still exports its texts, with no standOff at all.
    root = parse_valid(export(cli, "workers-group-manifesto-1923").stdout_bytes, tei_schema)
    assert link_groups(root) == [] and root.find("t:standOff", NS) is None
    assert len(root.findall("t:text/t:group/t:text", NS)) == 1


def test_an_addition_is_a_ptr_in_the_link_group_and_control_characters_are_removed(
    sqlite_cli: Cli, tmp_path: Path, tei_schema: etree.RelaxNG
) -> None:
    cli = sqlite_cli
    english = FOUR_ENGLISH_SENTENCES.replace("noon.", "noon.\x07")
    import_pair(cli, tmp_path, "om", english, FRENCH_WITH_AN_ADDITION)
    cli.ok("align", "om", "--src", "en", "--tgt", "fr")
    result = export(cli, "om")
    assert result.stderr == "removed 1 control character\nrun 1, en → fr\n"
    root = parse_valid(result.stdout_bytes, tei_schema)
    by_id = ids(root)
    assert by_id["en.0"].text == "The meeting opened at noon."
    (group,) = link_groups(root)
    assert [(e.tag.split("}")[1], e.get("type")) for e in group] == [
        ("link", "1-1"), ("link", "1-1"), ("ptr", "addition"), ("link", "1-1"), ("link", "1-1"),
    ]  # fmt: skip
    assert targets(group[2]) == ["fr.2"]
    assert by_id["fr.2"].text == "12345 67890 ISBN 978-3-16-148410-0."
    for element in group:
        assert all(t in by_id for t in targets(element))


def test_unknown_work_and_run_and_unwritable_output_are_one_line_errors(
    sqlite_cli: Cli, tmp_path: Path
) -> None:
    cli = sqlite_cli
    import_pair(cli, tmp_path, "w", "A sentence.\n", "Une phrase.\n")
    result = cli("export", "tei", "nope")
    assert_one_line_error(result, "nope: no such work")
    assert result.stdout == ""
    assert_one_line_error(cli("export", "tei", "w", "--run", "9"), "w: no run 9 in this work")
    missing = tmp_path / "no-such-folder" / "w.xml"
    assert_one_line_error(
        cli("export", "tei", "w", "-o", missing),
        f"{missing}: cannot write: No such file or directory",
    )
