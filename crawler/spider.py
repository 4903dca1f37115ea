"""The kremlin.ru spider: one check (feed first) or one backfill (list pages).

A check reads the newest Atom feed page with the validators kept from the last check, so an unchanged
feed costs one request answered 304. Items the archive does not hold, or whose entry shows an edit
(``<updated>`` moved, another title: `archive.freshness`), are fetched from their own page (place and
tags are only there); list pages (a backfill, a gap) re-read an item whose title or hidden date moved
the same way. If that page fails, the feed's full text is stored and the page is retried by a later
check, from the archive. An item page answering 404/410 was withdrawn by the site: the item is kept
from the feed, marked, and its page asked for again on a back-off. When none of the feed's items was
held before, the gap behind the feed is closed from HTML list pages, at most ``max_pages`` of them.

What each answer (status, network failure, a damaged or foreign body) does is decided by ONE table,
`crawler.outcomes`; the spider only files every answer under its row and does what the row says.

One spider reads one origin (kremlin.ru, en.kremlin.ru, or any host serving one language's pages);
`crawler.run.crawl` runs one per origin side by side. What the spider asks the archive is asked in a
language: a page's items are looked up in the language of the page's own records (a replica of the
English site at ``base_url`` writes English rows), and what is asked before any page was read (the
items whose own page is pending) in the site's language. The open gap is kept per origin.

Database reads are small (the ids of one page) and go through a thread so they never stall the reactor.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.asyncio import run_in_thread
from twisted.python.failure import Failure

from archive.checks import ANSWERED
from archive.records import ItemRecord
from archive.store import HeldItem, Outcome
from archive.types import utcnow
from archive.vocabulary import moscow_date
from crawler import stats_keys
from crawler.challenge import inspect_body
from crawler.context import CrawlContext, context_of
from crawler.errors import LayoutError
from crawler.outcomes import BODY_PROBLEMS, Answer, Effect, Role, classify_failure, handling
from crawler.page_parts import ItemPage
from crawler.parse_article import parse_article
from crawler.parse_feed import parse_feed
from crawler.parse_list import parse_list
from crawler.plan import FEED_PATH, NEWS_PATH, CrawlPlan

logger = logging.getLogger(__name__)

#: Crawl-state key of an open gap before gaps were kept per origin (see `gap_key`).
LEGACY_GAP_KEY = "gap_since"


def gap_key(origin: str) -> str:
    """Crawl-state key of an open gap of `origin`: the time the first check that could not close it
    began. Per origin, so the English site's gap neither opens nor closes the Russian one's."""
    return f"{LEGACY_GAP_KEY}:{origin.rstrip('/')}"


def lang_key(origin: str) -> str:
    """Crawl-state key of the language `origin`'s pages were last read in (see `KremlinSpider.lang`)."""
    return f"lang:{origin.rstrip('/')}"


