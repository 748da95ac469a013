"""The learned bead scorer's features and surface cues, on hand-made sentences."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from aligner.core.beadmodel import BeadModel
from aligner.core.beadscore import ALIGNED_FEATURES, Candidates, RealSpans, Side, aligned_features
from aligner.core.pipeline import WHITENING_SHRINK, paragraph_breaks, whitened
from aligner.core.skipscore import SKIP_FEATURES, nearby_match, skip_features
from aligner.core.textcues import PUNCTUATION, sentence_cues, skeleton

DIM = 16


def unit_rows(rows: np.ndarray) -> np.ndarray:
    return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True), dtype=np.float32)


def side(sentences: list[str], vectors: np.ndarray, paragraphs: list[int] | None = None) -> Side:
    return Side(
        sentences,
        vectors,
        np.zeros(len(sentences)),
        np.array([len(s.encode()) for s in sentences], np.float64),
        paragraph_breaks(paragraphs, len(sentences)),
        paragraphs is not None,
        whitened(vectors),
        np.zeros(len(sentences)),
    )


def feature(rows: np.ndarray, name: str) -> list[float]:
    return [float(value) for value in rows[:, ALIGNED_FEATURES.index(name)]]


def beads(*shapes: tuple[int, int, int, int]) -> Candidates:
    s0, a, t0, b = (np.array(column, np.int64) for column in zip(*shapes, strict=True))
    return Candidates(s0, a, t0, b)


def test_names_meet_across_scripts() -> None:
    assert skeleton("Moscow") == skeleton("Москва") == skeleton("מאָסקװע") == "msk"
    assert skeleton("Pangloss") == skeleton("Панглос")
    assert skeleton("Candide") == skeleton("Кандид") != skeleton("Pangloss")


def test_numbers_are_compared_as_digits_and_names_as_capitalised_words() -> None:
    cues = sentence_cues(["Er ist 8848 m hoch, sagte Hillary 1953.", "Il mesure 8 848 m."])
    assert sorted(cues.numbers[0]) == ["1953", "8848"]
    assert sorted(cues.numbers[1]) == ["8848"]
    assert cues.names[0] == frozenset({skeleton("Hillary")})  # "Er" opens the sentence
    assert cues.punctuation[0].tolist() == [0, 0, 0, 0, 0, 0]


def test_roman_numerals_meet_their_digits() -> None:
    cues = sentence_cues([
        "CHAPTER 2 What Befell Candide", "CAPITULO II .", "ГЛАВА XIX.", "au XVIIIe siècle",
        "Louis XIV et Henri IV.", "I said: I will go.", "MIXED CIVIL DID",
    ])  # fmt: skip
    assert [dict(found) for found in cues.numbers] == [
        {"2": 1}, {"2": 1}, {"19": 1}, {"18": 1}, {"14": 1, "4": 1}, {}, {},
    ]  # fmt: skip


def test_question_marks_are_counted_as_each_language_writes_them() -> None:
    english = sentence_cues(['"What is it?" she asked; no one knew.'])
    spanish = sentence_cues(["¿ Qué es ? preguntó ; nadie lo sabía ."])
    greek = sentence_cues(["Τι είναι ; ρώτησε · κανείς δεν ήξερε ."])
    questions, colons = 0, PUNCTUATION.index(":;")
    for cues in (english, spanish, greek):
        assert cues.punctuation[0][questions] == 1
        assert cues.punctuation[0][colons] == 1
    # the semicolon is a question mark only in Greek text
    assert sentence_cues(["Il vint ; il partit."]).punctuation[0][questions] == 0


def test_full_width_marks_and_digits_count_as_their_ascii_forms() -> None:
    chinese = sentence_cues(["他问：“１９９０年（那年）你在哪里？”……"])
    english = sentence_cues(['He asked: "Where were you in 1990 (that year)?"…'])
    assert chinese.punctuation.tolist() == english.punctuation.tolist()
    assert chinese.numbers == english.numbers == [{"1990": 1}]


def test_shared_numbers_and_names_count_over_the_whole_bead() -> None:
    vectors = unit_rows(np.eye(3, DIM) + 0.1)
    src = side(["Le 12 mai, Paul vint.", "Il partit en 1956.", "Rien."], vectors)
    tgt = side(["Am 12. Mai kam Paul und ging 1956.", "Nichts."], vectors[:2])
    rows = aligned_features(src, tgt, beads((0, 1, 0, 1), (0, 2, 0, 1), (2, 1, 1, 1)), 1.0,
                            (RealSpans.none(), RealSpans.none()))  # fmt: skip
    assert feature(rows, "numbers shared") == [1, 2, 0]
    assert feature(rows, "numbers unmatched") == [1, 0, 0]
    assert feature(rows, "no numbers") == [0, 0, 1]
    assert feature(rows, "names shared") == [1, 1, 0]
    assert feature(rows, "extra sentences") == [0, 1, 0]


def test_a_real_span_embedding_replaces_the_summed_vector() -> None:
    vectors = unit_rows(np.eye(3, DIM))
    src = side(["A.", "B.", "C."], vectors)
    tgt = side(["AB."], unit_rows((vectors[0] + vectors[1])[None]))
    joined = unit_rows(vectors[2][None])[0]  # pretend the pair means C
    real = RealSpans({(0, 2): joined}, {(0, 2): 0.0})
    rows = aligned_features(src, tgt, beads((0, 2, 0, 1)), 1.0, (real, RealSpans.none()))
    assert abs(feature(rows, "summed cosine")[0] - 1.0) < 1e-6
    assert abs(feature(rows, "real span gain")[0] + 1.0) < 1e-6  # real cosine 0 instead of 1


def test_paragraph_features_only_where_paragraphs_are_known() -> None:
    vectors = unit_rows(np.eye(3, DIM))
    shapes = beads((0, 1, 0, 1), (0, 2, 0, 2))
    known = aligned_features(
        side(["A.", "B.", "C."], vectors, [0, 1, 1]), side(["A.", "B.", "C."], vectors, [0, 0, 1]),
        shapes, 1.0, (RealSpans.none(), RealSpans.none()),
    )  # fmt: skip
    assert feature(known, "ends at a paragraph end on one") == [1, 1]
    assert feature(known, "paragraph ends inside") == [0, 1]  # after "A." in the source
    unknown = aligned_features(
        side(["A.", "B.", "C."], vectors), side(["A.", "B.", "C."], vectors),
        shapes, 1.0, (RealSpans.none(), RealSpans.none()),
    )  # fmt: skip
    first = ALIGNED_FEATURES.index("ends at a paragraph end on both sides")
    assert not unknown[:, first : ALIGNED_FEATURES.index("paragraph ends inside") + 1].any()


def test_a_caption_looks_like_a_caption() -> None:
    vectors = unit_rows(np.eye(2, DIM))
    captions = side(["Photo Schweiz", "Er stieg langsam zum Gipfel hinauf."], vectors)
    other = side(["Il monta lentement au sommet."], unit_rows(vectors[1:2] + 0.0))
    rows = skip_features(captions, other, True, nearby_match(captions, other, np.array([0, 0])))
    column = SKIP_FEATURES.index
    assert rows[:, column("ends like a sentence")].tolist() == [0, 1]
    assert rows[:, column("short")].tolist() == [1, 0]
    assert rows[:, column("target side")].tolist() == [1, 1]
    assert rows[0, column("best match nearby")] < rows[1, column("best match nearby")]


def test_the_model_round_trips_through_json(tmp_path: Path) -> None:
    model = BeadModel(
        np.arange(len(ALIGNED_FEATURES), dtype=np.float64),
        np.ones(len(SKIP_FEATURES)),
        -0.5,
        np.full(len(ALIGNED_FEATURES) + 1, 0.25),
        np.full(len(SKIP_FEATURES) + 1, -0.5),
    )
    path = tmp_path / "model.json"
    path.write_text(model.to_json(), "utf-8")
    again = BeadModel.load(path)
    assert again.aligned.tolist() == model.aligned.tolist()
    assert again.offset == -0.5
    features = np.ones((1, len(ALIGNED_FEATURES)))
    expected = 1 / (1 + np.exp(-0.25 * (len(ALIGNED_FEATURES) + 2.0)))
    assert abs(float(again.aligned_probability(features, np.array([2.0]))[0]) - expected) < 1e-9


def test_a_model_of_other_features_is_refused(tmp_path: Path) -> None:
    model = BeadModel(np.zeros(len(ALIGNED_FEATURES)), np.zeros(len(SKIP_FEATURES)))
    data = json.loads(model.to_json())
    data["aligned_features"] = data["aligned_features"][:-1]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data), "utf-8")
    with pytest.raises(ValueError, match="retrain"):
        BeadModel.load(path)


def test_a_model_saved_before_its_confidences_were_fitted_loads(tmp_path: Path) -> None:
    """train_scorer --no-calibration writes no confidence weights: the score's sigmoid stands in."""
    model = BeadModel(np.zeros(len(ALIGNED_FEATURES)), np.zeros(len(SKIP_FEATURES)))
    path = tmp_path / "uncalibrated.json"
    path.write_text(model.to_json(), "utf-8")
    again = BeadModel.load(path)
    assert again.aligned_confidence is None and again.skipped_confidence is None
    features = np.ones((1, len(SKIP_FEATURES)))
    assert abs(float(again.skipped_probability(features, np.array([0.0]))[0]) - 0.5) < 1e-12


