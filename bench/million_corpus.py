"""The real texts of ``../shared/data`` as works: versions, their segments and gold alignments.

Four sources, each read from the files exactly as they are shipped:

* FLORES-200 devtest: one work, English original (FLORES was translated from English) and
  yi/fr/ru/de translations, line-parallel; the metadata file's URLs group lines into articles,
  which become paragraphs.  Gold: one 1-1 bead per line.
* TransRead: five novels, en and fr sentences in cesAlign sentence files; the gold links are
  read in the original's direction (Candide and Voyage au centre de la Terre are French).
* Text+Berg: the dev document and test0-6, one sentence per line, ladder gold (de → fr; the
  data does not say which language each yearbook article was written in).
* Bilinguator: Gogol's *The Nose* (ru, en, fr, de) and two Chekhov stories (ru, en), one
  paragraph a line, line-parallel; ``<h1>`` lines are headings.

Segment offsets are into each revision's text (the stretch of the source file it covers), as
the importer stores them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from _common import FLORES_FILES, data_folder, paragraphs_from_ids

from aligner.core.segmentation import RULES_VERSION, clean_text, presplit_segments
from aligner.core.types import Bead, Segment, SegmentKind
from aligner.formats.cesalign import read_cesalign, read_sentences
from aligner.formats.ladder import read_ladder
from aligner.formats.text import TextFile, read_text_file

# TransRead novel → (slug, title, author, language of the original).
NOVELS = {
    "AlicesAdventuresInWonderland": (
        "alice",
        "Alice's Adventures in Wonderland",
        "Lewis Carroll",
        "en",
    ),
    "Candide": ("candide", "Candide", "Voltaire", "fr"),
    "Emma": ("emma", "Emma", "Jane Austen", "en"),
    "JaneEyre": ("jane-eyre", "Jane Eyre", "Charlotte Brontë", "en"),
    "VoyageAuCentreDeLaTerre": (
        "voyage-centre-terre",
        "Voyage au centre de la Terre",
        "Jules Verne",
        "fr",
    ),
}
BILINGUATOR = {
    "nos": ("ru", "en", "fr", "de"),
    "khameleon": ("ru", "en"),
    "aptekarsha": ("ru", "en"),
}
LICENCES = {
    "flores": "CC BY-SA 4.0 (FLORES-200, via Helsinki-NLP/OPUS-MT-testsets)",
    "transread": "CC BY-SA 4.0 (fyvo/TransReadAlignments; texts from Project Gutenberg)",
    "textberg": "GPL-2 (Text+Berg, via thompsonb/vecalign)",
    "bilinguator": "MIT (bilinguator/aligned-texts)",
}


@dataclass(frozen=True)
class VersionText:
    """One version's text: where it comes from and its segments (offsets into the stretch)."""

    language: str
    role: str
    document: TextFile
    char_start: int
    char_end: int
    segments: tuple[Segment, ...]
    segmentation: dict[str, Any]
    translation_of: str | None = None
    translation_basis: str | None = None
    title: str | None = None
    licence: str | None = None

    @property
    def label(self) -> str:
        return self.language

    @property
    def body(self) -> str:
        return self.document.text[self.char_start : self.char_end]


@dataclass(frozen=True)
class GoldRun:
    """Gold beads between two versions (0-based positions in their segment lists).

    ``filled`` counts the sentences the gold leaves out (Text+Berg's ladders skip a few, and
    one sentence sits in two beads): :func:`complete_beads` adds them as 1-0 or 0-1 beads so
    that the stored run covers every segment once, as an aligner run does.
    """

    src: str
    tgt: str
    beads: tuple[Bead, ...]
    origin: str
    filled: int = 0


@dataclass(frozen=True)
class RealWork:
    slug: str
    title: str
    author: str | None
    notes: str
    versions: tuple[VersionText, ...]
    runs: tuple[GoldRun, ...]

    @property
    def segment_count(self) -> int:
        return sum(len(v.segments) for v in self.versions)


def real_works() -> list[RealWork]:
    """Every work of the four sources; raises SystemExit when ``../shared/data`` is absent."""
    data = data_folder()
    return [flores(data), *transread(data), *textberg(data), *bilinguator(data)]


# --- FLORES-200 ---------------------------------------------------------------------------------


def flores(data: Path) -> RealWork:
    folder = data / "flores"
    articles = _flores_articles(folder / "metadata_devtest.tsv")
    versions = []
    for language, name in FLORES_FILES.items():
        document = read_text_file(folder / f"{name}.devtest")
        segmentation = presplit_segments(document.text)
        segments = tuple(
            replace(s, paragraph=articles[i][0], sentence=articles[i][1])
            for i, s in enumerate(segmentation.segments)
        )
        _check_count(document, len(segments), len(articles))
        versions.append(
            _version(document, language, "en", segments, segmentation.settings, "flores", "stated")
        )
    runs = tuple(_parallel_run("en", v.language, len(articles), "flores") for v in versions[1:])
    return RealWork(
        "flores-devtest", "FLORES-200 devtest", None,
        "Wikinews, Wikivoyage and Wikibooks sentences translated from English; 281 articles",
        tuple(versions), runs,
    )  # fmt: skip


