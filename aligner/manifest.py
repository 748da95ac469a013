"""Corpus folders: a ``manifest.toml`` naming works, their versions and the files that hold them.

[[work]]
slug = "rappoport-statement-1938"
title = "Charles Rappoport’s Statement"

[[work.version]]
lang = "fr"
role = "original"            # no file: declared, its text is not in the corpus

[[work.version]]
lang = "en"
role = "translation"
translation_of = "fr"        # a label in this work, or WORK/LABEL
translation_basis = "inferred"
file = "new-international-1938-05/why-we-quit-the-communist-party.en.txt"
start = "Charles Rappoport’s Statement"   # first line of this text inside the file

[[work.version]]
lang = "fr"
label = "fr-demo"            # a second French version would need its own label
role = "translation"
translation_of = "en"
demonstration = true         # written for this project to show the tool, not a historical text
file = "demonstration/why-we-quit-introduction.fr-demo.txt"

A version without ``demonstration`` is not one: the manifest describes the corpus as it is, so
importing it again clears a flag the manifest no longer sets.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, cast

from sqlalchemy.orm import Session

from aligner.corpus import (
    ImportOutcome,
    TextSpec,
    VersionSpec,
    WorkSpec,
    declare_version,
    import_text,
)
from aligner.errors import InputError
from aligner.languages import language_info_in

MANIFEST_NAME = "manifest.toml"
WORK_KEYS = {f.name for f in fields(WorkSpec)} | {"version"}
VERSION_KEYS = {f.name for f in fields(VersionSpec)} - {"language"} | {
    "lang",
    "file",
    "start",
    "end",
    "editorial",
    "unit",
}


@dataclass(frozen=True)
class ManifestEntry:
    work: WorkSpec
    version: VersionSpec
    text: TextSpec | None


def read_manifest(folder: Path) -> list[ManifestEntry]:
    """Parse and check ``folder/manifest.toml``; every problem names the manifest."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise InputError(f"{folder}: no {MANIFEST_NAME} in this folder")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a valid TOML manifest: {exc}") from exc
    works = data.get("work")
    if not isinstance(works, list) or not works:
        raise InputError(f"{path}: no [[work]] entries")
    entries = [entry for work in works for entry in _work_entries(path, folder, work)]
    # Originals first, so translations can name them whatever the order in the file.
    return sorted(entries, key=lambda e: e.version.role != "original")


def _work_entries(path: Path, folder: Path, work: dict[str, Any]) -> list[ManifestEntry]:
    _check_keys(path, "work", work, WORK_KEYS)
    if "slug" not in work:
        raise InputError(f"{path}: a [[work]] has no slug")
    versions = work.get("version", [])
    if not versions:
        raise InputError(f"{path}: work {work['slug']!r} has no [[work.version]]")
    spec = WorkSpec(**{k: _string(path, k, v) for k, v in work.items() if k != "version"})
    return [_version_entry(path, folder, spec, version) for version in versions]


def _version_entry(
    path: Path, folder: Path, work: WorkSpec, version: dict[str, Any]
) -> ManifestEntry:
    where = f"work {work.slug!r} version {version.get('label', version.get('lang', '?'))!r}"
    _check_keys(path, where, version, VERSION_KEYS)
    for required in ("lang", "role"):
        if required not in version:
            raise InputError(f"{path}: {where} has no {required}")
    text_keys = {"file", "start", "end", "editorial", "unit"}
    values = {k: v for k, v in version.items() if k not in text_keys}
    values["language"] = values.pop("lang")
    demonstration = values.pop("demonstration", False)
    if not isinstance(demonstration, bool):
        raise InputError(
            f"{path}: {where}: demonstration must be true or false, not {demonstration!r}"
        )
    language_info_in(f"{path}: {where}", _string(path, "lang", values["language"]))
    spec = VersionSpec(
        **{k: _string(path, k, v) for k, v in values.items()}, demonstration=demonstration
    )
    text = None
    if "file" in version:
        text = TextSpec(
            path=folder / _string(path, "file", version["file"]),
            start=version.get("start"),
            end=version.get("end"),
            editorial=tuple(version.get("editorial", ())),
            unit=cast(Any, version.get("unit", "sentence")),
        )
        if text.unit not in ("sentence", "paragraph"):
            raise InputError(f"{path}: {where}: unit must be sentence or paragraph")
    elif text_keys & version.keys():
        raise InputError(f"{path}: {where}: start, end, editorial and unit need a file")
    return ManifestEntry(work, spec, text)


def _check_keys(path: Path, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(table.keys() - allowed)
    if unknown:
        raise InputError(f"{path}: {where}: unknown key(s) {', '.join(unknown)}")


def _string(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InputError(f"{path}: {key} must be a string, not {value!r}")
    return value


def check_files(entries: list[ManifestEntry]) -> None:
    """Fail before writing anything if a file the manifest names is missing."""
    for entry in entries:
        if entry.text is not None and not entry.text.path.is_file():
            raise InputError(f"{entry.text.path}: no such file (named in the manifest)")


def import_manifest(
    session: Session,
    folder: Path,
    progress: Callable[[list[ManifestEntry]], Iterable[ManifestEntry]] = iter,
) -> list[ImportOutcome]:
    """Import every work and version a corpus folder's manifest names.

    ``progress`` wraps the entries as they are imported (the CLI passes a progress bar).
    """
    entries = read_manifest(folder)
    check_files(entries)
    return [
        import_text(session, e.work, e.version, e.text)
        if e.text is not None
        else declare_version(session, e.work, e.version)
        for e in progress(entries)
    ]
