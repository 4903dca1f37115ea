"""The archive: items, revisions and crawl state in SQLite or PostgreSQL (imports no other package)."""
