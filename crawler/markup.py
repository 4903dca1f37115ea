"""Every CSS selector the HTML parsers read kremlin.ru by, compiled once to XPath.

When the site changes its markup, this table is where the parsers' view of it changes; `LayoutError`
messages name the same selectors, so a crawl log points here.
"""

from __future__ import annotations

from lxml.cssselect import CSSSelector

# Article and print pages (crawler.parse_article).
ARTICLE = CSSSelector("article[id^='event-']")
TITLE = CSSSelector("h1.entry-title")
LEAD = CSSSelector("div.read__lead")
BODY = CSSSelector("div.entry-content.read__internal_content")
PUBLISHED = CSSSelector("time.read__published")
TIME = CSSSelector("div.read__time")
PLACE = CSSSelector("div.read__place")
TAG_COLUMNS = CSSSelector("div.read__tagscol")
UPDATED_BLOCK = CSSSelector("div.read__updated")
UPDATED = CSSSelector("div.read__updated time")
CATEGORY = CSSSelector("a.read__categ")
# List and by-date pages (crawler.parse_list).
LIST_ITEMS = CSSSelector("div.hentry[data-id]")
LISTER = CSSSelector("[data-url-template]")
ITEM_LINK = CSSSelector("a[rel~='bookmark']")
ITEM_TITLE = CSSSelector(".entry-title")
ITEM_TIME = CSSSelector("time.published")
ITEM_UPDATED = CSSSelector("span.updated")
ITEM_PLACE = CSSSelector(".hentry__location")
NEXT = CSSSelector("a[rel~='next'], link[rel~='next']")
