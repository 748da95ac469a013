"""Peak memory and seconds of ``aligner import`` on one large text file (issue 11, item 11).

Usage: python bench/import_memory.py [--mb 50] [--shape paragraphs|lines|one-line] [--db URL]

Writes a text of about MB megabytes made of the bundled corpus's paragraphs (every ``.txt``
under corpora/, in order, repeated), imports it with ``aligner import`` in a child process and
prints the child's peak resident memory (``ru_maxrss`` from ``os.wait4``) and its wall-clock
seconds.  ``--shape`` lays the paragraphs out with blank lines between them (the usual text),
with single line breaks (one block of many lines), or on one line (one giant paragraph).
The database is a fresh SQLite file in a temporary folder unless ``--db`` names another one
(for PostgreSQL, an empty database).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import CORPORA

SEPARATORS = {"paragraphs": "\n\n", "lines": "\n", "one-line": " "}


def paragraphs() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted(CORPORA.rglob("*.txt"))]
    return [" ".join(p.split()) for text in texts for p in text.split("\n\n") if p.strip()]


def write_text(path: Path, megabytes: float, shape: str) -> int:
    """Write about ``megabytes`` MB (10^6 bytes) of corpus paragraphs; return the size."""
    wanted, separator = int(megabytes * 1_000_000), SEPARATORS[shape]
    pool, written, index = paragraphs(), 0, 0
    with path.open("w", encoding="utf-8") as stream:
        while written < wanted:
            chunk = pool[index % len(pool)] + separator
            stream.write(chunk)
            written += len(chunk.encode("utf-8"))
            index += 1
    return written


def run_import(path: Path, url: str) -> tuple[int, float, int, str]:
    """Exit code, seconds, peak RSS in kB and output of ``aligner import`` in a child."""
    command = [sys.executable, "-m", "aligner", "--db", url, "--quiet", "import", str(path)]
    command += ["--work", "import-memory", "--lang", "en", "--role", "original"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read().decode("utf-8", errors="replace").strip()
    return child.returncode, seconds, usage.ru_maxrss, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the text (10^6 bytes)")
    parser.add_argument("--shape", choices=sorted(SEPARATORS), default="paragraphs")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="import-memory-") as folder:
        path = Path(folder) / "large.en.txt"
        size = write_text(path, options.mb, options.shape)
        url = options.db or f"sqlite:///{Path(folder) / 'aligner.sqlite'}"
        code, seconds, peak_kb, output = run_import(path, url)
    print(f"text: {size:,} bytes ({options.shape}) from {len(paragraphs())} corpus paragraphs")
    print(f"aligner import: exit {code}, {seconds:.1f} s, peak RSS {peak_kb / 1024:.0f} MiB")
    print(output)


if __name__ == "__main__":
    main()
