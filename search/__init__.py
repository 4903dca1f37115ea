"""Searching the archive with the rules' query language: an index over lemmas, filters, statistics."""