def _flores_articles(path: Path) -> list[tuple[int, int]]:
    """(article number, sentence number in it) for each line, from the metadata's URLs."""
    urls = [line.split("\t", 1)[0] for line in path.read_text("utf-8").splitlines()[1:]]
    places, article, sentence = [], -1, 0
    for index, url in enumerate(urls):
        if index == 0 or url != urls[index - 1]:
            article, sentence = article + 1, 0
        places.append((article, sentence))
        sentence += 1
    return places


# --- TransRead ----------------------------------------------------------------------------------

_S_ELEMENT = re.compile(r"<s\s+id=\"(?P<id>[^\"]+)\"[^>]*>.*?</s>", re.DOTALL)


def transread(data: Path) -> Iterator[RealWork]:
    for name, (slug, title, author, original) in NOVELS.items():
        folder = data / "transread" / f"{name}_EN-FR"
        sides = {
            lang: _cesalign_version(folder / f"cut_{name}_{lang}.xml", lang)
            for lang in ("en", "fr")
        }
        ids = {lang: ids for lang, (_, ids) in sides.items()}
        beads = read_cesalign(folder / f"{name}_sent_align_en-fr.xml", ids["en"], ids["fr"])
        translation = "fr" if original == "en" else "en"
        if original == "fr":
            beads = [Bead(b.tgt, b.src) for b in beads]
        versions = tuple(
            replace(sides[lang][0], role="original") if lang == original
            else replace(
                sides[lang][0], role="translation", translation_of=original,
                translation_basis="stated",
            )
            for lang in (original, translation)
        )  # fmt: skip
        yield RealWork(
            f"transread-{slug}", title, author, "TransRead: a novel and its translation",
            versions, (GoldRun(original, translation, tuple(beads), "transread cesAlign"),),
        )  # fmt: skip


def _cesalign_version(path: Path, language: str) -> tuple[VersionText, list[str]]:
    """The sentences of a cesAlign sentence file, each spanning its ``<s>`` element."""
    document = read_text_file(path)
    ids, texts = read_sentences(path)
    spans = [(m.group("id"), m.start(), m.end()) for m in _S_ELEMENT.finditer(document.text)]
    if [i for i, _, _ in spans] != ids:
        raise SystemExit(f"{path}: the <s id> elements could not be located in the text")
    paragraphs = paragraphs_from_ids(ids) or [0] * len(ids)
    segments = tuple(
        Segment("sentence", paragraph, _sentence_number(sid), start, end, clean_text(text))
        for (sid, start, end), text, paragraph in zip(spans, texts, paragraphs, strict=True)
    )
    settings = {"unit": "sentence", "splitter": "cesalign <s>", "rules": RULES_VERSION}
    version = _version(document, language, None, segments, settings, "transread", None)
    return version, ids


def _sentence_number(sentence_id: str) -> int:
    tail = sentence_id.rpartition(".")[2]
    return int(tail) - 1 if tail.isdigit() else 0


# --- Text+Berg ----------------------------------------------------------------------------------


def textberg(data: Path) -> Iterator[RealWork]:
    folder = data / "textberg"
    for name in ["dev", *(f"test{k}" for k in range(7))]:
        versions = []
        for language in ("de", "fr"):
            document = read_text_file(folder / f"{name}.{language}")
            segmentation = presplit_segments(document.text)
            versions.append(
                _version(
                    document, language, "de", segmentation.segments, segmentation.settings,
                    "textberg", "unknown",
                )
            )  # fmt: skip
        gold = read_ladder(folder / f"{name}.defr")
        beads = complete_beads(gold, len(versions[0].segments), len(versions[1].segments))
        filled = len(beads) - len(gold)
        yield RealWork(
            f"textberg-{name}", f"Text+Berg {name}", None,
            "Swiss Alpine Club yearbook article (de-fr); the data does not say which language "
            "it was written in, so de is recorded as the original",
            tuple(versions), (GoldRun("de", "fr", beads, "textberg ladder", filled),),
        )  # fmt: skip


# --- Bilinguator ----------------------------------------------------------------------------------

_HEADING = re.compile(r"^<h1>(?P<title>.*?)</h1>")
_INLINE_TAGS = re.compile(r"</?(?:i|b|h1)>")
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")


