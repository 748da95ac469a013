"""aligner.core.segmentation: blocks, notes, footnotes, markers, headings and sentences."""

from __future__ import annotations

import re
import unicodedata
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aligner.core.segmentation import clean_text, presplit_segments, segment_text, split_sentences
from aligner.core.segmentation.apparatus import _NAVIGATION_KEY, _NAVIGATION_WORDS, is_navigation
from aligner.core.segmentation.blocks import Block, split_blocks
from aligner.core.segmentation.footnotes import find_markers, text_without_markers
from aligner.core.segmentation.headings import block_is_heading, is_heading
from aligner.core.types import Segment, Segmentation
from aligner.errors import InputError

CORPUS = Path(__file__).resolve().parents[1] / "corpora"
# The five seed documents, as bundled (byte-identical copies of ../shared/seeds/*.txt).
SEED_FILES = {
    "000": "new-international-1938-05/why-we-quit-the-communist-party.en.txt",
    "001": "trotsky-1935-internationalists/internationalists-need-our-help.en.txt",
    "002": "trotsky-1936-wholesale-persecution/stalin-plans-wholesale-persecution.en.txt",
    "003": "workers-group-manifesto-1923/manifesto-of-the-workers-group.en.txt",
    "004": "miasnikov-latest-deception/the-latest-deception.en.txt",
}
NBSP = "\u00a0"
NNBSP = "\u202f"


def seed(prefix: str) -> str:
    """The text of the bundled seed document numbered ``prefix``."""
    return (CORPUS / SEED_FILES[prefix]).read_text(encoding="utf-8")


def seed_names() -> list[str]:
    return sorted(SEED_FILES)


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
# clean_text
# --------------------------------------------------------------------------------------------


def test_clean_text_collapses_every_kind_of_whitespace() -> None:
    raw = f"  Il dit{NBSP}:\t«{NNBSP}oui{NBSP}»\r\n  et\u2009partit.\n"
    assert clean_text(raw) == "Il dit : « oui » et partit."


def test_clean_text_keeps_quotes_old_orthography_and_niqqud() -> None:
    text = "«Всѣ рабочіе» — “quoted” ‘single’ דאָס אַ ײִדיש"
    assert clean_text(text) == text


def test_clean_text_normalises_to_nfc() -> None:
    assert clean_text("e\u0301te\u0301") == "\u00e9t\u00e9"
    assert clean_text("\u0435\u0308") == "\u0451"  # е + diaeresis -> ё


# --------------------------------------------------------------------------------------------
# split_sentences
# --------------------------------------------------------------------------------------------


def test_split_sentences_returns_trimmed_spans() -> None:
    text = "  First one. Second one!  Third?\n"
    assert split_sentences(text, "en") == [(2, 12), (13, 24), (26, 32)]
    assert split_sentences("", "en") == []
    assert split_sentences(" \n\t", "en") == []


@pytest.mark.parametrize(
    ("gold", "lang"),
    [
        (["See Vol. II No. 19 of the journal.", "It was printed in May."], "en"),
        (["The U.S.S.R. was founded in 1922.", "Lenin died in 1924."], "en"),
        (["Mr. Smith arrived on Jan. 5, 1936.", "He left the next day."], "en"),
        (["It was late, i.e. past midnight.", "Everyone slept."], "en"),
        (["He said, “We are ready.”", "Then he left."], "en"),
        (["She hesitated… then went on.", "Nobody noticed."], "en"),
        (["It was stopped.", "No.", "He is talking about the Councils."], "en"),
        (["Dr. J. R. Smith wrote pp. 137-139 of the report.", "It was well received."], "en"),
    ],
)
def test_english_abbreviations(gold: list[str], lang: str) -> None:
    assert sentences(" ".join(gold), lang) == gold


def test_pre_1918_russian() -> None:
    gold = [
        "Въ 1905 г. онъ писалъ: «Всѣ рабочіе должны соединиться!»",
        "Это было въ Петербургѣ.",
        "Проф. И. И. Ивановъ прочелъ докладъ…",
        "Т. е. ничего не измѣнилось.",
        "— Куда вы идете? — спросилъ онъ.",
    ]
    assert sentences(" ".join(gold), "ru") == gold


def test_french_typography() -> None:
    gold = [
        f"Il s'écria{NBSP}: «{NBSP}Vive la République{NBSP}!{NBSP}»",
        "M. Dupont, voir p. 12, ne répondit pas.",
        f"Que faire{NNBSP}?",
        f"— Qui est là{NBSP}? demanda-t-il.",
        "L'U.R.S.S. fut fondée en 1922.",
    ]
    assert sentences(" ".join(gold), "fr") == gold


