"""Properties of the text and manifest importers over arbitrary input (Hypothesis).

Whatever the bytes of a text file (invalid UTF-8, NULs, BOMs, control characters, huge lines,
right-to-left and bidi marks, mixed scripts) and whatever a manifest holds (wrong types, missing
fields, odd paths, symbolic links out of the folder, devices and pipes), ``aligner import``
either succeeds or prints exactly one ``Error:`` line with a non-zero exit and no traceback,
and a refused import leaves the database exactly as it was.  An import that succeeds gives the
file back byte for byte and never stores a file from outside the manifest's folder.

One SQLite database per test serves every example (a modest number, no deadline: CI-fast).
"""

from __future__ import annotations

import codecs
import datetime
import hashlib
import json
import math
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aligner.formats.text import control_count
from aligner.services.corpus import _lines, _text_sha256
from tests.conftest import Cli, CliResult, assert_one_line_error
from tests.dbdump import database_dump

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SECRET = "The contents of a file outside the corpus folder."

# --- texts ---------------------------------------------------------------------------------------

ODD_PIECES = [
    "\ufeff", "\x00", "\x07", "\x1b[31m", "\x85", "\u2028", "\u2029", "\r", "\r\n", "\n\n",
    "\t", "\u00a0", "\u202f", "\u200f", "\u200e", "\u202e", "\u2066", "\u2069", "\u0301",
    "דער אַפּעל. ", "צו אַלע קאָמוניסטן! ", "Въ 1905 г. онъ писалъ. ", "« Le parti », dit-il : ",
    "مرحبا بالعالم. ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀. ", "Written: 1930\n", "[1] A footnote.\n", "Deception1 ",
    "return return return\n", "1. An item.\n", "Vol.4 No.4, pp.137. ", "…", "M. Dupont. ",
]  # fmt: skip
text_pieces = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.sampled_from(ODD_PIECES),
    st.integers(200, 6000).map(lambda n: "word " * n),  # a huge line
    st.integers(200, 20000).map(lambda n: "x" * n),  # a huge word
)
texts = st.lists(text_pieces, max_size=25).map("".join)


def encoded(text: str, how: str) -> bytes:
    boms = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE}
    boms |= {"utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE}
    codec = {"utf-8-sig": "utf-8"}.get(how, how)
    return boms.get(how, b"") + text.encode(codec, errors="replace")


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "latin-1", "cp1251"]


def with_stray_bytes(text: str, stray: bytes, at: int) -> bytes:
    data = text.encode("utf-8")
    return data[:at] + stray + data[at:]


file_bytes = st.one_of(
    st.builds(encoded, texts, st.sampled_from(ENCODINGS)),
    st.binary(max_size=3000),
    st.builds(with_stray_bytes, texts, st.binary(min_size=1, max_size=4), st.integers(0, 500)),
)


