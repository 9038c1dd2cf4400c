"""The links a page offers the crawler: the feeds it announces and its same-site article links.

Front pages are polled for these alone (extract_page(main_text=False)); the
heuristics for what looks like an article link live here, apart from the
page's text and metadata.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from watch.urls import canonical_or, is_http, same_site

__all__ = ["article_links", "feed_links"]

_FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/json",
    "text/xml",
    "application/xml",
}


def feed_links(tree, base: str) -> list[str]:
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
            url = canonical_or(href, href)
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


def article_links(tree, base: str, url: str) -> list[str]:
    seen: set[str] = set()
    found: list[str] = []
    page_url = canonical_or(url, url)
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
        target = canonical_or(target, target)
        if target in seen or target == page_url:
            continue
        if _looks_like_article(target, _anchor_text(a)):
            seen.add(target)
            found.append(target)
    return found
