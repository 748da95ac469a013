"""TMX 1.1-1.4 reader: a translation memory becomes a parallel document: a work, one version per
language, and one alignment run per translation whose beads are the memory's translation units:
confirmed, unless the memory is one of ours and its ``x-status``/``x-score`` props say otherwise.

The file is streamed through the one hardened parser (:mod:`aligner.formats.xml`), each unit
freed once read, so memory holds the texts and not the XML tree; lxml detects the encoding from
the bytes (UTF-8 with or without BOM, UTF-16 LE/BE with BOM).  A file is refused whole, before
anything is written, when it is not well-formed or not valid in its encoding, is not ``<tmx>``
with a ``<body>``, has no translation unit, or has a DOCTYPE that declares entities or names a
network resource.  Inline markup is reduced to text: the text of ``<hi>`` is kept, the native
codes of ``<bpt>``, ``<ept>``, ``<ph>``, ``<it>`` and ``<ut>`` are dropped, and so is the content
of ``<sub>`` (a sub-flow such as a tooltip, not part of the sentence); what was dropped is
counted.  Only our own props (``x-work``, ``x-status`` …) are kept; other tools' are not read.

A language's ``<tuv>``s are its version's text: one sentence segment each, its paragraph the
unit's index and its sentence number its place among that unit's ``<tuv>``s of the language.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from lxml import etree

from aligner.core.languages import language_info
from aligner.core.types import LINK_STATUSES
from aligner.errors import InputError
from aligner.formats.columns import BeadColumns, SentenceColumns
from aligner.formats.model import (
    MAX_LANGUAGE,
    MAX_SEGMENT_CHARS,
    DocRun,
    DocVersion,
    DocWork,
    ParallelDocument,
    VersionRef,
    slug_from_name,
)
from aligner.formats.xml import check_no_entities, release, stream_xml

METHOD = "tmx-import"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
KEPT_INLINE = ("hi",)
DROPPED_INLINE = ("bpt", "ept", "ph", "it", "ut", "sub")
OUR_PROPS = frozenset(
    ("x-work", "x-src-version", "x-tgt-version", "x-version", "x-translator", "x-status",
     "x-score")
)  # fmt: skip
NO_PROPS: Mapping[str, str] = MappingProxyType({})
SKIPPED_TUV = "a <tuv> without a language or <seg> was skipped"
_LABEL_REVISION = re.compile(r"^(?P<label>.+) r\d+$")


@dataclass(slots=True)
class TmxVariant:
    language: str
    text: str
    props: Mapping[str, str]  # shared between <tuv>s with the same props: read only


@dataclass(slots=True)
class TmxUnit:
    variants: list[TmxVariant]
    props: Mapping[str, str]


@dataclass
class TmxMemory:
    """What a TMX file says, reduced to text, with what was dropped and what looked wrong."""

    path: Path
    srclang: str
    units: list[TmxUnit]
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)

    def warn(self, warning: str) -> None:
        if warning not in self.warnings:
            self.warnings.append(warning)


# Reading ---------------------------------------------------------------------------------


def read_tmx(path: Path) -> TmxMemory:
    """Parse ``path`` as TMX or raise :class:`InputError` naming the file and the problem.

    The units are the ``<tu>`` elements inside the root's first ``<body>``, in document order.
    """
    elements = stream_xml(path, ("header", "tu"))
    root = next(elements)
    if root.tag != "tmx":
        raise InputError(f"{path}: not a TMX file (the root element is <{root.tag}>, not <tmx>)")
    reader = _UnitReader(TmxMemory(path=path, srclang="", units=[]))
    header: etree._Element | None = None
    body: etree._Element | None = None
    for element in elements:
        if element.tag == "header":
            if header is None and element.getparent() is root:
                check_no_entities(path, element)
                header = element
            continue
        body = body if body is not None else root.find("body")
        if body is not None and _outermost_unit_in(element, body):
            check_no_entities(path, element)
            for tu in element.iter("tu"):  # a <tu> inside another one, too, as before
                reader.read(tu)
            release(element)
    if root.find("body") is None:
        raise InputError(f"{path}: not a TMX file (no <body>)")
    memory = reader.memory
    if not memory.units:
        raise InputError(f"{path}: the TMX body holds no translation unit with text")
    memory.srclang = _srclang(memory, header.get("srclang", "") if header is not None else "")
    return memory


def _outermost_unit_in(tu: etree._Element, body: etree._Element) -> bool:
    """Whether ``tu`` lies in ``body`` and in no other ``<tu>``."""
    if tu.getparent() is body:
        return True
    ancestors = list(tu.iterancestors())
    return not any(a.tag == "tu" for a in ancestors) and any(a is body for a in ancestors)


class _UnitReader:
    """Turns ``<tu>`` elements into units, sharing equal props and language tags between them
    so a large memory holds little more than its texts."""

    def __init__(self, memory: TmxMemory) -> None:
        self.memory = memory
        self.languages: dict[str, str] = {}
        self.props_seen: dict[tuple[tuple[str, str], ...], Mapping[str, str]] = {}

    def read(self, tu: etree._Element) -> None:
        """Add the unit ``tu`` holds, if it has text: its props and ``<tuv>``s (children)."""
        variants: list[TmxVariant] = []
        props: dict[str, str] = {}
        for child in tu:
            tag = child.tag
            if tag == "tuv":
                self.variant(child, variants)
            elif tag == "prop":
                _add_prop(props, child)
        if variants:
            self.memory.units.append(TmxUnit(variants, self.shared(props)))

    def variant(self, tuv: etree._Element, variants: list[TmxVariant]) -> None:
        language = tuv.get(XML_LANG) or tuv.get("lang")
        seg: etree._Element | None = None
        props: dict[str, str] = {}
        for child in tuv:
            tag = child.tag
            if tag == "prop":
                _add_prop(props, child)
            elif tag == "seg" and seg is None:
                seg = child
        if not language or seg is None:
            self.memory.warn(SKIPPED_TUV)
            return
        text = _seg_text(seg, self.memory.dropped) if len(seg) else seg.text or ""
        if len(text) > MAX_SEGMENT_CHARS:
            raise InputError(
                f"{self.memory.path}: the <seg> at line {seg.sourceline} is {len(text):,} "
                f"characters long, more than the {MAX_SEGMENT_CHARS:,} one segment may hold"
            )
        if text.strip():
            variants.append(TmxVariant(self.language(language), text, self.shared(props)))

    def shared(self, props: dict[str, str]) -> Mapping[str, str]:
        """``props``, or an equal mapping already read: read only, shared by many units."""
        if not props:
            return NO_PROPS
        key = tuple(props.items())
        found = self.props_seen.get(key)
        if found is None:
            found = self.props_seen[key] = MappingProxyType(props)
        return found

    def language(self, tag: str) -> str:
        known = self.languages.get(tag)
        if known is None:
            try:
                known = language_info(tag).tag
            except InputError as exc:
                raise InputError(f"{self.memory.path}: {tag!r} is not a language tag") from exc
            if len(known) > MAX_LANGUAGE:
                raise InputError(
                    f"{self.memory.path}: the language tag {tag!r} is longer than "
                    f"{MAX_LANGUAGE} characters"
                )
            self.languages[tag] = known
        return known


def _add_prop(props: dict[str, str], prop: etree._Element) -> None:
    kind = prop.get("type")
    if kind in OUR_PROPS:
        props[kind] = prop.text or ""


def _srclang(memory: TmxMemory, declared: str) -> str:
    first = memory.units[0].variants[0].language
    if declared == "*all*" or not declared:
        return first
    try:
        tag = language_info(declared).tag
    except InputError:
        memory.warn(
            f"srclang {declared!r} is not a language; the first <tuv>'s language {first} is "
            f"taken as the original"
        )
        return first
    if not any(v.language == tag for u in memory.units for v in u.variants):
        memory.warn(f"no <tuv> is in srclang {tag}; {first} is taken as the original")
        return first
    return tag


def _seg_text(seg: etree._Element, dropped: Counter[str]) -> str:
    parts = [seg.text or ""]
    for child in seg:
        parts.append(_inline_text(child, dropped))
        parts.append(child.tail or "")
    return "".join(parts)


def _inline_text(element: etree._Element, dropped: Counter[str]) -> str:
    if not isinstance(element.tag, str):
        return ""  # a processing instruction
    if element.tag in KEPT_INLINE:
        return _seg_text(element, dropped)
    dropped[element.tag] += 1
    return ""


# The document ----------------------------------------------------------------------------


def read_tmx_document(path: Path) -> ParallelDocument:
    """The memory in ``path`` as a parallel document; the memory itself is not kept."""
    return memory_document(read_tmx(path))


def memory_document(memory: TmxMemory) -> ParallelDocument:
    """The work (named by our ``x-work`` prop, else after the file), a version per language
    (the source language's first) and a run from the original to each translation."""
    labels = _labels(memory)
    languages = sorted({v.language for u in memory.units for v in u.variants})
    ordered = [memory.srclang] + [lang for lang in languages if lang != memory.srclang]
    versions = [
        _version(memory, labels, language, number) for number, language in enumerate(ordered, 1)
    ]
    runs = [
        _run(memory, versions[0], version, number) for number, version in enumerate(versions[1:], 1)
    ]
    unscored = sum(1 for unit in memory.units for p in _all_props(unit) if _unscored(p))
    if unscored:
        values = "value is" if unscored == 1 else "values are"
        memory.warn(f"{unscored} x-score {values} not a finite number; those links have no score")
    slug = memory.units[0].props.get("x-work") or slug_from_name(memory.path.stem, "tmx")
    return ParallelDocument(
        DocWork(slug),
        versions,
        runs,
        units=len(memory.units),
        dropped=dict(sorted(memory.dropped.items())),
        warnings=memory.warnings,
    )


def _version(memory: TmxMemory, labels: dict[str, str], language: str, number: int) -> DocVersion:
    original = language == memory.srclang
    return DocVersion(
        labels[language],
        language,
        id=number,
        role="original" if original else "translation",
        translation_of=None if original else VersionRef(labels[memory.srclang]),
        translator=None if original else _translator(memory, language),
        segments=_segments(memory, language),
    )


def _labels(memory: TmxMemory) -> dict[str, str]:
    """Version label per language: ours from x-src-version and x-tgt-version (or a <tuv>'s
    x-version, in a memory of several translations), else the tag."""
    labels: dict[str, str] = {}
    for unit in memory.units:
        src = _LABEL_REVISION.match(unit.props.get("x-src-version", ""))
        tgt = _LABEL_REVISION.match(unit.props.get("x-tgt-version", ""))
        for variant in unit.variants:
            found = src if variant.language == memory.srclang else tgt
            found = _LABEL_REVISION.match(variant.props.get("x-version", "")) or found
            if found and variant.language not in labels:
                labels[variant.language] = found["label"]
    for unit in memory.units:
        for variant in unit.variants:
            labels.setdefault(variant.language, variant.language)
    return labels


def _translator(memory: TmxMemory, language: str) -> str | None:
    """Our x-translator prop: the first <tuv> in ``language`` that has one, else the unit's."""
    for unit in memory.units:
        for variant in unit.variants:
            if variant.language == language:
                found = variant.props.get("x-translator") or unit.props.get("x-translator")
                if found:
                    return found
    return None


def _segments(memory: TmxMemory, language: str) -> SentenceColumns:
    """A segment per <tuv> in ``language``, in order: paragraph the unit, sentence the place
    among the unit's <tuv>s in that language."""
    segments = SentenceColumns()
    previous, sentence = -1, 0
    for index, unit in enumerate(memory.units):
        for variant in unit.variants:
            if variant.language == language:
                sentence = sentence + 1 if index == previous else 0
                previous = index
                segments.append(index, sentence, variant.text)
    return segments


def _run(memory: TmxMemory, src: DocVersion, tgt: DocVersion, number: int) -> DocRun:
    """The run of the units that hold either side (a unit with one side is an omission or
    an addition), in unit order."""
    units = [_paragraphs(version) for version in (src, tgt)]
    beads = BeadColumns()
    for index, src_range, tgt_range in _unit_ranges(*units):
        props = _unit_props(memory.units[index], tgt.language)
        beads.append(src_range, tgt_range, _score(props), _status(props))
    parameters = {"file": memory.path.name}
    return DocRun(src.label, tgt.label, beads, id=number, method=METHOD, parameters=parameters)


def _paragraphs(version: DocVersion) -> Sequence[int]:
    segments = version.segments
    return segments.paragraphs if isinstance(segments, SentenceColumns) else []


def _unit_ranges(src: Sequence[int], tgt: Sequence[int]) -> Iterator[tuple[int, range, range]]:
    """(unit index, its source segments, its target segments) of each unit holding either
    side, in unit order; ``src`` and ``tgt`` are each segment's unit index, ascending."""
    i = j = 0
    while i < len(src) or j < len(tgt):
        unit = min(src[i] if i < len(src) else math.inf, tgt[j] if j < len(tgt) else math.inf)
        i_end, j_end = i, j
        while i_end < len(src) and src[i_end] == unit:
            i_end += 1
        while j_end < len(tgt) and tgt[j_end] == unit:
            j_end += 1
        yield int(unit), range(i, i_end), range(j, j_end)
        i, j = i_end, j_end


def _unit_props(unit: TmxUnit, language: str) -> dict[str, str]:
    """The unit's props, overridden by those of its first <tuv> in ``language``."""
    props = dict(unit.props)
    props.update(next((v.props for v in unit.variants if v.language == language), {}))
    return props


def _all_props(unit: TmxUnit) -> list[Mapping[str, str]]:
    return [unit.props, *(variant.props for variant in unit.variants)]


def _score(props: Mapping[str, str]) -> float | None:
    """Our x-score; anything but a finite number is no score."""
    try:
        value = float(props["x-score"])
    except (KeyError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _unscored(props: Mapping[str, str]) -> bool:
    return "x-score" in props and _score(props) is None


def _status(props: Mapping[str, str]) -> str:
    """Our own x-status when the memory carries one; a memory's unit is otherwise confirmed."""
    status = props.get("x-status", "")
    return status if status in LINK_STATUSES else "confirmed"