def test_yiddish_in_hebrew_script() -> None:
    assert sentences("דאָס איז אַ זאַץ. און דאָס איז נאָך איינער!", "yi") == [
        "דאָס איז אַ זאַץ.",
        "און דאָס איז נאָך איינער!",
    ]
    gold = [
        "א. ליעסין האָט געשריבן: „מיר וועלן קעמפן!“",
        "ער האָט געוואַרט…",
        "קיינער איז נישט געקומען.",
    ]
    assert sentences(" ".join(gold), "yi") == gold
    assert sentences(" ".join(gold), "ydd") == gold


def test_quoted_passage_is_split_into_its_sentences() -> None:
    text = "He said: “Come in. We can copy it. They will take it.” Then he left."
    assert sentences(text, "en") == [
        "He said: “Come in.",
        "We can copy it.",
        "They will take it.”",
        "Then he left.",
    ]


def test_list_items_and_blank_lines_end_sentences() -> None:
    text = "Texts:\n• a letter to Stalin;\n• “Three Questions”;\n\nDone"
    assert sentences(text, "en") == [
        "Texts:",
        "• a letter to Stalin;",
        "• “Three Questions”;",
        "Done",
    ]


def test_other_languages_fall_back_without_error() -> None:
    assert sentences("Saluton. Kiel vi fartas?", "eo") == ["Saluton.", "Kiel vi fartas?"]
    assert sentences("Hello there. General Kenobi.", "en-GB") == [
        "Hello there.",
        "General Kenobi.",
    ]
    assert sentences("Guten Tag. Am 5. Januar kam er.", "de-AT") == [
        "Guten Tag.",
        "Am 5. Januar kam er.",
    ]


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


# --------------------------------------------------------------------------------------------
# The seed texts in shared/seeds
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", seed_names())
def test_seed_offsets_invariant(prefix: str) -> None:
    raw = seed(prefix)
    seg = segment_text(raw, "en")
    assert seg.segments
    check_invariants(raw, seg)


@pytest.mark.parametrize("prefix", seed_names())
def test_seed_crlf_gives_the_same_segments(prefix: str) -> None:
    raw = seed(prefix)
    crlf = raw.replace("\n", "\r\n")
    lf_seg, crlf_seg = segment_text(raw, "en"), segment_text(crlf, "en")
    assert [(s.kind, s.paragraph, s.sentence, s.label, s.text) for s in crlf_seg.segments] == [
        (s.kind, s.paragraph, s.sentence, s.label, s.text) for s in lf_seg.segments
    ]
    check_invariants(crlf, crlf_seg)


def test_seed_001_notes_metadata_and_headings() -> None:
    raw = seed("001")
    seg = segment_text(raw, "en")
    notes = [(s.paragraph, s.sentence, s.label) for s in seg.segments if s.kind == "note"]
    assert notes == [
        (3, 0, "Written"),
        (3, 1, "First Published"),
        (3, 2, "Transcribed & marked up"),
        (3, 3, "Copyleft"),
        (17, 0, "navigation"),
        (18, 0, "Last updated on"),
    ]
    assert seg.metadata["written"] == "7 September 1935"
    assert seg.metadata["first_published"] == (
        "New Militant, Vol. I No. 40, 28 September 1935, p. 1"
    )
    assert seg.metadata["transcribed"] == "Einde O’Callaghan for the Trotsky Internet Archive"
    assert seg.metadata["last_updated"] == "25 February 2016"
    assert seg.metadata["copyleft"].startswith("Leon Trotsky Internet Archive (www.marxists.org)")
    assert set(seg.metadata) == {
        "written",
        "first_published",
        "transcribed",
        "copyleft",
        "last_updated",
    }
    assert texts(seg, "heading") == [
        "L. Trotsky",
        "The Internationalists Need Our Help!",
        "(September 1935)",
        "Moral and Material Aid",
        "Prisoners in China",
        "Severe Trials Ahead",
        "Sept. 7, 1935",
    ]
    written = seg.segments[3]
    assert raw[written.start : written.end] == "Written: 7 September 1935."


def test_seed_002_lower_case_first_published() -> None:
    seg = segment_text(seed("002"), "en")
    assert seg.metadata == {
        "written": "March 25, 1936",
        "first_published": "New MilitantThe New Militant, Vol. II No. 19, May 16, 1936",
        "last_updated": "19.4.2007",
    }
    assert texts(seg, "heading") == [
        "Leon Trotsky",
        "Stalin Plans Wholesale Persecution",
        "(25 March 1936)",
    ]


def test_seed_000_trailing_footnote_and_marker() -> None:
    raw = seed("000")
    seg = segment_text(raw, "en")
    footnotes = [s for s in seg.segments if s.kind == "footnote"]
    assert [(s.label, s.text) for s in footnotes] == [
        (
            "1",
            "Address of the headquarters in Paris of the Central Committee of the "
            "Communist Party of France.",
        )
    ]
    assert seg.segments[-1] is footnotes[0]
    assert [(m.number, raw[m.start : m.end]) for m in seg.footnote_markers] == [("1", "[1]")]
    assert "Lafayette (or somewhere near" in " ".join(texts(seg, "sentence"))
    headings = texts(seg, "heading")
    assert headings[:3] == [
        "The New International, May 1938",
        "Why We Quit the Communist Party",
        "The Palestine Communists Appeal",
    ]
    assert "Charles Rappoport’s Statement" in headings
    assert headings[-1] == "PARIS, March 1938"
    body = texts(seg, "sentence")
    assert "Communists, workers!" in body
    assert "We call upon you to save the Soviet Union!" in body


