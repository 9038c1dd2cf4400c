"""Interim page extraction (replaced by the measured extractor): title and visible text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bs4 import BeautifulSoup


@dataclass
class Page:
    title: str
    text: str
    canonical_url: str
    published: datetime | None = None
    language: str | None = None
    feed_links: list[str] = field(default_factory=list)
    article_links: list[str] = field(default_factory=list)


def extract_page(html: str | bytes, url: str, content_type: str | None = None) -> Page:
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript"]):
        tag.decompose()
    title = soup.title.get_text(strip=True) if soup.title else ""
    lang = soup.html.get("lang") if soup.html else None
    return Page(title, soup.get_text("\n", strip=True), url, language=lang)
