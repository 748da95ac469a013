"""``aligner stats``: bead types, length ratios and their outliers, the lowest scores, omissions
and additions, checked against the demonstration pair's known beads, a Text+Berg gold alignment
stored as a run, a pair aligned with an omission and an addition, and hand-made ratios."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aligner.core.types import Bead
from aligner.formats.ladder import read_ladder
from aligner.services.alignment import aligned_units
from aligner.services.stats import BeadSummary, length_ratios
from aligner.store.queries import get_version, get_work
from aligner.store.session import Database
from tests.conftest import SHARED, Cli, assert_one_line_error
from tests.exporting import (
    WORK,
    FixedBead,
    aligned_demo,
    import_pair,
    store_run,
    stored_sentences,
)
from tests.test_demonstration import EXPECTED_BEADS

TEXTBERG = SHARED / "data" / "textberg"
ENGLISH_WITH_AN_OMITTED_SENTENCE = (
    "The meeting opened at noon.\n\nThe workers voted to strike.\n\n"
    "The police arrived in the afternoon and arrested the leaders.\n\n"
    "The strike lasted three weeks.\n\nThe harbour was full of ships.\n"
)
OMITTED = "The police arrived in the afternoon and arrested the leaders."
FRENCH_WITH_AN_ADDED_SENTENCE = (
    "La réunion commença à midi.\n\nLes ouvriers votèrent la grève.\n\n"
    "La grève dura trois semaines.\n\n12345 67890 ISBN 978-3-16-148410-0.\n\n"
    "Le port était plein de navires.\n"
)
ADDED = "12345 67890 ISBN 978-3-16-148410-0."


def stats_json(cli: Cli, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(cli.ok("stats", *args, "--format", "json").stdout)
    return data


def shape(src: object, tgt: object) -> str:
    assert isinstance(src, list | tuple) and isinstance(tgt, list | tuple)
    return f"{len(src)}-{len(tgt)}"


def aligned_characters(db_url: str, work: str, label: str) -> int:
    with Database(db_url) as db, db.session() as session:
        revision = get_version(get_work(session, work), label).current
        assert revision is not None
        return sum(len(segment.text) for segment in aligned_units(revision))


# The demonstration pair: 13 beads known one by one (tests/test_demonstration.py)


def test_the_demonstration_pair_counts_its_known_beads(cli: Cli) -> None:
    aligned_demo(cli, "fr-demo")
    expected = EXPECTED_BEADS["fr-demo"]
    stats = stats_json(cli, WORK, "--src", "en", "--tgt", "fr-demo")

    assert (stats["work"], stats["method"]) == (WORK, "aligner-dp-refine")
    assert (stats["src"]["label"], stats["tgt"]["label"]) == ("en", "fr-demo")
    assert (stats["src"]["demonstration"], stats["tgt"]["demonstration"]) == (False, True)
    assert stats["types"]["shapes"] == dict(Counter(shape(s, t) for s, t in expected))
    assert stats["types"]["one_to_one"] == 12 and stats["types"]["one_to_two"] == 1
    assert stats["types"]["two_to_one"] == stats["types"]["omissions"] == 0
    assert stats["types"]["additions"] == 0 and stats["types"]["other"] == {}
    totals = stats["totals"]
    assert totals["beads"] == len(expected)
    assert totals["src_sentences"] == sum(len(s) for s, _ in expected) == 13
    assert totals["tgt_sentences"] == sum(len(t) for _, t in expected) == 14
    assert totals["src_characters"] == aligned_characters(cli.db_url, WORK, "en")
    assert totals["tgt_characters"] == aligned_characters(cli.db_url, WORK, "fr-demo")
    assert totals["omitted_sentences"] == totals["added_sentences"] == 0
    assert stats["statuses"] == {"auto": 13, "confirmed": 0, "corrected": 0}
    assert stats["omissions"] == stats["additions"] == []
    assert stats["lengths"]["measured"] == 13
    assert stats["lengths"]["whole_text"] == pytest.approx(
        totals["tgt_characters"] / totals["src_characters"]
    )

    lowest = stats["lowest"]
    assert len(lowest) == 10
    scores = [bead["score"] for bead in lowest]
    assert scores == sorted(scores) and all(0.0 <= score <= 1.0 for score in scores)
    assert len(stats_json(cli, WORK, "--lowest", "20")["lowest"]) == 13
    assert stats_json(cli, WORK, "--lowest", "0")["lowest"] == []

    # One aligned pair: --src/--tgt may be left out, and --run names the same run.
    assert stats_json(cli, WORK) == stats
    assert stats_json(cli, WORK, "--tgt", "fr-demo", "--run", str(stats["run"])) == stats


def test_the_table_names_the_pair_the_counts_and_the_demonstration(cli: Cli) -> None:
    aligned_demo(cli, "fr-demo")
    out = cli.ok("stats", WORK, "--lowest", "1").stdout
    lines = out.splitlines()
    assert lines[0].startswith(f"{WORK}: run ") and "en → fr-demo" in lines[0]
    assert "Note: fr-demo is a demonstration text made for this project" in out
    assert "sentences                  13    14" in out
    assert "1-1              12     92.3%" in out
    assert "1-2              1      7.7%" in out
    assert "omissions (1-0)  0      0.0%" in out
    assert "status: auto 13, confirmed 0, corrected 0" in out
    assert "Lowest scores (1 of 13 beads)" in out
    assert out.endswith("Omissions (0)\n  none\n\nAdditions (0)\n  none\n")


# A pair the aligner gives one omission and one addition


def test_omissions_and_additions_are_listed_with_their_text(cli: Cli, tmp_path: Path) -> None:
    import_pair(
        cli, tmp_path, "om", ENGLISH_WITH_AN_OMITTED_SENTENCE, FRENCH_WITH_AN_ADDED_SENTENCE
    )
    cli.ok("align", "om", "--src", "en", "--tgt", "fr")
    stats = stats_json(cli, "om")
    assert stats["types"]["shapes"] == {"0-1": 1, "1-0": 1, "1-1": 4}, "the aligner changed"

    assert (stats["types"]["omissions"], stats["types"]["additions"]) == (1, 1)
    [omission], [addition] = stats["omissions"], stats["additions"]
    assert (omission["kind"], omission["src_text"], omission["tgt_text"]) == ("1-0", OMITTED, "")
    assert (omission["src_ids"], omission["tgt_ids"], omission["ratio"]) == ([2], [], None)
    assert (addition["kind"], addition["src_text"], addition["tgt_text"]) == ("0-1", "", ADDED)
    assert (addition["src_ids"], addition["tgt_ids"]) == ([], [3])
    assert omission["position"] < addition["position"]
    totals = stats["totals"]
    assert (totals["omitted_sentences"], totals["added_sentences"]) == (1, 1)
    assert (totals["src_sentences"], totals["tgt_sentences"]) == (5, 5)
    assert stats["lengths"]["measured"] == 4

    table = cli.ok("stats", "om").stdout
    assert f"Omissions (1)\n  #{omission['position']}  1-0  score " in table
    assert f"    en [2]: {OMITTED}\n    fr [-]: ∅\n" in table
    assert f"    en [-]: ∅\n    fr [3]: {ADDED}\n" in table

    # Aligned the other way, the added sentence is an omission from the French source.
    cli.ok("align", "om", "--src", "fr", "--tgt", "en")
    assert_one_line_error(
        cli("stats", "om"),
        "om: 2 aligned pairs (en → fr, fr → en); choose one with --src and --tgt",
    )
    reverse = stats_json(cli, "om", "--src", "fr")
    assert [bead["src_text"] for bead in reverse["omissions"]] == [ADDED]
    assert [bead["tgt_text"] for bead in reverse["additions"]] == [OMITTED]
    assert stats_json(cli, "om", "--tgt", "fr") == stats
    assert_one_line_error(cli("stats", "om", "--tgt", "fr", "--run", "999"), "om: no run 999")


# A gold alignment stored as a run: Text+Berg test0 (de-fr), one sentence a line


def store_gold_run(db_url: str, work: str, gold: list[Bead]) -> int:
    """Store the gold beads as a run of confirmed, unscored links between de and fr."""
    return store_run(db_url, work, "de", "fr", [FixedBead(b.src, b.tgt) for b in gold], "gold")


@pytest.mark.skipif(not TEXTBERG.is_dir(), reason=f"{TEXTBERG} is absent (Text+Berg gold)")
def test_stats_of_a_gold_alignment_match_counts_taken_from_the_gold_file(
    cli: Cli, tmp_path: Path
) -> None:
    sentences = {lang: stored_sentences(TEXTBERG / f"test0.{lang}") for lang in ("de", "fr")}
    for lang, lines in sentences.items():
        # One sentence a paragraph, imported whole: segment i is line i.
        (tmp_path / f"tb.{lang}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    cli.ok("import", tmp_path / "tb.de.txt", "--work", "tb", "--lang", "de", "--role", "original",
           "--unit", "paragraph")  # fmt: skip
    cli.ok("import", tmp_path / "tb.fr.txt", "--work", "tb", "--lang", "fr",
           "--translation-of", "de", "--unit", "paragraph")  # fmt: skip
    gold = read_ladder(TEXTBERG / "test0.defr")
    run_id = store_gold_run(cli.db_url, "tb", gold)

    stats = stats_json(cli, "tb", "--run", str(run_id))
    de, fr = sentences["de"], sentences["fr"]
    shapes = Counter(shape(bead.src, bead.tgt) for bead in gold)
    types = stats["types"]
    assert types["shapes"] == dict(shapes)
    assert (types["one_to_one"], types["one_to_two"], types["two_to_one"]) == (
        shapes["1-1"], shapes["1-2"], shapes["2-1"],
    )  # fmt: skip
    assert types["omissions"] == sum(1 for bead in gold if not bead.tgt)
    assert types["additions"] == sum(1 for bead in gold if not bead.src)
    assert types["other"] == {
        kind: n
        for kind, n in shapes.items()
        if kind not in ("1-1", "1-2", "2-1") and 0 not in map(int, kind.split("-"))
    }
    assert types["other"] and types["omissions"] and types["additions"]  # the gold has them all
    totals = stats["totals"]
    assert totals["beads"] == len(gold)
    assert totals["src_sentences"] == sum(len(bead.src) for bead in gold)
    assert totals["tgt_sentences"] == sum(len(bead.tgt) for bead in gold)
    assert totals["src_characters"] == sum(len(de[i]) for bead in gold for i in bead.src)
    assert totals["tgt_characters"] == sum(len(fr[j]) for bead in gold for j in bead.tgt)
    assert stats["statuses"] == {"auto": 0, "confirmed": len(gold), "corrected": 0}
    assert stats["lowest"] == []  # gold beads carry no score

    gold_omissions = [bead for bead in gold if not bead.tgt]
    gold_additions = [bead for bead in gold if not bead.src]
    assert [b["src_ids"] for b in stats["omissions"]] == [list(b.src) for b in gold_omissions]
    assert [b["src_text"] for b in stats["omissions"]] == [
        " ".join(de[i] for i in bead.src) for bead in gold_omissions
    ]
    assert [b["tgt_ids"] for b in stats["additions"]] == [list(b.tgt) for b in gold_additions]
    assert [b["tgt_text"] for b in stats["additions"]] == [
        " ".join(fr[j] for j in bead.tgt) for bead in gold_additions
    ]

    # Length ratios and outliers, worked out again from the gold with numpy.
    both = [bead for bead in gold if bead.src and bead.tgt]
    ratios = np.array(
        [sum(len(fr[j]) for j in b.tgt) / sum(len(de[i]) for i in b.src) for b in both]
    )
    logs = np.log(ratios)
    mad = float(np.median(np.abs(logs - np.median(logs))))
    reach = 3 * 1.4826 * mad
    lengths = stats["lengths"]
    assert lengths["measured"] == len(both)
    assert lengths["median"] == pytest.approx(float(np.median(ratios)))
    assert lengths["mad"] == pytest.approx(mad)
    assert lengths["low"] == pytest.approx(math.exp(float(np.median(logs)) - reach))
    assert lengths["high"] == pytest.approx(math.exp(float(np.median(logs)) + reach))
    far = np.abs(logs - np.median(logs)) > reach
    positions = [gold.index(bead) for bead, is_far in zip(both, far, strict=True) if is_far]
    assert [bead["position"] for bead in lengths["outliers"]] == positions
    assert positions  # Text+Berg test0 has a few
    assert "3 s, s = 1.4826 × MAD" in lengths["rule"]


# Outliers on hand-made ratios


def bead(position: int, src_characters: int, tgt_characters: int) -> BeadSummary:
    return BeadSummary(
        position=position, kind="1-1", score=None, status="auto", src_ids=(position,),
        tgt_ids=(position,), src_text="s" * src_characters, tgt_text="t" * tgt_characters,
        src_characters=src_characters, tgt_characters=tgt_characters,
        ratio=tgt_characters / src_characters,
    )  # fmt: skip


def test_twice_as_long_and_half_as_long_are_outliers_alike() -> None:
    beads = [bead(i, 100, 100 + d) for i, d in enumerate((-6, -3, 0, 2, 4, 7, -1, 1))]
    beads += [bead(8, 100, 200), bead(9, 200, 100)]
    lengths = length_ratios(beads)
    assert [b.position for b in lengths.outliers] == [8, 9]
    assert lengths.low is not None and lengths.high is not None and lengths.median is not None
    assert lengths.low * lengths.high == pytest.approx(lengths.median**2, rel=0.01)


def test_when_most_ratios_are_equal_the_mean_deviation_still_finds_the_odd_one() -> None:
    beads = [bead(i, 50, 60) for i in range(6)] + [bead(6, 50, 61), bead(7, 50, 150)]
    lengths = length_ratios(beads)
    assert lengths.mad == 0.0
    logs = [math.log(b.tgt_characters / b.src_characters) for b in beads]
    deviations = [abs(log - math.log(60 / 50)) for log in logs]
    assert lengths.spread == pytest.approx(1.2533 * sum(deviations) / len(deviations))
    assert [b.position for b in lengths.outliers] == [7]


def test_equal_ratios_or_too_few_judge_no_outliers() -> None:
    for beads in ([bead(i, 10, 20) for i in range(5)], [bead(0, 10, 20), bead(1, 10, 90)]):
        lengths = length_ratios(beads)
        assert (lengths.low, lengths.high, lengths.outliers) == (None, None, [])
    assert length_ratios([]).median is None and length_ratios([]).whole_text is None


# Errors


def test_unknown_work_language_run_and_bad_options_are_one_line_errors(
    cli: Cli, tmp_path: Path
) -> None:
    import_pair(
        cli, tmp_path, "om", ENGLISH_WITH_AN_OMITTED_SENTENCE, FRENCH_WITH_AN_ADDED_SENTENCE
    )
    expected = {
        ("nosuch",): "nosuch: no such work; known works: om",
        ("om", "--src", "xx"): "om/xx: no such version (versions: en, fr)",
        ("om", "--src", "en", "--tgt", "de"): "om/de: no such version (versions: en, fr)",
        ("om",): "om: no alignment runs; run `aligner align om --src LANG --tgt LANG` first",
        # --src left out is the version fr was made from, as everywhere (here: en)
        ("om", "--tgt", "fr"): (
            "om: en and fr are not aligned yet; run `aligner align om --src en --tgt fr`"
        ),
        ("om", "--src", "en", "--tgt", "fr"): (
            "om: en and fr are not aligned yet; run `aligner align om --src en --tgt fr`"
        ),
        ("om", "--run", "7"): "om: no run 7",
        ("om", "--format", "xml"): "--format must be one of table, json, not 'xml'",
        ("om", "--lowest", "-1"): "--lowest must be 0 or more, not -1",
    }
    for args, message in expected.items():
        result = cli("stats", *args)
        assert_one_line_error(result)
        assert result.stderr == f"Error: {message}\n"
        assert result.stdout == ""
