"""Every evaluation set of the quality benchmarks, each marked development or test.

Development sets (tune and train on them): Text+Berg ``dev`` (de-fr), TransRead Candide en-es and
en-el, the bilinguator stories and the UDHR, paragraph by paragraph (see ``../shared/data``), and
the first three remade with seeded merges and drops the way the FLORES test pairs are made, and
again with every sentence their gold leaves out taken away (scored only, not trained on).
Test sets (report only): Text+Berg ``test0-6``, the five TransRead en-fr novels and FLORES-200
devtest yi/ru/fr-en with seeded merges and drops at three edit settings.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from _common import paragraphs_from_ids
from flores import edited_pair
from scraps import with_scraps

from aligner.core.types import Bead
from aligner.formats.cesalign import read_cesalign, read_sentences
from aligner.formats.ladder import read_ladder
from aligner.formats.xml import parse_xml

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
Paragraphs = tuple[list[int] | None, list[int] | None]
FLORES_LANGUAGES = {"yi": "ydd_Hebr", "ru": "rus_Cyrl", "fr": "fra_Latn"}
# (merge rate, drop rate each way, seed): the settings every FLORES pair is scored at.
FLORES_SETTINGS = ((0.08, 0.04, 1935), (0.12, 0.03, 1936), (0.15, 0.06, 1937))
EN_FR_NOVELS = (
    "AlicesAdventuresInWonderland", "Candide", "Emma", "JaneEyre", "VoyageAuCentreDeLaTerre",
)  # fmt: skip


@dataclass(frozen=True)
class Pair:
    """One document pair with its gold beads and (when known) paragraph numbers."""

    name: str
    src: list[str]
    tgt: list[str]
    gold: list[Bead]
    paragraphs: Paragraphs = (None, None)


@dataclass(frozen=True)
class EvalSet:
    """A named group of pairs scored together (micro average); ``dev``: tuning allowed;
    ``train``: the bead scorer is trained on it (a development set made from the others' text
    is only scored, so that no text is trained on twice)."""

    name: str
    dev: bool
    load: Callable[[], list[Pair]]
    group: str = ""  # sets sharing a group are also summarised together (mean, minimum)
    train: bool = True


def textberg(names: list[str]) -> list[Pair]:
    folder = DATA / "textberg"
    return [
        Pair(
            name,
            (folder / f"{name}.de").read_text("utf-8").splitlines(),
            (folder / f"{name}.fr").read_text("utf-8").splitlines(),
            read_ladder(folder / f"{name}.defr"),
        )
        for name in names
    ]


def transread(book: str, src_lang: str, tgt_lang: str) -> Pair:
    folder = DATA / "transread" / f"{book}_{src_lang.upper()}-{tgt_lang.upper()}"
    src_ids, src = read_sentences(folder / f"cut_{book}_{src_lang}.xml")
    tgt_ids, tgt = read_sentences(folder / f"cut_{book}_{tgt_lang}.xml")
    gold = read_cesalign(folder / f"{book}_sent_align_{src_lang}-{tgt_lang}.xml", src_ids, tgt_ids)
    paragraphs = (paragraphs_from_ids(src_ids), paragraphs_from_ids(tgt_ids))
    return Pair(f"{book} {src_lang}-{tgt_lang}", src, tgt, gold, paragraphs)


def flores(language: str, merge: float, drop: float, seed: int) -> list[Pair]:
    english = (DATA / "flores" / "eng_Latn.devtest").read_text("utf-8").splitlines()
    lines = (DATA / "flores" / f"{FLORES_LANGUAGES[language]}.devtest").read_text("utf-8")
    src, tgt, gold = edited_pair(lines.splitlines(), english, random.Random(seed), merge, drop)
    return [Pair(f"{language}-en {merge:.0%}/{drop:.0%} seed {seed}", src, tgt, gold)]


def _bilinguator_lines(path: Path) -> list[str]:
    lines = path.read_text("utf-8").splitlines()
    cleaned = [re.sub(r"<[^>]+>", " ", line.replace("<delimiter>", " ")) for line in lines]
    return [" ".join(line.split()) or "*" for line in cleaned]


def bilinguator(seed: int = 7, merge: float = 0.08, drop: float = 0.04) -> list[Pair]:
    """Paragraph-parallel stories, as paragraph units with seeded merges and drops."""
    pairs = []
    for story, langs in (("nos", ("ru", "de", "fr")), ("khameleon", ("ru",)),
                         ("aptekarsha", ("ru",))):  # fmt: skip
        english = _bilinguator_lines(DATA / "bilinguator" / story / f"{story}_en.txt")
        for lang in langs:
            other = _bilinguator_lines(DATA / "bilinguator" / story / f"{story}_{lang}.txt")
            rng = random.Random(f"{seed}-{story}-{lang}")
            src, tgt, gold = edited_pair(other, english, rng, merge, drop)
            pairs.append(Pair(f"{story} {lang}-en", src, tgt, gold))
    return pairs


UDHR_FILES = {"yi": "udhr_ydd.xml", "ru": "udhr_rus.xml", "fr": "udhr_fra.xml",
              "de": "udhr_deu_1996.xml", "en": "udhr_eng.xml"}  # fmt: skip


def _udhr_sections(lang: str) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of the preamble and each article, in order."""
    root = parse_xml(DATA / "udhr" / UDHR_FILES[lang])
    sections = []
    for element in root.iter():
        tag = element.tag.split("}")[-1] if isinstance(element.tag, str) else ""
        if tag not in ("preamble", "article"):
            continue
        title, paragraphs = "", []
        for child in element.iter():
            child_tag = child.tag.split("}")[-1] if isinstance(child.tag, str) else ""
            text = " ".join(" ".join(str(t) for t in child.itertext()).split())
            if child_tag == "title" and not title:
                title = text
            elif child_tag == "para" and text:
                paragraphs.append(text)
        sections.append((title, paragraphs))
    return sections


