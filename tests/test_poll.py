"""A poll over a real local server: feeds, article pages, idempotence, identity, stories."""

from __future__ import annotations

import json

import pytest

from tests.crawlkit import (
    ASKAROV,
    article,
    feed_source,
    rows,
    rss,
    source_row,
    watchlist,
)
from watch.errors import PollLockedError
from watch.poll import event_loop_factory, poll, poll_lock
from watch.records import Source
from watch.store import open_store

DEATH = (
    "Human rights defender Azimjan Askarov died in prison on 25 July 2020, his lawyer said. "
    "He had been serving a life sentence since 2010. "
)
FILLER = "The court in Bazar-Korgon heard the case again. " * 12


def test_feed_items_are_filed_once_and_reported(site, tmp_path):
    site.add("/a1", article("Askarov dies in custody", DEATH + FILLER))
    site.add("/a2", article("Weather", "Sunny in Osh. " * 20))
    feed = rss(
        [
            ("g1", site.url("/a1?utm_source=rss"), "Askarov dies", "Teaser only"),
            ("g2", site.url("/a2"), "Weather", "Sunny"),
        ]
    )
    site.add("/feed.xml", feed, content_type="application/rss+xml")
    wl = watchlist(tmp_path, [feed_source("news", site.url("/feed.xml"))])
    db = tmp_path / "a.duckdb"

    first = poll(wl, db, force=True)
    assert (first.sources_due, first.sources_ok, first.sources_failed) == (1, 1, 0)
    assert first.documents_new == 2
    assert first.mentions_new >= 1
    docs = rows(db, "SELECT canonical_url, text, published FROM documents ORDER BY id")
    assert docs[0][0] == site.url("/a1")  # utm_* dropped
    assert "died in prison" in docs[0][1] and "Home | World" not in docs[0][1]
    assert docs[0][2] is not None

    second = poll(wl, db, force=True)
    assert (second.documents_new, second.mentions_new, second.events_new, second.flags_new) == (
        0,
        0,
        0,
        0,
    )
    assert rows(db, "SELECT count(*) FROM documents")[0][0] == 2
    # the second poll asked conditionally and the server said 304: no article refetched
    assert site.hits("/a1") == 1
    last_feed_request = [h for _, p, h in site.requests if p == "/feed.xml"][-1]
    assert "If-None-Match" in last_feed_request


def test_not_due_sources_are_skipped_unless_forced(site, tmp_path):
    site.add(
        "/feed.xml",
        rss([("g1", site.url("/x"), "t", "d" * 700)]),
        content_type="application/rss+xml",
    )
    wl = watchlist(tmp_path, [feed_source("news", site.url("/feed.xml"))])
    db = tmp_path / "a.duckdb"
    assert poll(wl, db).sources_due == 1
    assert poll(wl, db).sources_due == 0
    assert poll(wl, db, force=True).sources_due == 1


def test_edited_item_is_updated_in_place(site, tmp_path):
    body = "Azimjan Askarov was moved to a prison hospital. " * 15
    site.add(
        "/f",
        rss([("g1", site.url("/a"), "First title", "x", body)]),
        content_type="application/rss+xml",
    )
    wl = watchlist(tmp_path, [feed_source("news", site.url("/f"))])
    db = tmp_path / "a.duckdb"
    poll(wl, db, force=True)
    site.add(
        "/f",
        rss([("g1", site.url("/a"), "Edited title", "x", body + " Update.")]),
        content_type="application/rss+xml",
    )
    site.routes["/f"].last_modified = "Tue, 24 Nov 2026 10:00:00 GMT"  # not the same second
    summary = poll(wl, db, force=True)
    assert summary.documents_new == 0
    assert rows(db, "SELECT title FROM documents") == [("Edited title",)]


def test_same_etag_after_change_is_caught_by_the_content_hash(site, tmp_path):
    """A server that sends 200 with an unchanged body is not re-processed; a changed one is."""
    site.add(
        "/f", rss([("g1", site.url("/a"), "One", "y" * 700)]), content_type="application/rss+xml"
    )
    wl = watchlist(tmp_path, [feed_source("news", site.url("/f"))])
    db = tmp_path / "a.duckdb"
    poll(wl, db, force=True)
    state = source_row(db, "news")
    assert state["content_hash"] and state["etag"]
    site.add(
        "/f",
        rss([("g1", site.url("/a"), "One", "y" * 700), ("g2", site.url("/b"), "Two", "z" * 700)]),
        content_type="application/rss+xml",
    )
    site.routes["/f"].last_modified = "Tue, 24 Nov 2026 10:00:00 GMT"
    assert poll(wl, db, force=True).documents_new == 1


