"""Lines of a paragraph joined back: spaces, and words hyphenated at a line's end.

Shared by the PDF reader and the plain-text reader's hard-wrapped convention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LAST_WORD = re.compile(r"([^\W\d_]+)[-\u00ad]$")
_FIRST_WORD = re.compile(r"[^\W\d_]+")


def vocabulary(lines: Iterable[str]) -> frozenset[str]:
    """Every word and hyphenated compound of the document, and each compound's parts."""
    words: set[str] = set()
    for line in lines:
        for word in _WORD.findall(line.lower()):
            words.add(word)
            words.update(word.split("-"))
    return frozenset(words)


def line_join(before: str, after: str, vocabulary: frozenset[str]) -> str:
    """How two lines of a paragraph meet: ``" "``, ``""`` (after a dash glued to a word, as in
    ``1920s—and``) or ``"unhyphenate"``: a word hyphenated at the line's end is joined
    (``frame-`` + ``ups``) unless the document shows it is a compound (``deep-`` + ``going``:
    ``deep-going`` appears elsewhere, or ``deep`` and ``going`` do and ``deepgoing`` does not).
    """
    if before.endswith(("—", "–", "-", "\u00ad")) and before[-2:-1].isalnum():
        last = _LAST_WORD.search(before)
        first = _FIRST_WORD.match(after)
        if last is None or first is None or not after[:1].islower():
            return ""  # "anti-|Stalinists", "1921-|22", "1920s—|and"
        head, tail = last.group(1).lower(), first.group().lower()
        if before.endswith("\u00ad") or head + tail in vocabulary:
            return "unhyphenate"
        if f"{head}-{tail}" in vocabulary or (head in vocabulary and tail in vocabulary):
            return ""
        return "unhyphenate"
    return " "


def join_lines(lines: list[str], words: frozenset[str]) -> str:
    """``lines`` (stripped) as one line of text."""
    out = ""
    for line in lines:
        if out:
            join = line_join(out, line, words)
            out = out[:-1] + line if join == "unhyphenate" else out + join + line
        else:
            out = line
    return out
