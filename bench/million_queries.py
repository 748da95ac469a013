"""Seeded real queries drawn from the corpus: concordance and semantic.

Concordance queries are words and phrases taken from the real texts, in every language of the
corpus and its three scripts (Latin with accents, Cyrillic, Hebrew-script Yiddish), of known
frequency: each picker below says how it chooses them.  Frequencies are counted with the
full-text index's own notion of a word (``aligner.core.search_text.words`` over the search
form).

Semantic queries are real sentences and short phrases of the corpus; a sentence searched in
one other language has a gold translation (FLORES line, TransRead or Bilinguator 1-1 bead),
so the timing can also say how often the index puts it first.
"""

from __future__ import annotations

import random
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import KW_ONLY, dataclass, field

from million_corpus import RealWork

from aligner.core.search_text import search_form, words

LANGUAGES = ("en", "fr", "de", "ru", "yi")


CONCORDANCE, SEMANTIC = "concordance", "semantic"


@dataclass(frozen=True)
class Query:
    """One query: its kind and category, the language of its words, its filters, and for a
    semantic query that asks for one language the gold translation it should find first."""

    kind: str
    category: str
    language: str
    text: str
    _: KW_ONLY
    lang: str | None = None
    work: str | None = None
    expected: str | None = None

    def describe(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        where = f" --lang {self.lang}" if self.lang else ""
        where += f" --work {self.work}" if self.work else ""
        return f"{shown!r}{where}"


@dataclass
class LanguageStats:
    """Per language: in how many segments each word occurs, a surface form of it, the texts."""

    frequency: Counter[str] = field(default_factory=Counter)
    surface: dict[str, str] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    def ranked(self) -> list[str]:
        return [word for word, _ in self.frequency.most_common()]


def corpus_stats(works: Sequence[RealWork]) -> dict[str, LanguageStats]:
    stats: dict[str, LanguageStats] = defaultdict(LanguageStats)
    for work in works:
        for version in work.versions:
            language = stats[version.language]
            for segment in version.segments:
                language.texts.append(segment.text)
                found = words(segment.text)
                language.frequency.update({w.key for w in found})
                for w in found:
                    language.surface.setdefault(w.key, segment.text[w.start : w.end])
    return stats


Picker = Callable[[random.Random, str, dict[str, LanguageStats]], Query | None]


def _frequent(rng: random.Random, language: str, stats: dict[str, LanguageStats]) -> Query:
    word = rng.choice(stats[language].ranked()[:10])
    return Query(CONCORDANCE, "frequent word (top 10)", language, stats[language].surface[word])


def _frequent_filtered(rng: random.Random, language: str, stats: dict[str, LanguageStats]) -> Query:
    word = rng.choice(stats[language].ranked()[:10])
    return Query(
        CONCORDANCE, "frequent word, --lang", language, stats[language].surface[word], lang=language
    )


def _middling(rng: random.Random, language: str, stats: dict[str, LanguageStats]) -> Query:
    counts = stats[language].frequency
    word = rng.choice(sorted(w for w, n in counts.items() if 10 <= n <= 100 and len(w) > 3))
    return Query(
        CONCORDANCE, "middling word (10-100 per copy)", language, stats[language].surface[word]
    )


def _rare(rng: random.Random, language: str, stats: dict[str, LanguageStats]) -> Query:
    counts = stats[language].frequency
    word = rng.choice(sorted(w for w, n in counts.items() if n == 1 and len(w) > 5))
    surface = stats[language].surface[word]
    return Query(CONCORDANCE, "rare word (1 per copy), --lang", language, surface, lang=language)


def _phrase(rng: random.Random, language: str, stats: dict[str, LanguageStats]) -> Query | None:
    segment = rng.choice(stats[language].texts)
    found = words(segment)
    if len(found) < 4:
        return None
    size = rng.choice((2, 3))
    first = rng.randrange(len(found) - size + 1)
    return Query(
        CONCORDANCE,
        "phrase (2-3 words)",
        language,
        segment[found[first].start : found[first + size - 1].end],
    )


def _variant(rng: random.Random, language: str, stats: dict[str, LanguageStats]) -> Query | None:
    """An accent-free (Latin), pointless (Hebrew), ё-less or else upper-case spelling."""
    surfaces = sorted(set(stats[language].surface.values()))
    marked = [s for s in surfaces if _strip_marks(s) != s and len(s) > 3]
    if marked:
        return Query(
            CONCORDANCE,
            "word spelt without accents/points",
            language,
            _strip_marks(rng.choice(marked)),
        )
    word = rng.choice([s for s in surfaces if len(s) > 4])
    return Query(CONCORDANCE, "word spelt without accents/points", language, word.upper())


def _strip_marks(word: str) -> str:
    """Hebrew points and ё folded as the index folds them; accents off Latin letters only
    (й is a letter of its own, not и with a mark)."""
    return "".join(_latin_base(c) for c in search_form(word))


def _latin_base(char: str) -> str:
    if not unicodedata.name(char, "").startswith("LATIN"):
        return char
    return "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")