def test_syndicated_copies_form_one_story_and_flag_once(site, tmp_path):
    copies = []
    for i in range(3):
        copies.append(
            "BISHKEK. Kyrgyz human rights defender Azimjan Askarov died in prison on 25 July 2020, "
            f"his lawyer told outlet {i}. Askarov, an ethnic Uzbek, was sentenced to life in 2010 "
            "after ethnic clashes in the south of the country. Rights groups had called for his "
            "release for years, citing his poor health and the torture he reported in custody. "
            "His lawyer Valerian Vakhitov said the authorities had ignored repeated requests for "
            "medical care during the pandemic. The United Nations Human Rights Committee found in "
            "2016 that Askarov had been arbitrarily detained and tortured, and asked Kyrgyzstan to "
            "release him. The Supreme Court upheld his life sentence in May 2020. His wife "
            "Khadicha said she had not been allowed to see him in his last weeks. Askarov worked "
            "for the group Vozdukh in Bazar-Korgon, documenting police abuse for two decades. "
            + " ".join(
                f"Witness {i} told reporters about visit {i * 7} to colony {i % 5}."
                for i in range(60)
            )
        )
    for i, story in enumerate(copies):
        site.add(f"/s{i}/story", article(f"Copy {i}", story + f"Read more on site {i}."))
        site.add(
            f"/s{i}/feed",
            rss([(f"g{i}", site.url(f"/s{i}/story"), f"Askarov dies ({i})", "teaser")]),
            content_type="application/rss+xml",
        )
    sources = [feed_source(f"site{i}", site.url(f"/s{i}/feed")) for i in range(3)]
    one_copy = poll(watchlist(tmp_path / "one", sources[:1]), tmp_path / "one" / "a.duckdb")
    assert one_copy.flags_new >= 1  # the death, at least
    wl = watchlist(tmp_path, sources)
    db = tmp_path / "a.duckdb"
    summary = poll(wl, db, force=True)
    assert summary.documents_new == 3
    stories = rows(db, "SELECT DISTINCT coalesce(story_id, id) FROM documents")
    assert len(stories) == 1
    # Each copy's own wording is evidence, kept with it; the story flags as one copy does.
    assert summary.events_new == 3 * one_copy.events_new
    assert summary.flags_new == one_copy.flags_new == rows(db, "SELECT count(*) FROM flags")[0][0]
    assert ("died",) in rows(db, "SELECT e.kind FROM flags f JOIN events e ON e.id = f.event_id")
    with open_store(db) as store:
        copies_listed = store.story_copies(stories[0][0])
    assert sorted(c["source_id"] for c in copies_listed) == ["site0", "site1", "site2"]


def test_page_source_discovers_its_feed(site, tmp_path):
    site.add("/art", article("Askarov", DEATH + FILLER))
    site.add(
        "/rss",
        rss([("g", site.url("/art"), "Askarov", "teaser")]),
        content_type="application/rss+xml",
    )
    site.add(
        "/",
        '<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>Front</body></html>',
    )
    wl = watchlist(tmp_path, [Source(id="front", name="Front", kind="page", url=site.url("/"))])
    db = tmp_path / "a.duckdb"
    assert poll(wl, db, force=True).documents_new == 1
    state = json.loads(source_row(db, "front")["state"])
    assert state["discovered_feed"] == site.url("/rss")
    poll(wl, db, force=True)
    assert site.hits("/") == 1  # the feed is followed directly now


def test_listing_page_follows_new_links_only(site, tmp_path):
    # Article-shaped links (a slug of words) with headline-like text, as news listings have.
    links = "".join(
        f'<li><a href="/news/court-hears-story-{i}">Story {i} in Bishkek</a></li>' for i in range(4)
    )
    site.add("/news", f"<html><body><ul>{links}</ul></body></html>")
    for i in range(5):
        site.add(
            f"/news/court-hears-story-{i}", article(f"Story {i}", f"Story number {i}. " + FILLER)
        )
    wl = watchlist(tmp_path, [Source(id="list", name="List", kind="page", url=site.url("/news"))])
    db = tmp_path / "a.duckdb"
    assert poll(wl, db, force=True).documents_new == 4
    links += '<li><a href="/news/court-hears-story-4">Story 4 in Bishkek</a></li>'
    site.add("/news", f"<html><body><ul>{links}</ul></body></html>")
    site.routes["/news"].last_modified = "Tue, 24 Nov 2026 10:00:00 GMT"
    assert poll(wl, db, force=True).documents_new == 1
    assert site.hits("/news/court-hears-story-0") == 1


