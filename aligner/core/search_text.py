"""Text as full-text search sees it: the search form, words, a phrase's place, KWIC context.

The full-text index (SQLite FTS5, PostgreSQL ``tsvector``) holds a *search form* of every
segment's text: Hebrew points and cantillation removed, the Yiddish ligatures װ ױ ײ spelt out
as two letters, pre-1918 Russian letters in modern spelling (ѣ = е, і = и, ѵ = и, ѳ = ф, ъ
dropped; ё = е).  Case and Latin accents are left to the index's tokenizer.  :func:`words`
splits a text into words as the index does, so that a hit's phrase can be found again in the
stored text (:func:`locate_phrase`) and shown in context (:func:`kwic`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

KWIC_WIDTH = 40

# Must stay equal to the table in db/versions/0005_search_form.py, which built the index
# (tests/test_search.py compares them); changing it needs a migration that rebuilds the index.
_HEBREW_PUNCTUATION_AMONG_POINTS = (0x05BE, 0x05C0, 0x05C3, 0x05C6)
_YIDDISH_LIGATURES = {"\u05f0": "\u05d5\u05d5", "\u05f1": "\u05d5\u05d9", "\u05f2": "\u05d9\u05d9"}
_CYRILLIC = {
    "ё": "е", "Ё": "Е", "ѣ": "е", "Ѣ": "Е", "і": "и", "І": "И",
    "ѵ": "и", "Ѵ": "И", "ѳ": "ф", "Ѳ": "Ф", "ъ": "", "Ъ": "",
}  # fmt: skip


def _search_fold() -> dict[str, str]:
    # Stored text is NFC, where Hebrew presentation forms with points cannot occur.
    fold = {
        chr(c): ""
        for c in [*range(0x0591, 0x05C8), 0xFB1E]
        if c not in _HEBREW_PUNCTUATION_AMONG_POINTS
    }
    return fold | _YIDDISH_LIGATURES | _CYRILLIC


SEARCH_FOLD: dict[str, str] = _search_fold()
_SEARCH_TRANSLATION = str.maketrans(SEARCH_FOLD)


def search_form(query: str) -> str:
    """``query`` as the index holds text: NFC, then :data:`SEARCH_FOLD` (points, ligatures,
    old Cyrillic letters).  Case and Latin accents are left to the index's tokenizer.

    >>> search_form("Въ мірѣ פֿאַרוואָס")
    'В мире פארוואס'
    """
    return unicodedata.normalize("NFC", query).translate(_SEARCH_TRANSLATION)


@lru_cache(maxsize=8192)
def _match_key(char: str) -> str:
    """A character's contribution to a word for matching: folded, without marks, casefolded."""
    folded = unicodedata.normalize("NFD", SEARCH_FOLD.get(char, char))
    return "".join(c for c in folded if unicodedata.category(c) != "Mn").casefold()


def _is_word(key: str) -> bool:
    return all(unicodedata.category(c)[0] in "LN" or unicodedata.category(c) == "Co" for c in key)


@dataclass(frozen=True)
class Word:
    """A word of a text: ``text[start:end]``, and ``key``, the form words are compared in."""

    start: int
    end: int
    key: str


def words(text: str) -> list[Word]:
    """The words of ``text`` as the full-text index sees them, with their offsets in ``text``.

    A word is a run of letters and digits (Unicode L*, N*, Co, as FTS5's unicode61); marks,
    points and the dropped ъ neither end a word nor count in it.
    """
    found: list[Word] = []
    start: int | None = None
    end = 0
    key: list[str] = []
    for index, char in enumerate(text):
        folded = _match_key(char)
        if not folded:
            end = index + 1 if start is not None else end
            continue
        if _is_word(folded):
            start = index if start is None else start
            key.append(folded)
            end = index + 1
            continue
        if start is not None:
            found.append(Word(start, end, "".join(key)))
        start, key = None, []
    if start is not None:
        found.append(Word(start, end, "".join(key)))
    return found


# Scripts written without spaces between words (Chinese, Japanese kana, Thai, Lao, Khmer): the
# index's tokenizer takes a whole run between punctuation as one word, so a word inside it can
# only be found as a substring.
_UNSPACED = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
             (0x0E00, 0x0EFF), (0x1780, 0x17FF), (0x20000, 0x3134F))  # fmt: skip


def in_unspaced_script(query: str) -> bool:
    """Whether ``query`` has a letter of a script written without spaces (``北京``, ``ภาษา``).

    >>> in_unspaced_script("北京"), in_unspaced_script("Beijing")
    (True, False)
    """
    return any(lo <= ord(c) <= hi for c in query for lo, hi in _UNSPACED)


def locate_phrase(text: str, query: str) -> tuple[int, int] | None:
    """Where the words of ``query`` first follow each other in ``text``, as offsets."""
    wanted = [w.key for w in words(query)]
    found = words(text)
    for index in range(len(found) - len(wanted) + 1):
        if wanted and [w.key for w in found[index : index + len(wanted)]] == wanted:
            return found[index].start, found[index + len(wanted) - 1].end
    return None


def kwic(text: str, start: int, end: int, width: int = KWIC_WIDTH) -> tuple[str, str, str]:
    """Up to ``width`` characters before the match, the match, up to ``width`` after it.

    A context cut short loses the broken word at its far end when a space allows.
    """
    before, after = text[max(0, start - width) : start], text[end : end + width]
    if start > width and " " in before[:-1]:
        before = before[before.index(" ") + 1 :]
    if end + width < len(text) and " " in after[1:]:
        after = after[: after.rindex(" ")]
    return before, text[start:end], after