def test_seed_003_bracket_footnote() -> None:
    raw = seed("003")
    seg = segment_text(raw, "en")
    footnotes = [(s.label, s.text[:20]) for s in seg.segments if s.kind == "footnote"]
    assert footnotes == [("1", "This is the KAI (Com")]
    marker = seg.footnote_markers[0]
    assert (marker.number, raw[marker.start - 14 : marker.end]) == ("1", "International,[1]")
    assert "To work comrades!" in texts(seg, "sentence")
    assert texts(seg, "heading") == [
        "Manifesto of the Workers' Group of the Russian Communist Party 1923"
    ]


def test_seed_004_glued_markers_and_numbered_list() -> None:
    raw = seed("004")
    seg = segment_text(raw, "en")
    numbers = [m.number for m in seg.footnote_markers]
    assert numbers[:6] == ["1", "2", "3", "4", "5", "6"]
    assert numbers == [str(n) for n in range(1, 22)]
    contexts = [raw[m.start - 6 : m.end] for m in seg.footnote_markers[:6]]
    assert contexts == ["eption1", "ation,2", "River.3", "other.4", "aköse:5", "oviev,6"]
    assert not [s for s in seg.segments if s.kind == "footnote"]
    body = " ".join(texts(seg))
    assert "I attended the demonstration, but I did not go home" in body
    assert "Deception1" not in body and "River.3" not in body
    assert "The Latest Deception– Gabriel Miasnikov" in texts(seg, "heading")
    listed = [s.text for s in seg.segments if s.text.startswith("1. Organize the Councils")]
    assert len(listed) == 1
    assert "Said and done." in texts(seg, "sentence")
    assert "Paris, 1931" in texts(seg, "heading")


# --- long texts: the memory-lean paths give what the whole-text ones gave -----------------------

LONG_PIECES = [
    " ", "  \n", "\n\n", "\t", NBSP, NNBSP, "\u2028", "\ufeff", "e\u0301", "word", "Written:",
    "return", "Next |", "[1]", "River.3", "Title", "— ", "Ünïcödé", "דער", "Вѣ", ".", "x" * 70,
]  # fmt: skip


@st.composite
def long_texts(draw: st.DrawFn) -> str:
    """A stretch of pieces repeated to at least 1, 20,000, 70,000 or 150,000 characters."""
    pieces = draw(st.lists(st.sampled_from(LONG_PIECES) | st.text(max_size=6), min_size=1))
    unit = "".join(pieces) or " "
    least = draw(st.sampled_from([1, 20_000, 70_000, 150_000]))
    return unit * (least // len(unit) + 1)


def whole_clean_text(s: str) -> str:
    """clean_text as it was: one re.sub over the whole text."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s).replace("\ufeff", "")).strip()


@settings(max_examples=60, deadline=None)
@given(text=long_texts())
def test_clean_text_of_a_long_text_is_the_whole_text_substitution(text: str) -> None:
    assert clean_text(text) == whole_clean_text(text)


def navigation_by_word_list(line: str) -> bool:
    """is_navigation as it was: every word of the line in a list."""
    words: list[str] = re.findall(r"[^\W\d_]+", line.lower())
    if not words or any(w not in _NAVIGATION_WORDS for w in words):
        return False
    if re.search(r"[^\w\s|·•<>«»\[\]()/-]", line):
        return False
    if len(words) == 1:
        return words[0] == "return"
    return any(w in _NAVIGATION_KEY for w in words)


@settings(max_examples=300, deadline=None)
@given(
    line=st.lists(
        st.sampled_from(["return", "Next", "|", "index", "top", "İ", "word", " ", "·", "1", "!"])
        | st.text(max_size=3),
        max_size=12,
    ).map(" ".join)
)
def test_navigation_lines_are_recognised_as_before(line: str) -> None:
    assert is_navigation(line) == navigation_by_word_list(line)


@settings(max_examples=80, deadline=None)
@given(text=long_texts() | st.text(max_size=300))
def test_a_long_block_is_judged_a_heading_as_before(text: str) -> None:
    """block_is_heading reads only the start of a long line: the same answer as cleaning all."""
    blocks = [Block(i, tuple(lines)) for i, lines in enumerate(split_blocks(text))]
    markers = find_markers(text, blocks)
    for block in blocks:
        lines = [text_without_markers(text, s, e, markers) for s, e in block.lines]
        assert block_is_heading(text, block, markers) == is_heading(lines)
