"""What commands do, on the store: corpus import, alignment runs, selection of runs and
versions, concordance and semantic search, statistics, review and interchange with formats."""
