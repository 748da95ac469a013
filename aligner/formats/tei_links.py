"""The alignments of a TEI document: each ``<linkGrp type="alignment">`` becomes a run between
two versions, checked whole before anything is stored.

A ``<link target>`` is a bead with both sides, a ``<ptr>`` one with a single side (an omission
or an addition); ``subtype`` is the status (``auto`` when absent or not one of ours) and ``cert``
the score: absent, or a decimal number from 0 to 1 (TEI's ``teidata.probability``).  Anything
else in ``cert`` — TEI's certainty words (``high``, ``medium``, ``low``, ``unknown``), ``NaN``,
``1e309``, ``1.5`` — is refused, not stored as a missing score.

A run must be one a reader can review: its links, in document order, take each version's
headings, sentences, paragraphs and footnotes (and any other segment it links, such as an
apparatus note) once each, in reading order.  A segment in two links, one left out, or links
out of order are refused with one line naming the link (its ``xml:id``, else its number and
``target``) and the segment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from lxml import etree

from aligner.core.types import ALIGNED_KINDS, LINK_STATUSES
from aligner.errors import InputError
from aligner.formats.model import AlignedBead, DocRun
from aligner.formats.tei import XML_ID, tei

METHOD = "tei-import"
# What the store's columns hold (models.AlignmentRun): longer values are refused.
RUN_FIELD_LENGTHS = {"method": 50, "model": 200, "code version": 50}
_CODE_VERSION = re.compile(r"^\s*,\s*aligner (\S+?)(?:, made|\.\s*$)")
_DECIMAL = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")
_SHOWN_TARGET = 60


@dataclass(frozen=True)
class LinkedVersion:
    """What the link reader needs of a version: its label, ``xml:id`` and segment kinds."""

    label: str
    element_id: str | None
    kinds: list[str]


class LinkReader:
    """Turns each ``<linkGrp>`` into a run between two versions, checking every pointer and
    that the run covers both versions once, in order."""

    def __init__(
        self,
        path: Path,
        versions: list[LinkedVersion],
        segment_ids: dict[str, tuple[int, int]],
        ids: dict[str, etree._Element],
    ) -> None:
        self.path, self.versions, self.segment_ids, self.ids = path, versions, segment_ids, ids
        self.by_element_id = {v.element_id: i for i, v in enumerate(versions) if v.element_id}
        self.segment_names = {place: f"#{ident}" for ident, place in segment_ids.items()}
        self.groups = 0  # <linkGrp>s read so far

    def run(self, group: etree._Element) -> DocRun:
        self.groups += 1
        group_name = _group_name(group, self.groups)
        pointers = [
            (element, self.resolve(element))
            for element in group
            if element.tag in (tei("link"), tei("ptr"))
        ]
        src, tgt = self.pair(group_name, group, [t for _, targets in pointers for t in targets])
        names = [
            _LinkName(element, number, group_name)
            for number, (element, _) in enumerate(pointers, 1)
        ]
        beads = [
            self.bead(position, element, name, targets, (src, tgt))
            for position, ((element, targets), name) in enumerate(zip(pointers, names, strict=True))
        ]
        for side, version in (("src", src), ("tgt", tgt)):
            sides = [bead.src_ids if side == "src" else bead.tgt_ids for bead in beads]
            self.check_coverage(group_name, version, sides, names)
        description = self.ids.get(group.get("corresp", "").removeprefix("#"))
        made: dict[str, Any] = {
            "method": METHOD, "parameters": {"imported_from": self.path.name, "format": "tei"},
        }  # fmt: skip
        if description is not None:
            made |= self.run_description(description)
        return DocRun(
            self.versions[src].label, self.versions[tgt].label, beads, id=self.groups, **made
        )

    def resolve(self, element: etree._Element) -> list[tuple[int, int]]:
        name = etree.QName(element).localname
        targets = element.get("target", "").split()
        if not targets:
            raise InputError(f"{self.path}: a <{name}> in a <linkGrp> has no target")
        resolved = []
        for target in targets:
            ident = target.removeprefix("#")
            if ident in self.segment_ids:
                resolved.append(self.segment_ids[ident])
            elif target.startswith("#") and ident in self.ids:
                raise InputError(
                    f"{self.path}: a <{name}> points to #{ident}, which is not a segment "
                    f"(<s>, <head>, <p> or <note>) of a version"
                )
            else:
                raise InputError(f"{self.path}: a <{name}> points to an unknown xml:id {target}")
        return resolved

    def pair(
        self, group_name: str, group: etree._Element, targets: list[tuple[int, int]]
    ) -> tuple[int, int]:
        """The source and target versions: from ``domains``, else in order of appearance."""
        domains = [d.removeprefix("#") for d in group.get("domains", "").split()]
        named = [self.by_element_id[d] for d in domains if d in self.by_element_id]
        seen = named if len(named) == 2 else list(dict.fromkeys(v for v, _ in targets))
        if len(seen) != 2 or seen[0] == seen[1]:
            raise InputError(
                f"{self.path}: {group_name} does not align two versions "
                f"(its pointers reach {len(set(seen))})"
            )
        return seen[0], seen[1]

    def bead(
        self,
        position: int,
        element: etree._Element,
        name: _LinkName,
        targets: list[tuple[int, int]],
        pair: tuple[int, int],
    ) -> AlignedBead:
        src, tgt = pair
        stray = [v for v, _ in targets if v not in (src, tgt)]
        if stray:
            raise InputError(
                f"{self.path}: {name} points into version {self.versions[stray[0]].label}, "
                "which its <linkGrp> does not align"
            )
        indexes = {side: sorted(i for v, i in targets if v == side) for side in pair}
        for side, found in indexes.items():
            twice = next((i for i, j in pairwise(found) if i == j), None)
            if twice is not None:
                raise InputError(
                    f"{self.path}: {name} points to {self.segment_name(side, twice)} twice"
                )
        status = element.get("subtype", "auto")
        return AlignedBead(
            position,
            src_ids=tuple(indexes[src]),
            tgt_ids=tuple(indexes[tgt]),
            score=self.score(element.get("cert"), name),
            status=status if status in LINK_STATUSES else "auto",
        )

    def score(self, cert: str | None, name: _LinkName) -> float | None:
        if cert is None:
            return None
        value = float(cert) if _DECIMAL.fullmatch(cert) else math.nan
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise InputError(
                f'{self.path}: {name} has cert="{cert[:20]}", which is not a score (a number '
                "from 0 to 1); give one or leave cert out"
            )
        return value + 0.0  # -0.0 is 0.0

    def check_coverage(
        self,
        group_name: str,
        version: int,
        sides: list[Sequence[int]],
        names: list[_LinkName],
    ) -> None:
        """Refuse a run whose links, in document order, do not take each of the version's
        aligned segments (and any other segment they link) exactly once, in reading order."""
        linked = {index for side in sides for index in side}
        kinds = self.versions[version].kinds
        units = [i for i, kind in enumerate(kinds) if kind in ALIGNED_KINDS or i in linked]
        owner: dict[int, _LinkName] = {}
        following = 0  # the place in ``units`` of the next segment a link must take
        for side, name in zip(sides, names, strict=True):
            for index in side:
                if index in owner:
                    raise InputError(
                        f"{self.path}: {name}: {self.segment_name(version, index)} is in "
                        f"{owner[index].short} too; a segment belongs to one link"
                    )
                if units[following] != index:
                    raise InputError(
                        f"{self.path}: {name}: {self.segment_name(version, units[following])} "
                        f"comes before {self.segment_name(version, index)} but is in no link "
                        "before it; links must take a version's segments in reading order"
                    )
                owner[index] = name
                following += 1
        if following < len(units):
            missing = self.segment_name(version, units[following])
            raise InputError(
                f"{self.path}: {group_name}: {missing} is in no link; every heading, "
                "sentence, paragraph and footnote of the two versions must be in one"
            )

    def segment_name(self, version: int, index: int) -> str:
        label = self.versions[version].label
        ident = self.segment_names.get((version, index))
        return f"{ident} ({label})" if ident else f"segment {index + 1} of {label}"

    def run_description(self, description: etree._Element) -> dict[str, Any]:
        """What the header says of the run: method, model, code version, date (those given)."""
        made: dict[str, Any] = {}
        idents = description.findall(tei("ident"))
        if len(idents) >= 2:
            made = {"method": _clean(idents[0].text), "model": _clean(idents[1].text)}
            found = _CODE_VERSION.match(idents[1].tail or "")
            made["code_version"] = found[1] if found else None
        for field, name in zip(RUN_FIELD_LENGTHS, ("method", "model", "code_version"), strict=True):
            value = made.get(name) or ""
            if len(value) > RUN_FIELD_LENGTHS[field]:
                raise InputError(
                    f"{self.path}: the run described by #{description.get(XML_ID)} has a "
                    f"{field} {len(value)} characters long; the most it may be is "
                    f"{RUN_FIELD_LENGTHS[field]}"
                )
        date = description.find(tei("date"))
        if date is not None:
            with suppress(ValueError):  # a date that is not one: the run's date is unknown
                made["created_at"] = datetime.fromisoformat(date.get("when", ""))
        return {name: value for name, value in made.items() if value is not None}


def _group_name(group: etree._Element, number: int) -> str:
    ident = group.get(XML_ID)
    return f'the <linkGrp xml:id="{ident}">' if ident else f"<linkGrp> number {number}"


class _LinkName:
    """How a message names a link: by ``xml:id``, else by its place, with its target."""

    def __init__(self, element: etree._Element, number: int, group_name: str) -> None:
        name = etree.QName(element).localname
        ident = element.get(XML_ID)
        if ident:
            self.short = self.full = f'<{name} xml:id="{ident}">'
            return
        target = " ".join(element.get("target", "").split())
        if len(target) > _SHOWN_TARGET:
            target = target[: _SHOWN_TARGET - 1] + "…"
        self.short = f"link {number}"
        self.full = f'link {number} of {group_name} (<{name} target="{target}">)'

    def __str__(self) -> str:
        return self.full


def _clean(text: str | None) -> str | None:
    return text.strip() or None if text is not None else None
