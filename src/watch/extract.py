"""From a fetched page to its title, main text and metadata; from a sitemap to its URLs.

Pure functions: bytes or str in, dataclasses out; no network. The crawler calls
extract_page() on every article page and on every front page it polls (for
article_links and feed_links), and parse_sitemap() on sitemaps.

Main text comes from trafilatura, chosen by measurement on the shared corpus
(see bench/extract and docs/readme-extract.md): it keeps the article and drops
navigation, comments, and "related articles" lists.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
import trafilatura
from htmldate import find_date
from trafilatura.utils import load_html

from watch.charset import decode
from watch.errors import FetchError
from watch.urls import canonical, is_http, same_site

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


# --- the page --------------------------------------------------------------------------------


def extract_page(
    html: str | bytes, url: str, content_type: str | None = None, *, main_text: bool = True
) -> Page:
    """Title, main text and metadata of one page; `content_type` is the HTTP header, if any.

    main_text=False skips the main-text extraction (text stays ""): for front pages
    polled only for their article_links and feed_links, where it is most of the
    cost (0.1-0.5 s on a 1-2 MB news front page).
    """
    if not isinstance(html, str | bytes | bytearray):
        raise TypeError(f"extract_page({url!r}): wants str or bytes, got {type(html).__name__}")
    if not (is_http(url) or url.startswith("file:")):  # file: for `appealwatch scan` of saved pages
        raise ValueError(f"extract_page: url must be an absolute http(s) or file URL, got {url!r}")
    encoding = None
    if not isinstance(html, str):
        html, encoding = decode(bytes(html), content_type)
    page = Page(url=url, canonical_url=_canonical_or(url, url), encoding=encoding)
    tree = _parse(html)
    if tree is None:
        return page
    base = _base_url(tree, url)
    meta, ld = _metas(tree), _json_ld(tree)
    page.title = _title(tree, meta, ld)
    page.canonical_url = _canonical_url(tree, meta, base, url)
    page.published = _declared_date(tree, meta, ld)
    page.language = _language(tree, meta)
    page.feed_links = _feed_links(tree, base)
    page.article_links = _article_links(tree, base, url)
    if main_text:
        page.text = _main_text(tree, url)
    page.published = page.published or _guessed_date(tree, url)
    return page


def _parse(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    # trafilatura's loader copes with XML declarations in str, broken markup and huge trees.
    return load_html(html)


def _canonical_or(url: str, fallback: str) -> str:
    try:
        return canonical(url)
    except ValueError:
        return fallback


def _base_url(tree, url: str) -> str:
    for href in tree.xpath("//base/@href"):
        joined = urljoin(url, href.strip())
        if is_http(joined):
            return joined
    return url


def _main_text(tree, url: str) -> str:
    # favor_precision: best shingle F1 and snippet precision on the corpus (bench/extract).
    text = trafilatura.extract(
        tree, url=url, include_comments=False, include_tables=True, favor_precision=True
    )
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
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
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
        " ".join(tree.xpath("//title//text()")),
    ]
    declared = [" ".join(t.split()) for t in declared if t and t.strip()]
    h1 = " ".join(" ".join(tree.xpath("(//h1)[1]//text()")).split())
    # The headline as printed, when the declared titles agree with it: og:title
    # often adds a kicker ("Brexit: ...") and <title> the site's name.
    if h1 and len(h1) > 10 and any(h1.casefold() in t.casefold() for t in declared):
        return h1
    title = declared[0] if declared else h1
    return _SITE_SUFFIX.sub("", title) or title


def _canonical_url(tree, meta: dict[str, str], base: str, url: str) -> str:
    candidates = [
        *tree.xpath(
            "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
        ),
        _meta(meta, "og:url"),
    ]
    for href in candidates:
        joined = urljoin(base, href.strip()) if href and href.strip() else ""
        # A canonical pointing at another site is a syndication credit or a mistake: keep ours.
        if is_http(joined) and same_site(joined, url):
            return _canonical_or(joined, url)
    return _canonical_or(url, url)


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
            when = _parse_date(obj.get(key))
            if when:
                return when
    when = _parse_date(_meta(meta, *_DATE_METAS))
    if when:
        return when
    for value in tree.xpath(
        "//time[@pubdate]/@datetime | //*[@itemprop='datePublished']/@datetime"
    ):
        when = _parse_date(value)
        if when:
            return when
    times = tree.xpath("//article//time/@datetime | //time/@datetime")
    return _parse_date(times[0]) if times else None


def _guessed_date(tree, url: str) -> datetime | None:
    """htmldate's quick search (URL, visible dates) for pages that declare no date.

    Called last: htmldate may prune the tree it is given. Its extensive search
    took up to 3 s on one corpus page, so it stays off.
    """
    try:
        found = find_date(tree, url=url, extensive_search=False, original_date=True)
    except (ValueError, TypeError):
        return None
    return _parse_date(found) if found else None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _parse_date(value: object) -> datetime | None:
    """An ISO 8601 or RFC 2822 date, timezone-aware (naive ones are taken as UTC).

    An offset the page gives is kept, so that .date() is the day the newsroom
    printed, not the UTC day, which can differ by one.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    when = None
    if _ISO_DATE.match(text):
        iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace(" ", "T", 1))
        try:
            when = datetime.fromisoformat(iso)
        except ValueError:
            try:
                when = datetime.fromisoformat(text[:10])
            except ValueError:
                return None
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if not 1990 <= when.year <= 2100:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when


