"""From a fetched page to its title, main text and metadata.

Pure functions: bytes or str in, dataclasses out; no network. The crawler calls
extract_page() on every article page and on every front page it polls (for
article_links and feed_links, found by watch.links). Sitemaps are parsed by
watch.sitemaps; parse_sitemap is re-exported here for callers that import it
from this module.

Main text comes from trafilatura, chosen by measurement on the shared corpus
(see bench/extract and docs/readme-extract.md): it keeps the article and drops
navigation, comments, and "related articles" lists.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
import trafilatura
from htmldate import find_date
from lxml.etree import XPath
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

from watch import xpathguard
from watch.charset import decode
from watch.dates import parse_date
from watch.links import article_links, feed_links
from watch.sitemaps import parse_sitemap
from watch.urls import canonical_or, is_http, same_site

xpathguard.install()

__all__ = ["Page", "extract_page", "parse_sitemap"]


@dataclass
class Page:
    """What extract_page() finds in one HTML page."""

    url: str  # the URL it was fetched from
    title: str = ""
    text: str = ""  # main text, paragraphs separated by "\n"
    canonical_url: str = ""  # rel=canonical / og:url, else the fetch URL; always canonical()
    published: datetime | None = None  # from the page's metadata; always timezone-aware
    language: str | None = None  # primary language subtag from html lang / content-language
    feed_links: list[str] = field(default_factory=list)  # RSS/Atom/JSON feeds it announces
    article_links: list[str] = field(default_factory=list)  # same-site article-like links
    encoding: str | None = None  # the charset the bytes were decoded with, if bytes


# Compiled once: a string passed to tree.xpath() is compiled again on every call, about
# half of each lookup's time on an article page.
_BASE_HREFS = XPath("//base/@href")
_JSON_LD_TEXTS = XPath("//script[@type='application/ld+json']/text()")
_TITLE_TEXTS = XPath("//title//text()")
_H1_TEXTS = XPath("(//h1)[1]//text()")
_CANONICAL_HREFS = XPath(
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
)
_PUBDATE_DATETIMES = XPath("//time[@pubdate]/@datetime | //*[@itemprop='datePublished']/@datetime")
_TIME_DATETIMES = XPath("//article//time/@datetime | //time/@datetime")
_HTML_LANGS = XPath("/html/@lang | /html/@xml:lang")
_CONTENT_LANGUAGES = XPath(
    "//meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')='content-language']/@content"
)


# --- the page --------------------------------------------------------------------------------


def extract_page(
    html: str | bytes,
    url: str,
    content_type: str | None = None,
    *,
    main_text: bool = True,
    links: bool = True,
) -> Page:
    """Title, main text and metadata of one page; `content_type` is the HTTP header, if any.

    main_text=False skips the main-text extraction (text stays ""): for front pages
    polled only for their article_links and feed_links, where it is most of the
    cost (0.1-0.5 s on a 1-2 MB news front page). links=False skips feed_links and
    article_links (they stay []): for article pages, whose links a poll never follows.
    """
    if not isinstance(html, str | bytes | bytearray):
        raise TypeError(f"extract_page({url!r}): wants str or bytes, got {type(html).__name__}")
    if not (is_http(url) or url.startswith("file:")):  # file: for `appealwatch scan` of saved pages
        raise ValueError(f"extract_page: url must be an absolute http(s) or file URL, got {url!r}")
    encoding = None
    if not isinstance(html, str):
        html, encoding = decode(bytes(html), content_type)
    page = Page(url=url, encoding=encoding)
    tree = _parse(html)
    if tree is None:
        page.canonical_url = canonical_or(url, url)
        return page
    base = _base_url(tree, url)
    meta, ld = _metas(tree), _json_ld(tree)
    page.title = _title(tree, meta, ld)
    page.canonical_url = _canonical_url(tree, meta, base, url)
    page.published = _declared_date(tree, meta, ld)
    page.language = _language(tree, meta)
    if links:
        page.feed_links = feed_links(tree, base)
        page.article_links = article_links(tree, base, url)
    if main_text:
        page.text = _main_text(tree, url)
    page.published = page.published or _guessed_date(tree, url)
    return page


def _parse(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    # trafilatura's loader copes with XML declarations in str, broken markup and huge trees.
    return load_html(html)


def _base_url(tree, url: str) -> str:
    for href in _BASE_HREFS(tree):
        joined = urljoin(url, href.strip())
        if is_http(joined):
            return joined
    return url


# A fast pass (trafilatura's own extractor only) whose text is at least this long is kept;
# shorter ones are redone with the fallback extractors (readability, justext). On the
# corpus (bench/extract, 150 pages) every threshold from 1,000 to 2,000 chars scored exactly
# as the full cascade alone (AEB F1 0.964, snippet F1 0.936), while an article page of a
# poll costs about half the CPU: readability replaces a text only when it finds twice as much.
FAST_ENOUGH_CHARS = 1000


_OPTIONS = threading.local()


def _options(fast: bool) -> Extractor:
    # Built once per thread, then only the URL changes: building one per page (configparser
    # reads) was ~10 % of an article's CPU, and copying one 4 %.
    cached = getattr(_OPTIONS, "by_speed", None)
    if cached is None:
        cached = _OPTIONS.by_speed = {
            speed: Extractor(comments=False, tables=True, precision=True, fast=speed)
            for speed in (True, False)
        }
    return cached[fast]


def _extract(tree, url: str, *, fast: bool) -> str | None:
    options = _options(fast)
    options.url = options.source = url
    return trafilatura.extract(tree, options=options)


def _main_text(tree, url: str) -> str:
    # favor_precision: best shingle F1 and snippet precision on the corpus (bench/extract).
    text = _extract(tree, url, fast=True)
    if not text or len(text) < FAST_ENOUGH_CHARS:
        text = _extract(tree, url, fast=False)
    if not text:
        # No article body found (a listing page, an odd layout): the page's paragraphs
        # rather than nothing, since an empty text can only ever miss a mention.
        text = trafilatura.baseline(tree)[1]
    return (text or "").strip()


# --- metadata ------------------------------------------------------------------------------


def _metas(tree) -> dict[str, str]:
    """<meta> contents by lowercased property / name / itemprop: the first non-empty wins."""
    found: dict[str, str] = {}
    for el in tree.iter("meta"):
        content = (el.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = (el.get(attr) or "").strip().lower()
            if key and key not in found:
                found[key] = content
    return found


def _meta(meta: dict[str, str], *names: str) -> str:
    """The first of these <meta> names the page has, in the order given."""
    return next((meta[n.lower()] for n in names if n.lower() in meta), "")


def _json_ld(tree) -> list[dict]:
    """Every JSON-LD object on the page, @graph members flattened."""
    found: list[dict] = []
    for script in _JSON_LD_TEXTS(tree):
        try:
            data = json.loads(script.strip().rstrip(";"))
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                found.append(item)
                stack.extend(v for k, v in item.items() if k in ("@graph", "mainEntity"))
    return found


_SITE_SUFFIX = re.compile(r"\s+[|—–·:»-]\s+[^|—–·:»]{2,40}$")


def _title(tree, meta: dict[str, str], ld: list[dict]) -> str:
    declared = [
        _meta(meta, "og:title", "twitter:title"),
        next((str(o["headline"]) for o in ld if o.get("headline")), ""),
        " ".join(_TITLE_TEXTS(tree)),
    ]
    declared = [" ".join(t.split()) for t in declared if t and t.strip()]
    h1 = " ".join(" ".join(_H1_TEXTS(tree)).split())
    # The headline as printed, when the declared titles agree with it: og:title
    # often adds a kicker ("Brexit: ...") and <title> the site's name.
    if h1 and len(h1) > 10 and any(h1.casefold() in t.casefold() for t in declared):
        return h1
    title = declared[0] if declared else h1
    return _SITE_SUFFIX.sub("", title) or title


def _canonical_url(tree, meta: dict[str, str], base: str, url: str) -> str:
    candidates = [
        *_CANONICAL_HREFS(tree),
        _meta(meta, "og:url"),
    ]
    for href in candidates:
        joined = urljoin(base, href.strip()) if href and href.strip() else ""
        # A canonical pointing at another site is a syndication credit or a mistake: keep ours.
        if is_http(joined) and same_site(joined, url):
            return canonical_or(joined, url)
    return canonical_or(url, url)


_DATE_METAS = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "publishdate",
    "pubdate",
    "publish-date",
    "publish_date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
    "article.published",
    "cXenseParse:recs:publishtime",
    "og:published_time",
)


def _declared_date(tree, meta: dict[str, str], ld: list[dict]) -> datetime | None:
    for obj in ld:
        for key in ("datePublished", "dateCreated", "uploadDate"):
            when = parse_date(obj.get(key))
            if when:
                return when
    when = parse_date(_meta(meta, *_DATE_METAS))
    if when:
        return when
    for value in _PUBDATE_DATETIMES(tree):
        when = parse_date(value)
        if when:
            return when
    times = _TIME_DATETIMES(tree)
    return parse_date(times[0]) if times else None


def _guessed_date(tree, url: str) -> datetime | None:
    """htmldate's quick search (URL, visible dates) for pages that declare no date.

    Called last: htmldate may prune the tree it is given. Its extensive search
    took up to 3 s on one corpus page, so it stays off.
    """
    try:
        found = find_date(tree, url=url, extensive_search=False, original_date=True)
    except (ValueError, TypeError):
        return None
    return parse_date(found) if found else None


_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$", re.I)


def _language(tree, meta: dict[str, str]) -> str | None:
    candidates = [
        *_HTML_LANGS(tree),
        *_CONTENT_LANGUAGES(tree),
        _meta(meta, "og:locale", "language", "dc.language", "inlanguage"),
    ]
    for value in candidates:
        match = _LANG.match((value or "").split(",")[0].strip())
        if match:
            return match.group(1).lower()
    return None
