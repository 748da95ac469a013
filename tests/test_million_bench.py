"""bench/million.py's loader: real works with complete gold runs, bulk-loaded as numbered copies
into a normal aligner database that the command line reads (SQLite and PostgreSQL).

Timing is the benchmark's business; these tests only check what it builds.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select

from aligner.core.types import Bead
from aligner.store.models import Link, Segment, SourceDocument
from aligner.store.session import Database
from tests.conftest import REPO, Cli, requires_shared

sys.path.append(str(REPO / "bench"))

from million import load_corpus
from million_corpus import RealWork, complete_beads, real_works
from million_queries import (
    CONCORDANCE,
    SEMANTIC,
    concordance_queries,
    corpus_stats,
    semantic_queries,
)


@pytest.fixture(scope="module")
def works() -> Sequence[RealWork]:
    return real_works()


def test_complete_beads_keeps_each_sentence_once_and_adds_the_left_out_ones() -> None:
    gold = [Bead((0,), (0,)), Bead((1,), (0, 1)), Bead((3,), (3,))]
    assert complete_beads(gold, 5, 4) == (
        Bead((0,), (0,)),
        Bead((1,), (1,)),
        Bead((2,), ()),
        Bead((), (2,)),
        Bead((3,), (3,)),
        Bead((4,), ()),
    )


@requires_shared
def test_every_gold_run_covers_both_versions_once(works: Sequence[RealWork]) -> None:
    assert {w.slug for w in works} >= {"flores-devtest", "transread-candide", "textberg-test1"}
    for work in works:
        sizes = {v.label: len(v.segments) for v in work.versions}
        for run in work.runs:
            src = sorted(i for bead in run.beads for i in bead.src)
            tgt = sorted(j for bead in run.beads for j in bead.tgt)
            assert src == list(range(sizes[run.src])), (work.slug, run.src)
            assert tgt == list(range(sizes[run.tgt])), (work.slug, run.tgt)
        originals = [v for v in work.versions if v.role == "original"]
        assert len(originals) == 1 and all(r.src == originals[0].label for r in work.runs)


@requires_shared
def test_segment_offsets_point_into_the_revision_text(works: Sequence[RealWork]) -> None:
    for work in works:
        for version in work.versions:
            for segment in version.segments:
                stretch = version.body[segment.start : segment.end]
                first_word = segment.text.split()[0]
                assert first_word[:3] in stretch, (work.slug, version.label, segment.text[:40])


@requires_shared
def test_queries_are_seeded_and_cover_every_language(works: Sequence[RealWork]) -> None:
    stats = corpus_stats(works)
    first = concordance_queries(stats, 70, 1938) + semantic_queries(works, stats, 40, 1938)
    again = concordance_queries(stats, 70, 1938) + semantic_queries(works, stats, 40, 1938)
    assert first == again
    assert len(first) == 110
    assert {q.kind for q in first} == {CONCORDANCE, SEMANTIC}
    assert {q.language for q in first} == {"en", "fr", "de", "ru", "yi"}
    assert all(q.text.strip() for q in first)
    assert any(q.expected is not None and q.lang is not None for q in first)


@requires_shared
def test_two_copies_load_as_a_normal_database(
    works: Sequence[RealWork], cli: Cli, capsys: pytest.CaptureFixture[str]
) -> None:
    per_copy = sum(w.segment_count for w in works)
    load_corpus(cli.db_url, works, per_copy + 1)
    assert "2 copies loaded" in capsys.readouterr().out
    with Database(cli.db_url) as database, database.session() as session:
        assert session.scalar(select(func.count()).select_from(Segment)) == 2 * per_copy
        documents = session.scalar(select(func.count()).select_from(SourceDocument))
        links = session.scalar(select(func.count()).select_from(Link))
    assert documents == len({v.document.sha256 for w in works for v in w.versions})
    assert links == 2 * sum(len(r.beads) for w in works for r in w.runs)

    load_corpus(cli.db_url, works, per_copy + 1)  # carries on: nothing left to load
    assert "0 copies loaded" in capsys.readouterr().out

    listed = cli.ok("works").stdout
    assert "flores-devtest-c01" in listed and "transread-candide " in listed
    hit = cli.ok("search", "Ковалев", "--lang", "ru", "--tgt", "en", "--limit", "1").stdout
    assert "Ковалёв" in hit and "Kovalev" in hit  # ё folded; the English counterpart shown
    yiddish = cli.ok("search", "פארוואס", "--work", "flores-devtest-c01", "--tgt", "en").stdout
    assert "flores-devtest-c01/yi" in yiddish and "Why do transportation systems" in yiddish
    ladder = cli.ok("show-alignment", "textberg-test1-c01", "--src", "de", "--tgt", "fr").stdout
    assert "model none" in ladder and "0-1" in ladder  # a sentence the gold left out
