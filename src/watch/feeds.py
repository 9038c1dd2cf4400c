"""RSS, Atom and RDF feeds (with feedparser) and JSON Feeds into plain items.

feedparser is lenient by design (its "bozo" flag marks a feed it had to repair); we
keep whatever entries it recovers and refuse only a body that yields no feed at all,
with a reason a person can act on. feedparser does not read JSON Feed
(https://www.jsonfeed.org/version/1.1/); the standard library's json does, and the
items it gives become the same FeedItem records.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

import feedparser
from bs4 import BeautifulSoup

from watch.charset import decode
from watch.dates import parse_date
from watch.errors import FetchError
from watch.records import FeedItem
from watch.rssxml import rss_entries
from watch.urls import is_http

# An item whose body is shorter than this is a teaser: the article page has the text.
FULL_TEXT_CHARS = 600
_LEADING = b"\xef\xbb\xbf \t\r\n"  # a UTF-8 BOM and white space, before a body's first sign


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    items: list[FeedItem]
    warning: str | None = None  # what feedparser had to repair, when it still found items


def looks_like_feed(body: bytes) -> bool:
    head = body[:2048].lstrip(_LEADING).lower()
    return (
        head.startswith(b"<?xml")
        or any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<channel"))
        or looks_like_json_feed(body)
    )


def looks_like_json_feed(body: bytes) -> bool:
    """A JSON object naming a JSON Feed version (the key may come after the items)."""
    head = body[:64].lstrip(_LEADING)
    return head.startswith(b"{") and _JSON_FEED_VERSION.encode() in body


def looks_like_sitemap(body: bytes) -> bool:
    head = body[:4096].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


def looks_like_html(body: bytes) -> bool:
    head = body[:4096].lower()
    return b"<html" in head or b"<!doctype html" in head or b"<body" in head


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse an RSS, Atom, RDF or JSON Feed body (JSON Feed by its content type or its body).

    FetchError('empty_body' | 'not_a_feed' | 'feed_malformed' | 'bad_json_feed')."""
    if not body.strip():
        raise FetchError("empty_body", f"{url} answered 200 with an empty body")
    if _is_json(body, content_type):
        return _json_feed(body, url, content_type)
    body, content_type = _decoded(body, content_type)
    plain = rss_entries(body)
    if plain is not None:  # what feedparser would give, read 50 times faster (watch.rssxml)
        return _rss_feed(plain, url)
    return _feedparser_feed(body, url, content_type)


def _rss_feed(plain: tuple[str, list[dict]], url: str) -> ParsedFeed:
    title, entries = plain
    items = [item for entry in entries if (item := _item(entry, url)) is not None]
    return ParsedFeed(_plain(title), items)


