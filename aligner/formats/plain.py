"""Plain exports for spreadsheets and scripts: TSV, CSV (RFC 4180) and JSON Lines.

Each has one record per bead, in reading order, with the same fields: ``position`` (the bead's
place in the run), ``kind`` (source sentences-target sentences, as ``1-2``), ``score`` (four
decimals; empty or null when the run has none), ``status`` (``auto``, ``confirmed``,
``corrected``), ``src_ids`` and ``tgt_ids`` (the sentences' segment positions), ``src_text``
and ``tgt_text`` (the bead's sentences in reading order joined with a space, as stored).

All three are UTF-8 without a byte-order mark.  TSV has a header line and one line per bead,
fields separated by tabs; it cannot quote, so tabs and line breaks inside a text are written as
spaces (and counted).  CSV is written by the ``csv`` module: a header row, fields quoted where
they need it, CRLF line ends.  JSON Lines is one object per line, non-ASCII written as is.
In TSV and CSV the ids are separated by spaces; in JSON they are lists of integers.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from aligner.formats.model import AlignedBead

FIELDS = ("position", "kind", "score", "status", "src_ids", "tgt_ids", "src_text", "tgt_text")
FORMATS = ("tsv", "csv", "jsonl")

# Everything str.splitlines() breaks at, and the tab: none of these may stay inside a TSV field.
_TSV_BREAKS = re.compile("[\t\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


@dataclass
class PlainExport:
    data: bytes
    records: int
    replaced_characters: int = 0  # TSV only: tabs and line breaks written as spaces


def _score(bead: AlignedBead) -> float | None:
    return None if bead.score is None else round(bead.score, 4)


def _ids(ids: Sequence[int]) -> str:
    return " ".join(str(i) for i in ids)


def _row(bead: AlignedBead) -> list[str]:
    score = "" if bead.score is None else f"{bead.score:.4f}"
    return [
        str(bead.position),
        bead.kind,
        score,
        bead.status,
        _ids(bead.src_ids),
        _ids(bead.tgt_ids),
        bead.src_text,
        bead.tgt_text,
    ]


def write_tsv(beads: Iterable[AlignedBead]) -> PlainExport:
    """Tab-separated values: a header line, then one line per bead; tabs and breaks → spaces."""
    lines = ["\t".join(FIELDS)]
    records = replaced = 0
    for bead in beads:
        cells = []
        for cell in _row(bead):
            cleaned, count = _TSV_BREAKS.subn(" ", cell)
            cells.append(cleaned)
            replaced += count
        lines.append("\t".join(cells))
        records += 1
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    return PlainExport(data, records, replaced)


def write_csv(beads: Iterable[AlignedBead]) -> PlainExport:
    """RFC 4180 comma-separated values with a header row and CRLF line ends."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(FIELDS)
    records = 0
    for bead in beads:
        writer.writerow(_row(bead))
        records += 1
    return PlainExport(buffer.getvalue().encode("utf-8"), records)


def write_jsonl(beads: Iterable[AlignedBead]) -> PlainExport:
    """JSON Lines: one object per bead and line, fields in the order of ``FIELDS``."""
    lines = []
    for bead in beads:
        record = {
            "position": bead.position,
            "kind": bead.kind,
            "score": _score(bead),
            "status": bead.status,
            "src_ids": list(bead.src_ids),
            "tgt_ids": list(bead.tgt_ids),
            "src_text": bead.src_text,
            "tgt_text": bead.tgt_text,
        }
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    return PlainExport("".join(lines).encode("utf-8"), len(lines))


WRITERS = {"tsv": write_tsv, "csv": write_csv, "jsonl": write_jsonl}
