"""Pages of the replica, rendered with the real site's markup from plain string templates.

Every structure a parser relies on is copied from the saved real pages: the article wrapper
``article.read__in.hentry.h-entry#event-<id>``, ``h1.entry-title.p-name``, the lead's
``div.read__lead > div > p``, ``div.read__meta`` with ``time.read__published`` (date only in
``datetime``), ``div.read__time`` and ``div.read__place`` (absent without a place), the body
``div.entry-content.e-content.read__internal_content`` holding BOTH the paragraphs and the
``div.read__bottommeta`` with tags and status lines, speaker labels with person tooltips; list
pages with ``div.lister-page[data-page][data-pages]``, day headers only where the day changes
(also across a page boundary, so page 2 may start without one, as the saved page 2 does), and
``a[rel=prev]`` to newer / ``a[rel=next]`` to older pages; Atom feeds byte-for-byte in the saved
feed's shape, with Moscow wall-clock times labelled "+04:00".

Rendering is string formatting only (no DOM), about 0.1 ms for an article, so a 5,000-page
backfill is limited by the crawler, not by the replica. Texts get the site's typography (U+00A0
after short words, hard line breaks) here, not in the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from replica import catalog
from replica.chrome import (
    Site,
    attr,
    footer,
    head,
    header,
    html_open,
    real_origin,
    sidebar_and_close,
    site_links,
    text,
)
from replica.dates import (
    clock_text,
    date_text,
    date_time_text,
    day_header_text,
    dotted_date,
    feed_stamp,
    iso_date,
    month_text,
    moscow_date,
)
from replica.item import ReplicaItem
from replica.lexicon import official_by_label
from replica.real import ROBOTS, read_page
from replica.typography import typeset

NEWS_PATH = "/events/president/news"
FEED_PATH = "/events/president/news/feed"
ALL_FEED_PATH = "/events/all/feed"
_SEPARATOR = "* * *"


def robots_txt() -> str:
    """The real robots.txt of en.kremlin.ru."""
    return read_page(ROBOTS)


# --- article ---------------------------------------------------------------------------------------


def article_page(item: ReplicaItem, site: Site) -> str:
    """The item's page (``/<section>/<id>`` and ``/print``): the saved page itself for an unedited
    real item, the template otherwise."""
    if item.real_page:
        return real_page(item, site)
    lb = site.labels
    lang = site.lang
    path = item.path
    day = moscow_date(item.published)
    stream = f"{NEWS_PATH}/by-date/{dotted_date(day)}"
    title = typeset(item.title, lang)
    lead = typeset(item.lead, lang, f"{item.id}:lead")
    categ_href = "/acts/news" if item.section.startswith("acts/") else NEWS_PATH
    categ = lb.section_name("acts/news") if item.section.startswith("acts/") else lb.events
    meta = (
        f'<meta property="og:type" content="article"/>  <meta property="og:title" content="{attr(title)}"/> '
        f'<meta property="og:description" content="{attr(item.lead)}"/> '
        f'<meta property="og:url" content="{site.origin}{path}"/>     '
        f'<meta property="ya:ovs:upload_date" content="{iso_date(item.published)}"/>      '
        '<meta name="twitter:card" content="summary"/>   '
        f'<meta name="twitter:description" content="{attr(item.lead)}"/> <meta name="twitter:title" '
        f'content="{attr(title)}"/> '
    )
    links = site_links(site, path) + f'<link rel="canonical" href="{site.origin}{path}" />'
    keywords = " ,".join(lb.section_name(section) for section in item.sections)
    place = (
        f'  <div class="read__place p-location"><i></i>{text(typeset(item.place, lang))}</div>'
        if item.place
        else ""
    )
    body = "".join(
        _paragraph(item, index, label, line, lang) for index, (label, line) in enumerate(item.paragraphs)
    )
    return (
        html_open(lang, "ItemPage")
        + head(site, f"{title} • {lb.site_name}", item.lead, keywords, meta, links)
        + '<body class=" is-reading"> '
        + header(site)
        + '<div class="main-wrapper"> <div class="subnav-view" role="complementary"></div> '
        '<div class="wrapsite"> '
        '<div class="content-view" role="main"></div> ' + footer(site, path) + "</div> </div> "
        f'<div class="read" role="complementary" aria-label="{lb.reading_label}" '
        f'data-href="{site.origin}{path}" '
        f'data-stream-url="{stream}"> <div class="read__close_wrapper"> <a href="{stream}" '
        'class="read__close" '
        f'title="{lb.close_hint}"><i></i></a> </div> <div class="read__scroll" role="tabpanel"> '
        '<article class="read__in hentry h-entry" itemscope="itemscope" '
        'itemtype="http://schema.org/NewsArticle" '
        f'id="event-{item.id}" role="document" aria-describedby="read-lead"> <div class="read__content"> '
        '<div class="read__top">  <div class="width_limiter"> '
        f'<a href="{categ_href}" class="read__categ" rel="category" '
        f'data-info="{lb.open_hint}">{text(categ)}</a> '
        f'<h1 class="entry-title p-name" itemprop="name">{text(title)}</h1> '
        '<div class="read__lead entry-summary p-summary" itemprop="description" role="heading" '
        'id="read-lead">  '
        f"<div><p>{text(lead)}</p></div>   </div> "
        f'<div class="read__meta"><time class="read__published" datetime="{iso_date(item.published)}" '
        f'itemprop="datePublished">{date_text(item.published, lang)}</time>  '
        f'<div class="read__time">{clock_text(item.published)}</div> {place} '
        f'<meta itemprop="inLanguage" content="{lang}"/> </div> </div> </div> '
        '<div class="entry-content e-content read__internal_content" itemprop="articleBody">  '
        f"{body} {_bottommeta(item, site)} </div> </div> </article> </div>    "
        f"{_tabs(item, site)}"
        f'<div class="read__updated">{lb.last_updated} <time datetime="{iso_date(item.updated)}">'
        f"{date_time_text(item.updated, lang)}</time> </div> </div> " + sidebar_and_close(site, path)
    )


def print_page(item: ReplicaItem, site: Site) -> str:
    """``/<section>/<id>/print``: the same markup as the article page."""
    return article_page(item, site)


def real_page(item: ReplicaItem, site: Site) -> str:
    """A saved real page, with its own host's absolute links moved to the serving origin, and its
    twin links to the replica serving the other language, if there is one."""
    page = read_page(item.real_page or "")
    if site.twin is not None:
        page = page.replace(f"{real_origin(site.twin_lang)}/", f"{site.twin}/")
    if site.origin == site.real_origin:
        return page
    real_host = site.real_origin.split("://", 1)[1]
    return page.replace(f"{site.real_origin}/", f"{site.origin}/").replace(
        f">{real_host}/d/", f">{site.host}/d/"
    )


def _tooltip(label: str, lang: str) -> str:
    """The person tooltip the site puts INSIDE a speaker label: a trap for naive text extraction."""
    official = official_by_label(label, lang)
    if official is None:
        return text(label)
    href = catalog.person_path(label)
    full = official.ru_full if lang == "ru" else official.en_full
    desc = official.ru_desc if lang == "ru" else official.en_desc
    small = catalog.media_name(f"person:{official.person_id}")
    small2x = catalog.media_name(f"person2x:{official.person_id}")
    return (
        f'<a href="{href}" class="person_tag read__tag">{text(label)}<span class="read__tooltip '
        "tooltip_person "
        'hidden masha-ignore"> <span class="tooltip__close"><i></i></span> <span class="tooltip__image">  '
        f'<img src="http://static.kremlin.ru/media/events/persons/small/{small}.jpg" '
        f'srcset="http://static.kremlin.ru/media/events/persons/small2x/{small2x}.jpg 2x" width="140" '
        'height="140" '
        f'alt="{attr(full)}"></span> <span class="tooltip__text"> <span class="tooltip_title tooltip_link" '
        f'data-href="{href}">{text(full)}</span><span '
        f'class="tooltip_description_dark">{text(desc)}</span></span> '
        "</span></a>"
    )


def _paragraph(item: ReplicaItem, index: int, label: str | None, line: str, lang: str) -> str:
    if label is None and line == _SEPARATOR:
        return f"<p><b>{_SEPARATOR}</b></p>"
    body = text(typeset(line, lang, f"{item.id}:{index}"))
    if label is None:
        return f"<p>{body}</p>"
    if (item.id + index) % 17 == 0:  # the site also writes «<b>В.Путин</b>: …»
        return f"<p><b>{_tooltip(label, lang)}</b>: {body}</p>"
    return f"<p><b>{_tooltip(label, lang)}:</b> {body}</p>"


def _tag_column(heading: str, links: Sequence[tuple[str, str]], topics: bool) -> str:
    if not links:
        return ""
    if topics:
        entries = "".join(
            f'<li class="p-category"> <a href="{href}" rel="tag"><i></i>{text(name)} </a> </li> '
            for href, name in links
        )
    else:
        entries = "".join(
            f'<li> <a href="{href}" rel="tag"><i></i>{text(name)}</a> </li> ' for href, name in links
        )
    return (
        f'  <div class="read__tagscol"> <h3>{heading}</h3> <ul class="read__taglist">{entries} </ul> </div> '
    )


def _bottommeta(item: ReplicaItem, site: Site) -> str:
    """Tags and status lines: on the real site they sit INSIDE the body div (a parser trap)."""
    lb = site.labels
    tags = (
        _tag_column(lb.geography, [(catalog.geography_path(name), name) for name in item.geography], False)
        + _tag_column(lb.topics, [(catalog.topic_path(name), name) for name in item.topics], True)
        + _tag_column(lb.persons, [(catalog.person_path(name), name) for name in item.persons], False)
    )
    sections = ", ".join(
        f'<a href="/{section}">{text(lb.section_name(section))}</a>' for section in item.sections
    )
    return (
        '<div class="read__bottommeta hidden-copy"> <div class="width_limiter">   '
        f'<div class="read__tags masha-ignore"> {tags} </div>                '
        f'<div class="read__status masha-ignore"> <div class="width_limiter"> <h3>{lb.status}</h3> '
        f"<p>{lb.published_in} {sections}<br/> </p><p> {lb.publication_date}    "
        f'<time datetime="{iso_date(item.published)}">{date_time_text(item.published, site.lang)}</time> </p>'
        f'<p class="print_link_wrap"> {lb.direct_link} <a class="print_link" '
        f'href="{site.origin}/d/{item.id}">'
        f"{site.host}/d/{item.id}</a> </p>  <p> "
        f'<a class="text_version_link" href="/{item.section}/copy/{item.id}" rel="nofollow" target="_blank">'
        f"{lb.text_version}</a> </p>  </div> </div>  </div> </div>"
    )


def _tabs(item: ReplicaItem, site: Site) -> str:
    """The reader's tab bar (trimmed to the text tab, the direct link and the print link)."""
    lb = site.labels
    return (
        '<div class="read__tabs False" role="tablist"> <div class="gradient-shadow"></div> <div '
        'class="width_limiter">  '
        f'<a href="{item.path}" class="tabs_article is-active small with_small_tooltip" '
        f'title="{lb.text_tab}" '
        f'aria-label="{lb.text_tab}" role="tab"><i aria-hidden="true"></i> </a>  <div class="right_tabs">  '
        f'<div class="tabs_share read__share with_small_tooltip" title="{lb.share}" role="tab" tabindex="0"> '
        '<div class="share_material"> <div class="width_limiter"> <div class="share_link share_link_p" '
        'tabindex="0" '
        f'role="textbox"> <span class="material_link" id="material_link">{site.origin}{item.path}</span> '
        "</div> "
        '<ul class="share_sites"> <li class="share_print"> '
        f'<a href="{item.path}/print" class="share_print_label share_print_link no-warning"> '
        f'<i class="share_print_icon"></i>{lb.print_label}</a> </li> </ul> </div> </div> </div> </div> '
        "</div> </div>   "
    )


