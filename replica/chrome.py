"""The page shell around the content: head, header, footer, sidebar; and how pages address the site.

Copied from the real pages with the long boilerplate trimmed (icon lists, search forms, share
widgets, most footer and sidebar links), but keeping what a crawler meets: the conditional-comment
``<html lang>`` prologue, ``meta[itemprop=inLanguage]`` in the head AND the opposite language's one
in the footer/sidebar language switch, ``link rel=canonical/alternate``, navigation links that lead
to /search (disallowed by robots.txt), and UTF-8 everywhere.

Addresses follow the live site: links inside the site are root-relative (``/events/president/news``),
while the canonical link, og:url, the reader's data-href, the ``/d/<id>`` short link and feed
addresses are absolute. Absolute addresses use the origin the page was requested on (the replica's
``http://127.0.0.1:PORT``, or ``http://kremlin.ru`` when told to pretend), so a crawler following
them stays on the replica. The other language's twin (``link rel=alternate hreflang``, the language
switch) is the real host unless the replica serving that language is known (`ReplicaServer.link`):
then the twin links lead to it, as kremlin.ru's lead to en.kremlin.ru.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from replica.labels import Labels, labels


def real_origin(lang: str) -> str:
    """The real site's origin for `lang`: what saved pages and the twin links are written with."""
    return "http://kremlin.ru" if lang == "ru" else "http://en.kremlin.ru"


@dataclass(frozen=True)
class Site:
    """Who is serving: the language and the origin absolute links are built on."""

    lang: str
    #: ``http://127.0.0.1:8080``; the real site's would be ``http://kremlin.ru``.
    origin: str
    #: Origin of the replica serving the other language, when one does; else the real twin host.
    twin: str | None = None

    @property
    def host(self) -> str:
        """The origin without the scheme, as in the text of the ``/d/<id>`` link."""
        return self.origin.split("://", 1)[-1]

    @property
    def twin_lang(self) -> str:
        """The language of the twin site the language switch links to."""
        return "en" if self.lang == "ru" else "ru"

    @property
    def twin_origin(self) -> str:
        """The twin site's origin: the replica of the other language, else the real host."""
        return self.twin or real_origin(self.twin_lang)

    @property
    def real_origin(self) -> str:
        """The real origin of this language's site, as written in saved pages."""
        return real_origin(self.lang)

    @property
    def labels(self) -> Labels:
        """The fixed page texts of this language."""
        return labels(self.lang)


def attr(value: str) -> str:
    """Escape for an attribute value."""
    return escape(value, quote=True)


def text(value: str) -> str:
    """Escape for element content (quotes stay as they are, as on the site)."""
    return escape(value, quote=False)


def html_open(lang: str, itemtype: str) -> str:
    """The doctype and the conditional-comment ``<html>`` prologue of every page."""
    return (
        f'<!doctype html> <!--[if lt IE 7 ]> <html class="ie6" lang="{lang}"> <![endif]--> '
        f'<!--[if IE 7 ]> <html class="ie7" lang="{lang}"> <![endif]--> '
        f'<!--[if IE 8 ]> <html class="ie8" lang="{lang}"> <![endif]--> '
        f'<!--[if IE 9 ]> <html class="ie9" lang="{lang}"> <![endif]--> '
        f'<!--[if gt IE 8]><!--> <html lang="{lang}" class="no-js" itemscope="itemscope" '
        f'xmlns="http://www.w3.org/1999/xhtml" itemtype="http://schema.org/{itemtype}" '
        'prefix="og: http://ogp.me/ns# video: http://ogp.me/ns/video# ya: '
        'http://webmaster.yandex.ru/vocabularies/"> '
        "<!--<![endif]--> "
    )