def test_watched_page_change_is_recorded(site, tmp_path):
    site.add(
        "/case", "<html><body><main><p>Azimjan Askarov remains in prison.</p></main></body></html>"
    )
    wl = watchlist(
        tmp_path, [Source(id="case", name="Case page", kind="page", url=site.url("/case"))]
    )
    db = tmp_path / "a.duckdb"
    assert poll(wl, db, force=True).documents_new == 1
    site.add(
        "/case", "<html><body><main><p>Azimjan Askarov died in prison.</p></main></body></html>"
    )
    site.routes["/case"].last_modified = "Tue, 24 Nov 2026 10:00:00 GMT"
    poll(wl, db, force=True)
    assert rows(db, "SELECT count(*), max(updated) IS NOT NULL FROM documents") == [(1, True)]
    assert "died" in rows(db, "SELECT text FROM documents")[0][0]


def test_search_source_asks_once_per_name(site, tmp_path):
    site.add(
        "/search",
        rss([("g", site.url("/hit"), "Askarov news", "x" * 700)]),
        content_type="application/rss+xml",
    )
    src = Source(id="s", name="Search", kind="search", url=site.url("/search?q={query}&lang=ru"))
    wl = watchlist(tmp_path, [src], people=(ASKAROV,))
    db = tmp_path / "a.duckdb"
    poll(wl, db, force=True)
    asked = sorted(p for _, p, _ in site.requests if p.startswith("/search"))
    assert asked == sorted(
        [
            "/search?q=Azimjan+Askarov&lang=ru",
            "/search?q=%D0%90%D0%B7%D0%B8%D0%BC%D0%B6%D0%B0%D0%BD+%D0%90%D1%81%D0%BA%D0%B0%D1%80%D0%BE%D0%B2&lang=ru",
        ]
    )
    assert rows(db, "SELECT count(*) FROM documents")[0][0] == 1


def test_a_second_poll_is_refused_while_one_holds_the_lock(tmp_path, site):
    site.add("/f", rss([]), content_type="application/rss+xml")
    wl = watchlist(tmp_path, [feed_source("news", site.url("/f"))])
    db = tmp_path / "a.duckdb"
    with poll_lock(db), pytest.raises(PollLockedError):
        poll(wl, db)
    poll(wl, db)  # released: runs


def test_a_site_without_a_feed_is_watched_through_its_news_sitemap(site, tmp_path):
    urls = "".join(
        f"<url><loc>{site.url(f'/n/story-{i}')}</loc><lastmod>2026-11-2{i}T10:00:00Z</lastmod></url>"
        for i in range(3)
    )
    site.add(
        "/sitemap.xml",
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        content_type="application/xml",
    )
    for i in range(3):
        site.add(f"/n/story-{i}", article(f"Story {i}", f"Azimjan Askarov story {i}. " + FILLER))
    src = Source(id="map", name="Sitemap", kind="page", url=site.url("/sitemap.xml"))
    wl = watchlist(tmp_path, [src])
    db = tmp_path / "a.duckdb"
    summary = poll(wl, db, force=True)
    assert summary.documents_new == 3 and summary.mentions_new == 3
    assert poll(wl, db, force=True).documents_new == 0


def test_the_page_date_is_used_when_the_feed_has_none(site, tmp_path):
    page = article("Dated", DEATH + FILLER).replace(
        "<head>",
        '<head><meta property="article:published_time" content="2020-07-25T08:00:00+00:00">',
    )
    site.add("/dated", page)
    feed = rss([("g", site.url("/dated"), "Dated", "teaser")]).replace(
        "<pubDate>Mon, 27 Jul 2020 10:00:00 GMT</pubDate>", ""
    )
    site.add("/f", feed, content_type="application/rss+xml")
    wl = watchlist(tmp_path, [feed_source("news", site.url("/f"))])
    db = tmp_path / "a.duckdb"
    poll(wl, db, force=True)
    assert str(rows(db, "SELECT published FROM documents")[0][0]).startswith("2020-07-25 08:00")


def test_a_big_poll_files_its_documents_in_bounded_transactions(site, tmp_path, monkeypatch):
    """No more than BATCH_DOCUMENTS documents go in one transaction (DuckDB holds them
    all until it commits): a batch stops taking sources once it has that many."""
    import watch.poll

    sizes: list[list[int]] = []
    original = watch.poll.write_batch

    def recording(db, batch, *args):
        sizes.append([len(outcome.prepared) for outcome in batch])
        return original(db, batch, *args)

    monkeypatch.setattr(watch.poll, "BATCH_DOCUMENTS", 4)
    monkeypatch.setattr(watch.poll, "write_batch", recording)
    sources = []
    for n in range(8):
        items = [
            (f"g{n}-{i}", site.url(f"/a{n}-{i}"), f"Story {n}-{i}", "Teaser", FILLER + f" {n}-{i}")
            for i in range(3)
        ]
        site.add(f"/feed{n}.xml", rss(items), content_type="application/rss+xml")
        sources.append(feed_source(f"news{n}", site.url(f"/feed{n}.xml")))
    db = tmp_path / "a.duckdb"

    summary = poll(watchlist(tmp_path, sources), db, force=True)

    assert summary.documents_new == 24 == sum(map(sum, sizes))
    assert len(sizes) >= 4 and all(sum(batch[:-1]) < 4 for batch in sizes), sizes
    assert rows(db, "SELECT count(*) FROM documents")[0][0] == 24


