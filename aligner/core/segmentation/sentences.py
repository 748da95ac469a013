"""Segmentation: cut a raw text into blocks, classify them and split body text into sentences.

The raw text is split into *blocks* at blank lines.  Each block is one of:

* **note**: transcription apparatus (``Written: …``, ``First Published: …``, ``Source: …``,
  ``Copyleft: …``, navigation such as ``return return return``); one note per line, and the
  values go to :attr:`Segmentation.metadata`;
* **footnote**: the trailing run of blocks whose lines start with a footnote number
  (``[1] …``, ``1. …``, ``1) …``); one footnote per numbered line, labelled with the number;
* **heading**: a short block (at most three lines, 15 words) that does not read as a
  sentence, e.g. ``Moral and Material Aid`` or a dateline ``PARIS, March 1938``;
* **paragraph**: everything else; cut into sentences (``unit="sentence"``) or kept whole.

Footnote references in body text (``[1]``, or a number glued to a word, ``Deception1``,
``River.3``) are recorded as :class:`FootnoteMarker` and left out of segment texts.

Sentence boundaries come from the ``sentencex`` library (Wikimedia; rules for about 300
languages), corrected by a small rule layer: no cut after a known abbreviation or an initial
(``M. Dupont``, ``Vol. II``, ``א. ליעסין``), none before a lower-case word (``— Qui est là ?
demanda-t-il``), none inside a dotted acronym (``U.R.S.S.``), closing quotes stay with their
sentence, and cuts are added after an ellipsis that is followed by a capital, at blank lines
and before list items.  ``bench/splitters.py`` compares the candidate libraries.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

import sentencex  # type: ignore[import-untyped]

from aligner.core.types import FootnoteMarker, Segment, Segmentation, SegmentKind, SegmentUnit
from aligner.errors import InputError

__all__ = ["clean_text", "presplit_segments", "segment_text", "split_sentences"]

SPLITTER = "sentencex"
# Bump when a rule below changes what segmentation produces for the same input.
RULES_VERSION = "1"

try:
    SPLITTER_VERSION = version(SPLITTER)
except PackageNotFoundError:  # pragma: no cover - a broken install
    SPLITTER_VERSION = "unknown"

BlockKind = Literal["note", "footnote", "body"]
Span = tuple[int, int]

# --------------------------------------------------------------------------------------------
# Clean text and whitespace
# --------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WHITESPACE_RUN = re.compile(r"\s+")
_BOM = "\ufeff"
_CLEAN_STRETCH = 1 << 16


def clean_text(s: str) -> str:
    """Return ``s`` in NFC with every whitespace run turned into one space, stripped.

    Whitespace is anything Unicode calls so (newlines, tabs, U+00A0, U+202F, U+2009, …); a
    stray byte order mark is dropped.  Everything else (curly quotes, ѣ, niqqud) is kept.
    """
    normal = unicodedata.normalize("NFC", s).replace(_BOM, "")
    if len(normal) <= _CLEAN_STRETCH:
        return _WHITESPACE_RUN.sub(" ", normal).strip()
    # A long text a stretch at a time, each ending after a whole run of white space, so that
    # re.sub never holds a piece for every word of a book at once.
    parts, start = [], 0
    while start < len(normal):
        space = _WHITESPACE_RUN.search(normal, start + _CLEAN_STRETCH)
        end = space.end() if space else len(normal)
        parts.append(_WHITESPACE_RUN.sub(" ", normal[start:end]))
        start = end
    return "".join(parts).strip()


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch == _BOM


def _trim(text: str, start: int, end: int) -> Span:
    """Shrink ``[start, end)`` so that it neither starts nor ends with whitespace."""
    while start < end and _is_space(text[start]):
        start += 1
    while end > start and _is_space(text[end - 1]):
        end -= 1
    return start, end


# --------------------------------------------------------------------------------------------
# Lines and blocks
# --------------------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_spans(raw: str) -> Iterator[Span | None]:
    """Every line of ``raw`` as its trimmed span, or None for a blank line.

    Lines end at ``\\n``, ``\\r\\n`` or ``\\r``; a line of whitespace only is blank.
    """
    pos = 0
    for match in _LINE_BREAK.finditer(raw):
        yield _nonblank(raw, pos, match.start())
        pos = match.end()
    yield _nonblank(raw, pos, len(raw))


def _nonblank(raw: str, start: int, end: int) -> Span | None:
    span = _trim(raw, start, end)
    return span if span[0] < span[1] else None


def _split_blocks(raw: str) -> list[list[Span]]:
    """Group the non-blank lines of ``raw`` into blocks separated by blank lines."""
    blocks: list[list[Span]] = []
    current: list[Span] = []
    for line in _line_spans(raw):
        if line is None:
            if current:
                blocks.append(current)
                current = []
        else:
            current.append(line)
    if current:
        blocks.append(current)
    return blocks


@dataclass(frozen=True)
class _Block:
    """A run of non-blank lines between blank lines, with its place among all blocks."""

    index: int
    lines: tuple[Span, ...]

    @property
    def start(self) -> int:
        return self.lines[0][0]

    @property
    def end(self) -> int:
        return self.lines[-1][1]


# --------------------------------------------------------------------------------------------
# Notes (transcription apparatus) and navigation
# --------------------------------------------------------------------------------------------

# Field name as found (lower case, single spaces) -> metadata key.
_NOTE_FIELDS: dict[str, str] = {
    "written": "written",
    "first published": "first_published",
    "first-published": "first_published",
    "published": "published",
    "first printed": "first_published",
    "source": "source",
    "original source": "source",
    "translated": "translated",
    "translated by": "translated",
    "translation": "translated",
    "translator": "translated",
    "transcribed": "transcribed",
    "transcribed by": "transcribed",
    "transcribed & marked up": "transcribed",
    "transcribed and marked up": "transcribed",
    "transcription": "transcribed",
    "transcription/markup": "transcribed",
    "transcription & markup": "transcribed",
    "transcription/html markup": "transcribed",
    "html markup": "markup",
    "markup": "markup",
    "marked up": "markup",
    "proofread": "proofread",
    "proofread by": "proofread",
    "proofreading": "proofread",
    "proofed": "proofread",
    "copyleft": "copyleft",
    "copyright": "copyright",
    "public domain": "public_domain",
    "last updated": "last_updated",
    "last updated on": "last_updated",
    "online version": "online_version",
    "delivered": "delivered",
}
_NOTE_LINE = re.compile(r"(?P<label>[A-Za-z][A-Za-z &/-]{0,40}?)\s*:(?P<value>.*)", re.DOTALL)
_NAVIGATION_WORDS = _words(
    "return back next previous prev index contents top home up to archive main"
)
_NAVIGATION_KEY = _words("return back next previous prev top home")
NAVIGATION = "navigation"
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class _NoteLine:
    label: str  # the field name as written, or "navigation"
    key: str | None  # metadata key, None for navigation


def _parse_note_line(line: str) -> _NoteLine | None:
    """Recognise an apparatus line (``Written: …``) or a navigation line."""
    match = _NOTE_LINE.fullmatch(line)
    if match:
        label = " ".join(match.group("label").split())
        key = _NOTE_FIELDS.get(label.lower())
        if key is not None:
            return _NoteLine(label, key)
    if _is_navigation(line):
        return _NoteLine(NAVIGATION, None)
    return None


def _is_navigation(line: str) -> bool:
    """``return return return``, ``Next | Previous | Index``: words of site navigation only."""
    # Word by word, stopping at the first other word: a line may be a whole book long.
    count, first, has_key = 0, "", False
    for match in _LETTERS.finditer(line.lower()):
        word = match.group()
        if word not in _NAVIGATION_WORDS:
            return False
        first = first or word
        count += 1
        has_key = has_key or word in _NAVIGATION_KEY
    if not count or re.search(r"[^\w\s|·•<>«»\[\]()/-]", line):
        return False
    return first == "return" if count == 1 else has_key


def _metadata_value(value: str) -> str:
    """The value of a field as stored in metadata: its final full stop dropped."""
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1].rstrip()
    return value


# --------------------------------------------------------------------------------------------
# Footnotes
# --------------------------------------------------------------------------------------------

_FOOTNOTE_BRACKET = re.compile(r"\[(?P<number>\d{1,3})\]")
_FOOTNOTE_DOTTED = re.compile(r"(?P<number>\d{1,3})[.)](?=\s)")
_NOTES_TITLE = re.compile(
    r"(?:(?:foot|end)?notes?|примечания|сноски|notes du traducteur|anmerkungen|fußnoten|הערות)"
    r"\s*:",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _FootnoteLine:
    number: str
    bracketed: bool
    body_start: int  # offset of the footnote's text (after the number), into raw


def _parse_footnote_line(raw: str, line: Span) -> _FootnoteLine | None:
    """Recognise ``[1] text``, ``1. text`` or ``1) text`` at the start of a line."""
    start, end = line
    for pattern, bracketed in ((_FOOTNOTE_BRACKET, True), (_FOOTNOTE_DOTTED, False)):
        match = pattern.match(raw, start, end)
        if match:
            body_start, _ = _trim(raw, match.end(), end)
            if body_start == end:
                body_start = start  # a bare number: keep it as the text
            return _FootnoteLine(match.group("number"), bracketed, body_start)
    return None


def _is_footnote_block(raw: str, block: _Block) -> bool:
    return _parse_footnote_line(raw, block.lines[0]) is not None


def _trailing_footnotes(raw: str, blocks: Sequence[_Block], kinds: list[BlockKind]) -> None:
    """Mark the trailing run of footnote blocks (before any trailing notes) as footnotes.

    The numbers must not decrease.  A run written as ``1. …`` is a numbered list rather than
    footnotes when nothing precedes it or when the block before it ends with a colon (unless
    that block is a title such as ``Notes:``).
    """
    last = len(blocks)
    while last > 0 and kinds[last - 1] == "note":
        last -= 1
    first = last
    while first > 0 and kinds[first - 1] == "body" and _is_footnote_block(raw, blocks[first - 1]):
        first -= 1
    if first == last:
        return
    lines = [
        parsed
        for block in blocks[first:last]
        for line in block.lines
        if (parsed := _parse_footnote_line(raw, line)) is not None
    ]
    numbers = [int(f.number) for f in lines]
    if numbers != sorted(numbers):
        return
    if not all(f.bracketed for f in lines):
        before = [b for b, k in zip(blocks[:first], kinds[:first], strict=True) if k == "body"]
        if not before:
            return
        last_text = raw[before[-1].start : before[-1].end]
        if last_text.endswith(":") and not _NOTES_TITLE.fullmatch(clean_text(last_text)):
            return
    for i in range(first, last):
        kinds[i] = "footnote"


# --------------------------------------------------------------------------------------------
# Footnote markers in body text
# --------------------------------------------------------------------------------------------

_BRACKET_MARKER = re.compile(r"\[(\d{1,3})\]")
# 1-3 digits glued to a letter or to closing punctuation (not to a digit: 2.4, 19.4.2007),
# and not followed by a letter or digit (802.11n, 1st).
_GLUED_MARKER = re.compile(r"(?:(?<=[^\W\d_])|(?<=[.,;:”’»)])(?<!\d[.,;:]))(\d{1,3})(?![\w>])")
# "Vol.4", "No.4", "pp.137" are references, not footnote markers.
_NOT_BEFORE_MARKER = _words("vol no nos nr p pp ch chap art fig t s")


def _find_markers(raw: str, blocks: Iterable[_Block]) -> list[FootnoteMarker]:
    """Footnote markers in body blocks, in reading order.

    ``[n]`` is a marker anywhere but at the start of a line (where it labels a note).  A glued
    number is one only when it continues the sequence of markers found so far (1, 2, 3 …),
    which keeps years, percentages and ``CPSU(b)`` out.
    """
    markers: list[FootnoteMarker] = []
    highest = 0
    for block in blocks:
        for match in _marker_candidates(raw, block.start, block.end):
            number = int(match.group(1))
            if match.group(0).startswith("[") and _starts_line(raw, match.start()):
                continue
            if match.group(0).startswith("[") or (
                number == highest + 1 and not _after_reference_word(raw, match.start())
            ):
                markers.append(FootnoteMarker(match.group(1), match.start(), match.end()))
                highest = max(highest, number)
    return markers


def _marker_candidates(raw: str, start: int, end: int) -> list[re.Match[str]]:
    found = [*_BRACKET_MARKER.finditer(raw, start, end), *_GLUED_MARKER.finditer(raw, start, end)]
    found.sort(key=lambda m: m.start())
    kept: list[re.Match[str]] = []
    for match in found:  # "[12]" also holds a glued-looking "12": keep the bracket
        if kept and match.start() < kept[-1].end():
            continue
        kept.append(match)
    return kept


def _starts_line(raw: str, pos: int) -> bool:
    """Whether only whitespace stands between the line's start and ``pos``."""
    while pos > 0 and raw[pos - 1] not in "\r\n":
        pos -= 1
        if not _is_space(raw[pos]):
            return False
    return True


