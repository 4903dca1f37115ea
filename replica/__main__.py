"""``python -m replica``: serve a generated kremlin.ru for demos until Ctrl-C.

    python -m replica --port 8080 --items 500 [--lang ru] [--seed 0] [--no-real] [--publish-every 60]

With ``--publish-every N`` a new item (one in eight a phone call) is published every N seconds, so
a crawler watching the feed has something to find.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from replica.corpus import Corpus
from replica.server import ReplicaServer


def _publisher(server: ReplicaServer, every: float, stop: threading.Event) -> None:
    """Publish one new item every `every` seconds until `stop` is set."""
    while not stop.wait(every):
        item = server.corpus.publish(server.corpus.next_item())
        print(f"published {item.id} ({item.kind}): {item.title}", flush=True)


def _interrupt(signum: int, frame: object) -> None:
    """Turn SIGTERM (and SIGINT, which a background shell job ignores) into a clean stop."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, build the corpus and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--items", type=int, default=500, help="generated items (default 500)")
    parser.add_argument("--lang", choices=("ru", "en"), default="ru")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-real", action="store_true", help="leave out the real items")
    parser.add_argument("--publish-every", type=float, default=0, metavar="SECONDS")
    parser.add_argument("--public-origin", help="origin written into absolute links, e.g. http://kremlin.ru")
    args = parser.parse_args(argv)

    corpus = Corpus.generate(args.items, args.lang, args.seed, real_items=not args.no_real)
    server = ReplicaServer(corpus, args.host, args.port, public_origin=args.public_origin)
    print(f"kremlin.ru replica ({args.lang}, {len(corpus)} items) at {server.base_url}", flush=True)
    print(
        f"  news: {server.base_url}/events/president/news  feed: {server.base_url}/events/president/news/feed"
    )
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    stop = threading.Event()
    if args.publish_every > 0:
        threading.Thread(target=_publisher, args=(server, args.publish_every, stop), daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
