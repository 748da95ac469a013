"""The pure core: segmentation, encoders, the DP search, refinement, confidence, evaluation,
bead editing and the vector index.  No database, no command line, no web: plain values in and
out, so the core can run anywhere (a test, a Dask worker, a notebook)."""