# --- list pages ------------------------------------------------------------------------------------


def list_page(
    items: Sequence[ReplicaItem],
    page: int,
    pages: int,
    site: Site,
    day_before: date | None,
    calendar: tuple[date, date] | None = None,
) -> str:
    """A news list page (``/events/president/news[/page/N]``, by-date pages serve one of these).

    `items` newest first; `day_before` is the Moscow day of the item just above this page's first
    one (the last item of the previous page), None on page 1: a day header is written before an
    item only where the day changes. `calendar` is (oldest, newest) day for the date picker.
    """
    lb = site.labels
    lang = site.lang
    path = NEWS_PATH if page == 1 else f"{NEWS_PATH}/page/{page}"
    newer = None if page == 1 else (NEWS_PATH if page == 2 else f"{NEWS_PATH}/page/{page - 1}")
    older = f"{NEWS_PATH}/page/{page + 1}" if page < pages else None
    links = site_links(site, path) + f'  <link rel="first" href="{NEWS_PATH}"/>   '
    links += f'<link rel="last" href="{NEWS_PATH}/page/{pages}"/>   ' if pages > 1 else ""
    links += f'<link rel="prev" href="{newer}"/>   ' if newer else ""
    links += f'<link rel="next" href="{older}"/>  ' if older else ""
    feed_title = attr(typeset(lb.feed_title, lang))
    links += f'<link rel="alternate" type="application/atom+xml" href="{FEED_PATH}" title="{feed_title}"/>'
    entries: list[str] = []
    previous_day = day_before
    for item in items:
        day = moscow_date(item.published)
        if day != previous_day:
            entries.append(
                f'      <h2 class="events__title"> <span><time datetime="{day.isoformat()}">'
                f"{day_header_text(day, lang)}</time></span> </h2> "
            )
            previous_day = day
        entries.append(_list_item(item, site))
    prev_button = (
        f'<a href="{newer}" class="button button_white more more-prev" rel="prev" '
        f'accesskey="p">{lb.newer}</a>'
        if newer
        else ""
    )
    next_button = (
        f'<a href="{older}" class="button button_green more more-next" rel="next" '
        f'accesskey="n">{lb.older}</a>'
        if older
        else ""
    )
    return (
        html_open(lang, "CollectionPage")
        + head(site, typeset(lb.list_title, lang), "", "", "", links)
        + '<body class=""> '
        + header(site)
        + '<div class="main-wrapper"> <div class="subnav-view" role="complementary"> '
        + _subnav(site, items, calendar)
        + '</div> <div class="wrapsite"> <div class="content-view" role="main"> '
        f'<div class="content content_main" data-section="{attr(lb.section_name("events/president/news"))}" '
        f'data-section-href="{NEWS_PATH}"> <div class="content__in"> <div class="events hslice" id="events" '
        'aria-live="polite" aria-relevant="additions removals">  '
        f"{prev_button}"
        f'<div class="entry-content lister-page" role="list" data-url-template="{NEWS_PATH}/page/PAGE" '
        f'data-base-url="{NEWS_PATH}" data-path="{NEWS_PATH}/page/{page}" data-page="{page}" '
        f'data-pages="{pages}">'
        + "".join(entries)
        + f" </div>{next_button}   </div> </div> </div>"
        + footer(site, path)
        + "</div> </div> "
        + sidebar_and_close(site, path)
    )


