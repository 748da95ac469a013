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

A version's file is plain text or any document format ``aligner import`` reads (HTML, EPUB,
DOCX, ODT, PDF, Markdown, SRT, WebVTT), told by its content; ``format = "html"`` forces one.

A version without ``demonstration`` is not one: the manifest describes the corpus as it is, so
importing it again clears a flag the manifest no longer sets.

Every path a manifest names must lead to a file inside the manifest's folder, symbolic links
followed; a value of the wrong TOML type is refused with the entry and the field it is in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from aligner.core.languages import language_info_in
from aligner.errors import AlignerError, InputError
from aligner.formats.documents import FORMATS as DOCUMENT_FORMATS
from aligner.formats.text import max_text_bytes, read_regular_file, shown_path
from aligner.services.corpus import (
    ImportOutcome,
    TextSpec,
    VersionSpec,
    WorkSpec,
    declare_version,
    import_text,
)
from aligner.services.specs import check_version_spec, check_work_spec

MANIFEST_NAME = "manifest.toml"
WORK_KEYS = {"slug", "title", "author", "date_written", "notes", "version"}
TEXT_KEYS = {"file", "start", "end", "editorial", "unit", "format"}
VERSION_STRINGS = {
    "lang",
    "role",
    "label",
    "translation_of",
    "translation_basis",
    "title",
    "translator",
    "date",
    "publication",
    "source",
    "licence",
    "notes",
}
VERSION_KEYS = VERSION_STRINGS | TEXT_KEYS | {"demonstration"}


@dataclass(frozen=True)
class ManifestEntry:
    work: WorkSpec
    version: VersionSpec
    text: TextSpec | None
    where: str = ""  # "work 'x' version 'en'", for messages


