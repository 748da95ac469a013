"""aligner.core.segmentation: blocks, notes, footnotes, markers, headings and sentences."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from aligner.core.segmentation import clean_text, presplit_segments, segment_text, split_sentences
from aligner.core.types import Segment, Segmentation
from aligner.errors import InputError

NBSP = "\u00a0"
NNBSP = "\u202f"


def sentences(text: str, lang: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, lang)]


def texts(seg: Segmentation, kind: str | None = None) -> list[str]:
    return [s.text for s in seg.segments if kind is None or s.kind == kind]


def without_markers(raw: str, s: Segment, seg: Segmentation) -> str:
    inside = [m for m in seg.footnote_markers if s.start <= m.start and m.end <= s.end]
    parts, pos = [], s.start
    for m in inside:
        parts.append(raw[pos : m.start])
        pos = m.end
    parts.append(raw[pos : s.end])
    return "".join(parts)


def check_invariants(raw: str, seg: Segmentation) -> None:
    """Offsets exact and trimmed, in order, not overlapping; text is the clean raw slice."""
    previous_end = 0
    previous: tuple[int, int] = (-1, -1)
    for s in seg.segments:
        piece = raw[s.start : s.end]
        assert piece, s
        assert piece == piece.strip(), s
        assert s.start >= previous_end, s
        previous_end = s.end
        assert s.text == clean_text(without_markers(raw, s, seg)), s
        if s.paragraph == previous[0]:
            assert s.sentence == previous[1] + 1, s
        else:
            assert s.paragraph > previous[0] and s.sentence == 0, s
        previous = (s.paragraph, s.sentence)
    for m in seg.footnote_markers:
        assert raw[m.start : m.end].strip("[]") == m.number
        assert any(s.start <= m.start and m.end <= s.end for s in seg.segments), m


# --------------------------------------------------------------------------------------------
# segment_text on small texts
# --------------------------------------------------------------------------------------------

SMALL = (
    "Moral and Material Aid\n"
    "\n"
    "It is needed. Said and done.\n"
    "There is no supreme savior,\n"
    "No God, no Caesar!\n"
    "\n"
    "Help us!\n"
    "\n"
    "Need Our Help!\n"
)


def test_blocks_headings_and_sentences() -> None:
    seg = segment_text(SMALL, "en")
    got = [(s.kind, s.paragraph, s.sentence, s.text) for s in seg.segments]
    assert got == [
        ("heading", 0, 0, "Moral and Material Aid"),
        ("sentence", 1, 0, "It is needed."),
        ("sentence", 1, 1, "Said and done."),
        ("sentence", 1, 2, "There is no supreme savior, No God, no Caesar!"),
        ("sentence", 2, 0, "Help us!"),
        ("heading", 3, 0, "Need Our Help!"),
    ]
    check_invariants(SMALL, seg)


VERSE = "There is no supreme savior, No God, no Caesar!"


@pytest.mark.parametrize(
    ("line", "lang", "kind"),
    [
        ("Charles Rappoport’s Statement", "en", "heading"),
        ("(September 1935)", "en", "heading"),
        ("PARIS, March 1938", "en", "heading"),
        ("Sept. 7, 1935", "en", "heading"),
        ("“Left” Communism, an Infantile Disorder?", "en", "heading"),
        ("To work comrades!", "en", "sentence"),
        ("“We are ready.”", "en", "sentence"),
        ("Elsewhere, Lenin wrote:", "en", "sentence"),
        ("»Wie? Warum?«", "de", "sentence"),
        ("»Hochgeehrter Herr«, sprach Kowalow, »hochgeehrter Herr — —«", "de", "sentence"),
        ("— Comment? Pourquoi?", "fr", "sentence"),
        ("Глава первая", "ru", "heading"),
        ("דער ערשטער טייל", "yi", "heading"),
        ("ווער ביסטו?", "yi", "sentence"),
        ("第一章　出发", "zh", "heading"),
        ("他来了。你好吗？", "zh", "sentence"),
        ("「はい」と彼は言った。", "ja", "sentence"),
    ],
)
def test_heading_or_sentence(line: str, lang: str, kind: str) -> None:
    assert {s.kind for s in segment_text(f"Body first.\n\n{line}\n", lang).segments[1:]} == {kind}


def test_paragraph_unit_keeps_body_blocks_whole() -> None:
    seg = segment_text(SMALL, "en", unit="paragraph")
    got = [(s.kind, s.paragraph, s.sentence, s.text) for s in seg.segments]
    assert got == [
        ("heading", 0, 0, "Moral and Material Aid"),
        ("paragraph", 1, 0, "It is needed. Said and done. " + VERSE),
        ("paragraph", 2, 0, "Help us!"),
        ("heading", 3, 0, "Need Our Help!"),
    ]
    assert seg.segments[1].start == SMALL.index("It is")
    assert seg.segments[1].end == SMALL.index("Caesar!") + len("Caesar!")
    assert seg.settings["unit"] == "paragraph"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_crlf_and_cr_keep_exact_offsets(newline: str) -> None:
    lf = segment_text(SMALL, "en")
    raw = SMALL.replace("\n", newline)
    seg = segment_text(raw, "en")
    assert [(s.kind, s.paragraph, s.sentence, s.text) for s in seg.segments] == [
        (s.kind, s.paragraph, s.sentence, s.text) for s in lf.segments
    ]
    check_invariants(raw, seg)
    verse = seg.segments[3]
    assert raw[verse.start : verse.end] == f"There is no supreme savior,{newline}No God, no Caesar!"


def test_blank_lines_of_spaces_separate_blocks() -> None:
    raw = "One.\n \t \nTwo.\n\u00a0\nThree."
    assert [s.paragraph for s in segment_text(raw, "en").segments] == [0, 1, 2]


def test_apparatus_becomes_notes_and_metadata() -> None:
    raw = (
        "Written: 1936\n"
        "First published: Pravda, No. 1.\n"
        "Source: Collected Works.\n"
        "Last updated on: 19.4.2007\n"
        "\n"
        "Body text here.\n"
        "\n"
        "return return return\n"
    )
    seg = segment_text(raw, "en")
    assert [(s.kind, s.paragraph, s.sentence, s.label, s.text) for s in seg.segments] == [
        ("note", 0, 0, "Written", "Written: 1936"),
        ("note", 0, 1, "First published", "First published: Pravda, No. 1."),
        ("note", 0, 2, "Source", "Source: Collected Works."),
        ("note", 0, 3, "Last updated on", "Last updated on: 19.4.2007"),
        ("sentence", 1, 0, None, "Body text here."),
        ("note", 2, 0, "navigation", "return return return"),
    ]
    assert seg.metadata == {
        "written": "1936",
        "first_published": "Pravda, No. 1",
        "source": "Collected Works",
        "last_updated": "19.4.2007",
    }


def test_signed_line_is_not_apparatus() -> None:
    seg = segment_text("Signed: Members who resigned.", "en")
    assert [s.kind for s in seg.segments] == ["sentence"]
    assert seg.metadata == {}


def test_trailing_footnotes_and_bracket_markers() -> None:
    raw = (
        "Intro.\n\nThere is a 120 rue Lafayette [1] (or near it). More text.[2]\n\n"
        "PARIS, March 1938\n\n\n[1] The address.\n[2] Another note.\n\nreturn return\n"
    )
    seg = segment_text(raw, "en")
    got = [(s.kind, s.paragraph, s.sentence, s.label, s.text) for s in seg.segments]
    assert got == [
        ("sentence", 0, 0, None, "Intro."),
        ("sentence", 1, 0, None, "There is a 120 rue Lafayette (or near it)."),
        ("sentence", 1, 1, None, "More text."),
        ("heading", 2, 0, None, "PARIS, March 1938"),
        ("footnote", 3, 0, "1", "The address."),
        ("footnote", 3, 1, "2", "Another note."),
        ("note", 4, 0, "navigation", "return return"),
    ]
    assert [(m.number, raw[m.start : m.end]) for m in seg.footnote_markers] == [
        ("1", "[1]"),
        ("2", "[2]"),
    ]
    check_invariants(raw, seg)


def test_numbered_list_in_the_middle_is_not_footnotes() -> None:
    raw = "It is necessary to:\n\n1. Organize the Councils.\n2. Transfer capital.\n\nMore body."
    seg = segment_text(raw, "en")
    assert [s.kind for s in seg.segments] == ["sentence"] * 4
    assert texts(seg)[1:3] == ["1. Organize the Councils.", "2. Transfer capital."]


def test_numbered_list_at_the_end_after_a_colon_is_not_footnotes() -> None:
    raw = "The demands are:\n\n1. Bread.\n2. Peace."
    assert [s.kind for s in segment_text(raw, "en").segments] == ["sentence"] * 3
    raw = "The demands are these.\n\n1. Bread.\n2. Peace."
    assert [s.kind for s in segment_text(raw, "en").segments] == [
        "sentence",
        "footnote",
        "footnote",
    ]


def test_notes_title_with_colon_still_introduces_footnotes() -> None:
    raw = "Body text.[1]\n\nNotes:\n\n1. The first note."
    seg = segment_text(raw, "en")
    assert [(s.kind, s.label, s.text) for s in seg.segments] == [
        ("sentence", None, "Body text."),
        ("sentence", None, "Notes:"),
        ("footnote", "1", "The first note."),
    ]


def test_bracket_number_opening_a_line_in_the_body_is_not_a_marker() -> None:
    raw = "[1] A numbered remark in the middle.\n\nMore body text."
    seg = segment_text(raw, "en")
    assert seg.footnote_markers == ()
    assert texts(seg) == ["[1] A numbered remark in the middle.", "More body text."]


def test_glued_markers_follow_the_sequence() -> None:
    raw = (
        "The Latest Deception1\n\n"
        "In 1913 output fell by 9% at the demonstration,2 near the River.3 Then came "
        "the 83 (the Platform) and the CPSU(b) and Karaköse:5 and Zinoviev,4 too."
    )
    seg = segment_text(raw, "en")
    assert [(m.number, raw[m.start : m.end]) for m in seg.footnote_markers] == [
        ("1", "1"),
        ("2", "2"),
        ("3", "3"),
        ("4", "4"),
    ]
    assert texts(seg) == [
        "The Latest Deception",
        "In 1913 output fell by 9% at the demonstration, near the River.",
        "Then came the 83 (the Platform) and the CPSU(b) and Karaköse:5 and Zinoviev, too.",
    ]
    river = seg.segments[1]
    assert raw[river.start : river.end].endswith("River.3")
    check_invariants(raw, seg)


def test_segmentation_is_deterministic_and_records_settings() -> None:
    one = segment_text(SMALL, "yi")
    assert one == segment_text(SMALL, "yi")
    assert one.settings["splitter"] == "sentencex"
    assert one.settings["splitter_version"] == version("sentencex")
    assert one.settings["rules"] == "1"
    assert one.settings["unit"] == "sentence"
    assert one.settings["lang"] == "yi"


def test_bad_unit_is_an_input_error() -> None:
    with pytest.raises(InputError):
        segment_text("Text.", "en", unit="word")  # type: ignore[arg-type]


def test_lone_surrogate_does_not_break_the_splitter() -> None:
    raw = "Bad byte \udcff here. Next one."
    assert sentences(raw, "en") == ["Bad byte \udcff here.", "Next one."]


def test_empty_text_has_no_segments() -> None:
    assert segment_text("", "en").segments == ()
    assert segment_text(" \r\n\r\n\t", "fr").segments == ()


# --------------------------------------------------------------------------------------------
# presplit_segments
# --------------------------------------------------------------------------------------------


def test_presplit_one_sentence_per_line() -> None:
    raw = "  First line. Two sentences.\r\nSecond line\r\n\r\n \r\nThird\u00a0line\n"
    seg = presplit_segments(raw)
    got = [(s.kind, s.paragraph, s.sentence, s.start, s.end, s.text) for s in seg.segments]
    assert got == [
        ("sentence", 0, 0, 2, 28, "First line. Two sentences."),
        ("sentence", 0, 1, 30, 41, "Second line"),
        ("sentence", 1, 0, 48, 58, "Third line"),
    ]
    assert seg.settings["splitter"] == "presplit"
