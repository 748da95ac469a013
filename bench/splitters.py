"""Compare sentence splitters on real multilingual text and print a table.

Gold data: FLORES-200 devtest (``../shared/data/flores``), one sentence per line, line i the
same sentence in every language.  Paragraphs of 3-5 consecutive lines (fixed seed, the same
line ranges in every language) are joined with one space; a splitter is right on a paragraph
when it gives back exactly its lines.  The table also shows boundary F1 (boundaries counted
in non-space characters, so a splitter that rewrites whitespace is not punished for it), the
hand-written cases of ``splitters_cases.py`` (pre-1918 Russian, French typography, English
abbreviations, Yiddish) and speed.

Run it with any Python that has the candidates installed, e.g.::

    python3 -m venv /tmp/splitvenv
    /tmp/splitvenv/bin/pip install pysbd sentencex sentence-splitter razdel syntok segtok \
        blingfire numpy
    /tmp/splitvenv/bin/python bench/splitters.py

A library that is not installed is skipped with a message.  The row ``aligner.core.segmentation`` is
this project's own ``split_sentences`` (it needs the chosen library too).
"""

from __future__ import annotations

import argparse
import importlib
import random
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent))

from _common import SHARED, print_header, print_row  # noqa: E402
from splitters_cases import CASES  # noqa: E402

LANGS: dict[str, str] = {
    "ru": "rus_Cyrl",
    "fr": "fra_Latn",
    "en": "eng_Latn",
    "yi": "ydd_Hebr",
    "de": "deu_Latn",
}

Split = Callable[[str, str], list[str]]


@dataclass
class Candidate:
    """A splitter under test: its name, version and a ``split(text, lang)`` function."""

    name: str
    version: str
    split: Split
    note: str = ""


def _version(dist: str) -> str:
    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def _per_language(make: Callable[[str], Any], run: Callable[[Any, str], Iterable[str]]) -> Split:
    """A split function over one splitter object per language, made when first needed; the
    languages the library has no rules for get its English ones."""
    cache: dict[str, Any] = {}

    def split(text: str, lang: str) -> list[str]:
        code = lang if lang in {"ru", "fr", "en", "de"} else "en"
        if code not in cache:
            cache[code] = make(code)
        return list(run(cache[code], text))

    return split


def _pysbd() -> Candidate:
    pysbd = importlib.import_module("pysbd")
    split = _per_language(
        lambda code: pysbd.Segmenter(language=code, clean=False),
        lambda segmenter, text: segmenter.segment(text),
    )
    return Candidate("pysbd", _version("pysbd"), split, "yi -> en rules")


def _sentencex() -> Candidate:
    sentencex = importlib.import_module("sentencex")

    def split(text: str, lang: str) -> list[str]:
        return list(sentencex.segment(lang, text))

    return Candidate("sentencex", _version("sentencex"), split)


def _sentence_splitter() -> Candidate:
    module = importlib.import_module("sentence_splitter")
    split = _per_language(
        lambda code: module.SentenceSplitter(language=code),
        lambda splitter, text: splitter.split(text),
    )
    return Candidate("sentence-splitter", _version("sentence-splitter"), split, "yi -> en prefixes")


def _razdel() -> Candidate:
    razdel = importlib.import_module("razdel")

    def split(text: str, lang: str) -> list[str]:
        return [s.text for s in razdel.sentenize(text)]

    return Candidate("razdel", _version("razdel"), split, "Russian rules for every language")


def _syntok() -> Candidate:
    segmenter = importlib.import_module("syntok.segmenter")

    def split(text: str, lang: str) -> list[str]:
        out: list[str] = []
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                start = sentence[0].offset
                last = sentence[-1]
                out.append(text[start : last.offset + len(last.value)])
        return out

    return Candidate("syntok", _version("syntok"), split, "language-agnostic")


def _segtok() -> Candidate:
    segmenter = importlib.import_module("segtok.segmenter")

    def split(text: str, lang: str) -> list[str]:
        return list(segmenter.split_single(text))

    return Candidate("segtok", _version("segtok"), split, "language-agnostic")


def _blingfire() -> Candidate:
    blingfire = importlib.import_module("blingfire")

    def split(text: str, lang: str) -> list[str]:
        _, offsets = blingfire.text_to_sentences_and_offsets(text)
        return [text[a:b] for a, b in offsets]

    return Candidate("blingfire", _version("blingfire"), split, "language-agnostic")


def _aligner() -> Candidate:
    segment = importlib.import_module("aligner.core.segmentation")

    def split(text: str, lang: str) -> list[str]:
        return [text[a:b] for a, b in segment.split_sentences(text, lang)]

    settings = segment.segment_text("x", "en").settings
    used = f"{settings.get('splitter')} {settings.get('splitter_version')} + rules"
    return Candidate("aligner.core.segmentation", used, split, "this project")


LOADERS: list[tuple[str, Callable[[], Candidate]]] = [
    ("pysbd", _pysbd),
    ("sentencex", _sentencex),
    ("sentence-splitter", _sentence_splitter),
    ("razdel", _razdel),
    ("syntok", _syntok),
    ("segtok", _segtok),
    ("blingfire", _blingfire),
    ("aligner.core.segmentation", _aligner),
]


