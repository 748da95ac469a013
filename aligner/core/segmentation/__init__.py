"""Segmentation: cut a raw text into headings, paragraphs, sentences, footnotes and notes."""

from aligner.core.segmentation.sentences import (
    clean_text,
    presplit_segments,
    segment_text,
    split_sentences,
)

__all__ = ["clean_text", "presplit_segments", "segment_text", "split_sentences"]