def udhr() -> list[Pair]:
    """The UDHR in paragraph units: titles 1-1, an article's paragraphs 1-1 when both versions
    have as many, else one bead for the whole article (the preamble of fr, ru, de has 9)."""
    english = _udhr_sections("en")
    pairs = []
    for lang in ("yi", "ru", "fr", "de"):
        src: list[str] = []
        tgt: list[str] = []
        gold: list[Bead] = []
        for (src_title, src_paras), (tgt_title, tgt_paras) in zip(
            _udhr_sections(lang), english, strict=True
        ):
            gold.append(Bead((len(src),), (len(tgt),)))
            src.append(src_title)
            tgt.append(tgt_title)
            if len(src_paras) == len(tgt_paras):
                for a, b in zip(src_paras, tgt_paras, strict=True):
                    gold.append(Bead((len(src),), (len(tgt),)))
                    src.append(a)
                    tgt.append(b)
            else:
                gold.append(
                    Bead(
                        tuple(range(len(src), len(src) + len(src_paras))),
                        tuple(range(len(tgt), len(tgt) + len(tgt_paras))),
                    )
                )
                src += src_paras
                tgt += tgt_paras
        pairs.append(Pair(f"udhr {lang}-en", src, tgt, gold))
    return pairs


def edited_gold(pair: Pair, seed: int, merge: float, drop: float) -> Pair:
    """A development pair made harder like the FLORES test pairs: its gold beads (those with
    both sides) become line-parallel units, which then get seeded merges and drops."""
    beads = [b for b in pair.gold if b.src and b.tgt]
    src = [" ".join(pair.src[i] for i in b.src) for b in beads]
    tgt = [" ".join(pair.tgt[j] for j in b.tgt) for b in beads]
    rng = random.Random(f"{seed}-{pair.name}")
    src, tgt, gold = edited_pair(src, tgt, rng, merge, drop)
    return Pair(f"{pair.name} edited {merge:.0%}/{drop:.0%}", src, tgt, gold)


