"""TMX 1.1-1.4 import: a translation memory becomes a work, one version per language, and one
alignment run per translation whose links are the memory's translation units: confirmed, unless
the memory is one of ours and its ``x-status``/``x-score`` props say otherwise.

The file is read with the one hardened parser (:mod:`aligner.formats.xml`); lxml detects the
encoding from the bytes (UTF-8 with or without BOM, UTF-16 LE/BE with BOM).  A file is refused
whole, before anything is written, when it is not well-formed, is not ``<tmx>`` with a
``<body>``, has no translation unit, or has a DOCTYPE that declares entities or names a network
resource.  Inline markup is reduced to text: the text of ``<hi>`` is kept, the native codes of
``<bpt>``, ``<ept>``, ``<ph>``, ``<it>`` and ``<ut>`` are dropped, and so is the content of
``<sub>`` (a sub-flow such as a tooltip, not part of the sentence); what was dropped is counted.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from sqlalchemy.orm import Session

from aligner import __version__
from aligner.corpus import VersionSpec, WorkSpec, upsert_version, upsert_work
from aligner.errors import InputError
from aligner.formats.beads import rounded_score, stored_run
from aligner.formats.xml import parse_xml
from aligner.languages import language_info
from aligner.store.models import (
    AlignmentRun,
    Link,
    LinkSegment,
    Revision,
    Segment,
    SourceDocument,
    Version,
)

METHOD = "tmx-import"
LINK_STATUSES = ("auto", "confirmed", "corrected")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
KEPT_INLINE = ("hi",)
DROPPED_INLINE = ("bpt", "ept", "ph", "it", "ut", "sub")
_LABEL_REVISION = re.compile(r"^(?P<label>.+) r\d+$")


@dataclass
class TmxVariant:
    language: str
    text: str
    props: dict[str, str] = field(default_factory=dict)


@dataclass
class TmxUnit:
    variants: list[TmxVariant]
    props: dict[str, str]


@dataclass
class TmxMemory:
    """What a TMX file says, reduced to text, with what was dropped and what looked wrong."""

    path: Path
    srclang: str
    units: list[TmxUnit]
    dropped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


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


def read_tmx(path: Path) -> TmxMemory:
    """Parse ``path`` as TMX or raise :class:`InputError` naming the file and the problem."""
    tree = parse_xml(path)
    root = tree.getroot()
    if root.tag != "tmx":
        raise InputError(f"{path}: not a TMX file (the root element is <{root.tag}>, not <tmx>)")
    header, body = root.find("header"), root.find("body")
    if body is None:
        raise InputError(f"{path}: not a TMX file (no <body>)")
    memory = TmxMemory(path=path, srclang="", units=[])
    for tu in body.iter("tu"):
        unit = TmxUnit(variants=[], props=_props(tu))
        for tuv in tu.findall("tuv"):
            language = tuv.get(XML_LANG) or tuv.get("lang")
            seg = tuv.find("seg")
            if not language or seg is None:
                memory.warnings.append("a <tuv> without a language or <seg> was skipped")
                continue
            text = _seg_text(seg, memory.dropped)
            if text.strip():
                unit.variants.append(TmxVariant(_language(path, language), text, _props(tuv)))
        if unit.variants:
            memory.units.append(unit)
    if not memory.units:
        raise InputError(f"{path}: the TMX body holds no translation unit with text")
    memory.srclang = _srclang(memory, header.get("srclang", "") if header is not None else "")
    return memory


def _props(element: etree._Element) -> dict[str, str]:
    return {prop.get("type", ""): prop.text or "" for prop in element.findall("prop")}


def _language(path: Path, tag: str) -> str:
    try:
        return language_info(tag).tag
    except InputError as exc:
        raise InputError(f"{path}: {tag!r} is not a language tag") from exc


def _srclang(memory: TmxMemory, declared: str) -> str:
    first = memory.units[0].variants[0].language
    if declared == "*all*" or not declared:
        return first
    try:
        tag = language_info(declared).tag
    except InputError:
        memory.warnings.append(
            f"srclang {declared!r} is not a language; the first <tuv>'s language {first} is "
            f"taken as the original"
        )
        return first
    if not any(v.language == tag for u in memory.units for v in u.variants):
        memory.warnings.append(f"no <tuv> is in srclang {tag}; {first} is taken as the original")
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


def import_tmx(session: Session, path: Path, slug: str | None) -> TmxImportOutcome:
    """Import the memory in ``path`` into the session's transaction."""
    memory = read_tmx(path)
    ours = memory.units[0].props
    work_slug = slug or ours.get("x-work") or _slug_from(path)
    labels = _labels(memory)
    work = upsert_work(session, WorkSpec(work_slug))
    src_label = labels[memory.srclang]
    languages = sorted({v.language for u in memory.units for v in u.variants})
    ordered = [memory.srclang] + [lang for lang in languages if lang != memory.srclang]
    versions: dict[str, Version] = {}
    for language in ordered:
        is_src = language == memory.srclang
        spec = VersionSpec(
            language,
            "original" if is_src else "translation",
            label=labels[language],
            translation_of=None if is_src else src_label,
            translator=None if is_src else _translator(memory, language),
        )
        versions[language] = upsert_version(session, work, spec)
    segments = {lang: _revision(session, memory, versions[lang], lang) for lang in ordered}
    runs = []
    for language in ordered[1:]:
        run, new = _run(session, work.id, memory, segments, language)
        statuses = Counter(link.status for link in run.links)
        runs.append(StoredRun(run.id, src_label, labels[language], dict(statuses), new))
    return TmxImportOutcome(
        work=work.slug,
        versions=[
            StoredVersion(
                versions[lang].label,
                lang,
                segments[lang][0].number,
                sum(len(group) for group in segments[lang][1].values()),
                segments[lang][2],
            )
            for lang in ordered
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


Stored = tuple[Revision, dict[int, list[Segment]], bool]


def _revision(session: Session, memory: TmxMemory, version: Version, language: str) -> Stored:
    """The revision of ``version`` holding its <tuv>s in order, one segment per <seg>, its
    segments per unit, and whether it is new: the current one is kept if it holds the same."""
    pieces = [
        (index, variant.text)
        for index, unit in enumerate(memory.units)
        for variant in unit.variants
        if variant.language == language
    ]
    current = version.current
    if current is not None and [(s.paragraph, s.kind, s.text) for s in current.segments] == [
        (index, "sentence", piece) for index, piece in pieces
    ]:
        return current, _segments_by_unit(current.segments), False
    text = "\n\n".join(piece for _, piece in pieces)
    raw = text.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    document = session.query(SourceDocument).filter_by(sha256=digest).one_or_none()
    if document is None:
        document = SourceDocument(
            sha256=digest, filename=f"{memory.path.name} ({language})", encoding="utf-8",
            size=len(raw), raw=raw, text=text,
        )  # fmt: skip
        session.add(document)
    revision = Revision(
        number=current.number + 1 if current else 1, source_document=document, char_start=0,
        char_end=len(text), sha256=digest, segmentation={"from": "tmx", "file": memory.path.name},
        apparatus={},
    )  # fmt: skip
    version.revisions.append(revision)
    session.flush()
    segments: list[Segment] = []
    offset = 0
    for position, (index, piece) in enumerate(pieces):
        sentence = sum(1 for s in segments if s.paragraph == index)
        segments.append(
            Segment(
                revision_id=revision.id, position=position, kind="sentence", paragraph=index,
                sentence=sentence, start=offset, end=offset + len(piece), text=piece, label=None,
            )
        )  # fmt: skip
        offset += len(piece) + 2
    session.add_all(segments)
    session.flush()
    return revision, _segments_by_unit(segments), True


def _segments_by_unit(segments: Sequence[Segment]) -> dict[int, list[Segment]]:
    by_unit: dict[int, list[Segment]] = {}
    for segment in segments:
        by_unit.setdefault(segment.paragraph, []).append(segment)
    return by_unit


def _run(
    session: Session,
    work_id: int,
    memory: TmxMemory,
    segments: dict[str, Stored],
    language: str,
) -> tuple[AlignmentRun, bool]:
    """The run of the units that hold either side, and whether it is new: the same run
    already stored between the same revisions is kept instead."""
    src_revision, src_units, _ = segments[memory.srclang]
    tgt_revision, tgt_units, _ = segments[language]
    beads = []
    for index, unit in enumerate(memory.units):
        src, tgt = src_units.get(index, []), tgt_units.get(index, [])
        if src or tgt:  # a unit with one side is an omission or an addition
            props = _unit_props(unit, language)
            beads.append((src, tgt, _score(props), _status(props)))
    wanted = [
        (
            tuple(s.position for s in src),
            tuple(t.position for t in tgt),
            status,
            rounded_score(score),
        )
        for src, tgt, score, status in beads
    ]
    stored = stored_run(session, (src_revision, tgt_revision), (METHOD, "none"), wanted)
    if stored is not None:
        return stored, False
    run = AlignmentRun(
        work_id=work_id, src_revision=src_revision, tgt_revision=tgt_revision, method=METHOD,
        model="none", code_version=__version__, parameters={"file": memory.path.name},
    )  # fmt: skip
    kinds: Counter[str] = Counter()
    for src, tgt, score, status in beads:
        members = [LinkSegment(segment=s, side="src") for s in src]
        members += [LinkSegment(segment=t, side="tgt") for t in tgt]
        kinds[f"{len(src)}-{len(tgt)}"] += 1
        run.links.append(Link(position=len(run.links), score=score, status=status, members=members))
    scores = [link.score for link in run.links if link.score is not None]
    mean_score = round(sum(scores) / len(scores), 4) if scores else 1.0
    run.summary = {
        "beads": len(run.links), "kinds": dict(kinds.most_common()), "mean_score": mean_score,
        "embedded": 0, "reused": 0,
    }  # fmt: skip
    session.add(run)
    session.flush()
    return run, True


def _positions(segments: Sequence[Segment]) -> tuple[int, ...]:
    return tuple(segment.position for segment in segments)


def _unit_props(unit: TmxUnit, language: str) -> dict[str, str]:
    """The unit's props, overridden by those of its first <tuv> in ``language``."""
    props = dict(unit.props)
    props.update(next((v.props for v in unit.variants if v.language == language), {}))
    return props


def _score(props: dict[str, str]) -> float | None:
    try:
        return float(props["x-score"])
    except (KeyError, ValueError):
        return None


def _status(props: dict[str, str]) -> str:
    """Our own x-status when the memory carries one; a memory's unit is otherwise confirmed."""
    status = props.get("x-status", "")
    return status if status in LINK_STATUSES else "confirmed"
