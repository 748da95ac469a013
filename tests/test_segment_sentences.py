"""aligner.core.segmentation: clean text and sentence splitting (sentencex and the rules)."""

from __future__ import annotations

import pytest

from aligner.core.segmentation import clean_text, split_sentences
from tests.test_segment import NBSP, NNBSP, sentences

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


def test_chinese_and_japanese_end_sentences_without_a_space() -> None:
    text = "他来了。你好吗？我很好！“走吧。”他说。"
    assert sentences(text, "zh") == ["他来了。", "你好吗？", "我很好！", "“走吧。”", "他说。"]
    assert sentences("彼は来た。「はい。」と彼は言った。「行こう。」彼は行った。", "ja") == [
        "彼は来た。",
        "「はい。」と彼は言った。",  # a quotation followed by と is part of the sentence
        "「行こう。」",
        "彼は行った。",
    ]
    # a Latin full stop glued to the next word is still no end: "U.R.S.S."
    assert sentences("L'U.R.S.S. est née. Elle a disparu.", "fr") == [
        "L'U.R.S.S. est née.",
        "Elle a disparu.",
    ]
