"""The web application: `create_app` builds it around a read-only archive engine.

A factory rather than a module-level app: the engine and the settings come from the caller (the
``serve`` command, or a test with its own archive), and nothing is shared between two apps.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from sqlalchemy import Engine

from query.morphology import Lemmatizer
from settings.version import VERSION
from web import api, calls_page, feeds, pages
from web.context import WebContext
from web.readonly_http import ReadOnlyMiddleware

DESCRIPTION = """Read-only access to the kremlin-watch archive of kremlin.ru.

* `/api/items`: search with the rules' query language (any Russian or English word form), filters by
  Moscow calendar day, kind, language, person and topic.
* `/api/items/{id}`: one item with its earlier versions.
* `/api/items/{id}/revisions`: every version of an item with its times and what each edit changed,
  sentence by sentence.
* `/api/calls`: the phone calls with their counterparts (name, office, country) and who asked for the
  call, filtered by country, counterpart, initiative, Moscow days and language.
* `/api/stats`: counts per month, kind, person or country.
* `/api/rules`: the configured keyword rules with their newest matches.
* `/feeds/calls.atom`, `/feeds/calls/{country}.atom`, `/feeds/rules/{name}.atom`,
  `/feeds/edits.atom`: Atom feeds for feed readers.

Only GET and HEAD are accepted.
"""


def create_app(
    engine: Engine, base_url: str, rules: str | None, lemmatizer: Lemmatizer | None = None
) -> FastAPI:
    """The app serving ``engine`` (open it with `web.readonly.readonly_engine`).

    ``base_url`` is the site the archive follows (it names the feeds), ``rules`` the rules file the
    rule pages and feeds read (None: no rules). ``lemmatizer`` may be shared between apps (tests
    do); otherwise the app makes its own.
    """
    # FastAPIOffline: FastAPI whose /docs loads Swagger UI from files in the fastapi-offline package
    # (served under /static-offline-docs), not from a CDN, so the page works without the internet.
    # No validator: Swagger UI would otherwise ask an outside service for a badge.
    app = FastAPIOffline(
        title="kremlin-watch",
        version=VERSION,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        swagger_ui_parameters={"validatorUrl": None},
    )
    app.state.context = WebContext(
        engine=engine,
        base_url=base_url,
        rules=rules,
        lemmatizer=lemmatizer or Lemmatizer(),
        templates=pages.make_templates(),
    )
    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.include_router(calls_page.router)
    app.add_middleware(ReadOnlyMiddleware)
    return app
