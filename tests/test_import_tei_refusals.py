"""TEI import refusals: bad files are refused whole with one line and write nothing, and so are
versions that clash with the database and TEI files given with text files or folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, assert_one_line_error
from tests.test_import_tei import SMALL, counts

NS = 'xmlns="http://www.tei-c.org/ns/1.0"'
BAD = {
    "malformed.xml": (
        f"<TEI {NS}><teiHeader></TEI>",
        "not well-formed XML: Opening and ending tag mismatch: teiHeader line 1 and TEI, "
        "line 1, column 59",
    ),
    "tmx.xml": (
        '<tmx version="1.4"/>',
        "not a TEI document (the root element is <tmx>, not <TEI>)",
    ),
    "corpus.xml": (
        SMALL.replace("<TEI ", "<teiCorpus ").replace("</TEI>", "</teiCorpus>"),
        "not a TEI document (the root element is <teiCorpus>, not <TEI>)",
    ),
    "nonamespace.xml": (
        SMALL.replace(f" {NS}", ""),
        "not a TEI document (the root element <TEI> is not in the TEI namespace "
        "http://www.tei-c.org/ns/1.0)",
    ),
    "unknown-id.xml": (
        SMALL.replace('"#e4 #f4"', '"#e4 #f9"'),
        "a <link> points to an unknown xml:id #f9",
    ),
    "not-a-segment.xml": (
        SMALL.replace('"#e0 #f0"', '"#en #f0"'),
        "a <link> points to #en, which is not a segment (<s>, <head>, <p> or <note>) of a version",
    ),
    "no-lang.xml": (
        SMALL.replace('<div xml:id="fr" xml:lang="fr">', '<div xml:id="fr">'),
        'the version <div xml:id="fr"> has no xml:lang',
    ),
    "unknown-lang.xml": (
        SMALL.replace('xml:lang="fr"', 'xml:lang="xx"'),
        "version fr: 'xx' is not a known language code (use a BCP 47 tag such as yi, ru, fr, "
        "en, de)",
    ),
    "no-versions.xml": (
        f"<TEI {NS}><teiHeader/><text><body><p>Just a text.</p></body></text></TEI>",
        "no versions (expected <text xml:lang> elements in <text><group>, or <div xml:lang> "
        "elements in <text><body>)",
    ),
    "entities.xml": (
        f'<!DOCTYPE TEI [<!ENTITY lol "lol">]><TEI {NS}><text><body>'
        '<div xml:lang="en"><p>&lol;</p></div></body></text></TEI>',
        "the DOCTYPE declares entities (lol); refused",
    ),
    # Runs a review could not show (issue 11, item 13): each segment once, in reading order.
    "in-two-links.xml": (
        SMALL.replace('"#e2 #e3 #f2"', '"#e1 #e3 #f2"'),
        'link 3 of <linkGrp> number 1 (<link target="#e1 #e3 #f2">): #e1 (en) is in link 2 '
        "too; a segment belongs to one link",
    ),
    "in-two-links-with-id.xml": (
        SMALL.replace('<link target="#e2 #e3 #f2"', '<link xml:id="l3" target="#e1 #e3 #f2"'),
        '<link xml:id="l3">: #e1 (en) is in link 2 too; a segment belongs to one link',
    ),
    "left-out.xml": (
        SMALL.replace('<ptr target="#f3"/>', ""),
        'link 4 of <linkGrp> number 1 (<link target="#e4 #f4">): #f3 (fr) comes before #f4 '
        "(fr) but is in no link before it; links must take a version's segments in reading "
        "order",
    ),
    "last-left-out.xml": (
        SMALL.replace('<link target="#e4 #f4" cert=" 1 "/>', ""),
        "<linkGrp> number 1: #e4 (en) is in no link; every heading, sentence, paragraph and "
        "footnote of the two versions must be in one",
    ),
    "out-of-order.xml": (
        SMALL.replace('<link target="#e0 #f0"/>', "").replace(
            '<link target="#e4 #f4"', '<link target="#e0 #f0"/><link target="#e4 #f4"'
        ),
        'link 1 of <linkGrp> number 1 (<link target="#e1 #f1">): #e0 (en) comes before #e1 '
        "(en) but is in no link before it; links must take a version's segments in reading "
        "order",
    ),
    "twice-in-a-link.xml": (
        SMALL.replace('"#e1 #f1"', '"#e1 #e1 #f1"'),
        'link 2 of <linkGrp> number 1 (<link target="#e1 #e1 #f1">) points to #e1 (en) twice',
    ),
    **{
        f"cert-{name}.xml": (
            SMALL.replace('cert="0.9"', f'cert="{cert}"'),
            f'link 2 of <linkGrp> number 1 (<link target="#e1 #f1">) has cert="{cert}", which '
            "is not a score (a number from 0 to 1); give one or leave cert out",
        )
        for name, cert in (
            ("nan", "NaN"),
            ("infinite", "1e309"),
            ("word", "high"),
            ("negative", "-0.1"),
            ("above-one", "1.5"),
            ("empty", ""),
            ("hex", "0x1p-1"),
        )
    },
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_files_are_refused_and_nothing_is_written(cli: Cli, tmp_path: Path, name: str) -> None:
    data, message = BAD[name]
    good = tmp_path / "good.xml"
    good.write_text(SMALL, encoding="utf-8")
    path = tmp_path / name
    path.write_text(data, encoding="utf-8")
    # The good file comes first in the same command: the refusal leaves nothing behind.
    result = cli("import", good, path)
    assert_one_line_error(result)
    assert result.stderr == f"Error: {path}: {message}\n"
    assert counts(cli) == (0, 0, 0, 0, 0)


def test_a_version_that_clashes_with_the_database_is_refused(cli: Cli, tmp_path: Path) -> None:
    text = tmp_path / "fr.txt"
    text.write_text("Ein Satz.\n", encoding="utf-8")
    cli.ok("import", text, "--work", "small", "--lang", "de", "--label", "fr", "--role", "original")
    before = counts(cli)
    path = tmp_path / "small.xml"
    path.write_text(SMALL, encoding="utf-8")
    result = cli("import", path)
    assert_one_line_error(result)
    assert result.stderr == f"Error: {path}: small/fr: already holds de text, not fr\n"
    assert counts(cli) == before


def test_tmx_or_tei_files_with_text_files_or_folders_is_one_clear_error(
    cli: Cli, tmp_path: Path
) -> None:
    tei = tmp_path / "small.xml"
    tei.write_text(SMALL, encoding="utf-8")
    text = tmp_path / "a.txt"
    text.write_text("A sentence.\n", encoding="utf-8")
    for other in (text, tmp_path):
        result = cli("import", tei, other, "--work", "w", "--lang", "en")
        assert_one_line_error(result)
        assert result.stderr == (
            f"Error: {tei}: TMX and TEI files are imported on their own, not with text files "
            f"or folders ({other}); import those in another command\n"
        )
    cli.ok("import", tei)  # what the refused commands would have added shows here
    assert counts(cli) == (1, 2, 2, 1, 5)
