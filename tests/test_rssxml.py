"""Plain RSS 2.0 read with lxml gives exactly feedparser's items, or is left to feedparser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from watch.feeds import _decoded, _feedparser_feed, _rss_feed, parse_feed
from watch.rssxml import rss_entries

URL = "http://news.example/feed.xml"


def both(body: bytes):
    """(the lxml reading or None, feedparser's reading) of one feed body, as parse_feed
    would have each: decoded to UTF-8 first."""
    body, content_type = _decoded(body, "application/rss+xml")
    plain = rss_entries(body)
    return (None if plain is None else _rss_feed(plain, URL)), _feedparser_feed(
        body, URL, content_type
    )


def rss(items: str, *, channel: str = "<title>Regional news</title>", head: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{head}<rss version="2.0"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:media="http://search.yahoo.com/mrss/" xmlns:wp="com-wordpress:feed-additions:1">'
        f"<channel>{channel}{items}</channel></rss>"
    ).encode()


def test_every_corpus_feed_it_takes_reads_as_feedparser_reads_it(corpus):
    files = sorted(
        p
        for folder in ("feeds", "newsfeeds")
        for p in (corpus / folder).rglob("*")
        if p.is_file() and p.suffix not in (".md", ".json", ".html")
    )
    taken, news, differ = 0, 0, []
    for path in files:
        body = path.read_bytes()
        if not body.strip():
            continue
        try:
            fast, slow = both(body)
        except Exception:  # feedparser refusing it: then so must we
            assert rss_entries(_decoded(body, "application/rss+xml")[0]) is None, path
            continue
        if fast is None:
            continue
        taken += 1
        news += "newsfeeds" in path.parts
        if fast != slow:
            differ.append(path.relative_to(corpus).as_posix())
    assert not differ, f"read otherwise than feedparser: {differ[:10]}"
    # It must take enough of them for this to mean something: on 2026-11-23 it took
    # 407 of the 2,311 files, 25 of the 45 real publishers' feeds.
    assert taken >= 350 and news >= 20, (taken, news)


def test_a_plain_feed_gives_feedparsers_items_quirks_included():
    items = (
        "<item><title>Askarov&#8217;s appeal</title><link>http://news.example/a?x=1&amp;amp;y=2</link>"
        "<guid>http://news.example/a</guid><description>&lt;p&gt;Teaser&lt;/p&gt;</description>"
        "<pubDate>Fri, 24 Jul 2020 10:00:00 +0300</pubDate>"
        "<author>editor@news.kg (Aida Salyanova)</author><wp:post-id>7</wp:post-id></item>"
        # no <link>: a GUID that is a permalink is the link, one that is not is not
        "<item><title>Second</title><guid>/b</guid><dc:creator>Ann</dc:creator></item>"
        "<item><title>Third</title><guid isPermaLink='false'>c-3</guid>"
        "<content:encoded><![CDATA[<p>Full text</p>]]></content:encoded></item>"
        # UTF-8 read as Latin-1 somewhere upstream, and a windows-1252 quote
        "<item><title>CafÃ©</title><link>http://news.example/d</link></item>"
        "<item><title>\u0093Quoted\u0094</title><link>http://news.example/e</link></item>"
    )
    fast, slow = both(rss(items))
    assert fast == slow
    first, second, third, fourth, fifth = fast.items
    assert first.title == "Askarov\u2019s appeal" and first.text == "Teaser"
    assert first.url == "http://news.example/a?x=1&y=2" and first.authors == ("Aida Salyanova",)
    assert first.published == datetime(2020, 7, 24, 7, 0, tzinfo=UTC)
    assert second.url == "http://news.example/b" and second.authors == ("Ann",)
    assert third.url == URL + "#c-3" and not third.linked and third.text == "Full text"
    assert fourth.title == "Café" and fifth.title == "\u201cQuoted\u201d"
    assert fast.title == "Regional news"


@pytest.mark.parametrize(
    "body",
    [
        rss("<item><title>T</title></item>", head='<!DOCTYPE rss [<!ENTITY a "b">]>'),
        rss('<item xml:base="http://other.example/"><title>T</title><link>a</link></item>'),
        rss("<item><title>T</title><updated>2020-01-01</updated></item>"),  # a handler's name
        rss("<item><title>T</title><media:description>Caption</media:description></item>"),
        rss(
            "<item><title>T</title><media:content url='x'><media:title>P</media:title>"
            "</media:content></item>"
        ),
        rss("<item><title>T</title><description>a <b>bold</b> word</description></item>"),
        rss("<item><title>One</title><title>Two</title></item>"),
        rss("<item><title>T</title></item>", channel="<title>A</title><dc:title>B</dc:title>"),
        rss("<item><title type='html'>T</title></item>"),
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title></feed>',
        b"<rss><channel><item><title>Broken &nbsp; entity</title></item></channel></rss>",
    ],
    ids=[
        "dtd",
        "xml-base",
        "updated",
        "media-description",
        "media-title",
        "markup",
        "two-titles",
        "dc-title",
        "typed",
        "atom",
        "ill-formed",
    ],
)
def test_anything_else_is_left_to_feedparser(body):
    assert rss_entries(_decoded(body, "application/rss+xml")[0]) is None
    assert parse_feed(body, URL).items or parse_feed(body, URL).title  # feedparser reads it