def bilinguator(data: Path) -> Iterator[RealWork]:
    for name, languages in BILINGUATOR.items():
        folder = data / "bilinguator" / name
        read = [_bilinguator_version(folder / f"{name}_{lang}.txt", lang) for lang in languages]
        original, original_lines = read[0]
        if len({len(_LINE.findall(v.document.text)) for v, _ in read}) != 1:
            raise SystemExit(f"{folder}: the languages have different numbers of lines")
        author = clean_text(original.document.text.splitlines()[0])
        runs = tuple(
            GoldRun(
                original.language, version.language,
                _line_beads(original_lines, lines),
                "bilinguator line-parallel",
            )
            for version, lines in read[1:]
        )  # fmt: skip
        yield RealWork(
            f"bilinguator-{name}", original.title or name, author,
            "Bilinguator: a Russian story and its translations, aligned by paragraph",
            tuple(version for version, _ in read), runs,
        )  # fmt: skip


def _bilinguator_version(path: Path, language: str) -> tuple[VersionText, list[int]]:
    """Lines 1-2 are the author and the title; every later line is one paragraph.

    Returns the version and, for each segment, its line number: a line holding only
    ``<delimiter>`` is an empty paragraph, left out of the segments.
    """
    document = read_text_file(path)
    # Only "\n" ends a line: the texts hold other characters str.splitlines() would cut at.
    lines = _LINE.findall(document.text)
    title_match = _HEADING.match(lines[1])
    title = clean_text(title_match.group("title")) if title_match else None
    segments: list[Segment] = []
    line_numbers: list[int] = []
    offset = 0
    for number, line in enumerate(lines[2:]):
        content = line.rstrip("\r\n")
        heading = _HEADING.match(content) is not None
        text = clean_text(_INLINE_TAGS.sub("", content.replace("<delimiter>", " ")))
        if text:
            kind: SegmentKind = "heading" if heading else "paragraph"
            segments.append(Segment(kind, number, 0, offset, offset + len(content), text))
            line_numbers.append(number)
        offset += len(line)
    settings = {"unit": "paragraph", "splitter": "bilinguator lines", "rules": RULES_VERSION}
    version = _version(
        document, language, "ru", tuple(segments), settings, "bilinguator", "inferred"
    )
    body_start = len(lines[0]) + len(lines[1])
    return replace(version, char_start=body_start, title=title), line_numbers


def _line_beads(src_lines: list[int], tgt_lines: list[int]) -> tuple[Bead, ...]:
    """Line i of one file is line i of the other; an empty line on one side is a 1-0 or 0-1."""
    src_at = {line: i for i, line in enumerate(src_lines)}
    tgt_at = {line: j for j, line in enumerate(tgt_lines)}
    return tuple(
        Bead(tuple(i for i in [src_at.get(line)] if i is not None),
             tuple(j for j in [tgt_at.get(line)] if j is not None))
        for line in sorted(src_at.keys() | tgt_at.keys())
    )  # fmt: skip


# --- shared pieces ------------------------------------------------------------------------------


def _version(
    document: TextFile,
    language: str,
    original: str | None,
    segments: Sequence[Segment],
    settings: dict[str, str],
    source: str,
    basis: str | None,
) -> VersionText:
    is_original = original is None or language == original
    return VersionText(
        language=language,
        role="original" if is_original else "translation",
        document=document,
        char_start=0,
        char_end=len(document.text),
        segments=tuple(segments),
        segmentation=dict(settings),
        translation_of=None if is_original else original,
        translation_basis=None if is_original else basis,
        licence=LICENCES[source],
    )


def _parallel_run(src: str, tgt: str, count: int, origin: str) -> GoldRun:
    beads = tuple(Bead((i,), (i,)) for i in range(count))
    return GoldRun(src, tgt, beads, f"{origin} line-parallel")


def complete_beads(beads: Sequence[Bead], n_src: int, n_tgt: int) -> tuple[Bead, ...]:
    """``beads`` with each sentence in one bead only (its first) and every sentence the gold
    leaves out added as a 1-0 or 0-1 bead where it falls in reading order."""
    seen_src: set[int] = set()
    seen_tgt: set[int] = set()
    unique: list[Bead] = []
    for bead in beads:
        src = tuple(i for i in bead.src if i not in seen_src)
        tgt = tuple(j for j in bead.tgt if j not in seen_tgt)
        seen_src.update(src)
        seen_tgt.update(tgt)
        if src or tgt:
            unique.append(Bead(src, tgt, bead.score))
    missing_src = sorted(set(range(n_src)) - seen_src)
    missing_tgt = sorted(set(range(n_tgt)) - seen_tgt)
    out: list[Bead] = []
    for bead in [*unique, Bead((n_src,), (n_tgt,))]:  # a sentinel past both ends
        while missing_src and bead.src and missing_src[0] < bead.src[0]:
            out.append(Bead((missing_src.pop(0),), ()))
        while missing_tgt and bead.tgt and missing_tgt[0] < bead.tgt[0]:
            out.append(Bead((), (missing_tgt.pop(0),)))
        out.append(bead)
    return tuple(out[:-1])


def _check_count(document: TextFile, found: int, expected: int) -> None:
    if found != expected:
        raise SystemExit(f"{document.path}: {found} lines, the metadata describes {expected}")
