"""kremlin-watch: the command line and configuration that sit on top of crawler, archive and alerts."""

__version__ = "0.1.0"
