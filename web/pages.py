"""The HTML pages: a search page at ``/`` and one page per item at ``/items/{id}``.

Server-rendered Jinja2 with a little inline CSS, no scripts: it works in any browser, in a text
browser, and behind the strictest Content-Security-Policy. The search form sends empty fields as
empty strings, so parameters are read as text and checked here; a mistake is shown on the page next
to the form (status 422) instead of a JSON error a person would not expect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from archive.edit_log import edits
from archive.vocabulary import KIND_LABELS, KINDS, LANGS, moscow_clock, period_problem
from calls.codes import country_label, country_name
from search.engine import SearchError, search
from search.request import SearchRequest
from search.show import item_versions
from web import present
from web.context import WebContext, get_context

PER_PAGE = 20
#: The archive's languages as the pages name them.
LANG_LABELS = {"ru": "Russian", "en": "English"}
#: Pages never run scripts or load anything from elsewhere; styles are inline.
HTML_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

router = APIRouter(include_in_schema=False)


def make_templates() -> Environment:
    """The page templates, with autoescaping and the presentation helpers."""
    env = Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["moscow"] = moscow_clock
    env.filters["kind_label"] = lambda kind: KIND_LABELS.get(kind, kind)
    env.filters["country_name"] = country_name
    env.filters["country_label"] = country_label
    env.globals["marked"] = present.marked
    env.globals["paragraphs"] = present.paragraphs
    env.globals["kinds"] = KINDS
    env.globals["kind_labels"] = KIND_LABELS
    env.globals["lang_labels"] = LANG_LABELS
    env.filters["host"] = lambda url: urlsplit(url).hostname or url
    return env


def form_day(name: str, text: str, errors: list[str]) -> date | None:
    """A form's day field (empty: None); a mistake is added to ``errors`` and read as None."""
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(f"{name}: expected a day as YYYY-MM-DD, got {text!r}.")
        return None


@dataclass
class SearchForm:
    """The search form's fields as typed, and what is wrong with them."""

    q: str = ""
    since: str = ""
    until: str = ""
    kind: str = ""
    lang: str = ""
    person: str = ""
    topic: str = ""
    sort: str = "date"
    page: int = 1
    errors: list[str] = field(default_factory=list)

    def to_request(self) -> SearchRequest | None:
        """The search to run, or None when a field is wrong (``errors`` then says which)."""
        since = self._day("since", self.since)
        until = self._day("until", self.until)
        problem = period_problem(since, until)
        if problem is not None:
            self.errors.append(f"The dates do not make a range: {problem}.")
        if self.kind and self.kind not in KINDS:
            self.errors.append(f"Unknown kind {self.kind!r}.")
        if self.lang and self.lang not in LANGS:
            self.errors.append(f"Unknown language {self.lang!r}.")
        if self.sort not in ("date", "relevance"):
            self.sort = "date"
        if self.errors:
            return None
        return SearchRequest(
            query=self.q,
            since=since,
            until=until,
            kind=self.kind or None,
            lang=self.lang or None,
            person=self.person or None,
            topic=self.topic or None,
            limit=PER_PAGE,
            offset=(self.page - 1) * PER_PAGE,
            sort=self.sort,
        )

    def _day(self, name: str, text: str) -> date | None:
        return form_day(name, text, self.errors)

    def url(self, page: int) -> str:
        """This search's address at another page (empty fields left out)."""
        fields = {
            "q": self.q,
            "since": self.since,
            "until": self.until,
            "kind": self.kind,
            "lang": self.lang,
            "person": self.person,
            "topic": self.topic,
            "sort": "" if self.sort == "date" else self.sort,
        }
        return present.page_address("/", fields, page)


def search_form(
    q: str = "",
    since: str = "",
    until: str = "",
    kind: str = "",
    lang: str = "",
    person: str = "",
    topic: str = "",
    sort: str = "date",
    page: str = "1",
) -> SearchForm:
    """FastAPI dependency: the form's fields, trimmed; a page that is not a number is page 1."""
    number = int(page) if page.strip().isdigit() else 1
    return SearchForm(
        q=q.strip()[:1000],
        since=since.strip(),
        until=until.strip(),
        kind=kind.strip(),
        lang=lang.strip(),
        person=person.strip()[:200],
        topic=topic.strip()[:200],
        sort=sort.strip(),
        page=max(1, min(number, 50_000)),
    )


@router.get("/", response_class=HTMLResponse)
def search_page(
    form: Annotated[SearchForm, Depends(search_form)],
    context: Annotated[WebContext, Depends(get_context)],
) -> HTMLResponse:
    """The search page; with no query it lists the newest items."""
    result = None
    request = form.to_request()
    if request is not None:
        try:
            result = search(context.engine, request, context.lemmatizer)
        except SearchError as error:
            message = str(error)
            form.errors.append(message if message.startswith("query") else f"query: {message}")
    page: dict[str, Any] = {"form": form, "result": result}
    if result is not None:
        page["links"] = present.page_links(result.total, form.page, PER_PAGE)
        page["last_page"] = present.last_page(result.total, PER_PAGE)
        page["first_shown"] = (form.page - 1) * PER_PAGE + 1
        page["last_shown"] = (form.page - 1) * PER_PAGE + len(result.hits)
    status = 422 if form.errors else 200
    return render(context, "search.html", page, status)


@router.get("/items/{item_id}", response_class=HTMLResponse)
def item_page(item_id: str, context: Annotated[WebContext, Depends(get_context)]) -> HTMLResponse:
    """One item, every language version of it (Russian first, each at ``#lang-ru``, ``#lang-en``):
    title, Moscow time, place, tags, lead, text, and its versions: each edit's diff (the one
    ``/feeds/edits.atom`` carries, typography-only ones flagged) with the text it replaced, and a
    withdrawal."""
    found = None
    if item_id.isdigit() and len(item_id) < 19:
        found = item_versions(context.engine, int(item_id))
    if found is None:
        return render(context, "missing.html", {"item_id": item_id}, 404)
    steps = {
        (step.lang, "withdrawn" if step.withdrawn else step.version): present.shown_edit(step)
        for step in edits(context.engine, item_id=int(item_id), cosmetic=True)
    }
    return render(context, "item.html", {"versions": found["versions"], "steps": steps}, 200)


def render(context: WebContext, name: str, values: dict[str, Any], status: int) -> HTMLResponse:
    """The template ``name`` filled with ``values``, sent with the pages' security headers."""
    html = context.templates.get_template(name).render(**values)
    return HTMLResponse(html, status_code=status, headers=HTML_HEADERS)