def _after_reference_word(raw: str, pos: int) -> bool:
    """True for ``Vol.4``, ``No.4``, ``pp.137``: a number after an abbreviation and a dot."""
    if pos == 0 or raw[pos - 1] != ".":
        return False
    word = re.search(r"([^\W\d_]+)\.$", raw[max(0, pos - 8) : pos])
    return word is not None and word.group(1).lower() in _NOT_BEFORE_MARKER


def _markers_in(markers: Sequence[FootnoteMarker], start: int, end: int) -> list[FootnoteMarker]:
    starts = [m.start for m in markers]
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_left(starts, end)
    return [m for m in markers[lo:hi] if m.end <= end]


def _text_without_markers(raw: str, start: int, end: int, markers: Sequence[FootnoteMarker]) -> str:
    """``clean_text`` of ``raw[start:end]`` with the markers inside it cut out."""
    parts: list[str] = []
    pos = start
    for marker in _markers_in(markers, start, end):
        parts.append(raw[pos : marker.start])
        pos = marker.end
    parts.append(raw[pos:end])
    return clean_text("".join(parts))


# --------------------------------------------------------------------------------------------
# Headings
# --------------------------------------------------------------------------------------------

HEADING_MAX_WORDS = 15
HEADING_MAX_LINES = 3
_WORDS_PREFIX = 2_000  # characters of a line read to tell that a block has too many words
_CLOSERS = "\"'”’“‘»›)]"
_OPENERS = "\"'“‘„«‹([¿¡—–-"
_MINOR_WORDS = _words(
    "a an the and or nor but of to in on at by for with from as into via vs "
    "de du des la le les et à au aux en un une pour par sur "
    "der die das und von zu im am mit für "
    "и в во на с со к о об от по для"
)


