"""Sentence splitting: the ``sentencex`` library's cuts, corrected by a small rule layer.

Sentence boundaries come from ``sentencex`` (Wikimedia; rules for about 300 languages),
corrected here: no cut after a known abbreviation or an initial (``M. Dupont``, ``Vol. II``,
``א. ליעסין``), none before a lower-case word (``— Qui est là ? demanda-t-il``), none inside a
dotted acronym (``U.R.S.S.``), closing quotes stay with their sentence, and cuts are added
after an ellipsis that is followed by a capital, at blank lines and before list items.
``bench/splitters.py`` compares the candidate libraries.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import sentencex  # type: ignore[import-untyped]

from aligner.core.segmentation.cleaning import (
    CLOSERS,
    FULL_WIDTH_ENDS,
    OPENERS,
    Span,
    is_space,
    trim,
    word_set,
)

__all__ = ["SPLITTER", "SPLITTER_VERSION", "base_language", "split_masked", "split_sentences"]

SPLITTER = "sentencex"

try:
    SPLITTER_VERSION = version(SPLITTER)
except PackageNotFoundError:  # pragma: no cover - a broken install
    SPLITTER_VERSION = "unknown"

# Abbreviations after which a full stop does not end a sentence (the form before the dot).
_ABBREVIATIONS_ANY = word_set("Dr Prof St Mr Mrs Vol vol Vols cf Cf vs ca ibid Ibid op cit")
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": word_set(
        "Ms Messrs Rev Hon Mt Gen Col Capt Lt Sgt Maj Adm Gov Sen Rep Pres Fig fig Ch ch Chap "
        "chap Art art Sec sec Ed ed eds trans viz approx Jan Feb Mar Apr Jun Jul Aug Sep Sept "
        "Oct Nov Dec"
    ),
    "fr": word_set(
        "M MM Mme Mmes Mlle Mlles Me Mgr Pr Ste chap ch art vol t éd env janv févr avr juil "
        "sept oct nov déc av apr cf réf"
    ),
    "ru": word_set(
        "гг вв тт стр см ср им ул кв пер проф Проф акад тов Тов гр ген полк кап напр Напр "
        "англ франц нем лат рус ок"
    ),
    "de": word_set(
        "Nr Bd Hr Hrn Fr Abs Art Kap vgl Vgl bzw ca Ca sog evtl ggf inkl Jan Febr Aug Sept "
        "Okt Nov Dez Str"
    ),
    "yi": frozenset(["דר", "ד״ר", "פּראָפ", "פראָפ", "פראפ", "סט", "הר", "נר", "זז", "עמ", "מר"]),
}
# Abbreviations that are one only before a number ("No. 19", but "No. He is ...").
_NUMBER_ABBREVIATIONS = word_set("No Nos no nos Nr nr pp")
# Single letters that are words which may end a sentence ("so did I.", "il y a.", "это я.").
_WORD_LETTERS: dict[str, frozenset[str]] = {
    "en": frozenset({"I"}),
    "fr": frozenset({"a", "y"}),
    "ru": frozenset({"я"}),
}
_LANGUAGE_ALIASES = {
    "ydd": "yi", "yid": "yi", "ji": "yi", "rus": "ru", "fra": "fr", "fre": "fr", "eng": "en",
    "deu": "de", "ger": "de", "heb": "he", "iw": "he", "ukr": "uk", "pol": "pl",
}  # fmt: skip

_BREAK = r"(?:\r\n|\r(?!\n)|\n)"
_BLANK_LINE = re.compile(_BREAK + r"[^\S\r\n]*" + _BREAK)
_LIST_ITEM = re.compile(_BREAK + r"[^\S\r\n]*(?=[•●◦▪‣·*—–-]\s|\d{1,3}[.)]\s)")
_ELLIPSIS = re.compile(r"(?:…|\.\.\.)(?!\.)[\"'”’»)]*(?=\s)")
# Chinese and Japanese end a sentence with a full-width mark and no space after it
# (``他来了。你好吗？``), perhaps inside closing quotes or brackets (``“走吧。”他说。``).
_FULL_WIDTH_CLOSERS = "”’」』）》〉"
_UNSPACED_END = re.compile(f"[{FULL_WIDTH_ENDS}][{_FULL_WIDTH_CLOSERS}]*$")


def base_language(lang: str) -> str:
    """The primary subtag of a BCP 47 tag, lower case, with 3-letter aliases mapped."""
    base = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    if not base.isalpha():
        return "und"
    return _LANGUAGE_ALIASES.get(base, base)


def split_sentences(text: str, lang: str) -> list[Span]:
    """Sentence spans ``(start, end)`` into ``text``, trimmed of whitespace, in order."""
    return split_masked(text, base_language(lang), ())


def split_masked(text: str, base: str, masks: Sequence[Span]) -> list[Span]:
    """Split ``text``; ``masks`` (footnote markers) are read as spaces and end up attached
    to the sentence they follow."""
    work = _masked(text, masks)
    soft = _library_cuts(work, base) | _ellipsis_cuts(work)
    hard = _hard_cuts(work)
    cuts: set[int] = set()
    for pos in soft - hard:
        cut = _settle(work, pos)
        if cut is not None and not _vetoed(work, cut, base):
            cuts.add(cut)
    for pos in hard:
        cut = _settle(work, pos)
        if cut is not None:
            cuts.add(cut)
    spans = _spans_between(work, sorted(cuts))
    return _attach_masks(spans, masks)


def _masked(text: str, masks: Sequence[Span]) -> str:
    if not masks:
        return text
    chars = list(text)
    for start, end in masks:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


# sentencex never cuts inside quotes or brackets, so a quoted passage of ten sentences would
# be one segment; it is shown these marks as a neutral "*" (the same length, so offsets hold).
_HIDE_FROM_LIBRARY = str.maketrans(dict.fromkeys('“”„‟«»‹›"‘()[]', "*"))
_SURROGATE = re.compile("[\ud800-\udfff]")


def _library_cuts(text: str, base: str) -> set[int]:
    """Sentence starts proposed by sentencex (offsets are code points, like Python's)."""
    # It also reads "\r\n" differently from "\n": show it every line break as "\n"; and it
    # takes UTF-8 only, so a lone surrogate (from a lenient decoder) is shown as "?".
    view = text.replace("\r\n", " \n").replace("\r", "\n").translate(_HIDE_FROM_LIBRARY)
    view = _SURROGATE.sub("?", view)
    found = sentencex.get_sentence_boundaries(base, view)
    return {int(item["start_index"]) for item in found if int(item["start_index"]) > 0}


def _ellipsis_cuts(text: str) -> set[int]:
    """After ``…`` or ``...`` when a capital follows, or any letter of an uncased script
    when the ellipsis is glued to the word before it (``געוואַרט… קיינער``)."""
    cuts: set[int] = set()
    for match in _ELLIPSIS.finditer(text):
        following = _next_letter(text, match.end())
        if following is None:
            continue
        glued = match.start() > 0 and not text[match.start() - 1].isspace()
        if following.isupper() or (glued and following.isalpha() and not following.islower()):
            cuts.add(match.end())
    return cuts


def _hard_cuts(text: str) -> set[int]:
    """Blank lines and the starts of list items (``• …``, ``1. …``, ``— …`` on a new line)."""
    return {m.end() for m in _BLANK_LINE.finditer(text)} | {
        m.end() for m in _LIST_ITEM.finditer(text)
    }


def _settle(text: str, pos: int) -> int | None:
    """Move a cut to the first character of the next sentence.

    Whitespace is skipped, and a closing quote or bracket followed by whitespace (``» ``,
    ``“ `` in Yiddish) or by a full-width end (``。”``) stays with the sentence before.  None
    when nothing follows.
    """
    n = len(text)
    pos = _skip_space(text, pos)
    for _ in range(2):
        if pos < n and text[pos] in CLOSERS and (pos + 1 == n or is_space(text[pos + 1])):
            pos = _skip_space(text, pos + 1)
    while pos < n and text[pos] in _FULL_WIDTH_CLOSERS and _UNSPACED_END.search(text, 0, pos):
        pos += 1  # "“走吧。|”他说" → "“走吧。”|他说"
    return pos if 0 < pos < n else None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and is_space(text[pos]):
        pos += 1
    return pos


def _next_letter(text: str, pos: int) -> str | None:
    """The first letter or digit at or after ``pos``, past spaces and opening punctuation."""
    for ch in text[pos : pos + 12]:
        if ch.isalnum():
            return ch
        if not (is_space(ch) or ch in OPENERS):
            return None
    return None


def _vetoed(text: str, cut: int, base: str) -> bool:
    """Whether a proposed sentence start at ``cut`` is not one."""
    if not is_space(text[cut - 1]):
        # inside a token ("U.|R.S.S.", "etc.)|") unless after a full-width end: "了。|你"
        if _UNSPACED_END.search(text, max(cut - 4, 0), cut) is None:
            return True
        return text[cut - 1] in "」』" and text[cut] in "とっ"  # 「はい。」と言った: one sentence
    following = _next_letter(text, cut)
    if following is not None and following.islower():
        return True  # "— Qui est là ? demanda-t-il", "т. е. ничего"
    token, before = _tokens_before(text, cut)
    if token[:-1] in _NUMBER_ABBREVIATIONS and token.endswith("."):
        return text[cut].isdigit()
    if len(token) == 2 and token[0].islower() and before[-1:].isdigit():
        return False  # a unit after a number may end a sentence: "4892 m.", "1924 г."
    return _ends_with_abbreviation(token, base)


def _tokens_before(text: str, cut: int) -> tuple[str, str]:
    """The last two whitespace-separated tokens before ``cut`` (opening marks stripped)."""
    tokens: list[str] = []
    end = cut
    for _ in range(2):
        while end > 0 and is_space(text[end - 1]):
            end -= 1
        start = end
        while start > 0 and not is_space(text[start - 1]):
            start -= 1
        tokens.append(text[start:end].lstrip(OPENERS))
        end = start
    return tokens[0], tokens[1]


def _ends_with_abbreviation(token: str, base: str) -> bool:
    """``Vol.``, ``M.``, ``i.e.``, ``א.``: a full stop that marks an abbreviation."""
    if not token.endswith(".") or token.endswith(".."):
        return False
    core = token[:-1]
    if len(core) == 1 and core.isalpha():
        return core not in _WORD_LETTERS.get(base, frozenset())
    if core in _ABBREVIATIONS_ANY or core in _ABBREVIATIONS.get(base, frozenset()):
        return True
    if "." in core:
        return _dotted_abbreviation(core)
    return base == "de" and core.isdigit() and len(core) <= 3  # "am 5. Januar"


def _dotted_abbreviation(core: str) -> bool:
    """``i.e``, ``т.е``, ``צ.ב``, ``D.K``: yes; ``U.S.S.R`` (which may end a sentence): no."""
    parts = core.split(".")
    if any(not p.isalpha() or len(p) > 3 for p in parts):
        return False
    letters = "".join(parts)
    if not any(ch.isupper() for ch in letters):
        return True  # lower case or an uncased script
    return len(parts) <= 2 and all(len(p) == 1 for p in parts)


def _spans_between(text: str, cuts: Sequence[int]) -> list[Span]:
    bounds = [0, *cuts, len(text)]
    spans: list[Span] = []
    for start, end in itertools.pairwise(bounds):
        span = trim(text, start, end)
        if span[0] < span[1]:
            spans.append(span)
    return spans


def _attach_masks(spans: list[Span], masks: Sequence[Span]) -> list[Span]:
    """Extend a sentence over the footnote markers that follow it (``River.3``)."""
    if not masks or not spans:
        return spans
    out = list(spans)
    for mask_start, mask_end in masks:
        i = bisect.bisect_right([s for s, _ in out], mask_start) - 1
        if i < 0:
            out[0] = (mask_start, out[0][1])
        elif out[i][1] < mask_end:
            out[i] = (out[i][0], mask_end)
    return out
