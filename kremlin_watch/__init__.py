"""kremlin-watch's command line: the top floor, which parses arguments and wires the packages below.

Nothing outside this package imports it; configuration lives in the ground-floor `settings` package.
"""

from settings.version import VERSION

__version__ = VERSION