def head(site: Site, title: str, description: str, keywords: str, meta: str, links: str) -> str:
    """``<head>``: title, description, inLanguage, `meta` (og: tags) and `links` (rel=…)."""
    name = attr(site.labels.site_name)
    twitter = "@KremlinRussia" if site.lang == "ru" else "@KremlinRussia_E"
    return (
        f'<head> <meta charset="utf-8"/> <title itemprop="name">{text(title)}</title> '
        f'<meta name="description" content="{attr(description)}"/> <meta name="keywords" '
        f'content="{attr(keywords)}"/> '
        f'<meta itemprop="inLanguage" content="{site.lang}"/>  '
        '<meta name="viewport" '
        'content="width=device-width,initial-scale=1,minimum-scale=0.7,ya-title=#061a44"/>  '
        '<meta name="apple-mobile-web-app-capable" content="yes"/> <meta name="apple-mobile-web-app-title" '
        f'content="{name}"/> '
        '<meta name="format-detection" content="telephone=yes"/> <meta name="theme-color" '
        'content="#061a44"/> '
        f'<meta name="application-name" content="{name}"/>   <meta property="og:site_name" '
        f'content="{name}"/>  '
        f'<meta name="twitter:site" content="{twitter}"/>   {meta}'
        '<link rel="icon" type="image/png" href="/static/favicon-32x32.png" sizes="32x32"/>   '
        '<link rel="icon" type="image/png" href="/static/favicon-16x16.png" sizes="16x16"/>    '
        f'<link rel="manifest" href="/static/{site.lang}/manifest.json"/>         '
        '<link rel="apple-touch-icon" href="/static/apple-touch-icon-180x180.png" sizes="180x180"/>         '
        "      "
        '<link rel="stylesheet" type="text/css" media="all" href="/static/css/screen.css?b3ec38a51f"/> '
        '<link rel="stylesheet" href="/static/css/print.css" media="print"/>  '
        '<!--[if lt IE 9]> <link rel="stylesheet" href="/static/css/ie8.css"/> '
        '<script type="text/javascript" src="/static/js/vendor/html5shiv.js"></script> <![endif]--> '
        f"{links} "
        "<script type=\"text/javascript\">\nwindow.config = {staticUrl: '/static/',mediaUrl: "
        "'http://static.kremlin.ru/media/',internalDomains: 'kremlin.ru|uznai-prezidenta.ru|openkremlin.ru|"
        "президент.рф|xn--d1abbgf6aiiy.xn--p1ai'};\n</script></head> "
    )


def site_links(site: Site, twin_path: str) -> str:
    """The head links every page has: the twin language, author, home, search."""
    name = attr(site.labels.site_name)
    return (
        f'<link rel="alternate" type="text/html" hreflang="{site.twin_lang}" '
        f'href="{site.twin_origin}{twin_path}"/>   '
        '<link rel="author" href="/about"/> <link rel="home" href="/"/> '
        f'<link rel="search" href="/opensearch.xml" title="{name}" '
        'type="application/opensearchdescription+xml"/> '
    )


def header(site: Site) -> str:
    """The top bar with the main menu (trimmed: no search form, no mobile menu)."""
    lb = site.labels
    items = "".join(
        '<li class="nav__item" itemscope="itemscope" itemtype="http://schema.org/SiteNavigationElement"> '
        f'<a href="{href}" class="nav__link{" is-active" if number == 2 else ""}" accesskey="{number}" '
        f'itemprop="url"><span itemprop="name">{text(name)}</span></a> </li>'
        for number, (href, name) in enumerate(lb.nav, start=2)
    )
    return (
        '<div class="header" itemscope="itemscope" itemtype="http://schema.org/WPHeader" role="banner"> '
        '<div class="topline topline__menu"> <a class="topline__toggleaside" accesskey="=" '
        f'aria-label="{lb.menu_label}" '
        f'role="button" href="#sidebar" title="{lb.menu_label}"><i></i></a> <div class="topline__in"> '
        f'<a href="/" class="topline__head" rel="home" accesskey="1" data-title="{attr(lb.site_name)}"> '
        f'<i class="topline__logo"></i>{text(lb.site_name)}</a> <div class="topline__togglemore" '
        'data-url="/mobile-menu"> '
        '<i class="topline__togglemore_button"></i> </div> <div class="topline__more"> '
        f'<nav aria-label="{lb.main_menu_label}"> <ul class="nav">{items} '
        '<li class="nav__item last" itemscope="itemscope" '
        'itemtype="http://schema.org/SiteNavigationElement"> '
        '<a class="nav__link nav__link_search" href="/search" accesskey="7" itemprop="url"> '
        f'<span itemprop="name">{text(lb.search)}</span> </a> </li>  </ul> </nav> </div> </div> </div> '
        "</div> "
    )