def scrapped(pair: Pair, seed: int) -> Pair:
    """A development pair with runs of untranslated captions and OCR debris inserted (see
    bench/scraps.py), one sentence a line as scanned yearbooks come: with its paragraphs the
    scorer would learn that a scrap is a paragraph of its own, and so is a chapter heading."""
    src, tgt, gold, _ = with_scraps(pair, seed)
    return Pair(f"{pair.name} with scraps", src, tgt, gold)


def without_omissions(pair: Pair) -> Pair:
    """A development pair with every sentence its gold leaves out (1-0 and 0-1 beads, or no
    bead at all) taken away: text as a clean translation comes, on which leaving a sentence
    out is always wrong."""
    src_kept = sorted(i for b in pair.gold if b.src and b.tgt for i in b.src)
    tgt_kept = sorted(j for b in pair.gold if b.src and b.tgt for j in b.tgt)
    src_at = {old: new for new, old in enumerate(src_kept)}
    tgt_at = {old: new for new, old in enumerate(tgt_kept)}
    gold = [
        Bead(tuple(src_at[i] for i in b.src), tuple(tgt_at[j] for j in b.tgt))
        for b in pair.gold
        if b.src and b.tgt
    ]
    src_paragraphs, tgt_paragraphs = pair.paragraphs
    paragraphs = (
        None if src_paragraphs is None else [src_paragraphs[i] for i in src_kept],
        None if tgt_paragraphs is None else [tgt_paragraphs[j] for j in tgt_kept],
    )
    return Pair(
        f"{pair.name} without omissions",
        [pair.src[i] for i in src_kept],
        [pair.tgt[j] for j in tgt_kept],
        gold,
        paragraphs,
    )


def sentence_documents() -> list[Pair]:
    """The development documents with sentence-level gold (Text+Berg dev, Candide en-es and
    en-el): the ones remade with seeded edits and without their omissions."""
    return [*textberg(["dev"]), transread("Candide", "en", "es"), transread("Candide", "en", "el")]


def all_sets() -> list[EvalSet]:
    sets = [
        EvalSet("Text+Berg dev de-fr", True, lambda: textberg(["dev"])),
        EvalSet("Candide en-es", True, lambda: [transread("Candide", "en", "es")]),
        EvalSet("Candide en-el", True, lambda: [transread("Candide", "en", "el")]),
        EvalSet("bilinguator paragraphs", True, bilinguator),
        EvalSet("UDHR paragraphs", True, udhr),
        EvalSet(
            "dev pairs with seeded edits",
            True,
            lambda: [
                edited_gold(pair, seed, merge, drop)
                for seed, merge, drop in ((11, 0.10, 0.05), (12, 0.15, 0.03))
                for pair in sentence_documents()
            ],
        ),
        EvalSet(
            "dev pairs with inserted scraps",
            True,
            lambda: [
                scrapped(pair, 21)
                for pair in [
                    transread("Candide", "en", "es"),
                    transread("Candide", "en", "el"),
                    *bilinguator(),
                ]
            ],
        ),
        EvalSet(
            "dev pairs without omissions",
            True,
            lambda: [without_omissions(pair) for pair in sentence_documents()],
            train=False,
        ),
        EvalSet("Text+Berg test0-6 de-fr", False, lambda: textberg([f"test{k}" for k in range(7)])),
        EvalSet(
            "TransRead 5 novels en-fr",
            False,
            lambda: [transread(book, "en", "fr") for book in EN_FR_NOVELS],
        ),
    ]
    for language in FLORES_LANGUAGES:
        for merge, drop, seed in FLORES_SETTINGS:
            sets.append(
                EvalSet(
                    f"FLORES {language}-en {merge:.0%}/{drop:.0%}",
                    False,
                    partial(flores, language, merge, drop, seed),
                    group=f"FLORES {language}-en",
                )
            )
    return sets


def pairs_of(sets: list[EvalSet]) -> Iterator[tuple[EvalSet, Pair]]:
    for eval_set in sets:
        for pair in eval_set.load():
            yield eval_set, pair
