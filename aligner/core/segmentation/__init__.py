"""Segmentation: cut a raw text into headings, paragraphs, sentences, footnotes and notes.

The stages, one module each: :mod:`.cleaning` (clean text, white space, spans),
:mod:`.blocks` (lines and blocks), :mod:`.apparatus` (note lines and metadata),
:mod:`.footnotes` (footnote blocks and markers), :mod:`.headings`, :mod:`.sentences`
(sentencex and the rule layer) and :mod:`.assembly` (:func:`segment_text`,
:func:`presplit_segments`).
"""

from aligner.core.segmentation.assembly import RULES_VERSION, presplit_segments, segment_text
from aligner.core.segmentation.cleaning import clean_text
from aligner.core.segmentation.sentences import split_sentences

__all__ = ["RULES_VERSION", "clean_text", "presplit_segments", "segment_text", "split_sentences"]