def _subnav(site: Site, items: Sequence[ReplicaItem], calendar: tuple[date, date] | None) -> str:
    lb = site.labels
    entries = "".join(
        '<li class="" itemscope="itemscope" itemtype="http://schema.org/SiteNavigationElement"> '
        f'<a class="{"is-active " if href == NEWS_PATH else " "}" href="{href}" itemprop="url"> '
        f'<span itemprop="name">{text(name)}</span> </a> </li>'
        for href, name in lb.subnav
    )
    dateblock = ""
    if calendar and items:
        oldest, newest = calendar
        value = moscow_date(items[0].published)
        dateblock = (
            f'<a class="dateblock" data-url="{NEWS_PATH}/calendar/YEAR" '
            f'data-date-url="{NEWS_PATH}/by-date/DATE" '
            f'data-max="{newest.isoformat()}" data-min="{oldest.isoformat()}" data-format="mmmm, yyyy" '
            f'data-value="{value.isoformat()}" href="#focus" role="button"> '
            f'<span class="special-hidden">{lb.calendar}</span>{month_text(value, site.lang)}</a>    '
        )
    return (
        '<div class="subnav"> <div class="content__in">     '
        f'{dateblock}<div role="navigation"> <ul class="subnav subnav_secondary">{entries}</ul> </div> '
        "</div> </div> "
    )


