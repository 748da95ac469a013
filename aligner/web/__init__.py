"""aligner serve: review and correct alignments in the browser."""
