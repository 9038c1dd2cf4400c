"""INTERIM stand-ins for watch.extract, watch.urls and watch.fingerprint.

DELETE AT MERGE: poll.py imports the extract branch's modules first and falls back to
these only while they are absent. Deliberately simple: header/meta charset, lxml text
of <article>/<main>/<body> without navigation, rel=canonical, rel=alternate feeds,
same-site links that look like articles, utm_* removal, a 64-bit SimHash.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|yclid|mc_cid|mc_eid|_ga)$", re.I)


@dataclass(frozen=True)
class Page:
    title: str = ""
    text: str = ""
    canonical_url: str = ""
    published: datetime | None = None
    language: str | None = None
    feed_links: tuple[str, ...] = ()
    article_links: tuple[str, ...] = ()


def _charset(content_type: str, body: bytes) -> str:
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type or "", re.I)
    match = match or re.search(rb"<meta[^>]+charset=[\"']?([\w.:-]+)", body[:4096], re.I)
    if not match:
        return "utf-8"
    name = match.group(1)
    return name.decode("ascii", "replace") if isinstance(name, bytes) else name


def decode(body: bytes, content_type: str = "") -> str:
    try:
        return body.decode(_charset(content_type, body), errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def extract_page(body: bytes, url: str, content_type: str = "") -> Page:
    text = decode(body, content_type)
    if not text.strip():
        return Page()
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return Page(text=" ".join(text.split())[:10000])
    title = _first(root, "//meta[@property='og:title']/@content", "//title/text()", "//h1//text()")
    canonical = _first(
        root, "//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content"
    )
    published = _date(
        _first(root, "//meta[@property='article:published_time']/@content", "//time/@datetime")
    )
    language = _first(root, "/html/@lang") or None
    feeds = [
        urljoin(url, link.get("href"))
        for link in root.iter("link")
        if (link.get("rel") or "").lower() == "alternate"
        and (link.get("type") or "").lower() in FEED_TYPES
        and link.get("href")
    ]
    links = _article_links(root, url)
    for bad in root.xpath("|".join(f"//{t}" for t in DROP_TAGS)):
        bad.drop_tree()
    main = (root.xpath("//article") or root.xpath("//main") or root.xpath("//body") or [root])[0]
    paragraphs = [" ".join(p.split()) for p in main.itertext()]
    return Page(
        title=" ".join(title.split()),
        text="\n".join(p for p in paragraphs if p),
        canonical_url=canonical(urljoin(url, canonical)) if canonical else "",
        published=published,
        language=language,
        feed_links=tuple(dict.fromkeys(feeds)),
        article_links=tuple(links),
    )


def _first(root, *paths: str) -> str:
    for path in paths:
        found = root.xpath(path)
        if found and str(found[0]).strip():
            return str(found[0]).strip()
    return ""


def _date(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _article_links(root, url: str) -> list[str]:
    """Same-site links whose path looks like an article (a slug or a number, two levels)."""
    host = urlsplit(url).netloc.lower()
    here = canonical(url)
    out: dict[str, None] = {}
    for a in root.iter("a"):
        href = a.get("href")
        if not href:
            continue
        absolute = urljoin(url, href)
        parts = urlsplit(absolute)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != host:
            continue
        path = parts.path.strip("/")
        if not path or ("-" not in path and not re.search(r"\d", path)):
            continue
        link = canonical(absolute)
        if link != here:
            out[link] = None
    return list(out)


def canonical(url: str) -> str:
    parts = urlsplit(url.strip())
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query) if not TRACKING.match(k)))
    netloc = parts.netloc.lower()
    for default in (":80", ":443"):
        if netloc.endswith(default):
            netloc = netloc[: -len(default)]
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


_WORD = re.compile(r"\w+", re.UNICODE)


def fingerprint(text: str) -> int:
    """64-bit SimHash over word 3-shingles."""
    words = _WORD.findall(text.casefold())
    shingles = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    weights = [0] * 64
    for shingle in shingles:
        h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def parse_sitemap(xml: bytes) -> list[tuple[str, datetime | None]]:
    """(loc, lastmod) of a sitemap's URLs, or of a sitemap index's sitemaps."""
    try:
        root = etree.fromstring(xml, etree.XMLParser(recover=True, resolve_entities=False))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    out = []
    for entry in root:
        if not isinstance(entry.tag, str):
            continue
        fields = {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in entry}
        if fields.get("loc"):
            out.append((fields["loc"], _date(fields.get("lastmod", ""))))
    return out
