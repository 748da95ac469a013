"""Surface cues of a sentence that survive translation: numbers, punctuation, names, junk.

Embeddings blur exactly what a translator keeps literally: a height of 8848 m, a year, a
chapter number (XIV meets 14), a question mark (Greek writes it ";"), the name Pangloss.  These
cues are counted per sentence once, so that the bead scorer can compare any span of one side
with any span of the other by adding counts.

Names are compared across scripts by a rough *skeleton*: the word transliterated to Latin
(Cyrillic, Greek, Hebrew/Yiddish), stripped of accents and vowels, with similar consonants
merged (b/p/v/f, k/g/c/q/kh, d/t, s/z/sh/ts/ch), cut to its first three consonants.  Cased
scripts offer their capitalised words that do not start the sentence; Hebrew script has no
capitals, so every word of three letters or more is offered and only matches count there.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

# Punctuation classes compared by count: questions, exclamations, quotation marks of any
# style, parentheses and brackets, colons and semicolons, ellipses.
# Spanish opening ¿ and ¡ are left out: they only double the closing mark's count.
PUNCTUATION = ("?", "!", "«»\"“”„‹›'‘’‚「」『』", "()[]【】〔〕", ":;", "…")
# Chinese and Japanese write the same marks full width (？！：；（）) and an ellipsis as two.
FULL_WIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
# Greek writes its question mark as ";" (U+037E, or the semicolon itself) and its semicolon as a
# raised dot ("·", U+0387): counted as what they mean.
GREEK_MARKS = str.maketrans({";": "?", "\u037e": "?", "·": ";", "\u0387": ";"})
NUMBER = re.compile(r"\d+(?:[.,'\u00a0\u202f ]\d{3}(?!\d))*(?:[.,]\d+)?")
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Roman numerals of two letters or more in capitals ("CHAPITRE XIV", "ГЛАВА II", "Louis XIV",
# the French ordinal "XIXe siècle"): one letter alone is too often a word or an initial (I, V, X).
ROMAN = re.compile(
    r"(?<![^\W\d_])(?=[MDCLXVI]{2})M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})(?=(?:e|er|re|es|ème|eme)?(?![^\W\d_]))"
)
ROMAN_VALUES = {"M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1}

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "_",
    "ы": "y",
    "ь": "_",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "i",
    "є": "e",
    "ґ": "g",
    "ў": "u",
}
_GREEK = {
    "α": "a",
    "β": "v",
    "γ": "g",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "i",
    "θ": "th",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "m",
    "ν": "n",
    "ξ": "x",
    "ο": "o",
    "π": "p",
    "ρ": "r",
    "σ": "s",
    "ς": "s",
    "τ": "t",
    "υ": "i",
    "φ": "f",
    "χ": "kh",
    "ψ": "ps",
    "ω": "o",
}
_HEBREW = {
    "א": "_",
    "ב": "b",
    "ג": "g",
    "ד": "d",
    "ה": "h",
    "ו": "v",
    "ז": "z",
    "ח": "kh",
    "ט": "t",
    "י": "y",
    "כ": "k",
    "ך": "kh",
    "ל": "l",
    "מ": "m",
    "ם": "m",
    "נ": "n",
    "ן": "n",
    "ס": "s",
    "ע": "e",
    "פ": "p",
    "ף": "f",
    "צ": "ts",
    "ץ": "ts",
    "ק": "k",
    "ר": "r",
    "ש": "sh",
    "ת": "t",
}
_CONSONANT_CLASS = {"p": "b", "v": "b", "f": "b", "w": "b", "g": "k", "c": "k", "q": "k",
                    "x": "k", "d": "t", "z": "s", "j": "s"}  # fmt: skip


@dataclass(frozen=True)
class Cues:
    """Per-sentence cues of one side: punctuation counts, numbers and names."""

    punctuation: NDArray[np.float64]  # (sentences, classes)
    numbers: list[Counter[str]]
    names: list[frozenset[str]]
    cased: bool  # False for Hebrew script: names are candidates, not capitalised words
    letters: NDArray[np.float64]  # share of characters that are letters
    digits: NDArray[np.float64]  # share of characters that are digits
    chars: NDArray[np.float64]  # characters, spaces excluded


def sentence_cues(sentences: Sequence[str]) -> Cues:
    hebrew = _mostly_hebrew(sentences)
    marked = [s.translate(FULL_WIDTH).replace("……", "…") for s in sentences]
    if _mostly_greek(sentences):
        marked = [s.translate(GREEK_MARKS) for s in marked]
    punctuation = np.array(
        [[sum(s.count(c) for c in chars) for chars in PUNCTUATION] for s in marked],
        dtype=np.float64,
    ).reshape(len(sentences), len(PUNCTUATION))
    stripped = [s.replace(" ", "") for s in sentences]
    chars = np.array([max(len(s), 1) for s in stripped], dtype=np.float64)
    letters = np.array([sum(c.isalpha() for c in s) for s in stripped], dtype=np.float64)
    digits = np.array([sum(c.isdigit() for c in s) for s in stripped], dtype=np.float64)
    return Cues(
        punctuation=punctuation,
        numbers=[_numbers(s) for s in sentences],
        names=[_names(s, cased=not hebrew) for s in sentences],
        cased=not hebrew,
        letters=letters / chars,
        digits=digits / chars,
        chars=chars,
    )


def _mostly_hebrew(sentences: Sequence[str]) -> bool:
    return _mostly(sentences, lambda c: "\u0590" <= c <= "\u05ff")


def _mostly_greek(sentences: Sequence[str]) -> bool:
    return _mostly(sentences, lambda c: "\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff")


def _mostly(sentences: Sequence[str], in_script: Callable[[str], bool]) -> bool:
    """Whether most letters of the first 200 sentences are in one script."""
    sample = "".join(sentences[:200])
    inside = sum(1 for c in sample if in_script(c))
    letters = sum(1 for c in sample if c.isalpha())
    return inside > letters / 2


def _numbers(sentence: str) -> Counter[str]:
    """The sentence's numbers as digits, Roman numerals included (XIV meets 14)."""
    found = Counter(_number(n) for n in NUMBER.findall(sentence))
    found.update(str(_roman(n)) for n in ROMAN.findall(sentence))
    return found