def _list_item(item: ReplicaItem, site: Site) -> str:
    lb = site.labels
    doc = " hentry_doc" if item.section.startswith("acts/") else ""
    place = (
        f' <span class="hentry__location p-location">{text(typeset(item.place, site.lang))}</span>'
        if item.place
        else ""
    )
    return (
        f'    <div class="hentry h-entry hentry_event{doc}" data-id="{item.id}" itemscope="itemscope" '
        'itemtype="http://schema.org/NewsArticle" role="listitem"> <h3 class="hentry__title '
        'hentry__title_special"> '
        f'<a href="{item.path}" rel="bookmark" itemprop="url"><span class="entry-title p-name" '
        'itemprop="name">'
        f'{text(typeset(item.title, site.lang))}</span>  <span class="hentry__meta">  '
        f'<time class="published dt-published" datetime="{iso_date(item.published)}" '
        'itemprop="datePublished">'
        f"{date_time_text(item.published, site.lang)}</time>  "
        f'<span class="updated hidden" hidden="hidden">{iso_date(item.updated)}</span> '
        '<span class="author vcard hidden" hidden="hidden"><span '
        f'class="fn">{lb.author_vcard}</span></span>{place}'
        '</span>   </a> </h3>  <div class="hentry__assets">  '
        f'<a href="{item.path}" rel="bookmark" aria-hidden="true" aria-label="{lb.article_text}" '
        f'class="tabs_article item small" title="{lb.article_text}"><i></i> </a>   </div>  </div> '
    )