def load_candidates(only: set[str] | None) -> list[Candidate]:
    """Import every splitter that is installed; say which are skipped and why."""
    found: list[Candidate] = []
    for name, loader in LOADERS:
        if only and name not in only:
            continue
        try:
            found.append(loader())
        except Exception as exc:  # a missing or broken library is skipped, not fatal
            print(f"skipped {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    return found


# A FLORES line is sometimes two sentences ("... ЮНЕСКО. Часть леса ..."), which no splitter
# should be blamed for splitting.  Lines where any cased language shows a clear internal
# sentence end (a word that is not a known abbreviation or an initial, then . ! ? or …, then
# an upper-case letter) are left out of every language, so all rows score the same lines.
_CLEAR_END = re.compile(r"(\w+)([.!?…]+)[\"»”“)']*\s+[\"«„“(]?([^\W\d_])")
_ABBREVIATION_WORDS = (
    "dr mr mrs ms prof st gen jr sr inc ltd co corp vs no vol jan feb mar apr aug sep sept "
    "oct nov dec mt ft lt col capt gov sen rep rev etc ca approx bzw vgl nr ggf usw mme mlle "
    "pr ste гг г вв в км см др т п им ул тыс млн млрд руб проф св"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())


def _clearly_several(line: str) -> bool:
    for match in _CLEAR_END.finditer(line):
        word, stop, following = match.groups()
        if not following.isupper():
            continue
        if stop == "." and (len(word) == 1 or word.lower() in _ABBREVIATIONS):
            continue
        return True
    return False


def flores_paragraphs(
    flores: Path, count: int, seed: int
) -> tuple[dict[str, list[list[str]]], int]:
    """``count`` runs of 3-5 consecutive single-sentence lines, the same in every language.

    Returns the runs per language and how many of the lines were kept as single sentences.
    """
    lines = {
        lang: [
            s.strip()
            for s in flores.joinpath(f"{code}.devtest").read_text(encoding="utf-8").splitlines()
        ]
        for lang, code in LANGS.items()
    }
    total = min(len(v) for v in lines.values())
    keep = [
        i
        for i in range(total)
        if not any(_clearly_several(lines[lang][i]) for lang in LANGS if lang != "yi")
    ]
    rng = random.Random(seed)
    runs: list[list[int]] = []
    for _ in range(count):
        size = rng.randint(3, 5)
        start = rng.randrange(0, len(keep) - size)
        runs.append(keep[start : start + size])
    paragraphs = {lang: [[text[i] for i in run] for run in runs] for lang, text in lines.items()}
    return paragraphs, len(keep)


def _boundaries(sentences: Iterable[str]) -> set[int]:
    """Sentence ends as counts of non-space characters, the last one left out."""
    ends: list[int] = []
    total = 0
    for sentence in sentences:
        total += sum(1 for ch in sentence if not ch.isspace())
        ends.append(total)
    return set(ends[:-1])


@dataclass
class Score:
    """Exact paragraphs, boundary counts and time for one splitter on one data set."""

    exact: int = 0
    total: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    seconds: float = 0.0
    chars: int = 0

    @property
    def f1(self) -> float:
        denom = 2 * self.tp + self.fp + self.fn
        return 1.0 if denom == 0 else 2 * self.tp / denom


def score(cand: Candidate, lang: str, paragraphs: list[list[str]]) -> Score:
    """Run one splitter over gold paragraphs (lists of sentences joined by one space)."""
    result = Score()
    for gold in paragraphs:
        text = " ".join(gold)
        began = time.perf_counter()
        try:
            got = [s.strip() for s in cand.split(text, lang) if s.strip()]
        except Exception as exc:
            print(f"{cand.name} failed on {lang}: {exc}", file=sys.stderr)
            got = [text]
        result.seconds += time.perf_counter() - began
        result.chars += len(text)
        result.total += 1
        result.exact += got == gold
        want, have = _boundaries(gold), _boundaries(got)
        result.tp += len(want & have)
        result.fp += len(have - want)
        result.fn += len(want - have)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--paragraphs", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1935)
    parser.add_argument("--only", nargs="*", help="splitter names to run")
    parser.add_argument("--show-errors", metavar="NAME", help="print the cases NAME gets wrong")
    args = parser.parse_args(argv)

    flores = args.shared / "data" / "flores"
    if not flores.is_dir():
        print(f"no FLORES data at {flores}", file=sys.stderr)
        return 1
    data, kept = flores_paragraphs(flores, args.paragraphs, args.seed)
    candidates = load_candidates(set(args.only) if args.only else None)
    langs = list(LANGS)

    print(
        f"FLORES devtest: {args.paragraphs} paragraphs of 3-5 consecutive sentences "
        f"(from the {kept} lines that are single sentences), seed {args.seed}"
    )
    print("cell: exact paragraphs % / boundary F1 (FLORES) ; hand cases right/total")
    print_header("splitter", "version", *langs, "kchar/s", "note")
    for cand in candidates:
        cells: list[str] = []
        seconds = 0.0
        chars = 0
        for lang in langs:
            fl = score(cand, lang, data[lang])
            hand = score(cand, lang, CASES.get(lang, []))
            seconds += fl.seconds
            chars += fl.chars
            cells.append(
                f"{100 * fl.exact / fl.total:.1f} / {fl.f1:.3f} ; {hand.exact}/{hand.total}"
            )
        speed = chars / seconds / 1000 if seconds else float("inf")
        print_row(cand.name, cand.version, *cells, f"{speed:,.0f}", cand.note)
        if args.show_errors == cand.name:
            _show_errors(cand, data)
    return 0


def _show_errors(cand: Candidate, data: dict[str, list[list[str]]]) -> None:
    for lang in LANGS:
        for gold in [*CASES.get(lang, []), *data[lang]]:
            text = " ".join(gold)
            got = [s.strip() for s in cand.split(text, lang) if s.strip()]
            if got != gold:
                print(f"  [{lang}] gold={gold}\n        got ={got}")


if __name__ == "__main__":
    raise SystemExit(main())