_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$", re.I)


def _language(tree, meta: dict[str, str]) -> str | None:
    candidates = [
        *tree.xpath("/html/@lang | /html/@xml:lang"),
        *tree.xpath(
            "//meta[translate(@http-equiv,'CONTENTLAGU','contentlagu')='content-language']/@content"
        ),
        _meta(meta, "og:locale", "language", "dc.language", "inlanguage"),
    ]
    for value in candidates:
        match = _LANG.match((value or "").split(",")[0].strip())
        if match:
            return match.group(1).lower()
    return None


# --- links ---------------------------------------------------------------------------------

_FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "text/xml",
    "application/xml",
}


def _feed_links(tree, base: str) -> list[str]:
    found: list[str] = []
    for link in tree.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in _FEED_TYPES:
            continue
        # application/json alternates are often oEmbed or wp-json API, not feeds.
        if kind == "application/json" and "feed" not in link.get("href", "").lower():
            continue
        href = urljoin(base, link.get("href").strip())
        if is_http(href):
            url = _canonical_or(href, href)
            if url not in found:
                found.append(url)
    return found


_NOT_ARTICLE = re.compile(
    r"/(tags?|category|categories|rubric|rubrika|section|topics?|author|authors|autor|search|"
    r"login|logout|register|signin|signup|subscribe|subscription|account|profile|about|contacts?|"
    r"privacy|terms|cookies?|advert|advertising|feed|rss|atom|sitemap|page|archive|video|photo|"
    r"gallery|live|weather|horoscope|shop|store|jobs|events)(/|$|\.)",
    re.I,
)
_BINARY = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|mp3|mp4|zip|docx?|xlsx?|css|js|xml)$", re.I)
_DATE_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-]|$)|/(19|20)\d{6}")
_ID_PATH = re.compile(r"(?<![a-z])\d{4,}(?![a-z])", re.I)
_SLUG = re.compile(r"[^/]*\w[-_]\w+[-_]\w+[-_]\w+")  # four or more words joined by - or _


