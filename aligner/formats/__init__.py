"""Readers and writers of file formats: plain text now; TMX, TEI and others to come."""
