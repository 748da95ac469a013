"""The bundled corpus through the database: works, versions, byte-for-byte raw text, segments."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from aligner.core.segmentation import clean_text
from aligner.store.models import Revision, Version
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from tests.conftest import CORPUS, SHARED, Cli, requires_shared

EXPECTED_ORIGINALS = {
    "why-we-quit-1938-introduction": "en",
    "palestine-communists-appeal-1938": "yi",
    "rappoport-statement-1938": "fr",
    "trotsky-1935-internationalists-need-our-help": "ru",
    "trotsky-1936-stalin-plans-wholesale-persecution": "ru",
    "workers-group-manifesto-1923": "ru",
    "miasnikov-latest-deception": "ru",
}
MAY_1938 = CORPUS / "new-international-1938-05" / "why-we-quit-the-communist-party.en.txt"
MAY_1938_WORKS = (
    "why-we-quit-1938-introduction",
    "palestine-communists-appeal-1938",
    "rappoport-statement-1938",
)


def manifest_files() -> dict[tuple[str, str], Path]:
    """Each single-work file of the manifest, by the work and version that hold it."""
    manifest = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
    files: dict[tuple[str, str], Path] = {}
    for work in manifest["work"]:
        for version in work["version"]:
            if "file" in version and "start" not in version and "end" not in version:
                label = version.get("label", version["lang"])
                files[work["slug"], label] = CORPUS / version["file"]
    return files


def english(db_url: str, slug: str) -> tuple[Version, Revision]:
    with Database(db_url) as db, db.session() as session:
        version = get_version(get_work(session, slug), "en")
        revision = version.current
        assert revision is not None
        _ = revision.segments, revision.source_document.text, version.translation_of
        return version, revision


def test_works_lists_seven_works_with_their_original_languages(corpus_cli: Cli) -> None:
    data = json.loads(corpus_cli.ok("works", "--format", "json").stdout)
    originals = {
        work["slug"]: [v["language"] for v in work["versions"] if v["role"] == "original"]
        for work in data
    }
    assert originals == {slug: [lang] for slug, lang in EXPECTED_ORIGINALS.items()}
    table = corpus_cli.ok("works").stdout
    for slug in EXPECTED_ORIGINALS:
        assert slug in table


def test_every_single_work_file_round_trips_byte_for_byte(corpus_cli: Cli) -> None:
    files = manifest_files()
    assert len(files) == 6  # four English texts and the two demonstration texts
    for (slug, label), path in files.items():
        shown = corpus_cli.ok("show", slug, "--lang", label, "--raw").stdout_bytes
        assert shown == path.read_bytes(), (slug, label)


def test_the_three_works_of_the_may_1938_file_rebuild_it_byte_for_byte(corpus_cli: Cli) -> None:
    parts = [corpus_cli.ok("show", s, "--lang", "en", "--raw").stdout_bytes for s in MAY_1938_WORKS]
    assert all(parts)
    assert b"".join(parts) == MAY_1938.read_bytes()
    assert parts[1].startswith(b"The Palestine Communists Appeal")
    assert parts[2].startswith("Charles Rappoport’s Statement".encode())


def test_segments_point_back_into_the_raw_text(corpus_cli: Cli) -> None:
    for slug in EXPECTED_ORIGINALS:
        _, revision = english(corpus_cli.db_url, slug)
        raw = revision.raw_text
        assert [s.position for s in revision.segments] == list(range(len(revision.segments)))
        previous_end = 0
        for segment in revision.segments:
            stretch = raw[segment.start : segment.end]
            assert stretch and stretch == stretch.strip()
            assert segment.start >= previous_end
            previous_end = segment.end
            if "[" not in stretch and not any(c.isdigit() for c in stretch):
                assert segment.text == clean_text(stretch)


def test_transcription_apparatus_becomes_notes_and_metadata(corpus_cli: Cli) -> None:
    version, revision = english(corpus_cli.db_url, "trotsky-1935-internationalists-need-our-help")
    notes = [s.label for s in revision.segments if s.kind == "note"]
    assert notes == [
        "Written", "First Published", "Transcribed & marked up", "Copyleft",
        "navigation", "Last updated on",
    ]  # fmt: skip
    body = " ".join(s.text for s in revision.segments if s.kind == "sentence")
    for apparatus in ("Written:", "Copyleft", "return return", "Last updated", "Transcribed"):
        assert apparatus not in body
    assert revision.apparatus["written"] == "7 September 1935"
    assert revision.apparatus["last_updated"] == "25 February 2016"
    assert version.publication == "New Militant, Vol. I No. 40, 28 September 1935, p. 1"
    assert [s.text for s in revision.segments if s.kind == "heading"][:3] == [
        "L. Trotsky", "The Internationalists Need Our Help!", "(September 1935)",
    ]  # fmt: skip
    with Database(corpus_cli.db_url) as db, db.session() as session:
        work = get_work(session, "trotsky-1935-internationalists-need-our-help")
        assert work.date_written == "7 September 1935"


def test_footnotes_are_kept_apart_from_sentences(corpus_cli: Cli) -> None:
    _, revision = english(corpus_cli.db_url, "rappoport-statement-1938")
    footnotes = [(s.label, s.text) for s in revision.segments if s.kind == "footnote"]
    assert footnotes == [
        ("1", "Address of the headquarters in Paris of the Central Committee of the "
              "Communist Party of France."),
    ]  # fmt: skip
    lafayette = next(s for s in revision.segments if "rue Lafayette" in s.text)
    assert "[1]" not in lafayette.text
    assert "[1]" in revision.raw_text[lafayette.start : lafayette.end]
    _, manifesto = english(corpus_cli.db_url, "workers-group-manifesto-1923")
    assert [s.label for s in manifesto.segments if s.kind == "footnote"] == ["1"]


def test_glued_footnote_markers_and_editorial_words_are_not_sentences(corpus_cli: Cli) -> None:
    _, revision = english(corpus_cli.db_url, "miasnikov-latest-deception")
    sentences = [s.text for s in revision.segments if s.kind == "sentence"]
    assert not any("Deception1" in s or "demonstration,2" in s for s in sentences)
    assert any(
        s.startswith("On November 7, 1928, I attended the demonstration, but") for s in sentences
    )
    editorial = [s for s in revision.segments if s.label == "editorial"]
    assert len(editorial) == 1 and editorial[0].kind == "note"
    assert editorial[0].text.startswith("In this essay first published in 1930 in France")
    # The numbered programme in the middle of the essay is body text, not footnotes.
    assert not any(s.kind == "footnote" for s in revision.segments)


def test_translation_provenance_follows_the_manifest(corpus_cli: Cli) -> None:
    expected = {
        "palestine-communists-appeal-1938": ("yi", "stated"),
        "rappoport-statement-1938": ("fr", "inferred"),
        "trotsky-1935-internationalists-need-our-help": ("ru", "inferred"),
        "miasnikov-latest-deception": (None, "unknown"),
        "workers-group-manifesto-1923": (None, "unknown"),
    }
    for slug, (source, basis) in expected.items():
        version, _ = english(corpus_cli.db_url, slug)
        assert version.role == "translation"
        assert (version.translation_of.label if version.translation_of else None) == source
        assert version.translation_basis == basis
    show = json.loads(
        corpus_cli.ok("show", "palestine-communists-appeal-1938", "-f", "json").stdout
    )
    yiddish = next(v for v in show["versions"] if v["language"] == "yi")
    assert (yiddish["script"], yiddish["direction"], yiddish["revision"]) == ("Hebr", "rtl", None)


def test_importing_the_corpus_twice_changes_nothing(corpus_cli: Cli) -> None:
    before = corpus_cli.ok("works", "-f", "json").stdout
    again = corpus_cli.ok("import", CORPUS).stdout
    assert "imported" not in again and "new revision" not in again
    assert again.count("unchanged") == 15  # 7 texts, 6 declared originals, 2 demonstrations
    assert corpus_cli.ok("works", "-f", "json").stdout == before
    with Database(corpus_cli.db_url) as db, db.session() as session:
        from sqlalchemy import func, select

        from aligner.store.models import Revision as RevisionRow
        from aligner.store.models import SourceDocument

        assert session.scalar(select(func.count()).select_from(SourceDocument)) == 7
        assert session.scalar(select(func.count()).select_from(RevisionRow)) == 9


def test_show_prints_metadata_and_segments(corpus_cli: Cli) -> None:
    out = corpus_cli.ok(
        "show", "trotsky-1936-stalin-plans-wholesale-persecution", "--lang", "en"
    ).stdout
    assert "translation_basis: inferred" in out
    assert "note Written" in out
    assert "The March 15 issue of Pravda carries a semi-official order" in out
    data = json.loads(
        corpus_cli.ok(
            "show", "trotsky-1936-stalin-plans-wholesale-persecution", "--lang", "en", "-f", "json"
        ).stdout
    )
    kinds = {s["kind"] for s in data["segments"]}
    assert kinds == {"heading", "note", "sentence"}
    assert data["apparatus"]["written"] == "March 25, 1936"
    assert data["segmentation"]["splitter"] == "sentencex"


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_import_a_single_file_with_a_chosen_unit(cli: Cli, tmp_path: Path, unit: str) -> None:
    path = tmp_path / "text.txt"
    path.write_text("Title\n\nOne sentence. Two sentences.\n\nThree.\n", encoding="utf-8")
    out = cli.ok(
        "import", path, "--work", "w", "--lang", "en", "--role", "original", "--unit", unit
    )
    expected = "3 sentences" if unit == "sentence" else "2 paragraphs"
    assert f"w/en: imported 1: {expected}, 1 heading" in out.stdout


def test_a_citation_heading_a_paragraph_is_a_note(corpus_cli: Cli) -> None:
    _, revision = english(corpus_cli.db_url, "why-we-quit-1938-introduction")
    notes = [(s.label, s.text) for s in revision.segments if s.kind == "note"]
    assert notes == [("From", "From New International, Vol.4 No.4, May 1938, pp.137-139.")]
    assert revision.apparatus["source"] == "New International, Vol.4 No.4, May 1938, pp.137-139"
    first = next(s for s in revision.segments if s.kind == "sentence")
    assert first.text.startswith("The general reaction to the Moscow frame-ups")
    assert (first.paragraph, first.sentence) == (2, 1)


@requires_shared
def test_bundled_files_are_the_seed_documents_unchanged() -> None:
    """Every historical text is a seed document; demonstration/ holds texts made for aligner."""
    bundled = sorted(
        p.read_bytes() for p in CORPUS.rglob("*.txt") if p.parent.name != "demonstration"
    )
    seeds = sorted(p.read_bytes() for p in (SHARED / "seeds").glob("*.txt"))
    assert bundled == seeds and len(seeds) == 5
