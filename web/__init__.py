"""The read-only web side of kremlin-watch: a JSON API, Atom feeds and a small search page.

Pages and endpoints read the archive through the `search` package and never write to it; the engine
they are given is opened read-only (`web.readonly`), so a bug cannot turn a page view into a write.
"""
