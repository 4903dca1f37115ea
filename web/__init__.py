"""The read-only web side of kremlin-watch: a JSON API, Atom feeds and a small search page.

Everything here reads the archive through `web.archive_access` and never writes to it; the engine it
is given is opened read-only (`web.readonly`), so a bug cannot turn a page view into a write.
"""