@pytest.fixture(scope="module")
def module_cli(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    folder = tmp_path_factory.mktemp("properties")
    cli = Cli(f"sqlite:///{folder / 'aligner.sqlite'}")
    cli.ok("init")
    return cli


def check_outcome(cli: Cli, result: CliResult, before: object) -> bool:
    """True for a success; a refusal must be one line and leave the database as it was."""
    assert "Traceback" not in result.stderr
    if result.exit_code == 0:
        assert "Error" not in result.stderr, result.stderr
        return True
    assert_one_line_error(result)
    assert database_dump(cli.db_url) == before
    return False


@SETTINGS
@given(
    data=file_bytes,
    lang=st.sampled_from(["en", "yi", "ru", "fr", "ar", "de", "xx"]),
    unit=st.sampled_from(["sentence", "paragraph"]),
)
def test_any_file_is_imported_whole_or_refused_in_one_line(
    module_cli: Cli, tmp_path_factory: pytest.TempPathFactory, data: bytes, lang: str, unit: str
) -> None:
    folder = tmp_path_factory.mktemp("text")
    path = folder / "text.txt"
    path.write_bytes(data)
    # A work of its own: into a version holding the same text already (say, without the BOM),
    # the import is "unchanged" and the earlier file stays the one shown raw.
    work = folder.name
    before = database_dump(module_cli.db_url)
    args = ("import", path, "--work", work, "--lang", lang, "--unit", unit, "--role", "original")
    if check_outcome(module_cli, module_cli(*args), before):
        label = lang  # each language given is its own canonical tag
        assert module_cli.ok("show", work, "--lang", label, "--raw").stdout_bytes == data
        shown = json.loads(module_cli.ok("show", work, "--lang", label, "-f", "json").stdout)
        offsets = [(s["start"], s["end"]) for s in shown["segments"]]
        assert all(0 <= start < end for start, end in offsets)
        assert offsets == sorted(offsets)


# --- manifests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    folder: Path
    cli: Cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    """A folder of good and bad files, links out of it, a loop, a pipe and a sub-folder."""
    root = tmp_path_factory.mktemp("manifests")
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET + "\n", encoding="utf-8")
    folder = root / "corpus"
    (folder / "sub").mkdir(parents=True)
    (folder / "dir").mkdir()
    files = {
        "a.txt": "Part A\n\nA sentence. Another one.\n\nPart B\n\nA sentence of part B.\n",
        "b.txt": "Часть первая.\n\nЕщё одно предложение.\n",
        "sub/c.txt": "דער אַפּעל.\n",
    }
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "bad.txt").write_bytes("Déjà vu".encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "out.txt").symlink_to(outside / "secret.txt")
    (folder / "sub" / "up.txt").symlink_to("../../outside/secret.txt")
    (folder / "in-link.txt").symlink_to("sub/c.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")
    cli = Cli(f"sqlite:///{root / 'aligner.sqlite'}")
    cli.ok("init")
    yield Corpus(folder, cli)


