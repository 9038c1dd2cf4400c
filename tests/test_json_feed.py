"""JSON Feed (1.0 and 1.1): parse_feed's records for odd inputs, and polls over a real server."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from lxml import html as lxml_html

from tests.crawlkit import ASKAROV, article, feed_source, rows, source_row, watchlist
from watch.errors import AllSourcesFailedError, FetchError
from watch.feeds import FULL_TEXT_CHARS, looks_like_feed, parse_feed
from watch.links import feed_links
from watch.poll import poll
from watch.records import Source

FEED_URL = "http://news.example/feed.json"
V11 = "https://jsonfeed.org/version/1.1"
V10 = "https://jsonfeed.org/version/1"
DEATH = (
    "Human rights defender Azimjan Askarov died in prison on 25 July 2020, his lawyer said. "
    "He had been serving a life sentence since 2010. "
)
FILLER = "The court in Bazar-Korgon heard the case again. " * 12


def jf(items=None, *, version: str | None = V11, **feed) -> bytes:
    body = {"title": "Regional news", **feed}
    if version is not None:
        body["version"] = version
    if items is not None:
        body["items"] = items
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def parse(body: bytes, content_type: str = "application/feed+json"):
    return parse_feed(body, FEED_URL, content_type)


def refused(body: bytes, content_type: str = "application/feed+json") -> FetchError:
    with pytest.raises(FetchError) as caught:
        parse(body, content_type)
    return caught.value


# -- fields ----------------------------------------------------------------------------------


def test_a_json_feed_item_gives_the_same_record_as_an_rss_item():
    feed = parse(
        jf(
            [
                {
                    "id": "tag:news.example,2020:askarov",
                    "url": "/2020/07/askarov-dies",
                    "title": "Askarov dies &amp; is mourned",
                    "content_html": "<p>Azimjan Askarov died.</p><p>His lawyer said so.</p>",
                    "date_published": "2020-07-25T14:30:00+06:00",
                    "language": "ru-KG",
                    "tags": ["Kyrgyzstan"],
                }
            ],
            language="en",
        )
    )
    assert feed.title == "Regional news" and feed.warning is None
    (item,) = feed.items
    assert item.guid == "tag:news.example,2020:askarov"
    assert item.url == "http://news.example/2020/07/askarov-dies"  # relative to the feed
    assert item.linked and not item.full
    assert item.title == "Askarov dies & is mourned"
    assert item.text == "Azimjan Askarov died.\nHis lawyer said so."
    assert item.published == datetime(2020, 7, 25, 8, 30, tzinfo=UTC)
    assert item.language == "ru"  # the item's own language wins over the feed's


def test_feed_language_and_modified_date_stand_in_for_the_items():
    (item,) = parse(
        jf(
            [{"id": "1", "content_text": "x", "date_modified": "2021-03-01T10:00:00Z"}],
            language="fr",
        )
    ).items
    assert item.language == "fr"
    assert item.published == datetime(2021, 3, 1, 10, tzinfo=UTC)
    (item,) = parse(jf([{"id": "1", "content_text": "x", "date_published": "last Tuesday"}])).items
    assert item.published is None and item.language is None


def test_text_from_content_text_or_html_keeping_the_longer():
    long_html = "<div><p>" + "Askarov was moved to a prison hospital. " * 20 + "</p></div>"
    items = parse(
        jf(
            [
                {"id": "a", "content_text": "Plain: a < b and c > d & e\n\n  spaced   out "},
                {"id": "b", "content_html": "<p>Only <b>HTML</b></p><script>x()</script>"},
                {"id": "c", "content_text": "An excerpt.", "content_html": long_html},
                {"id": "d", "summary": "Only a summary", "url": "https://news.example/d"},
            ]
        )
    ).items
    text = {i.guid: i.text for i in items}
    assert text["a"] == "Plain: a < b and c > d & e\nspaced out"  # plain text is not parsed
    assert text["b"].startswith("Only\nHTML") and "<" not in text["b"]
    assert text["c"].startswith("Askarov was moved") and len(text["c"]) >= FULL_TEXT_CHARS
    assert {i.guid: i.full for i in items}["c"]
    assert text["d"] == "Only a summary"


def test_items_without_an_id_are_known_by_their_link():
    items = parse(
        jf(
            [
                {"url": "https://news.example/a", "title": "A"},
                {"external_url": "https://elsewhere.example/b", "title": "B"},
                {"url": "javascript:alert(1)", "external_url": "https://x.example/c", "title": "C"},
                {"id": 42, "title": "Numeric id, no link"},
                {"title": "Nothing but a title"},
                {},
            ]
        )
    ).items
    assert len(items) == 5  # the empty object gives nothing
    a, b, c, numeric, bare = items
    assert (a.guid, a.key, a.url) == (None, "https://news.example/a", "https://news.example/a")
    assert b.url == "https://elsewhere.example/b" and c.url == "https://x.example/c"
    assert numeric.guid == "42" and not numeric.linked and numeric.url == FEED_URL + "#42"
    assert not bare.linked and bare.url.startswith(FEED_URL + "#")
    again = parse(jf([{"title": "Nothing but a title"}])).items[0]
    assert again.key == bare.key  # stable across polls, so it is filed once


def test_authors_in_version_1_and_1_1():
    old = parse(jf([{"id": "1", "content_text": "x"}], version=V10, author={"name": "Ann"}))
    new = parse(jf([{"id": "1", "content_text": "x"}], authors=[{"name": "Ann"}]))
    assert old.items[0].authors == new.items[0].authors == ("Ann",)
    own = parse(
        jf(
            [
                {"id": "1", "content_text": "x", "author": {"name": "Bo", "url": "http://b/"}},
                {"id": "2", "content_text": "x", "authors": [{"name": " Cy  D "}, {"url": "u"}]},
                {"id": "3", "content_text": "x", "authors": "not a list", "author": "Eve"},
            ],
            authors=[{"name": "Ann"}],
        )
    ).items
    assert [i.authors for i in own] == [("Bo",), ("Cy D",), ("Eve",)]


# -- odd and broken inputs ---------------------------------------------------------------------


def test_a_feed_without_items_is_read_as_empty_with_a_warning():
    feed = parse(jf(None))
    assert feed.items == [] and "items" in feed.warning


def test_items_that_are_not_objects_are_skipped_and_said():
    feed = parse(jf([{"id": "1", "content_text": "x"}, "stray", None, {"id": "2", "title": "t"}]))
    assert [i.guid for i in feed.items] == ["1", "2"]
    assert "2 item(s) not objects" in feed.warning and "items[1]" in feed.warning


def test_broken_json_says_where_it_broke():
    body = (
        b'{\n  "version": "https://jsonfeed.org/version/1.1",\n  "title": "x",,\n  "items": []\n}'
    )
    error = refused(body)
    assert error.key == "bad_json_feed"
    assert "line 3, column 16" in error.message and FEED_URL in error.message
    cut = jf([{"id": "1", "content_text": "Askarov " * 50}])[:-30]  # a feed cut off midway
    assert refused(cut).key == "bad_json_feed"


def test_items_that_are_not_a_list_are_a_broken_feed():
    error = refused(jf({"id": "1"}))
    assert error.key == "bad_json_feed" and "`items` is an object" in error.message


def test_json_that_is_not_a_feed_is_refused_as_such():
    oembed = json.dumps({"type": "rich", "html": "<iframe></iframe>"}).encode()
    error = refused(oembed, "application/json")
    assert error.key == "not_a_feed" and "not a JSON Feed" in error.message
    assert refused(b"[1, 2, 3]", "application/json").key == "not_a_feed"
    assert refused(b"null", "application/json").key == "not_a_feed"
    assert refused(b"Internal error", "application/json").key == "bad_json_feed"
    assert not looks_like_feed(oembed)


def test_detected_by_content_type_or_by_the_version_in_the_body():
    body = jf([{"id": "1", "content_text": "Askarov"}])
    for content_type in (
        "application/feed+json",
        "application/json; charset=utf-8",
        "text/html",
        "",
    ):
        assert [i.guid for i in parse(body, content_type).items] == ["1"], content_type
    assert looks_like_feed(body) and looks_like_feed(b"\xef\xbb\xbf\n" + body)
    assert [i.guid for i in parse(b"\xef\xbb\xbf" + body).items] == ["1"]  # with a BOM
    # An RSS feed some server labels application/json is still read as RSS.
    rss = b'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title><item><guid>g</guid><title>t</title></item></channel></rss>'
    assert [i.guid for i in parse(rss, "application/json").items] == ["g"]


def test_version_1_feed_from_the_shared_corpus(corpus):
    path = corpus / "feeds" / "json" / "example.json"
    feed = parse_feed(path.read_bytes(), "https://example.org/feed.json", "application/json")
    assert feed.title == "My Example Feed" and feed.warning is None
    assert [(i.guid, i.url) for i in feed.items] == [
        ("2", "https://example.org/second-item"),
        ("1", "https://example.org/initial-post"),
    ]
    assert feed.items[0].authors == ("me",) and feed.items[1].authors == ("you",)
    assert feed.items[1].text.startswith("Hello, world!")


def test_a_page_announces_its_json_feed():
    page = lxml_html.fromstring(
        "<html><head>"
        '<link rel="alternate" type="application/feed+json" href="/feed.json">'
        '<link rel="alternate" type="application/json" href="/wp-json/oembed?u=1">'
        "</head><body></body></html>"
    )
    assert feed_links(page, "https://news.example/") == ["https://news.example/feed.json"]


# -- polls over a real server --------------------------------------------------------------


def test_a_json_feed_source_is_polled_like_rss(site, tmp_path):
    site.add("/askarov-dies", article("Askarov dies in custody", DEATH + FILLER))
    items = [
        {
            "id": "t1",
            "url": site.url("/askarov-dies"),
            "title": "Askarov dies",
            "summary": "Teaser",
        },
        {
            "id": "f1",
            "url": site.url("/full"),
            "title": "Полный текст",
            "content_text": "Азимжан Аскаров скончался в колонии. " * 20,
            "language": "ru",
            "date_published": "2020-07-26T09:00:00Z",
        },
    ]
    site.add("/feed.json", jf(items), content_type="application/feed+json")
    wl = watchlist(tmp_path, [feed_source("jf", site.url("/feed.json"))], people=(ASKAROV,))
    db = tmp_path / "a.duckdb"

    first = poll(wl, db, force=True)
    assert (first.sources_ok, first.sources_failed, first.documents_new) == (1, 0, 2)
    assert first.mentions_new >= 2
    docs = dict(rows(db, "SELECT guid, language FROM documents"))
    assert docs == {"t1": "en", "f1": "ru"}  # the page's lang, and the feed item's
    texts = [r[0] for r in rows(db, "SELECT text FROM documents WHERE guid = 't1'")]
    assert "died in prison" in texts[0]  # the teaser's article page was fetched
    assert site.hits("/full") == 0  # a full item needs no page

    again = poll(wl, db, force=True)
    assert (again.documents_new, again.mentions_new) == (0, 0)
    assert site.hits("/askarov-dies") == 1


def test_a_page_source_finds_and_follows_its_json_feed(site, tmp_path):
    site.add("/art", article("Askarov", DEATH + FILLER))
    site.add(
        "/feed.json",
        jf([{"id": "g", "url": site.url("/art"), "title": "Askarov"}]),
        content_type="application/feed+json",
    )
    site.add(
        "/",
        '<html><head><link rel="alternate" type="application/feed+json" href="/feed.json">'
        "</head><body>Front</body></html>",
    )
    wl = watchlist(tmp_path, [Source(id="front", name="Front", kind="page", url=site.url("/"))])
    db = tmp_path / "a.duckdb"
    summary = poll(wl, db, force=True)
    assert (summary.sources_failed, summary.documents_new) == (0, 1)
    assert json.loads(source_row(db, "front")["state"])["discovered_feed"] == site.url("/feed.json")


def test_a_broken_json_feed_fails_its_source_with_a_stable_key(site, tmp_path):
    site.add(
        "/feed.json",
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
        content_type="application/feed+json",
    )
    wl = watchlist(tmp_path, [feed_source("broken", site.url("/feed.json"))])
    db = tmp_path / "a.duckdb"
    with pytest.raises(AllSourcesFailedError) as caught:  # its only source failed
        poll(wl, db, force=True)
    summary = caught.value.summary
    assert summary.sources_failed == 1 and "bad_json_feed" in summary.failures[0][1]
    row = source_row(db, "broken")
    assert row["last_error_key"] == "bad_json_feed" and "line 1" in row["last_error"]
