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
from settings.schema import Settings


@dataclass(frozen=True)
class WebContext:
    """The read-only archive, the settings, the shared lemmatizer and the page templates."""

    engine: Engine
    settings: Settings
    #: One per app: pymorphy3 loads its dictionaries when a lemmatizer is made, and caches warm up.
    lemmatizer: Lemmatizer
    templates: Environment


def get_context(request: Request) -> WebContext:
    """FastAPI dependency: the app's context."""
    context: WebContext = request.app.state.context
    return context
