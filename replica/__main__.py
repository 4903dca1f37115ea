"""``python -m replica``: serve a generated kremlin.ru for demos until Ctrl-C.

    python -m replica --port 8080 --items 500 [--lang ru] [--seed 0] [--no-real] [--publish-every 60]
                      [--twin-port 8081 [--twin-delay 30]]

With ``--publish-every N`` a new item (one in eight a phone call) is published every N seconds, so
a crawler watching the feed has something to find. With ``--twin-port P`` the other language's site
is served too, on port P: the corpus of the same seed in that language (same ids and times, as
kremlin.ru and en.kremlin.ru), the pages of each linking the other with ``hreflang``; a published
item's twin appears there ``--twin-delay`` seconds later, as the English page comes hours after the
Russian one.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from replica.corpus import Corpus
from replica.server import ReplicaServer


def _publisher(
    server: ReplicaServer, twin: ReplicaServer | None, every: float, delay: float, stop: threading.Event
) -> None:
    """Publish one new item every `every` seconds until `stop` is set; its twin `delay` seconds later."""
    while not stop.wait(every):
        item = server.corpus.publish(server.corpus.next_item())
        print(f"published {item.id} ({item.kind}): {item.title}", flush=True)
        if twin is not None:
            timer = threading.Timer(delay, _publish_twin, args=(twin, item))
            timer.daemon = True
            timer.start()


def _publish_twin(twin: ReplicaServer, item: object) -> None:
    made = twin.corpus.publish_twin(item)  # type: ignore[arg-type]
    print(f"published {made.id} ({made.lang}): {made.title}", flush=True)


def _interrupt(signum: int, frame: object) -> None:
    """Turn SIGTERM (and SIGINT, which a background shell job ignores) into a clean stop."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build the corpus (and its twin) and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--items", type=int, default=500, help="generated items (default 500)")
    parser.add_argument("--lang", choices=("ru", "en"), default="ru")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-real", action="store_true", help="leave out the real items")
    parser.add_argument("--publish-every", type=float, default=0, metavar="SECONDS")
    parser.add_argument("--public-origin", help="origin written into absolute links, e.g. http://kremlin.ru")
    parser.add_argument("--twin-port", type=int, metavar="PORT", help="also serve the other language here")
    parser.add_argument(
        "--twin-delay",
        type=float,
        default=30,
        metavar="SECONDS",
        help="a published item's twin comes this much later",
    )
    args = parser.parse_args(argv)

    corpus = Corpus.generate(args.items, args.lang, args.seed, real_items=not args.no_real)
    server = ReplicaServer(corpus, args.host, args.port, public_origin=args.public_origin)
    twin: ReplicaServer | None = None
    if args.twin_port is not None:
        twin_lang = "en" if args.lang == "ru" else "ru"
        twin_corpus = Corpus.generate(args.items, twin_lang, args.seed, real_items=not args.no_real)
        twin = ReplicaServer(twin_corpus, args.host, args.twin_port)
        server.link(twin)
        twin.start()
    for site in filter(None, (server, twin)):
        print(
            f"kremlin.ru replica ({site.corpus.lang}, {len(site.corpus)} items) at {site.base_url}",
            flush=True,
        )
        news = f"{site.base_url}/events/president/news"
        print(f"  news: {news}  feed: {news}/feed", flush=True)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    stop = threading.Event()
    if args.publish_every > 0:
        threading.Thread(
            target=_publisher, args=(server, twin, args.publish_every, args.twin_delay, stop), daemon=True
        ).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        stop.set()
        if twin is not None:
            twin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