def test_a_poll_leaves_the_garbage_collector_as_it_found_it(site, tmp_path, monkeypatch):
    """A poll runs the collector less often while it lasts (speed), and puts the
    thresholds back and unfreezes what it froze when it ends, also on an error."""
    import gc

    import watch.poll

    site.add("/feed.xml", rss([("g1", site.url("/a1"), "T", "Teaser", FILLER)]))
    wl = watchlist(tmp_path, [feed_source("news", site.url("/feed.xml"))])
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    assert poll(wl, tmp_path / "a.db").documents_new == 1
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)

    during = []

    async def failing(*args, **kwargs):
        during.append(gc.get_threshold())
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(watch.poll, "_poll", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        poll(wl, tmp_path / "a.db")
    assert during[0][0] > before[0]
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, frozen)


def test_a_source_remembers_the_items_it_lists_and_a_few_more(site, tmp_path, monkeypatch):
    """A source keeps the seen-items its feed lists now and SEEN_MARGIN more, so its
    state does not grow with the feed's life; an item listed all along is never fetched
    again, and nothing is filed twice."""
    import watch.filing

    monkeypatch.setattr(watch.filing, "SEEN_MARGIN", 3)
    wl = watchlist(tmp_path, [feed_source("news", site.url("/feed.xml"))])
    db = tmp_path / "a.duckdb"
    site.add("/pinned", article("Pinned", FILLER))
    for n in range(12):  # each poll: the pinned item and the 4 newest, 2 of them new
        for i in range(2 * n, 2 * n + 4):
            site.add(f"/a{i}", article(f"Story {i}", FILLER + f" Number {i}."))
        newest = [(f"g{i}", site.url(f"/a{i}"), f"Story {i}", "T") for i in range(2 * n, 2 * n + 4)]
        feed = rss([("pinned", site.url("/pinned"), "Pinned", "T"), *newest])
        site.add("/feed.xml", feed, content_type="application/rss+xml")
        # a Last-Modified of its own: the test server's has whole seconds only
        site.routes["/feed.xml"].last_modified = f"Mon, {n + 1:02d} Jan 2024 00:00:00 GMT"
        assert poll(wl, db, force=True).documents_new == (5 if n == 0 else 2)

    seen = json.loads(source_row(db, "news")["state"])["seen"]
    assert {"pinned", "g22", "g23", "g24", "g25"} <= set(seen) and len(seen) == 5 + 3
    assert site.hits("/pinned") == 1 and site.hits("/a0") == 1
    assert rows(db, "SELECT count(*), count(DISTINCT canonical_url) FROM documents")[0] == (27, 27)


def test_the_poll_runs_on_uvloop_and_on_asyncio_without_it(monkeypatch):
    import asyncio
    import sys

    uvloop = pytest.importorskip("uvloop", reason="uvloop is not installed (Windows)")
    loop = event_loop_factory()()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
    monkeypatch.setitem(sys.modules, "uvloop", None)  # as where it cannot be installed
    loop = event_loop_factory()()
    try:
        assert not isinstance(loop, uvloop.Loop)
        assert loop.run_until_complete(asyncio.sleep(0, "ran")) == "ran"
    finally:
        loop.close()


def test_an_empty_archive_has_nobody_to_rescan_and_a_stored_one_has_the_renamed(site, tmp_path):
    from dataclasses import replace

    from tests.crawlkit import ISAKOV
    from watch.backfill import people_to_rescan

    db = tmp_path / "watch.duckdb"
    site.add("/a1", article("Isakov detained", "Azat Isakov was detained in Ashgabat. " * 12))
    site.add("/feed.xml", rss([("g1", site.url("/a1"), "Isakov detained", "Teaser")]))
    wl = watchlist(tmp_path, [feed_source("news", site.url("/feed.xml"))])
    assert people_to_rescan(wl, db) == []  # nothing stored: nothing to look through
    assert rows(db, "SELECT count(*) FROM persons WHERE scanned_at IS NULL") == [(0,)]
    poll(wl, db)
    assert rows(db, "SELECT count(*) FROM documents") == [(1,)]
    renamed = replace(wl, people=(ASKAROV, replace(ISAKOV, aliases=("Азат Исаков",))))
    assert [p.id for p in people_to_rescan(renamed, db)] == ["azat-isakov"]
