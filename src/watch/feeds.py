"""RSS, Atom and RDF feeds into plain items, with feedparser.

feedparser is lenient by design (its "bozo" flag marks a feed it had to repair); we
keep whatever entries it recovers and refuse only a body that yields no feed at all,
with a reason a person can act on.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from bs4 import BeautifulSoup

from watch.charset import decode
from watch.errors import FetchError
from watch.urls import is_http

# An item whose body is shorter than this is a teaser: the article page has the text.
FULL_TEXT_CHARS = 600


@dataclass(frozen=True)
class FeedItem:
    guid: str | None
    url: str
    title: str
    text: str  # plain text of the content or summary
    full: bool  # whether `text` is the article itself rather than a teaser
    published: datetime | None = None
    linked: bool = True  # False when the item had no link of its own (nothing to follow)

    @property
    def key(self) -> str:
        """What identifies the item across polls: its GUID, else its link."""
        return self.guid or self.url

    @property
    def digest(self) -> str:
        """Changes when the item is edited, so an edit is fetched and updated in place."""
        raw = "\x1f".join((self.title, self.text, self.url))
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    items: list[FeedItem]
    warning: str | None = None  # what feedparser had to repair, when it still found items


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<?xml") or any(
        tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<channel")
    )


def looks_like_sitemap(body: bytes) -> bool:
    head = body[:4096].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def looks_like_html(body: bytes) -> bool:
    head = body[:4096].lower()
    return b"<html" in head or b"<!doctype html" in head or b"<body" in head


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a feed body; FetchError('empty_body' | 'not_a_feed' | 'feed_malformed')."""
    if not body.strip():
        raise FetchError("empty_body", f"{url} answered 200 with an empty body")
    body, content_type = _decoded(body, content_type)
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    items = [item for entry in parsed.entries if (item := _item(entry, url)) is not None]
    reason = _bozo_reason(parsed)
    broken = reason is not None and not _harmless(parsed)
    recovered = bool(items or parsed.version or parsed.feed.get("title"))
    if not recovered:
        if looks_like_html(body):
            raise FetchError("not_a_feed", f"{url} is an HTML page, not a feed")
        if broken:
            raise FetchError("feed_malformed", f"{url}: {reason}")
        raise FetchError("not_a_feed", f"{url}: no RSS, Atom or RDF feed found")
    title = _plain(parsed.feed.get("title", ""))
    return ParsedFeed(title, items, reason if broken else None)


def _harmless(parsed) -> bool:
    """feedparser also says 'bozo' for a wrong charset label or content type it got past."""
    name = type(parsed.get("bozo_exception")).__name__
    return name in ("CharacterEncodingOverride", "NonXMLContentType")


_XML_ENCODING = re.compile(rb"^(\s*<\?xml[^>]*?encoding=)([\"'])[^\"']*\2", re.I)


def _decoded(body: bytes, content_type: str) -> tuple[bytes, str]:
    """Decode with charset.decode (it knows more charsets and wrong labels than feedparser)
    and hand feedparser clean UTF-8."""
    text, _ = decode(body, content_type or None, kind="xml")
    utf8 = _XML_ENCODING.sub(rb"\1\2utf-8\2", text.encode("utf-8"), count=1)
    main = (content_type or "application/xml").split(";")[0]
    return utf8, f"{main}; charset=utf-8"


def _bozo_reason(parsed) -> str | None:
    error = parsed.get("bozo_exception")
    if error is None:
        return None
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"[:300]


def _item(entry, feed_url: str) -> FeedItem | None:
    url = urljoin(feed_url, (entry.get("link") or "").strip())
    if not is_http(url) or url == feed_url:  # "javascript:", "mailto:", a bare word: no link
        url = ""
    guid = (entry.get("id") or "").strip() or None
    if not url and guid and is_http(guid):
        url = guid
    title = _plain(entry.get("title", ""))
    content = " ".join(c.get("value", "") for c in entry.get("content", []) if c.get("value"))
    summary = entry.get("summary", "") or entry.get("description", "")
    text = _plain(content) or _plain(summary)
    if not url and not guid and not text and not title:
        return None
    linked = bool(url)
    if not url:
        url = feed_url + "#" + (guid or hashlib.sha1((title + text).encode()).hexdigest()[:12])
    return FeedItem(
        linked=linked,
        guid=guid,
        url=url,
        title=title,
        text=text,
        full=len(text) >= FULL_TEXT_CHARS,
        published=_date(entry),
    )


def _date(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return datetime.fromtimestamp(calendar.timegm(value), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


_SPACE = re.compile(r"[ \t\r\f\v]+")


def _plain(html: str) -> str:
    """Feed fields are HTML fragments (or plain text): keep the words, one paragraph a line."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        text = html
    else:
        text = BeautifulSoup(html, "lxml").get_text("\n")
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