def footer(site: Site, twin_path: str) -> str:
    """The footer (trimmed), with the language switch and its inLanguage of the OTHER language."""
    lb = site.labels
    links = "".join(
        '<li class="footer_list_item" itemscope="itemscope" '
        'itemtype="http://schema.org/SiteNavigationElement"> '
        f'<a href="{href}"  itemprop="url"> <span itemprop="name">{text(name)}</span> </a> </li> '
        for href, name in lb.nav
    )
    twin_name = "English" if site.lang == "ru" else "Русский"
    return (
        '<div class="footer" id="footer" itemscope="itemscope" itemtype="http://schema.org/WPFooter"> '
        f'<div class="footer__in"> <div role="complementary" aria-label="{lb.menu_label}"> '
        f'<div class="footer__col col_mob"> <ul class="footer_list nav_mob">{links}</ul> '
        '<ul class="footer_list nav_mob"> <li itemscope="itemscope" '
        'itemtype="http://schema.org/SiteNavigationElement" '
        f'class="language footer_list_item">   <a href="{site.twin_origin}{twin_path}" rel="alternate" '
        f'hreflang="{site.twin_lang}" itemprop="url" class=" no-warning"> <span '
        f'itemprop="name">{twin_name}</span> '
        f'</a> <meta itemprop="inLanguage" content="{site.twin_lang}"/>   </li> </ul> </div> </div> '
        '<div role="contentinfo"> <div class="footer__license"> <p>'
        + (
            "Все материалы сайта доступны по лицензии:"
            if site.lang == "ru"
            else "All content on this site is licensed under"
        )
        + '</p> <p><a href="http://creativecommons.org/licenses/by/4.0/deed.ru" class="underline" '
        'rel="license" '
        'target="_blank">Creative Commons Attribution 4.0 International</a></p> </div> </div> '
        '<div class="footer__logo"></div> </div> </div> '
    )


def sidebar_and_close(site: Site, twin_path: str) -> str:
    """The sidebar (trimmed) with its language switch, the app script and the end of the page."""
    first, second = ("Russian", "English") if site.lang == "ru" else ("Русский", "Английский")
    signature = "Администрация Президента России" if site.lang == "ru" else "Presidential Executive Office"
    if site.lang == "ru":
        switch = (
            '<span class="sidebar_lang_item sidebar_lang_first"> <a tabindex="-1" rel="alternate" '
            'hreflang="ru" '
            f'itemprop="url" > <span>{first}</span> </a> </span><span class="sidebar_lang_item"> '
            f'<a tabindex="0" href="{site.twin_origin}{twin_path}" rel="alternate" hreflang="en" '
            'itemprop="url" '
            f'class="is-active"> <span>{second}</span> </a> </span> '
        )
    else:
        switch = (
            '<span class="sidebar_lang_item sidebar_lang_first"> <a tabindex="0" '
            f'href="{site.twin_origin}{twin_path}" '
            f'rel="alternate" hreflang="ru" itemprop="url" class="is-active"> <span>{first}</span> </a> '
            "</span>"
            '<span class="sidebar_lang_item"> <a tabindex="-1" rel="alternate" hreflang="en" itemprop="url" '
            "> "
            f"<span>{second}</span> </a> </span> "
        )
    return (
        '<div class="wrapsite__outside hidden-print"><div class="wrapsite__overlay"></div></div>'
        '<div class="sidebar" tabindex="-1" itemscope="itemscope" itemtype="http://schema.org/WPSideBar"> '
        f'<div class="sidebar__content">    <div class="sidebar_lang">  {switch}'
        f'<meta itemprop="inLanguage" content="{site.twin_lang}"/>   </div> </div> '
        f'<p class="sidebar__signature">{signature}<br/>2026</p> </div>'
        '<script type="text/javascript" src="/static/js/app.js?b55e8ad0c8"></script></body> </html>'
    )