class KremlinSpider(scrapy.Spider):
    """See the module docstring; ``plan`` says whether this is a check or a backfill, ``context``
    holds the archive's stores and the findings the check's summary is made from; ``lang`` is the
    language the origin is expected to serve (ru for ``base_url``, en for ``en_base_url``) until its
    pages have said otherwise."""

    name = "kremlin"

    def __init__(
        self,
        *,
        base_url: str,
        plan: CrawlPlan,
        context: CrawlContext,
        lang: str = "ru",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.gap_key = gap_key(self.base_url)
        self.plan = plan
        self.store = context.store
        self.state = context.state
        self.findings = context.findings
        self.started_at = utcnow()
        #: Items held before this moment count as "known" when deciding where a gap ends.
        self.known_before = self.started_at
        self.gap_was_open = False
        self.archive_was_empty = False
        self.list_pages_walked = 0
        self.reached_known = False
        self.feed_validators: tuple[str, str | None, str | None] | None = None
        self.requested_items: set[int] = set()
        self.allowed_domains = [self._host()]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        return super().from_crawler(crawler, *args, context=context_of(crawler), **kwargs)

    def _host(self) -> str:
        return self.base_url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.plan.mode == "backfill":
            yield self._list_request(1)
            return
        seen_lang = await run_in_thread(self.state.get, lang_key(self.base_url))
        if seen_lang is not None:
            self.lang = seen_lang.value
        gap = await run_in_thread(self.state.get, self.gap_key)
        if gap is not None:
            self.gap_was_open = True
            self.known_before = datetime.fromisoformat(gap.value)
        feed_url = f"{self.base_url}{FEED_PATH}"
        headers: dict[str, str] = {}
        validators = await run_in_thread(self.store.validators, feed_url)
        if validators is not None and not self.gap_was_open:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        yield scrapy.Request(
            feed_url,
            headers=headers,
            callback=self.parse_feed_page,
            errback=self.page_failed,
            meta={"handle_httpstatus_list": [304], "kw_role": Role.FEED},
            dont_filter=True,
        )
        pending = await run_in_thread(
            self.store.pending_details, self.plan.pending_batch, self.lang, self.started_at
        )
        for item_id, url in pending:
            yield self._article_request(item_id, url, fallback=None)

    # -- pages -------------------------------------------------------------------------------------

    async def parse_feed_page(self, response: Response) -> AsyncIterator[Any]:
        """The newest feed page: decide which items need their own page, and whether to page back."""
        self.crawler.stats.inc_value(stats_keys.PAGES)  # type: ignore[union-attr]
        if response.status == 304:
            self.findings.feed_unchanged = True
            return
        if self._unreadable(response, Role.FEED, "feed"):
            return
        page = self._parse_or_log(parse_feed, response)
        if page is None:
            return
        if not page.items:
            self._answer_failed(Role.FEED, Answer.EMPTY, f"{response.url}: {BODY_PROBLEMS[Answer.EMPTY]}")
            return
        asked = response.meta.get("redirect_urls", [response.url])[0]
        self.feed_validators = (
            asked,  # the next check asks that address, even after a redirect
            _header(response, b"ETag"),
            _header(response, b"Last-Modified"),
        )
        self.findings.feed_read = True
        lang = self._page_lang(page)
        if lang != self.lang:
            self.lang = lang
            await run_in_thread(self.state.put, lang_key(self.base_url), lang)
        # Asked before this page's items are stored: "empty" means nothing held in this language.
        self.archive_was_empty = not await run_in_thread(self.store.any_item_in, lang)
        held = await run_in_thread(self.store.held, [item.id for item in page.items], lang)
        for record in page.items:
            if self._wants_page(record, held.get(record.id)):
                yield self._article_request(record.id, record.url, fallback=record)
            else:
                self.crawler.stats.inc_value(stats_keys.items(Outcome.UNCHANGED))  # type: ignore[union-attr]
        known = self._held_before(held)
        if self.gap_was_open or (not known and not self.archive_was_empty):
            logger.info("the feed does not reach an item held before: reading list pages to close the gap")
            yield self._list_request(1)

    async def parse_list_page(self, response: Response) -> AsyncIterator[Any]:
        """A list page: fetch what the archive lacks; page on while the plan says so."""
        self.crawler.stats.inc_value(stats_keys.PAGES)  # type: ignore[union-attr]
        self.list_pages_walked += 1
        if self._unreadable(response, Role.LIST, "html"):
            return
        page = self._parse_or_log(parse_list, response)
        if page is None:
            return
        self.crawler.stats.inc_value(stats_keys.HTML_PAGES_READ)  # type: ignore[union-attr]
        held = await run_in_thread(self.store.held, [item.id for item in page.items], self._page_lang(page))
        known_before = self._held_before(held)
        for record in page.items:
            if record.id in self.requested_items:
                continue
            if self._wants_page(record, held.get(record.id)):
                yield self._article_request(record.id, record.url, fallback=record)
            else:
                self.crawler.stats.inc_value(stats_keys.items(Outcome.UNCHANGED))  # type: ignore[union-attr]
        if known_before:
            self.reached_known = True
        if self._wants_next_page(page, bool(known_before)) and page.next_url:
            yield self._list_request(self.list_pages_walked + 1, page.next_url)

    def _wants_page(self, record: ItemRecord, stored: HeldItem | None) -> bool:
        """Whether a list or feed record's item page is to be read: the archive lacks the item or
        its page, or the record shows it edited (a title other than the stored one, a later stated
        time: `HeldItem.wants_page_for`). Decided from what the page already read shows, so it
        costs no request of its own."""
        if stored is None:
            return True
        if stored.wants_page_for(record, self.started_at):
            if not stored.details_pending and stored.gone_at is None:
                logger.info(
                    "%s: its %s entry shows an edit; reading its page again", record.url, record.source
                )
            return True
        return False

    def _page_lang(self, page: ItemPage) -> str:
        """The language of a list or feed page's records (all of one page share it)."""
        return page.items[0].lang if page.items else self.lang

    def _held_before(self, held: dict[int, HeldItem]) -> set[int]:
        """The ids the archive held before ``known_before`` (the check's start, or an open gap's)."""
        return {item_id for item_id, item in held.items() if item.first_seen_at < self.known_before}

    def _wants_next_page(self, page: ItemPage, met_known: bool) -> bool:
        walked = self.list_pages_walked
        if self.plan.mode == "check":
            return not met_known and walked < self.plan.max_pages
        if self.plan.pages is not None and walked >= self.plan.pages:
            return False
        if self.plan.since is not None:
            oldest = min((item.published_at for item in page.items if item.published_at), default=None)
            if oldest is not None and moscow_date(oldest) < self.plan.since:
                return False
        return bool(page.items)

    def parse_article_page(self, response: Response) -> Iterator[ItemRecord]:
        """An item's own page: the complete record, or the fallback when the page is broken."""
        self.crawler.stats.inc_value(stats_keys.PAGES)  # type: ignore[union-attr]
        fallback: ItemRecord | None = response.meta.get("kw_fallback")
        if self._unreadable(response, Role.ITEM, "html"):
            if fallback is not None:
                yield fallback
            return
        try:
            record = parse_article(response.body, response.url)
        except LayoutError as error:
            self._error(str(error), parse=True)
            if fallback is not None:
                yield fallback
            return
        self.crawler.stats.inc_value(stats_keys.HTML_PAGES_READ)  # type: ignore[union-attr]
        # The feed's <updated> has seconds, the page's "last updated" only minutes (a list's date only
        # the day): keep the later one. A page without "last updated" keeps the list's day, so that
        # `archive.freshness` compares the next list date with something.
        feed_time = fallback.site_updated_at if fallback is not None else None
        if feed_time is not None and (record.site_updated_at is None or feed_time > record.site_updated_at):
            record.site_updated_at = feed_time
        yield record

    def page_failed(self, failure: Failure) -> Iterator[ItemRecord]:
        """A page that could not be fetched: done as its row of `crawler.outcomes` says; an item
        keeps its fallback record (the feed or list text) whatever the row."""
        request = failure.request  # type: ignore[attr-defined]
        answer = classify_failure(failure, self._host())
        if answer is None:
            return  # refused by robots.txt: not an error, and nothing to keep
        role: Role = request.meta.get("kw_role", Role.ITEM)
        fallback: ItemRecord | None = request.meta.get("kw_fallback")
        if handling(role, answer).effect is Effect.WITHDRAWN:
            item_id = request.meta["kw_item"]
            self.findings.gone[item_id] = fallback.lang if fallback is not None else self.lang
            logger.info("%s: %s, withdrawn by the site; kept as listed", request.url, answer.value)
        else:
            self._answer_failed(role, answer, f"{request.url}: {_describe(failure, answer)}")
        if fallback is not None:
            yield fallback

    def _unreadable(self, response: Response, role: Role, kind: str) -> bool:
        """A 200 that is no page of the site (a challenge, a body cut short or not in its
        encoding): filed under its row and not parsed. True when so."""
        answer = inspect_body(response.body, getattr(response, "encoding", None), kind)
        if answer is None:
            return False
        self._answer_failed(role, answer, f"{response.url}: {BODY_PROBLEMS[answer]}")
        return True

    def _answer_failed(self, role: Role, answer: Answer, message: str) -> None:
        """An error of the check; for the page that says whether the site answers (the feed in a
        check, the list pages of a backfill until one was read), also what it says about the site.
        A list page that fails once the feed answered makes the check partial, no more."""
        row = handling(role, answer)
        self._error(message)
        decides = role is Role.FEED or (
            role is Role.LIST and self.plan.mode == "backfill" and not self._list_page_read()
        )
        if decides and row.source not in (None, ANSWERED) and self.findings.source_failure is None:
            self.findings.source_failure = (row.source, message.split(": ", 1)[-1])  # type: ignore[assignment]

    # -- helpers -----------------------------------------------------------------------------------

    def _list_page_read(self) -> bool:
        return bool(self.crawler.stats.get_value(stats_keys.HTML_PAGES_READ))  # type: ignore[union-attr]

    def _parse_or_log(self, parse: Any, response: Response) -> ItemPage | None:
        try:
            return parse(response.body, response.url)  # type: ignore[no-any-return]
        except LayoutError as error:
            self._error(str(error), parse=True)
            return None

    def _error(self, message: str, *, parse: bool = False) -> None:
        logger.error("%s", message)
        self.findings.errors.append(message)
        self.crawler.stats.inc_value(stats_keys.ERRORS)  # type: ignore[union-attr]
        if parse:
            self.crawler.stats.inc_value(stats_keys.PARSE_ERRORS)  # type: ignore[union-attr]

    def _list_request(self, number: int, url: str | None = None) -> scrapy.Request:
        if url is None:
            url = (
                f"{self.base_url}{NEWS_PATH}" if number == 1 else f"{self.base_url}{NEWS_PATH}/page/{number}"
            )
        return scrapy.Request(
            url,
            callback=self.parse_list_page,
            errback=self.page_failed,
            meta={"kw_role": Role.LIST},
            dont_filter=True,
        )

    def _article_request(self, item_id: int, url: str, fallback: ItemRecord | None) -> scrapy.Request:
        self.requested_items.add(item_id)
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        return scrapy.Request(
            f"{self.base_url}/{path}",
            callback=self.parse_article_page,
            errback=self.page_failed,
            meta={"kw_fallback": fallback, "kw_role": Role.ITEM, "kw_item": item_id},
        )

    def closed(self, reason: str) -> None:
        """Remember the feed's validators and the gap, but only when the check saw what it asked for."""
        blocked = reason == "blocked"
        self.crawler.stats.set_value(stats_keys.CLOSE_REASON, reason)  # type: ignore[union-attr]
        gone = self.findings.gone
        for lang in set(gone.values()):  # withdrawn is withdrawn, however the crawl ended
            self.store.mark_gone([item_id for item_id, of in gone.items() if of == lang], lang)
        if self.plan.mode != "check" or blocked or reason != "finished":
            if self.plan.mode == "check" and self.list_pages_walked and not self.reached_known:
                self._open_gap()
            return
        if self.feed_validators is not None:
            # The feed itself was processed: pages still pending are retried from the archive.
            self.store.save_validators(*self.feed_validators)
        if self.list_pages_walked:
            if self.reached_known:
                self.state.delete(self.gap_key)
            elif self.list_pages_walked >= self.plan.max_pages:
                logger.warning(
                    "the gap behind the feed is deeper than %d list pages; run "
                    "`kremlin-watch crawl --since DATE` to fill it",
                    self.plan.max_pages,
                )
                self.state.delete(self.gap_key)
            else:
                self._open_gap()

    def _open_gap(self) -> None:
        if not self.gap_was_open:
            self.state.put(self.gap_key, self.known_before.isoformat())


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _describe(failure: Failure, answer: Answer) -> str:
    """A failure in words: the status, or what failed with the error's own words (one line)."""
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"HTTP {response.status}"
    detail = " ".join((failure.getErrorMessage() or failure.type.__name__).split())  # type: ignore[union-attr]
    if answer is Answer.OVERSIZED:
        detail = "larger than the download cap"
    return f"{answer.value} ({detail[:160]})"
