"""How long ``aligner import FILE.tmx`` takes, and how much memory it holds, as the memory grows.

Writes translation memories the way ``aligner export tmx --tgt de,fr,ru,yi`` writes one (TMX
1.4b, the DOCTYPE, a unit per stretch of the English original with ``x-work`` and
``x-src-version`` props, a ``<tuv>`` per translation with ``x-version``, ``x-translator``,
``x-status`` and ``x-score``; about 3% of translations leave a unit out) from the real sentences
of FLORES-200 devtest (English, German, French, Russian, Yiddish; ``../shared/data/flores``).
Past the 1,012 sentences, a unit joins two of them, so units stay distinct.  Each import runs
as ``python -m aligner import`` in a fresh process into a fresh database, twice (the second
import finds everything stored and writes nothing); the figures are that process's wall time
CPU time and peak resident memory (``wait4``).  Prints figures; asserts nothing.

    python bench/tmx_import.py [--units 10000 100000] [--mb 200] [--tgt de,fr,ru,yi]
                               [--postgres ADMIN_URL] [--fts-split]

``--fts-split`` adds an SQLite import whose database lacks the full-text index's insert trigger
(migration 0005: the search form is about 100 nested ``replace()`` calls per segment), to show
how much of the time is that trigger's.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from _common import FLORES_FILES, flores_lines
from lxml import etree
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TRANSLATIONS = sorted(set(FLORES_FILES) - {"en"})
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
WORK = "flores-devtest-memory"
OMITTED = 0.03


def sentences() -> dict[str, list[str]]:
    found = {language: flores_lines(language) for language in FLORES_FILES}
    if len({len(lines) for lines in found.values()}) != 1:
        raise SystemExit("FLORES-200 devtest: the languages do not have the same number of lines")
    return found


def write_memory(
    path: Path, size: tuple[int | None, int | None], targets: list[str], seed: int
) -> int:
    """Write the memory; stop after ``units`` units or once the file holds ``megabytes`` MB."""
    (units, megabytes), lines, rng = size, sentences(), random.Random(seed)
    count = len(lines["en"])
    header = {
        "creationtool": "aligner", "creationtoolversion": "bench", "segtype": "sentence",
        "o-tmf": "aligner", "adminlang": "en", "srclang": "en", "datatype": "plaintext",
        "creationdate": "20240101T000000Z",
    }  # fmt: skip
    written = 0
    with path.open("wb") as out, etree.xmlfile(out, encoding="UTF-8") as xml:
        xml.write_declaration()
        xml.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
        with xml.element("tmx", version="1.4"):
            xml.write(etree.Element("header", header))
            with xml.element("body"):
                while (units is None or written < units) and (
                    megabytes is None or out.tell() < megabytes * 1_000_000
                ):
                    first, round_ = written % count, written // count
                    picked = [first] if round_ == 0 else [first, (first * 7 + round_) % count]
                    xml.write(_unit(written, picked, lines, targets, rng), pretty_print=True)
                    written += 1
                    if written % 1000 == 0:
                        out.flush()
    return written


def _unit(
    number: int,
    picked: list[int],
    lines: dict[str, list[str]],
    targets: list[str],
    rng: random.Random,
) -> etree._Element:
    """A unit as the export writes it: with one translation, every prop on the <tu>; with
    several, each translation's own on its <tuv>."""
    tu = etree.Element("tu", tuid=f"{WORK}:en:r1:{number}")
    _prop(tu, "x-work", WORK)
    _prop(tu, "x-src-version", "en r1")
    _variant(tu, "en", " ".join(lines["en"][i] for i in picked))
    for language in targets:
        if rng.random() < OMITTED:
            continue
        tuv = _variant(tu, language, " ".join(lines[language][i] for i in picked))
        roll = rng.random()
        props = [
            ("x-version", f"{language} r1"),
            ("x-translator", "FLORES-200 translators"),
            ("x-status", "corrected" if roll < 0.02 else "confirmed" if roll < 0.12 else "auto"),
            ("x-score", f"{rng.uniform(0.3, 1.0):.4f}"),
        ]
        if len(targets) == 1:
            props[0] = ("x-tgt-version", props[0][1])
            for kind, value in props:
                _prop(tu, kind, value, before=tu.find("tuv"))
        else:
            for kind, value in props:
                _prop(tuv, kind, value, before=tuv[-1])
    return tu