def _looks_like_article(url: str, anchor: str) -> bool:
    path = urlsplit(url).path
    if path in ("", "/") or _BINARY.search(path) or _NOT_ARTICLE.search(path):
        return False
    shaped = bool(_DATE_PATH.search(path) or _ID_PATH.search(path) or _SLUG.search(path))
    if path.endswith((".html", ".htm", ".shtml", ".php")) and path.count("/") >= 2:
        shaped = True
    # Headline-like link text: a few words, or a run of CJK long enough to be a phrase.
    # It keeps out "12 comments"-style counters and "More" links to article-shaped URLs.
    readable = len(anchor.split()) >= 2 or (len(anchor) >= 6 and not anchor.isascii())
    return shaped and readable


def _anchor_text(a) -> str:
    """What a reader sees as the link: its text or label, else its teaser card's text.

    Teaser cards often wrap the image in one empty <a> and the headline in another,
    or lay an empty <a aria-label="Article link:"> over the whole card.
    """
    labels = [a.text_content(), a.get("aria-label"), a.get("title"), *a.xpath(".//img/@alt")]
    best = max((" ".join((x or "").split()) for x in labels), key=lambda t: len(t.split()))
    if len(best.split()) >= 2 or (len(best) >= 6 and not best.isascii()):
        return best
    card = next((x for x in a.iterancestors("article", "li")), None)
    return " ".join(card.text_content().split())[:200] if card is not None else best


def _article_links(tree, base: str, url: str) -> list[str]:
    seen: set[str] = set()
    found: list[str] = []
    page_url = _canonical_or(url, url)
    # The page footer and navigation are not news; a <footer> inside a teaser card is.
    for a in tree.xpath(
        "//a[@href][not(ancestor::nav) and not(ancestor::footer[not(ancestor::article)])]"
    ):
        href = a.get("href", "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        target = urljoin(base, href)
        if not is_http(target) or not same_site(target, url):
            continue
        target = _canonical_or(target, target)
        if target in seen or target == page_url:
            continue
        if _looks_like_article(target, _anchor_text(a)):
            seen.add(target)
            found.append(target)
    return found


# --- sitemaps ------------------------------------------------------------------------------

_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file


def _gunzip(data: bytes) -> bytes:
    # Bounded, so that a small gzip bomb cannot eat the crawler's memory.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, _MAX_SITEMAP_BYTES + 1)
    if len(out) > _MAX_SITEMAP_BYTES:
        raise FetchError("sitemap_too_large", "sitemap is larger than 50 MB uncompressed")
    return out


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_sitemap(xml: bytes) -> list[tuple[str, datetime | None]]:
    """(URL, date) for each <url> of a (news) sitemap or each <sitemap> of a sitemap index.

    The date is news:publication_date when the entry has one, else lastmod, else None.
    Gzipped sitemaps (.xml.gz) are accepted as they come. Raises FetchError
    ("bad_sitemap") when the bytes are not a sitemap.
    """
    if not isinstance(xml, bytes | bytearray):
        raise TypeError(f"parse_sitemap() wants bytes, got {type(xml).__name__}")
    data = bytes(xml)
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data)
        except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
            raise FetchError("bad_sitemap", f"sitemap is not valid gzip: {exc}") from None
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True
    )
    try:
        root = lxml.etree.fromstring(data.lstrip(), parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise FetchError("bad_sitemap", f"sitemap is not XML: {exc}") from None
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        got = _local(root.tag) if root is not None else "nothing"
        raise FetchError("bad_sitemap", f"not a sitemap: root element is <{got}>")
    entries: list[tuple[str, datetime | None]] = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc, when = _sitemap_entry(entry)
        if loc and is_http(loc):
            entries.append((loc, when))
    return entries


def _sitemap_entry(entry) -> tuple[str, datetime | None]:
    loc = ""
    lastmod = news = None
    for el in entry.iter():
        name = _local(el.tag)
        text = (el.text or "").strip()
        if name == "loc" and not loc and el.getparent() is entry:
            loc = text
        elif name == "lastmod":
            lastmod = _parse_date(text)
        elif name == "publication_date":
            news = _parse_date(text)
    return loc, news or lastmod
