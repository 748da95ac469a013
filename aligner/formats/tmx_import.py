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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from aligner import __version__
from aligner.corpus import VersionSpec, WorkSpec, upsert_version, upsert_work
from aligner.errors import InputError
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
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
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
class TmxImportOutcome:
    work: str
    versions: list[tuple[str, str, int, int]]  # label, language, revision, segments
    runs: list[tuple[int, str, str, int]]  # run id, src label, tgt label, links
    units: int
    dropped: dict[str, int]
    warnings: list[str]


def read_tmx(path: Path) -> TmxMemory:
    """Parse ``path`` as TMX or raise :class:`InputError` naming the file and the problem."""
    tree = parse_xml(path)
    _check_doctype(path, tree)
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


def _check_doctype(path: Path, tree: etree._ElementTree) -> None:
    info: Any = tree.docinfo  # lxml-stubs know neither DocInfo.system_url nor DTD.entities()
    dtd = info.internalDTD
    if dtd is not None and list(dtd.entities()):
        names = ", ".join(sorted(e.name or "?" for e in dtd.entities()))
        raise InputError(f"{path}: the DOCTYPE declares entities ({names}); refused")
    if any(isinstance(node, etree._Entity) for node in tree.iter()):
        raise InputError(f"{path}: the document uses entities it does not declare; refused")
    if info.system_url and _SCHEME.match(info.system_url):
        raise InputError(f"{path}: the DOCTYPE points at a network resource ({info.system_url})")


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
        run = _run(session, work.id, memory, segments, language)
        runs.append((run.id, src_label, labels[language], len(run.links)))
    return TmxImportOutcome(
        work=work.slug,
        versions=[
            (
                versions[lang].label,
                lang,
                segments[lang][0].number,
                sum(len(group) for group in segments[lang][1].values()),
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


def _revision(
    session: Session, memory: TmxMemory, version: Version, language: str
) -> tuple[Revision, dict[int, list[Segment]]]:
    """A new revision of ``version`` holding its <tuv>s in order: one segment per <seg>."""
    pieces = [
        (index, variant.text)
        for index, unit in enumerate(memory.units)
        for variant in unit.variants
        if variant.language == language
    ]
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
    current = version.current
    revision = Revision(
        number=current.number + 1 if current else 1, source_document=document, char_start=0,
        char_end=len(text), sha256=digest, segmentation={"from": "tmx", "file": memory.path.name},
        apparatus={},
    )  # fmt: skip
    version.revisions.append(revision)
    session.flush()
    by_unit: dict[int, list[Segment]] = {}
    offset = 0
    for position, (index, piece) in enumerate(pieces):
        segment = Segment(
            revision_id=revision.id, position=position, kind="sentence", paragraph=index,
            sentence=len(by_unit.get(index, [])), start=offset, end=offset + len(piece),
            text=piece, label=None,
        )  # fmt: skip
        by_unit.setdefault(index, []).append(segment)
        offset += len(piece) + 2
    session.add_all(s for group in by_unit.values() for s in group)
    session.flush()
    return revision, by_unit


def _run(
    session: Session,
    work_id: int,
    memory: TmxMemory,
    segments: dict[str, tuple[Revision, dict[int, list[Segment]]]],
    language: str,
) -> AlignmentRun:
    src_revision, src_units = segments[memory.srclang]
    tgt_revision, tgt_units = segments[language]
    run = AlignmentRun(
        work_id=work_id, src_revision=src_revision, tgt_revision=tgt_revision, method=METHOD,
        model="none", code_version=__version__, parameters={"file": memory.path.name},
    )  # fmt: skip
    kinds: Counter[str] = Counter()
    for index, unit in enumerate(memory.units):
        src, tgt = src_units.get(index, []), tgt_units.get(index, [])
        if not src and not tgt:
            continue  # the unit holds neither side; a one-sided unit is an omission or addition
        members = [LinkSegment(segment=s, side="src") for s in src]
        members += [LinkSegment(segment=t, side="tgt") for t in tgt]
        kinds[f"{len(src)}-{len(tgt)}"] += 1
        props = _unit_props(unit, language)
        run.links.append(
            Link(
                position=len(run.links), score=_score(props), status=_status(props),
                members=members,
            )
        )  # fmt: skip
    scores = [link.score for link in run.links if link.score is not None]
    mean_score = round(sum(scores) / len(scores), 4) if scores else 1.0
    run.summary = {
        "beads": len(run.links), "kinds": dict(kinds.most_common()), "mean_score": mean_score,
        "embedded": 0, "reused": 0,
    }  # fmt: skip
    session.add(run)
    session.flush()
    return run


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