def _feedparser_feed(body: bytes, url: str, content_type: str) -> ParsedFeed:
    headers = {"content-type": content_type} if content_type else {}
    # Both off: item fields are reduced to plain text (_plain), so the markup is neither
    # shown nor followed. Resolving the links inside it was 28 % of feedparser's time on
    # the 50 corpus newsfeeds (0.74 s -> 0.53 s, same items; item links are resolved
    # either way).
    parsed = feedparser.parse(
        body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
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
    title = _plain(entry.get("title", ""))
    content = " ".join(c.get("value", "") for c in entry.get("content", []) if c.get("value"))
    summary = entry.get("summary", "") or entry.get("description", "")
    text = _plain(content) or _plain(summary)
    authors = tuple(a["name"] for a in entry.get("authors") or [] if a.get("name"))
    return _built_item(
        feed_url, entry.get("link"), entry.get("id"), title, text, _date(entry), authors=authors
    )


def _built_item(
    feed_url: str,
    link: str | None,
    guid: str | None,
    title: str,
    text: str,
    published: datetime | None,
    *,
    language: str | None = None,
    authors: tuple[str, ...] = (),
) -> FeedItem | None:
    """The item as every feed format gives it; None when it has nothing at all."""
    url = urljoin(feed_url, (link or "").strip())
    if not is_http(url) or url == feed_url:  # "javascript:", "mailto:", a bare word: no link
        url = ""
    guid = (guid or "").strip() or None
    if not url and guid and is_http(guid):
        url = guid
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
        published=published,
        language=language,
        authors=authors,
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
    return _tidy(text)


def _tidy(text: str) -> str:
    """Plain text as we keep it: spaces squeezed, one paragraph a line, no blank lines."""
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# -- JSON Feed (https://www.jsonfeed.org/version/1.1/ and 1.0) --------------------------------

_JSON_FEED_VERSION = "jsonfeed.org/version/"
_JSON_TYPES = ("application/feed+json", "application/json")
_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$", re.I)


def _is_json(body: bytes, content_type: str) -> bool:
    """JSON by its first character, or by a JSON content type on a body that is not markup
    (servers label RSS application/json too)."""
    head = body[:64].lstrip(_LEADING)
    if head[:1] in (b"{", b"["):
        return True
    main = (content_type or "").split(";")[0].strip().lower()
    return (main in _JSON_TYPES or main.endswith("+json")) and not head.startswith(b"<")


def _json_feed(body: bytes, url: str, content_type: str) -> ParsedFeed:
    feed = _json_object(body, url, content_type)
    version = feed.get("version")
    versioned = isinstance(version, str) and _JSON_FEED_VERSION in version
    entries = feed.get("items")
    if not versioned and not isinstance(entries, list):
        raise FetchError(
            "not_a_feed",
            f"{url} is JSON but not a JSON Feed (no https://jsonfeed.org/version/ and no items)",
        )
    problems = [] if versioned else ["no JSON Feed `version`"]
    if entries is None:
        problems.append("no `items` list")
        entries = []
    elif not isinstance(entries, list):
        raise FetchError(
            "bad_json_feed", f"{url}: `items` is {_json_kind(entries)}, not a list of items"
        )
    language, authors = _language(feed.get("language")), _authors(feed)
    items, odd = [], []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            odd.append(index)
        elif (item := _json_item(entry, url, language, authors)) is not None:
            items.append(item)
    if odd:
        problems.append(f"{len(odd)} item(s) not objects, skipped (first: items[{odd[0]}])")
    return ParsedFeed(_plain(_json_str(feed.get("title"))), items, "; ".join(problems) or None)


def _json_object(body: bytes, url: str, content_type: str) -> dict:
    text, _ = decode(body, content_type or None, kind="xml")  # a BOM, UTF-16, a wrong label
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        near = text[max(error.pos - 25, 0) : error.pos + 25]
        raise FetchError(
            "bad_json_feed",
            f"{url}: broken JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            f" (near {near!r})",
        ) from None
    except RecursionError:
        raise FetchError("bad_json_feed", f"{url}: JSON nested too deeply to read") from None
    if not isinstance(data, dict):
        raise FetchError(
            "not_a_feed", f"{url} is JSON but not a JSON Feed (it is {_json_kind(data)})"
        )
    return data


def _json_item(
    entry: dict, feed_url: str, language: str | None, authors: tuple[str, ...]
) -> FeedItem | None:
    # `url` is the item's own page; `external_url` what it links to (a link blog's post).
    links = (_json_str(entry.get(key)).strip() for key in ("url", "external_url"))
    link = next((x for x in links if x and is_http(urljoin(feed_url, x))), "")
    plain = _tidy(_json_str(entry.get("content_text")))
    html = _plain(_json_str(entry.get("content_html")))
    # Both should carry the same text; when a feed makes one an excerpt, keep the article.
    text = max(plain, html, key=len) or _tidy(_json_str(entry.get("summary")))
    return _built_item(
        feed_url,
        link,
        _json_str(entry.get("id")),
        _plain(_json_str(entry.get("title"))),
        text,
        _json_date(entry),
        language=_language(entry.get("language")) or language,
        authors=_authors(entry) or authors,
    )


def _json_str(value) -> str:
    """A string field as a string; numbers too (1.0 feeds give numeric ids); else ''."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _json_kind(value) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false"}
    return names.get(type(value), "null" if value is None else "a number")


def _json_date(entry: dict) -> datetime | None:
    for key in ("date_published", "date_modified"):
        when = parse_date(entry.get(key))
        if when is not None:
            return when.astimezone(UTC)  # as feedparser's dates are
    return None


def _language(value) -> str | None:
    match = _LANG.match(value.strip()) if isinstance(value, str) else None
    return match.group(1).lower() if match else None


def _authors(obj: dict) -> tuple[str, ...]:
    """1.1's `authors` list, else 1.0's single `author` (a name, URL and avatar each)."""
    people = obj.get("authors")
    if not isinstance(people, list) or not people:
        people = [obj.get("author")]
    names: list[str] = []
    for person in people:
        name = person.get("name") if isinstance(person, dict) else person
        name = " ".join(name.split()) if isinstance(name, str) else ""
        if name and name not in names:
            names.append(name)
    return tuple(names)
