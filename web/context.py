"""What every request handler needs, carried by the app instead of module globals.

`web.app.create_app` builds one `WebContext` per app and keeps it in ``app.state``; handlers get it
through the `get_context` dependency. Two apps in one process (as in the tests) never share state.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from jinja2 import Environment
from sqlalchemy import Engine

from query.morphology import Lemmatizer


@dataclass(frozen=True)
class WebContext:
    """The read-only archive, the two settings the web side reads, the shared lemmatizer and the
    page templates."""

    engine: Engine
    #: The site the archive follows: feed ids are made from it.
    base_url: str
    #: The rules file, or None when no rules are configured.
    rules: str | None
    #: One per app: pymorphy3 loads its dictionaries when a lemmatizer is made, and caches warm up.
    lemmatizer: Lemmatizer
    templates: Environment


def get_context(request: Request) -> WebContext:
    """FastAPI dependency: the app's context."""
    context: WebContext = request.app.state.context
    return context