def _block_is_heading(raw: str, block: _Block, markers: Sequence[FootnoteMarker]) -> bool:
    """:func:`_is_heading` of the block's clean lines, which are made only for a short block."""
    if len(block.lines) > HEADING_MAX_LINES or _more_words_than(
        raw, block, markers, HEADING_MAX_WORDS
    ):
        return False
    return _is_heading([_text_without_markers(raw, s, e, markers) for s, e in block.lines])


def _more_words_than(raw: str, block: _Block, markers: Sequence[FootnoteMarker], most: int) -> bool:
    """Whether the block's clean text certainly has more than ``most`` words, judged by the
    start of each long line, cut at white space (a cut there splits no word or marker)."""
    words = 0
    for start, end in block.lines:
        cut = end
        if end - start > _WORDS_PREFIX:
            space = _WHITESPACE_RUN.search(raw, start + _WORDS_PREFIX, end)
            cut = space.start() if space else end
        words += len(_text_without_markers(raw, start, cut, markers).split())
    return words > most


def _is_heading(lines: Sequence[str]) -> bool:
    """A short block that does not read as a sentence (``Moral and Material Aid``)."""
    if not lines or len(lines) > HEADING_MAX_LINES:
        return False
    if sum(len(line.split()) for line in lines) > HEADING_MAX_WORDS:
        return False
    return all(_heading_line(line) for line in lines)


