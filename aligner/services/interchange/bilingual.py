"""A run as the bilingual exports lay it out (side-by-side DOCX, XLSX, HTML): one row per bead
that the export's filter keeps, as the TMX and plain exports choose them."""

from __future__ import annotations

from aligner.formats.beads import ExportFilter
from aligner.formats.bilingual import BilingualRow, BilingualTable
from aligner.services.interchange.exports import exported_beads
from aligner.store.models import AlignmentRun


def bilingual_table(run: AlignmentRun, keep: ExportFilter) -> BilingualTable:
    """``run``'s beads that ``keep`` lets through, in reading order, titled by the work."""
    src, tgt = run.src_revision.version, run.tgt_revision.version
    work = src.work
    rows = [
        BilingualRow(bead.src_text, bead.tgt_text, bead.score, bead.status)
        for bead in exported_beads(run, keep)
    ]
    title = f"{work.title or work.slug}: {src.label} → {tgt.label}"
    return BilingualTable(title, src.language, tgt.language, rows)
