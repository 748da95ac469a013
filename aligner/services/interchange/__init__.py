"""Interchange between the store and the file formats: the store's works, versions and runs as
the formats' parallel documents for export (:mod:`.exports`), and a document read from a file
stored as a work (:mod:`.importing`, in bulk by :mod:`.storing`)."""
