"""Exports of real gold-aligned documents: FLORES-200 (English with Yiddish, French and
Russian, one sentence each, so one memory with four languages) and Text+Berg test0 (German and
French with its 1-2, 2-1, omissions and additions).  The gold beads are stored as runs; every
export is validated against the official schemas and the TMX comes back through our importer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from aligner.formats.ladder import read_ladder
from aligner.formats.xml import hardened_parser
from tests.conftest import SHARED, Cli
from tests.exporting import FixedBead, import_sentences, store_run, stored_sentences
from tests.test_export_tei import link_groups, targets
from tests.test_export_tmx import XML_LANG, parse_valid, segs, units

FLORES = SHARED / "data" / "flores"
TEXTBERG = SHARED / "data" / "textberg"
FLORES_FILES = {"en": "eng_Latn", "yi": "ydd_Hebr", "fr": "fra_Latn", "ru": "rus_Cyrl"}
TMX_DTD = SHARED / "schemas" / "tmx" / "tmx14.dtd"


def undated(data: bytes) -> bytes:
    return re.sub(rb' creationdate="\d{8}T\d{6}Z"', b"", data)


@pytest.fixture(scope="module")
def dtd() -> etree.DTD:
    return etree.DTD(str(TMX_DTD))


def first_articles(count: int) -> int:
    """How many FLORES devtest lines the first ``count`` source articles take."""
    urls = [line.split("\t")[0] for line in (FLORES / "metadata_devtest.tsv").open()][1:]
    seen: list[str] = []
    for index, url in enumerate(urls):
        if url not in seen:
            seen.append(url)
        if len(seen) > count:
            return index
    return len(urls)


@pytest.mark.skipif(not FLORES.is_dir(), reason=f"{FLORES} is absent (FLORES-200 devtest)")
def test_flores_in_four_languages_is_one_valid_memory_and_one_valid_tei_document(
    sqlite_cli: Cli, tmp_path: Path, dtd: etree.DTD, tei_schema: etree.RelaxNG
) -> None:
    size = first_articles(3)
    sentences = {
        lang: stored_sentences(FLORES / f"{name}.devtest")[:size]
        for lang, name in FLORES_FILES.items()
    }
    for lang, lines in sentences.items():
        import_sentences(sqlite_cli, tmp_path, "flores", lang, lines, "" if lang == "en" else "en")
    for lang in ("yi", "fr", "ru"):
        gold = [FixedBead([i], [i], None, "confirmed") for i in range(size)]
        store_run(sqlite_cli.db_url, "flores", "en", lang, gold, "gold")
    first = tmp_path / "flores.tmx"
    sqlite_cli.ok("export", "tmx", "flores", "--tgt", "yi,fr,ru", "-o", first)
    found = units(parse_valid(first.read_bytes(), dtd))
    assert [segs(tu) for tu in found] == [
        {lang: sentences[lang][i] for lang in FLORES_FILES} for i in range(size)
    ]
    assert {tuv.get(XML_LANG) for tuv in found[0].iter("tuv")} == {"en", "yi", "fr", "ru"}

    tei = sqlite_cli.ok("export", "tei", "flores").stdout_bytes
    root = etree.fromstring(tei, hardened_parser())
    assert tei_schema.validate(root), tei_schema.error_log.filter_from_errors()
    groups = link_groups(root)
    assert len(groups) == 3 and all(len(group) == size for group in groups)
    assert all(len(targets(link)) == 2 for group in groups for link in group)

    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.ok("import", first)
    second = tmp_path / "again.tmx"
    fresh.ok("export", "tmx", "flores", "--tgt", "yi,fr,ru", "-o", second)
    assert undated(second.read_bytes()) == undated(first.read_bytes())


@pytest.mark.skipif(not TEXTBERG.is_dir(), reason=f"{TEXTBERG} is absent (Text+Berg gold)")
def test_text_berg_with_its_gold_beads_exports_valid_tmx_and_tei_and_round_trips(
    sqlite_cli: Cli, tmp_path: Path, dtd: etree.DTD, tei_schema: etree.RelaxNG
) -> None:
    sentences = {lang: stored_sentences(TEXTBERG / f"test0.{lang}") for lang in ("de", "fr")}
    import_sentences(sqlite_cli, tmp_path, "tb", "de", sentences["de"], "")
    import_sentences(sqlite_cli, tmp_path, "tb", "fr", sentences["fr"], "de")
    gold = read_ladder(TEXTBERG / "test0.defr")
    store_run(sqlite_cli.db_url, "tb", "de", "fr", [FixedBead(b.src, b.tgt) for b in gold])
    first = tmp_path / "tb.tmx"
    sqlite_cli.ok("export", "tmx", "tb", "--tgt", "fr", "--keep-unaligned", "-o", first)
    found = units(parse_valid(first.read_bytes(), dtd))
    expected = [
        {
            lang: " ".join(sentences[lang][i] for i in ids)
            for lang, ids in (("de", bead.src), ("fr", bead.tgt))
            if ids
        }
        for bead in gold
    ]
    assert [segs(tu) for tu in found] == expected
    assert any(len(bead.src) == 0 for bead in gold) and any(len(bead.tgt) == 0 for bead in gold)

    tei = sqlite_cli.ok("export", "tei", "tb").stdout_bytes
    root = etree.fromstring(tei, hardened_parser())
    assert tei_schema.validate(root), tei_schema.error_log.filter_from_errors()

    fresh = Cli(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.ok("import", first)
    second = tmp_path / "again.tmx"
    fresh.ok("export", "tmx", "tb", "--tgt", "fr", "--keep-unaligned", "-o", second)
    assert undated(second.read_bytes()) == undated(first.read_bytes())