FILE_NAMES = [
    "a.txt", "b.txt", "sub/c.txt", "sub/../a.txt", "./a.txt", "in-link.txt", "bad.txt",
    "empty.txt", "out.txt", "sub/up.txt", "loop.txt", "zero.txt", "pipe.txt", "dir", "sub",
    "missing.txt", "../outside/secret.txt", "/etc/passwd", "/dev/zero", "", ".", "a\nb",
    "a\x00b", "x" * 300,
]  # fmt: skip
scalars = st.one_of(
    st.text(max_size=12),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def either(valid: tuple[object, ...], odd: tuple[object, ...] = ()) -> st.SearchStrategy[Any]:
    """Mostly one of the ``valid`` values, else one of the ``odd`` ones or any TOML value."""

    def pick(n: int) -> st.SearchStrategy[Any]:
        if n == 0:
            return values
        return st.sampled_from(odd) if odd and n < 4 else st.sampled_from(valid)

    return st.integers(0, 19).flatmap(pick)


def some(strategy: st.SearchStrategy[Any], least: int, most: int) -> st.SearchStrategy[Any]:
    """A list of ``least`` to ``most`` of ``strategy``, or now and then any TOML value."""
    lists = st.lists(strategy, min_size=least, max_size=most)
    return st.integers(0, 19).flatmap(lambda n: values if n == 0 else lists)


ODD_FILES = tuple(name for name in FILE_NAMES if name not in ("a.txt", "b.txt", "sub/c.txt"))
TEXT_KEYS = {
    "start": either(("Part A", "Part B", "A sentence."), ("nowhere", "")),
    "end": either(("Part B",), ("Part A", "nowhere")),
    "editorial": either((["A sentence"], ["Part"], []), ([""], "Part")),
    "unit": either(("sentence", "paragraph"), ("word",)),
}
VERSION_KEYS = {
    "label": either(("en-1", "fr-demo"), ("a/b", '">x', "")),
    "translation_of": either(("en", "ru", "w/en", "en-1"), ("nowhere/en", "w/")),
    "translation_basis": either(("stated", "inferred", "unknown"), ("said",)),
    "demonstration": either((True, False), ("yes",)),
    "title": either(("A title", "Заглавие"), ("a\x00b", "x" * 120)),
    "date": either(("May 1938",), ("x" * 101,)),
    "notes": st.text(max_size=30),
    "colour": values,
    "start": TEXT_KEYS["start"],  # without a file
}
WORK_KEYS = {
    "title": either(("A title",)),
    "author": either(("An author",)),
    "date_written": either(("1938",), ("x" * 101,)),
    "colour": values,
}


def some_of(draw: st.DrawFn, keys: dict[str, st.SearchStrategy[Any]], most: int) -> dict[str, Any]:
    """Up to ``most`` of ``keys``, each with a value drawn from its strategy."""
    chosen = draw(st.lists(st.sampled_from(sorted(keys)), max_size=most, unique=True))
    return {key: draw(keys[key]) for key in chosen}


@st.composite
def version_tables(draw: st.DrawFn) -> dict[str, Any]:
    """A [[work.version]]: a language and a role, often a file, and a few other fields."""
    table = {
        "lang": draw(either(("en", "ru", "fr", "yi"), ("xx", "EN", ""))),
        "role": draw(either(("original", "translation"), ("editor",))),
    }
    if draw(st.booleans()):
        table["file"] = draw(either(("a.txt", "b.txt", "sub/c.txt"), ODD_FILES))
        table |= some_of(draw, TEXT_KEYS, 2)
    return table | some_of(draw, VERSION_KEYS, 2)


@st.composite
def work_tables(draw: st.DrawFn) -> dict[str, Any]:
    table = {
        "slug": draw(either(("w", "v"), ("Bad Slug", "w\n", ""))),
        "version": draw(some(version_tables(), 1, 3)),
    }
    return table | some_of(draw, WORK_KEYS, 2)


manifests = st.fixed_dictionaries({"work": some(work_tables(), 1, 2)})


def toml_value(value: object) -> str:
    """``value`` as TOML (inline tables and arrays only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else repr(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_string(text: str) -> str:
    escaped = re.sub(r'["\\\x00-\x1f\x7f]', lambda m: f"\\u{ord(m.group()):04x}", text)
    return f'"{escaped}"'


def toml_document(manifest: dict[str, object]) -> str:
    return "".join(f"{toml_string(key)} = {toml_value(value)}\n" for key, value in manifest.items())


@SETTINGS
@given(manifest=manifests)
# a file name longer than the file system allows (255 bytes) once crashed the check for it
@example(
    manifest={
        "work": [{"slug": "w", "version": [{"lang": "en", "role": "original", "file": "x" * 300}]}]
    }
)
def test_any_manifest_is_imported_or_refused_in_one_line(
    corpus: Corpus, manifest: dict[str, object]
) -> None:
    (corpus.folder / "manifest.toml").write_text(toml_document(manifest), encoding="utf-8")
    check_manifest_import(corpus)


@SETTINGS
@given(manifest=st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_a_manifest_that_is_not_toml_is_one_line(corpus: Corpus, manifest: str | bytes) -> None:
    data = manifest.encode("utf-8", errors="replace") if isinstance(manifest, str) else manifest
    (corpus.folder / "manifest.toml").write_bytes(data)
    check_manifest_import(corpus)


def check_manifest_import(corpus: Corpus) -> None:
    before = database_dump(corpus.cli.db_url)
    result = corpus.cli("import", corpus.folder)
    check_outcome(corpus.cli, result, before)
    stored = repr(database_dump(corpus.cli.db_url))
    assert SECRET not in stored and "root:x:0:0" not in stored


# --- the memory-lean helpers say what the whole-text versions said ------------------------------

any_text = st.text(st.characters(codec="utf-8"), max_size=200) | st.text(
    st.sampled_from("ab \n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\t\x00\x07\x9f"), max_size=40
)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_lines_are_those_of_splitlines(text: str) -> None:
    lines = list(_lines(text))
    assert [line for _, line in lines] == text.splitlines(keepends=True)
    assert all(text.startswith(line, offset) for offset, line in lines)


@settings(max_examples=300, deadline=None)
@given(text=any_text)
def test_control_count_is_the_cc_category_less_breaks_and_tabs(text: str) -> None:
    allowed = "\t\n\r\f\v\x1c\x1d\x1e\x85"
    expected = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in allowed)
    assert control_count(text) == expected


@settings(max_examples=100, deadline=None)
@given(text=any_text, repeat=st.integers(1, 3000))
def test_the_stretchwise_hash_is_that_of_the_whole_text(text: str, repeat: int) -> None:
    whole = text * repeat
    assert _text_sha256(whole) == hashlib.sha256(whole.encode("utf-8")).hexdigest()
