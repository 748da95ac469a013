"""TMX 1.1-1.4 import: a translation memory becomes a work, one version per language, and one
alignment run per translation whose links are the memory's translation units: confirmed, unless
the memory is one of ours and its ``x-status``/``x-score`` props say otherwise.

The file is streamed through the one hardened parser (:mod:`aligner.formats.xml`), each unit
freed once read, so memory holds the texts and not the XML tree; lxml detects the encoding from
the bytes (UTF-8 with or without BOM, UTF-16 LE/BE with BOM).  A file is refused whole, before
anything is written, when it is not well-formed or not valid in its encoding, is not ``<tmx>``
with a ``<body>``, has no translation unit, or has a DOCTYPE that declares entities or names a
network resource.  Inline markup is reduced to text: the text of ``<hi>`` is kept, the native
codes of ``<bpt>``, ``<ept>``, ``<ph>``, ``<it>`` and ``<ut>`` are dropped, and so is the content
of ``<sub>`` (a sub-flow such as a tooltip, not part of the sentence); what was dropped is
counted.  Only our own props (``x-work``, ``x-status`` …) are kept; other tools' are not read.
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
from sqlalchemy.orm import Session

from aligner.core.languages import language_info
from aligner.errors import InputError
from aligner.formats.tmx_store import StoredRevision, UnitBead, store_revision, store_run
from aligner.formats.xml import check_no_entities, release, stream_xml
from aligner.services.corpus import (
    MAX_SEGMENT_CHARS,
    VersionSpec,
    WorkSpec,
    upsert_version,
    upsert_work,
)

METHOD = "tmx-import"
LINK_STATUSES = ("auto", "confirmed", "corrected")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
KEPT_INLINE = ("hi",)
DROPPED_INLINE = ("bpt", "ept", "ph", "it", "ut", "sub")
OUR_PROPS = frozenset(
    ("x-work", "x-src-version", "x-tgt-version", "x-version", "x-translator", "x-status",
     "x-score")
)  # fmt: skip
NO_PROPS: Mapping[str, str] = MappingProxyType({})
MAX_LANGUAGE = 35  # models.Version.language
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


@dataclass(frozen=True)
class StoredVersion:
    label: str
    language: str
    revision: int
    segments: int
    new: bool  # a new revision, rather than the current one holding the same segments


@dataclass(frozen=True)
class StoredRun:
    id: int
    src: str
    tgt: str
    statuses: dict[str, int]  # links per status
    new: bool  # rather than the same run found already stored

    @property
    def links(self) -> int:
        return sum(self.statuses.values())


@dataclass(frozen=True)
class TmxImportOutcome:
    work: str
    versions: list[StoredVersion]
    runs: list[StoredRun]
    units: int
    dropped: dict[str, int]
    warnings: list[str]


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


# Storing ---------------------------------------------------------------------------------


def import_tmx(session: Session, path: Path, slug: str | None) -> TmxImportOutcome:
    """Import the memory in ``path`` into the session's transaction."""
    memory = read_tmx(path)
    try:
        return _store(session, memory, slug)
    except InputError as exc:  # a conflict with what the database holds
        raise InputError(f"{path}: {exc}") from exc


def _store(session: Session, memory: TmxMemory, slug: str | None) -> TmxImportOutcome:
    work = upsert_work(session, WorkSpec(slug or memory.units[0].props.get("x-work") or
                                         _slug_from(memory.path)))  # fmt: skip
    labels = _labels(memory)
    languages = sorted({v.language for u in memory.units for v in u.variants})
    ordered = [memory.srclang] + [lang for lang in languages if lang != memory.srclang]
    versions = {}
    for language in ordered:
        is_src = language == memory.srclang
        spec = VersionSpec(
            language,
            "original" if is_src else "translation",
            label=labels[language],
            translation_of=None if is_src else labels[memory.srclang],
            translator=None if is_src else _translator(memory, language),
        )
        versions[language] = upsert_version(session, work, spec)
    segmentation = {"from": "tmx", "file": memory.path.name}
    revisions: dict[str, StoredRevision] = {}
    for language in ordered:
        units, texts = _pieces(memory, language)
        source = (f"{memory.path.name} ({language})", segmentation)
        revisions[language] = store_revision(session, versions[language], units, texts, source)
    runs = [_run(session, work.id, memory, revisions, labels, language) for language in ordered[1:]]
    unscored = sum(1 for unit in memory.units for p in _all_props(unit) if _unscored(p))
    if unscored:
        values = "value is" if unscored == 1 else "values are"
        memory.warn(f"{unscored} x-score {values} not a finite number; those links have no score")
    return TmxImportOutcome(
        work=work.slug,
        versions=[
            StoredVersion(labels[lang], lang, stored.number, len(stored.segment_ids), stored.new)
            for lang, stored in revisions.items()
        ],
        runs=runs,
        units=len(memory.units),
        dropped=dict(sorted(memory.dropped.items())),
        warnings=memory.warnings,
    )


def _slug_from(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", path.stem.lower()).strip("-._")
    return slug or "tmx"


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


def _pieces(memory: TmxMemory, language: str) -> tuple[list[int], list[str]]:
    """The unit index and text of each <tuv> in ``language``, in order: one segment each."""
    units, texts = [], []
    for index, unit in enumerate(memory.units):
        for variant in unit.variants:
            if variant.language == language:
                units.append(index)
                texts.append(variant.text)
    return units, texts


def _run(
    session: Session,
    work_id: int,
    memory: TmxMemory,
    revisions: dict[str, StoredRevision],
    labels: dict[str, str],
    language: str,
) -> StoredRun:
    """The run of the units that hold either side (a unit with one side is an omission or
    an addition), unless the same run is stored already between the same revisions."""
    src, tgt = revisions[memory.srclang], revisions[language]
    beads = []
    for index, src_range, tgt_range in _unit_ranges(src.units, tgt.units):
        props = _unit_props(memory.units[index], language)
        beads.append(UnitBead(src_range, tgt_range, _score(props), _status(props)))
    run_id, new = store_run(
        session, (work_id, src, tgt), (METHOD, "none"), beads, {"file": memory.path.name}
    )
    statuses = Counter(bead.status for bead in beads)
    return StoredRun(run_id, labels[memory.srclang], labels[language], dict(statuses), new)


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