def test_whitened_vectors_lose_their_sides_mean_and_keep_length_one() -> None:
    vectors = unit_rows(np.array([[1.0, 1.0, 0.0], [1.0, -1.0, 0.0]]))
    # the shared direction (1, 0, 0) is gone; what tells the two apart is left, at length 1
    np.testing.assert_allclose(whitened(vectors), [[0.0, 1.0, 0.0], [0.0, -1.0, 0.0]], atol=1e-6)
    assert whitened(np.empty((0, 3), np.float32)).shape == (0, 3)


def test_whitening_damps_the_direction_that_carries_most_of_the_spread() -> None:
    spread = np.array([[3.0, 0.1, 0.0], [-3.0, -0.1, 0.0], [3.0, -0.1, 0.0], [-3.0, 0.1, 0.0]])
    vectors = np.asarray(spread + np.array([0.0, 0.0, 5.0]), np.float32)
    # variances 9, 0.01 and 0 along the axes; each is scaled by 1 / sqrt(variance + floor)
    floor = WHITENING_SHRINK * (9.0 + 0.01) / 3
    expected = spread / np.sqrt(np.array([9.0, 0.01, 0.0]) + floor)
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(whitened(vectors), expected, atol=1e-5)
    # the small direction's share grows: 0.1 / 3 before, more after
    assert abs(expected[0, 1] / expected[0, 0]) > 0.1 / 3 * 1.1


def test_the_whitened_match_goes_to_the_column_of_its_beads_shape() -> None:
    src_vectors = unit_rows(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]))
    tgt_vectors = unit_rows(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]]))
    src = side(["A b.", "C d.", "E f."], src_vectors)
    tgt = side(["A b.", "C d e f."], tgt_vectors)
    src = dataclasses.replace(src, whitened=src_vectors, whitened_margins=np.array([0.1, 0.2, 0.3]))
    tgt = dataclasses.replace(tgt, whitened=tgt_vectors, whitened_margins=np.array([0.1, 0.4]))
    no_spans = (RealSpans.none(), RealSpans.none())
    rows = aligned_features(src, tgt, beads((0, 1, 0, 1), (1, 2, 1, 1)), 1.0, no_spans)
    # 1-1: cosine 1 less the mean margin (0.1 + 0.1) / 2; 2-1: the unit sum of (0,1,0) and
    # (0,0,1) meets (0,1,1)/√2 at cosine 1, less the mean margin (0.25 + 0.4) / 2
    np.testing.assert_allclose(feature(rows, "whitened match, 1-1"), [0.9, 0.0])
    np.testing.assert_allclose(feature(rows, "whitened match, larger"), [0.0, 1.0 - 0.325])
