"""A local kremlin.ru stand-in serving the real markup, for tests, benchmarks and demos.

kremlin.ru cannot be reached from the project's machines, so everything that talks HTTP is
exercised against this replica on 127.0.0.1. It must be faithful to the real site: the markup is
copied from saved real pages (``replica/pages/``, package data), addresses, paging, feeds and
robots.txt behave as on the site, and the site's unfriendly habits (403 bans, 429, 500s, slow or
truncated answers, a redesign) can be switched on while it runs.

Modules, each doing one thing:

- `item` — `ReplicaItem`, the ground truth of one item;
- `corpus` — `Corpus`, the thread-safe, publication-ordered items (generate, publish, edit);
- `generate` / `lexicon` — deterministic generated items and the words they are made of;
- `real` — the real items (77329, 67487, 63907) and the saved pages;
- `dates` / `typography` / `labels` / `catalog` — how the site writes dates, text, fixed words, tag links;
- `chrome` / `render` / `layout` — page shell, page templates, the simulated redesign;
- `routes` — which page answers which address;
- `faults` / `requestlog` / `server` — misbehaviour switches, request log, the HTTP server;
- ``python -m replica`` — a demo server.

Typical use::

    from replica.corpus import Corpus
    from replica.server import ReplicaServer

    with ReplicaServer(Corpus.with_real_items(500)) as site:
        crawl(site.base_url)
        site.corpus.publish_generated(kind="call")
        site.faults.forbid_after(10)
        assert not site.disallowed_requests()
"""