def _heading_line(line: str) -> bool:
    """One line of a heading: no sentence punctuation at its end (closing quotes aside), no
    dialogue dash at its start, no inner ``? `` or ``! ``; ``!`` or ``?`` only in title case."""
    if line[:1] in "—–-" and line[1:2].isspace():
        return False  # a line of dialogue
    core = line.rstrip(_CLOSERS + "«‹ ")
    if not core or core[-1] in ".,;:…—–-":
        return False
    if re.search(r"[!?…]\s", core):
        return False  # "Wie? Warum?", "Comment? Pourquoi?"
    if core[-1] in "!?":
        return _is_title_case(core)
    return True


def _is_title_case(text: str) -> bool:
    """``Need Our Help!`` is title case; ``Help us!`` and ``To work comrades!`` are not."""
    words = re.findall(r"[^\W\d_][\w'’-]*", text)
    cased = [w for w in words if w[0].isupper() or w[0].islower()]
    if len(words) < 2 or len(cased) < len(words):
        return False
    if not cased[0][0].isupper():
        return False
    return all(w[0].isupper() or w.lower() in _MINOR_WORDS for w in cased)


# --------------------------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------------------------

# Abbreviations after which a full stop does not end a sentence (the form before the dot).
_ABBREVIATIONS_ANY = _words("Dr Prof St Mr Mrs Vol vol Vols cf Cf vs ca ibid Ibid op cit")
_ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": _words(
        "Ms Messrs Rev Hon Mt Gen Col Capt Lt Sgt Maj Adm Gov Sen Rep Pres Fig fig Ch ch Chap "
        "chap Art art Sec sec Ed ed eds trans viz approx Jan Feb Mar Apr Jun Jul Aug Sep Sept "
        "Oct Nov Dec"
    ),
    "fr": _words(
        "M MM Mme Mmes Mlle Mlles Me Mgr Pr Ste chap ch art vol t éd env janv févr avr juil "
        "sept oct nov déc av apr cf réf"
    ),
    "ru": _words(
        "гг вв тт стр см ср им ул кв пер проф Проф акад тов Тов гр ген полк кап напр Напр "
        "англ франц нем лат рус ок"
    ),
    "de": _words(
        "Nr Bd Hr Hrn Fr Abs Art Kap vgl Vgl bzw ca Ca sog evtl ggf inkl Jan Febr Aug Sept "
        "Okt Nov Dez Str"
    ),
    "yi": frozenset(["דר", "ד״ר", "פּראָפ", "פראָפ", "פראפ", "סט", "הר", "נר", "זז", "עמ", "מר"]),
}
# Abbreviations that are one only before a number ("No. 19", but "No. He is ...").
_NUMBER_ABBREVIATIONS = _words("No Nos no nos Nr nr pp")
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