def read_manifest(folder: Path) -> list[ManifestEntry]:
    """Parse and check ``folder/manifest.toml``; every problem names the manifest."""
    path = folder / MANIFEST_NAME
    if _missing(path):
        raise InputError(f"{shown_path(folder)}: no {MANIFEST_NAME} in this folder")
    name = shown_path(path)
    data = read_regular_file(path, max_text_bytes())
    try:
        document = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not valid UTF-8 (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        problem = " ".join(str(exc).split())
        raise InputError(f"{name}: not a valid TOML manifest: {problem}") from exc
    except RecursionError as exc:
        raise InputError(f"{name}: not a valid TOML manifest: nested too deeply") from exc
    works = document.get("work")
    if not isinstance(works, list) or not works:
        raise InputError(f"{name}: no [[work]] entries")
    root = _folder_root(name, folder)
    entries = [entry for work in works for entry in _work_entries(name, folder, root, work)]
    # Originals first, so translations can name them whatever the order in the file.
    return sorted(entries, key=lambda e: e.version.role != "original")


def _folder_root(name: str, folder: Path) -> Path:
    try:
        return folder.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise InputError(f"{name}: its folder cannot be resolved ({exc})") from exc


def _work_entries(name: str, folder: Path, root: Path, work: object) -> list[ManifestEntry]:
    if not isinstance(work, dict):
        raise InputError(f"{name}: work must be a [[work]] table, not {_shown(work)}")
    _check_keys(name, "work", work, WORK_KEYS)
    if "slug" not in work:
        raise InputError(f"{name}: a [[work]] has no slug")
    slug = _string(name, "work", "slug", work["slug"])
    where = f"work {slug!r}"
    values = {k: _string(name, where, k, v) for k, v in work.items() if k != "version"}
    spec = WorkSpec(**values)
    _checked(name, where, lambda: check_work_spec(spec))
    versions = work.get("version", [])
    if not isinstance(versions, list) or not all(isinstance(v, dict) for v in versions):
        raise InputError(f"{name}: {where}: version must be [[work.version]] tables")
    if not versions:
        raise InputError(f"{name}: {where} has no [[work.version]]")
    return [_version_entry(name, folder, root, spec, version) for version in versions]


def _version_entry(
    name: str, folder: Path, root: Path, work: WorkSpec, version: dict[str, Any]
) -> ManifestEntry:
    where = f"work {work.slug!r} version {version.get('label', version.get('lang', '?'))!r}"
    _check_keys(name, where, version, VERSION_KEYS)
    for required in ("lang", "role"):
        if required not in version:
            raise InputError(f"{name}: {where} has no {required}")
    values = {k: _string(name, where, k, v) for k, v in version.items() if k in VERSION_STRINGS}
    values["language"] = values.pop("lang")
    demonstration = version.get("demonstration", False)
    if not isinstance(demonstration, bool):
        raise InputError(
            f"{name}: {where}: demonstration must be true or false, not {demonstration!r}"
        )
    language_info_in(f"{name}: {where}", values["language"])
    spec = VersionSpec(**values, demonstration=demonstration)
    _checked(name, where, lambda: check_version_spec(spec))
    text = None
    if "file" in version:
        text = TextSpec(
            path=_inside(name, where, folder, root, _string(name, where, "file", version["file"])),
            start=_optional_string(name, where, "start", version.get("start")),
            end=_optional_string(name, where, "end", version.get("end")),
            editorial=_editorial(name, where, version.get("editorial", [])),
            unit=_unit(name, where, version.get("unit", "sentence")),
            format=_format(name, where, version.get("format")),
        )
    elif TEXT_KEYS & version.keys():
        raise InputError(f"{name}: {where}: start, end, editorial, unit and format need a file")
    return ManifestEntry(work, spec, text, where)


def _checked(name: str, where: str, check: Callable[[], None]) -> None:
    try:
        check()
    except InputError as exc:
        raise InputError(f"{name}: {where}: {exc}") from exc


def _inside(name: str, where: str, folder: Path, root: Path, file: str) -> Path:
    """``folder/file``, if it leads (symbolic links followed) to a place inside the folder."""
    shown = f"{name}: {where}: file {file!r}"
    if not file or "\x00" in file:
        raise InputError(f"{shown} is not a file name")
    path = folder / file
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of symbolic links
        raise InputError(f"{shown} cannot be followed ({exc})") from exc
    if resolved == root:
        raise InputError(f"{shown} names the manifest's folder itself, not a file in it")
    if not resolved.is_relative_to(root):
        raise InputError(f"{shown} is outside the manifest's folder ({shown_path(root)})")
    return path


def _check_keys(name: str, where: str, table: dict[str, Any], allowed: set[str]) -> None:
    unknown = sorted(table.keys() - allowed)
    if unknown:
        shown = ", ".join(key if key.isprintable() else repr(key) for key in unknown)
        raise InputError(f"{name}: {where}: unknown key(s) {shown}")


def _string(name: str, where: str, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise InputError(f"{name}: {where}: {key} must be a string, not {_shown(value)}")
    return value


def _optional_string(name: str, where: str, key: str, value: object) -> str | None:
    return None if value is None else _string(name, where, key, value)


def _editorial(name: str, where: str, value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise InputError(
            f"{name}: {where}: editorial must be a list of the words that begin an editor's "
            f"paragraphs, not {_shown(value)}"
        )
    return tuple(value)


def _unit(name: str, where: str, value: object) -> Literal["sentence", "paragraph"]:
    if value == "sentence" or value == "paragraph":
        return value
    raise InputError(f"{name}: {where}: unit must be sentence or paragraph, not {_shown(value)}")


def _format(name: str, where: str, value: object) -> str | None:
    """A version file's forced format: a document format (a parallel one holds a work)."""
    if value is None:
        return None
    if value not in DOCUMENT_FORMATS:
        raise InputError(
            f"{name}: {where}: format must be one of {', '.join(DOCUMENT_FORMATS)}, "
            f"not {_shown(value)}"
        )
    return str(value)


def _shown(value: object) -> str:
    """A TOML value as the messages show it: its type and, if short, its repr."""
    text = repr(value)
    kind = type(value).__name__
    return f"{text} ({kind})" if len(text) <= 60 else f"a {kind}"


def check_files(entries: list[ManifestEntry]) -> None:
    """Fail before writing anything if a file the manifest names is missing."""
    for entry in entries:
        if entry.text is not None and (problem := _missing(entry.text.path)):
            raise InputError(f"{shown_path(entry.text.path)}: {problem} (named in the manifest)")


def _missing(path: Path) -> str | None:
    """Why ``path`` cannot be there (a name too long for the file system, say), or None."""
    try:
        return None if path.exists() else "no such file"
    except OSError as error:
        return (error.strerror or "cannot be read").lower()


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
    name = shown_path(folder / MANIFEST_NAME)
    return [_import_entry(session, name, entry) for entry in progress(entries)]


def _import_entry(session: Session, name: str, entry: ManifestEntry) -> ImportOutcome:
    try:
        if entry.text is None:
            return declare_version(session, entry.work, entry.version)
        return import_text(session, entry.work, entry.version, entry.text)
    except AlignerError as exc:
        raise type(exc)(f"{name}: {entry.where}: {exc}") from exc
