"""Is this answer a kremlin.ru page at all? Checks on a 200 body made before any parser sees it.

A 200 is not always the page asked for: an anti-bot service answers with a captcha or "checking your
browser" interstitial, a proxy cuts a body short yet sends a matching Content-Length, a misconfigured
server labels windows-1251 bytes as UTF-8. Handing those to the parsers would report "the layout
changed" (parser broken) when the truth is "we were blocked" or "the answer was damaged", so the
spider asks `inspect_body` first and files the answer under the right row of `crawler.outcomes`.
"""

from __future__ import annotations

import codecs

from crawler.outcomes import Answer

#: Words of the interstitials of the common anti-bot services (DDoS-Guard, Cloudflare, ServicePipe,
#: reCAPTCHA / hCaptcha / Yandex SmartCaptcha), lower-cased; a kremlin.ru page carries none of them.
CHALLENGE_MARKERS = (
    b"captcha",
    b"challenge-platform",
    b"cf-chl",
    b"ddos-guard",
    b"servicepipe",
    b"checking your browser",
    b"just a moment...",
    "проверка браузера".encode(),
    "вы не робот".encode(),
)
#: How much of a body is searched for the markers (interstitials are small; the head says it all).
_SNIFF_BYTES = 65536
#: The closing tag a complete page of each kind ends with.
_CLOSING = {"feed": b"</feed>", "html": b"</html>"}


def looks_like_challenge(body: bytes) -> bool:
    """True when `body` is an anti-bot or captcha interstitial rather than a kremlin.ru page."""
    head = body[:_SNIFF_BYTES].lower()
    return any(marker in head for marker in CHALLENGE_MARKERS)


def inspect_body(body: bytes, encoding: str | None, kind: str) -> Answer | None:
    """What is wrong with a 200 `body` of a ``feed`` or ``html`` page, or None when it may be parsed.

    `encoding` is the one the response declares (header or document); a body it cannot decode is
    damaged, not a new layout. A body without its closing tag was cut short on the way.
    """
    if looks_like_challenge(body):
        return Answer.CHALLENGE
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = None
    if encoding:
        try:
            body.decode(encoding)
        except UnicodeDecodeError:
            return Answer.BAD_ENCODING
    if _CLOSING[kind] not in body[-4096:].lower():
        return Answer.TRUNCATED
    return None
