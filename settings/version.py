"""The installed version, read from the package metadata so that pyproject.toml is its only source."""

from __future__ import annotations

from importlib.metadata import version

VERSION: str = version("kremlin-watch")