def _base_language(lang: str) -> str:
    """The primary subtag of a BCP 47 tag, lower case, with 3-letter aliases mapped."""
    base = lang.strip().replace("_", "-").split("-", 1)[0].lower()
    if not base.isalpha():
        return "und"
    return _LANGUAGE_ALIASES.get(base, base)


def split_sentences(text: str, lang: str) -> list[Span]:
    """Sentence spans ``(start, end)`` into ``text``, trimmed of whitespace, in order."""
    return _split(text, _base_language(lang), ())


def _split(text: str, base: str, masks: Sequence[Span]) -> list[Span]:
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
    ``“ `` in Yiddish) stays with the sentence before.  None when nothing follows.
    """
    n = len(text)
    pos = _skip_space(text, pos)
    for _ in range(2):
        if pos < n and text[pos] in _CLOSERS and (pos + 1 == n or _is_space(text[pos + 1])):
            pos = _skip_space(text, pos + 1)
    return pos if 0 < pos < n else None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and _is_space(text[pos]):
        pos += 1
    return pos


def _next_letter(text: str, pos: int) -> str | None:
    """The first letter or digit at or after ``pos``, past spaces and opening punctuation."""
    for ch in text[pos : pos + 12]:
        if ch.isalnum():
            return ch
        if not (_is_space(ch) or ch in _OPENERS):
            return None
    return None


def _vetoed(text: str, cut: int, base: str) -> bool:
    """Whether a proposed sentence start at ``cut`` is not one."""
    if not _is_space(text[cut - 1]):
        return True  # inside a token: "U.|R.S.S.", "etc.)|"
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
        while end > 0 and _is_space(text[end - 1]):
            end -= 1
        start = end
        while start > 0 and not _is_space(text[start - 1]):
            start -= 1
        tokens.append(text[start:end].lstrip(_OPENERS))
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
        span = _trim(text, start, end)
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


# --------------------------------------------------------------------------------------------
# Putting it together
# --------------------------------------------------------------------------------------------


@dataclass
class _Result:
    """Segments and metadata collected while walking the blocks."""

    segments: list[Segment]
    metadata: dict[str, str]


def segment_text(raw: str, lang: str, *, unit: SegmentUnit = "sentence") -> Segmentation:
    """Segment ``raw`` (a decoded text) written in language ``lang`` (a BCP 47 tag).

    ``unit`` is ``"sentence"`` (body paragraphs are cut into sentences) or ``"paragraph"``
    (each body paragraph is one segment).  The result is the same for the same ``raw``,
    ``lang``, ``unit`` and :attr:`Segmentation.settings`.
    """
    if unit not in ("sentence", "paragraph"):
        raise InputError(f"unknown segment unit {unit!r} (use 'sentence' or 'paragraph')")
    base = _base_language(lang)
    blocks = [_Block(i, tuple(lines)) for i, lines in enumerate(_split_blocks(raw))]
    kinds = _classify(raw, blocks)
    markers = _find_markers(raw, [b for b, k in zip(blocks, kinds, strict=True) if k == "body"])
    result = _Result([], {})
    for block, kind in zip(blocks, kinds, strict=True):
        if kind == "note":
            _add_notes(raw, block, result)
        elif kind == "footnote":
            _add_footnotes(raw, block, result)
        else:
            _add_body(raw, block, base, unit, markers, result)
    return Segmentation(
        segments=tuple(result.segments),
        metadata=result.metadata,
        footnote_markers=tuple(markers),
        settings=_settings(lang, unit),
    )


def _settings(lang: str, unit: str) -> dict[str, str]:
    return {
        "unit": unit,
        "lang": lang,
        "splitter": SPLITTER,
        "splitter_version": SPLITTER_VERSION,
        "rules": RULES_VERSION,
    }


def _classify(raw: str, blocks: Sequence[_Block]) -> list[BlockKind]:
    """Notes first (a block whose first line is apparatus), then the trailing footnotes."""
    kinds: list[BlockKind] = [
        "note" if _parse_note_line(raw[slice(*b.lines[0])]) else "body" for b in blocks
    ]
    _trailing_footnotes(raw, blocks, kinds)
    return kinds


def _group_lines(block: _Block, starts_item: Iterable[bool]) -> list[tuple[Span, Span]]:
    """Fold lines that do not start an item into the item before: (first line, whole span)."""
    groups: list[tuple[Span, Span]] = []
    for line, starts in zip(block.lines, starts_item, strict=True):
        if starts or not groups:
            groups.append((line, line))
        else:
            first, whole = groups[-1]
            groups[-1] = (first, (whole[0], line[1]))
    return groups


def _add_notes(raw: str, block: _Block, result: _Result) -> None:
    """One note per apparatus line (a line that is not one continues the note before)."""
    starts = [_parse_note_line(raw[slice(*line)]) is not None for line in block.lines]
    for number, (first, (start, end)) in enumerate(_group_lines(block, starts)):
        note = _parse_note_line(raw[slice(*first)])
        assert note is not None  # the first line of a block of notes is a note
        if note.key is not None and note.key not in result.metadata:
            value = clean_text(raw[start:end].split(":", 1)[1])
            if value:
                result.metadata[note.key] = _metadata_value(value)
        text = clean_text(raw[start:end])
        result.segments.append(Segment("note", block.index, number, start, end, text, note.label))


def _add_footnotes(raw: str, block: _Block, result: _Result) -> None:
    """One footnote per numbered line; its span and text leave the number out (see label)."""
    starts = [_parse_footnote_line(raw, line) is not None for line in block.lines]
    for number, (first, (_, end)) in enumerate(_group_lines(block, starts)):
        footnote = _parse_footnote_line(raw, first)
        assert footnote is not None  # a footnote block starts with a numbered line
        start = footnote.body_start
        result.segments.append(
            Segment(
                "footnote", block.index, number, start, end, clean_text(raw[start:end]),
                footnote.number,
            )
        )  # fmt: skip


# "From New International, Vol.4 No.4, May 1938, pp.137-139." heading a paragraph: a citation
# of where the text was printed, not the author's words.
_CITATION_LINE = re.compile(
    r"From\s+(?:the\s+)?[A-Z][^,\n]{0,80},\s*Vol\.?\s*[\dIVXLC]+\b.*", re.IGNORECASE
)
CITATION = "From"


def _split_citation(raw: str, block: _Block, result: _Result) -> _Block:
    """Store a leading citation line as a note; return what is left of the block."""
    start, end = block.lines[0]
    if len(block.lines) < 2 or not _CITATION_LINE.fullmatch(raw[start:end]):
        return block
    text = clean_text(raw[start:end])
    result.metadata.setdefault("source", _metadata_value(text.split(None, 1)[1]))
    result.segments.append(Segment("note", block.index, 0, start, end, text, CITATION))
    return _Block(block.index, block.lines[1:])


def _add_body(
    raw: str,
    whole_block: _Block,
    base: str,
    unit: SegmentUnit,
    markers: Sequence[FootnoteMarker],
    result: _Result,
) -> None:
    """A heading, a whole paragraph, or the sentences of a paragraph."""
    block = _split_citation(raw, whole_block, result)
    first_number = len(whole_block.lines) - len(block.lines)
    kind: SegmentKind
    if _block_is_heading(raw, block, markers):
        kind = "heading"
    elif unit == "paragraph":
        kind = "paragraph"
    else:
        _add_sentences(raw, block, base, markers, result, first_number)
        return
    text = _text_without_markers(raw, block.start, block.end, markers)
    result.segments.append(Segment(kind, block.index, first_number, block.start, block.end, text))


def _add_sentences(
    raw: str,
    block: _Block,
    base: str,
    markers: Sequence[FootnoteMarker],
    result: _Result,
    first_number: int = 0,
) -> None:
    offset = block.start
    inside = _markers_in(markers, block.start, block.end)
    masks = [(m.start - offset, m.end - offset) for m in inside]
    spans = _split(raw[block.start : block.end], base, masks)
    for number, (start, end) in enumerate(spans):
        a, b = start + offset, end + offset
        text = _text_without_markers(raw, a, b, inside)
        result.segments.append(Segment("sentence", block.index, first_number + number, a, b, text))


def presplit_segments(raw: str) -> Segmentation:
    """Segments of an already split text: each non-blank line is one sentence.

    ``paragraph`` is the index of the line's block (blocks are separated by blank lines) and
    ``sentence`` the line's place in it; blank lines are skipped.  Offsets are into ``raw``.
    """
    segments = [
        Segment("sentence", index, number, start, end, clean_text(raw[start:end]))
        for index, lines in enumerate(_split_blocks(raw))
        for number, (start, end) in enumerate(lines)
    ]
    return Segmentation(
        segments=tuple(segments),
        settings={"unit": "sentence", "splitter": "presplit", "rules": RULES_VERSION},
    )
