"""The error of a setting that cannot be used, kept apart so raising it does not load pydantic."""

from __future__ import annotations


class ConfigError(ValueError):
    """A setting that cannot be used; the message is the whole explanation, one line per problem."""
