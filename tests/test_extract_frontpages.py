"""Feed discovery and article links on eight real news front pages (shared corpus, newsfeeds/).

The same sites' feeds, captured at the same time, say which URLs are articles:
most feed items that a front page shows must come out in article_links.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import feedparser

from watch.extract import extract_page
from watch.urls import canonical, same_site

SITES = ("faz.net", "goodnews.eu", "n-tv.de", "techcrunch.com", "rnd.de", "sueddeutsche.de")
WITH_FEED_LINK = ("faz.net", "goodnews.eu", "n-tv.de", "techcrunch.com")  # SOURCE.md says so


def _front(corpus, site: str):
    folder = corpus / "newsfeeds" / "magpie-html" / site
    page = extract_page(
        (folder / "homepage.html").read_bytes(), f"https://www.{site}/", main_text=False
    )
    items = set()
    for feed in folder.glob("feeds/*.xml"):
        for entry in feedparser.parse(feed.read_bytes()).entries:
            if entry.get("link", "").startswith("http"):
                items.add(canonical(entry.link))
    return page, items


def test_feed_autodiscovery_on_real_front_pages(corpus):
    for site in WITH_FEED_LINK:
        page, _ = _front(corpus, site)
        assert page.feed_links, site
        assert all(same_site(f, f"https://{site}/") for f in page.feed_links), page.feed_links


def test_article_links_find_the_feed_items_a_front_page_shows(corpus):
    shown = found = 0
    for site in SITES:
        page, items = _front(corpus, site)
        assert page.text == ""  # main_text=False
        links = set(page.article_links)
        assert len(links) == len(page.article_links), "duplicates"
        assert all(same_site(link, f"https://{site}/") for link in links)
        # Section fronts ("/politik/") are not articles.
        assert not [
            u
            for u in links
            if urlsplit(u).path.strip("/").count("/") == 0 and "-" not in urlsplit(u).path
        ], site
        html = (corpus / "newsfeeds/magpie-html" / site / "homepage.html").read_text(
            errors="replace"
        )
        on_page = {i for i in items if urlsplit(i).path in html}
        shown += len(on_page)
        found += len(on_page & links)
    # Measured: 130 of 134 feed items whose path appears in the page (0.97).
    assert shown >= 100
    assert found / shown >= 0.9, (found, shown)