def _absent_in_filter(
    rng: random.Random, language: str, stats: dict[str, LanguageStats]
) -> Query | None:
    """A frequent word of ``language`` searched in a language that never has it (no hits)."""
    others = [other for other in LANGUAGES if other != language]
    target = rng.choice(others)
    candidates = [w for w in stats[language].ranked()[:30] if stats[target].frequency[w] == 0]
    if not candidates:
        return None
    word = rng.choice(candidates[:10])
    return Query(
        CONCORDANCE,
        "frequent word, --lang of a language without it",
        language,
        stats[language].surface[word],
        lang=target,
    )


PICKERS: tuple[Picker, ...] = (
    _frequent, _frequent_filtered, _middling, _rare, _phrase, _variant, _absent_in_filter,
)  # fmt: skip


def concordance_queries(stats: dict[str, LanguageStats], count: int, seed: int) -> list[Query]:
    """``count`` queries: round after round, each category in each language, seeded."""
    rng = random.Random(seed)
    found: list[Query] = []
    while len(found) < count:
        for picker in PICKERS:
            for language in LANGUAGES:
                query = picker(rng, language, stats)
                if query is not None and len(found) < count:
                    found.append(query)
    return found


# --- semantic queries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldPair:
    """A sentence and its gold translation, with the work they come from."""

    work: str
    source: tuple[str, str]  # (language, text)
    target: tuple[str, str]

    def translation_query(self, category: str) -> Query:
        """A semantic query for the sentence that asks for its translation's language."""
        language, text = self.source
        return Query(
            SEMANTIC, category, language, text, lang=self.target[0], expected=self.target[1]
        )


def gold_pairs(works: Sequence[RealWork]) -> dict[str, list[GoldPair]]:
    """1-1 gold beads by origin: ``flores`` (every pair of its languages), ``literary``."""
    pairs: dict[str, list[GoldPair]] = defaultdict(list)
    for work in works:
        texts = {v.language: [s.text for s in v.segments] for v in work.versions}
        if work.slug.startswith("textberg"):
            continue  # tokenised yearbook prose: the literary set is novels and stories
        origin = "flores" if work.slug.startswith("flores") else "literary"
        for run in work.runs:
            for bead in run.beads:
                if len(bead.src) == len(bead.tgt) == 1:
                    src = (run.src, texts[run.src][bead.src[0]])
                    tgt = (run.tgt, texts[run.tgt][bead.tgt[0]])
                    pairs[origin] += [GoldPair(work.slug, src, tgt), GoldPair(work.slug, tgt, src)]
    return pairs


def semantic_queries(
    works: Sequence[RealWork], stats: dict[str, LanguageStats], count: int, seed: int
) -> list[Query]:
    """``count`` queries, round after round of the five categories, seeded."""
    rng = random.Random(seed)
    pairs = gold_pairs(works)
    found: list[Query] = []
    while len(found) < count:
        for language in LANGUAGES:
            flores = [p for p in pairs["flores"] if p.source[0] == language]
            pair = rng.choice(flores)
            found.append(Query(SEMANTIC, "FLORES sentence", language, pair.source[1]))
            pair = rng.choice(flores)
            found.append(pair.translation_query("FLORES sentence, --lang of one translation"))
            literary = [p for p in pairs["literary"] if p.source[0] == language]
            if literary:
                pair = rng.choice(literary)
                found.append(
                    pair.translation_query("novel/story sentence, --lang of its translation")
                )
            phrase = _phrase(rng, language, stats)
            if phrase is not None:
                found.append(Query(SEMANTIC, "phrase (2-3 words)", language, phrase.text))
            pair = rng.choice(flores)
            found.append(
                Query(SEMANTIC, "FLORES sentence, --work", language, pair.source[1], work=pair.work)
            )
    return found[:count]