# --- Atom feeds ------------------------------------------------------------------------------------


def feed_page(
    items: Sequence[ReplicaItem], page: int, pages: int, site: Site, all_sections: bool = False
) -> str:
    """An Atom feed page (20 entries, newest first) in the exact shape of the saved feed."""
    lb = site.labels
    base = f"{site.origin}{ALL_FEED_PATH if all_sections else FEED_PATH}"
    this = base if page == 1 else f"{base}/page/{page}"
    title = typeset(lb.all_feed_title if all_sections else lb.feed_title, site.lang)
    updated = max((item.updated for item in items), default=None)
    links = f'<link href="{this}" rel="self" /><link href="{base}" rel="first" />'
    links += f'<link href="{base}/page/{page + 1}" rel="next" />' if page < pages else ""
    links += f'<link href="{base}/page/{pages}" rel="last" />'
    alternate = site.origin + ("/events/all" if all_sections else NEWS_PATH)
    return (
        '<?xml version="1.0" encoding="UTF-8" ?><?xml-stylesheet type="text/xsl" '
        'href="/static/xsl/feed.xsl?571da04668" ?>'
        f'<feed xml:lang="{site.lang}" xmlns="http://www.w3.org/2005/Atom"><title '
        f'type="text">{text(title)}</title>'
        f"<author><name>{text(lb.feed_author)}</name></author>"
        f"<updated>{feed_stamp(updated) if updated else ''}</updated><id>{base}</id>{links}"
        f'<link href="{alternate}" hreflang="{site.lang}" rel="alternate" type="text/html" />'
        + "".join(_feed_entry(item, site) for item in items)
        + "</feed>"
    )


def _feed_entry(item: ReplicaItem, site: Site) -> str:
    lang = site.lang
    url = f"{site.origin}{item.path}"
    summary = (
        '<div class="c-summary" style="font-size: 1.2em"><p>'
        f"{text(typeset(item.lead, lang, f'{item.id}:lead'))}</p></div>"
    )
    body = "".join(
        _feed_paragraph(item, index, label, line) for index, (label, line) in enumerate(item.paragraphs)
    )
    return (
        f"<entry><title>{text(typeset(item.title, lang))}</title><id>{url}</id>"
        f"<updated>{feed_stamp(item.updated)}</updated><published>{feed_stamp(item.published)}</published>"
        f'<link href="{url}" hreflang="{lang}" rel="alternate" type="text/html" />'
        f'<summary type="html">{text(summary)}   </summary>'
        f'<content type="html">{text(f"{summary}  {body} ")}</content></entry>'
    )


def _feed_paragraph(item: ReplicaItem, index: int, label: str | None, line: str) -> str:
    if label is None and line == _SEPARATOR:
        return f"<p><b>{_SEPARATOR}</b></p>"
    body = text(typeset(line, item.lang, f"{item.id}:{index}"))
    return f"<p><b>{text(label)}:</b> {body}</p>" if label else f"<p>{body}</p>"


# --- small pages -----------------------------------------------------------------------------------


def text_version_page(item: ReplicaItem, site: Site) -> str:
    """``/<section>/copy/<id>``, disallowed by robots.txt: a bare text version of the item."""
    paragraphs = "".join(
        f"<p>{text(f'{label}: {line}' if label else line)}</p>" for label, line in item.paragraphs
    )
    return (
        f'<!doctype html><html lang="{site.lang}"><head><meta '
        f'charset="utf-8"/><title>{text(item.title)}</title>'
        f"</head><body><h1>{text(item.title)}</h1><p>{date_time_text(item.published, site.lang)}</p>"
        f"<p>{text(item.lead)}</p>{paragraphs}<p>{site.origin}{item.path}</p></body></html>"
    )


def simple_page(site: Site, title: str, message: str) -> str:
    """A minimal page in the site's shell (search results, 404)."""
    return (
        html_open(site.lang, "WebPage")
        + head(site, f"{title} • {site.labels.site_name}", "", "", "", site_links(site, "/"))
        + '<body class=""> '
        + header(site)
        + f'<div class="main-wrapper"> <div class="wrapsite"> <div class="content-view" role="main"> '
        f'<div class="content"> <h1>{text(title)}</h1> <p>{text(message)}</p> </div> </div> '
        + footer(site, "/")
        + "</div> </div> "
        + sidebar_and_close(site, "/")
    )


def newest_updated(items: Sequence[ReplicaItem]) -> datetime | None:
    """The latest `updated` among `items`: a page's Last-Modified."""
    return max((item.updated for item in items), default=None)