def _roman(numeral: str) -> int:
    values = [ROMAN_VALUES[c] for c in numeral]
    return sum(-v if k + 1 < len(values) and v < values[k + 1] else v for k, v in enumerate(values))


def _number(text: str) -> str:
    """Digits only, so that 8,848 and 8.848 and 8848 meet (decimals keep their digits too);
    digits of any script as 0-9, so that full-width １９９０ meets 1990."""
    digits = "".join(str(unicodedata.digit(c)) for c in text if c.isdecimal())
    return digits.lstrip("0") or "0"


def _names(sentence: str, *, cased: bool) -> frozenset[str]:
    words = WORD.findall(sentence)
    if cased:
        # a capitalised word that does not open the sentence (nor follow a full stop)
        chosen = [
            w for k, w in enumerate(words)
            if k > 0 and w[0].isupper() and len(w) >= 3 and not w.isupper()
        ]  # fmt: skip
    else:
        chosen = [w for w in words if len(w) >= 3]
    keys = {skeleton(w) for w in chosen}
    return frozenset(k for k in keys if len(k) >= 2)


def skeleton(word: str) -> str:
    """The first three consonant classes of ``word`` in Latin letters (see the module doc)."""
    latin = []
    for char in unicodedata.normalize("NFKD", word.lower()):
        if unicodedata.combining(char):
            continue
        mapped = _CYRILLIC.get(char) or _GREEK.get(char) or _HEBREW.get(char) or char
        latin.append("" if mapped == "_" else mapped)
    text = "".join(latin)
    text = text.replace("kh", "k").replace("sh", "s").replace("ch", "s").replace("ts", "s")
    text = text.replace("th", "t").replace("ph", "b")
    out: list[str] = []
    for char in text:
        if not ("a" <= char <= "z") or char in "aeiouyhw":
            continue
        key = _CONSONANT_CLASS.get(char, char)
        if not out or out[-1] != key:
            out.append(key)
    return "".join(out[:3])


def count_matches(a: Counter[str], b: Counter[str]) -> tuple[int, int]:
    """(items the two multisets share, items only one of them has)."""
    shared = sum((a & b).values())
    return shared, sum(a.values()) + sum(b.values()) - 2 * shared
