"""`python -m kremlin_watch` is the `kremlin-watch` command."""

import sys

from kremlin_watch.cli import main

sys.exit(main())