def _variant(tu: etree._Element, language: str, value: str) -> etree._Element:
    tuv = etree.SubElement(tu, "tuv", {XML_LANG: language})
    etree.SubElement(tuv, "seg").text = value
    return tuv


def _prop(
    parent: etree._Element, kind: str, value: str, before: etree._Element | None = None
) -> None:
    prop = etree.Element("prop", type=kind)
    prop.text = value
    if before is None:
        parent.append(prop)
    else:
        before.addprevious(prop)


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # seconds of the import process (user + system), not the database server's
    peak: float  # MiB
    last_line: str


def timed_import(db_url: str, path: Path) -> Measured:
    """One import in a fresh process: its wall and CPU time, peak RSS and last output line."""
    output, errors = path.with_suffix(".out"), path.with_suffix(".err")
    with output.open("wb") as stdout, errors.open("wb") as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "aligner", "--db", db_url, "import", str(path)],
            stdout=stdout, stderr=stderr,
        )  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)  # this child's own figures
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"import failed ({process.returncode}): {errors.read_text()[-2000:]}")
    last = output.read_text().strip().splitlines()[-1]
    return Measured(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, last)


def without_fts_trigger(db_url: str) -> None:
    """Create the schema, then drop SQLite's full-text insert trigger: to see its share."""
    subprocess.run([sys.executable, "-m", "aligner", "--db", db_url, "init"], check=True,
                   capture_output=True)  # fmt: skip
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as connection:
        connection.execute("DROP TRIGGER segments_fts_insert")


@contextmanager
def database(kind: str, folder: Path, postgres: str | None) -> Iterator[str]:
    if kind.startswith("sqlite"):
        yield f"sqlite:///{folder / f'{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    assert postgres is not None
    name = f"aligner_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0"))
    try:
        yield make_url(postgres).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--mb", type=int, nargs="*", default=[200], help="memories of this size")
    parser.add_argument("--tgt", default="de,fr,ru,yi", help="translations (of de,fr,ru,yi)")
    parser.add_argument("--postgres", help="also import into a fresh database on this server")
    parser.add_argument(
        "--fts-split", action="store_true",
        help="also import into SQLite without its full-text trigger, to show the trigger's share",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=1938)
    options = parser.parse_args()
    targets = [t for t in options.tgt.split(",") if t]
    if not targets or set(targets) - set(TRANSLATIONS):
        raise SystemExit(f"--tgt: a comma-separated list of {', '.join(TRANSLATIONS)}")
    kinds = ["sqlite"] + (["sqlite, no fts trigger"] if options.fts_split else [])
    kinds += ["postgresql"] if options.postgres else []
    sizes = [(units, None) for units in options.units] + [(None, mb) for mb in options.mb]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        baseline = subprocess.run(
            [sys.executable, "-c", "import resource, aligner.cli; "
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        print(f"python with the aligner CLI loaded: {int(baseline.stdout) / 1024:.0f} MiB")
        print(f"memories: en with {', '.join(targets)}; wall and CPU seconds, peak RSS in MiB")
        print(f"{'database':<22} {'units':>7} {'MB':>6} {'import':>7} {'cpu':>6} {'peak':>6} "
              f"{'again':>6} {'cpu':>6} {'peak':>6}")  # fmt: skip
        for units, megabytes in sizes:
            path = folder / "memory.tmx"
            written = write_memory(path, (units, megabytes), targets, options.seed)
            size = path.stat().st_size / 1_000_000
            for kind in kinds:
                with database(kind, folder, options.postgres) as url:
                    if kind.startswith("sqlite,"):
                        without_fts_trigger(url)
                    first, again = timed_import(url, path), timed_import(url, path)
                    if "unchanged" not in again.last_line:
                        raise SystemExit(f"the second import wrote something: {again.last_line}")
                print(
                    f"{kind:<22} {written:>7} {size:>6.1f} {first.wall:>7.1f} {first.cpu:>6.1f} "
                    f"{first.peak:>6.0f} {again.wall:>6.1f} {again.cpu:>6.1f} {again.peak:>6.0f}",
                    flush=True,
                )
            path.unlink()


if __name__ == "__main__":
    main()
