"""Helpers for the crawl tests: watchlists, feeds and pages built in code, archive reads."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import duckdb

from watch.records import Person, Settings, Source, Status, Watchlist

ASKAROV = Person(
    id="azimjan-askarov",
    name="Azimjan Askarov",
    aliases=("Азимжан Аскаров",),
    context=("Vozdukh", "Bazar-Korgon"),
    country="KG",
    status=Status(custody="imprisoned", case="convicted"),
)
ISAKOV = Person(id="azat-isakov", name="Azat Isakov", country="TM")

# Small bounds so every hostile scenario ends within a couple of seconds.
FAST = Settings(
    connect_timeout=1.0,
    read_timeout=1.0,
    total_timeout=2.0,
    max_body_bytes=200_000,
    per_host_delay=0.0,
    per_host_concurrency=4,
    max_redirects=3,
    poll_interval=timedelta(minutes=30),
)


def watchlist(tmp: Path, sources, settings: Settings = FAST, people=(ASKAROV, ISAKOV)) -> Watchlist:
    return Watchlist(tmp / "watchlist.yaml", settings, tuple(people), tuple(sources))


def feed_source(sid: str, url: str, **kw) -> Source:
    return Source(id=sid, name=kw.pop("name", sid), kind="feed", url=url, **kw)


def rss(items, *, title: str = "Regional news") -> str:
    """items: (guid, link, title, description[, full content]) tuples."""
    body = []
    for item in items:
        guid, link, head, desc, *content = item
        extra = f"<content:encoded><![CDATA[{content[0]}]]></content:encoded>" if content else ""
        body.append(
            f"<item><guid>{guid}</guid><link>{link}</link><title>{head}</title>"
            f"<description>{desc}</description>{extra}"
            "<pubDate>Mon, 27 Jul 2020 10:00:00 GMT</pubDate></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>{title}</title><link>http://example.org/</link>"
        + "".join(body)
        + "</channel></rss>"
    )


def article(title: str, text: str, *, canonical: str = "") -> str:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n"))
    return (
        f"<html lang='en'><head><title>{title}</title>{link}</head><body>"
        "<nav>Home | World | Sport</nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Copyright</footer></body></html>"
    )


def rows(db: Path, sql: str, params=()) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def source_row(db: Path, source_id: str) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM sources WHERE id = ?", [source_id])
        names = [d[0] for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))
    finally:
        con.close()


def settings(**kw) -> Settings:
    return replace(FAST, **kw)


def crash_site_routes(site, feeds: int = 24, items: int = 6) -> list[str]:
    """Feeds whose items are teasers linking to article pages, some reporting a death."""
    urls = []
    for f in range(feeds):
        entries = []
        for i in range(items):
            path = f"/c/{f}/article-{i}"
            who = "Azimjan Askarov" if (f + i) % 4 == 0 else "a local official"
            text = (
                f"Report {f}-{i}. Sources in Jalal-Abad said {who} died in custody on day {i}. "
                + " ".join(f"Detail {f}.{i}.{k} about the colony." for k in range(30))
            )
            site.add(path, article(f"Report {f}-{i}", text))
            entries.append((f"guid-{f}-{i}", site.url(path), f"Report {f}-{i}", "teaser"))
        site.add(f"/c/{f}/feed", rss(entries), content_type="application/rss+xml")
        urls.append(site.url(f"/c/{f}/feed"))
    return urls
