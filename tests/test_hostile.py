"""A hostile local server, one scenario each: every poll ends in bounded time, the failing
source records a stable reason, and the well-behaved sources beside it are polled normally."""

from __future__ import annotations

import gzip
import json
import time
from datetime import timedelta

import pytest

from tests.crawlkit import FAST, feed_source, rows, rss, source_row, watchlist
from tests.httpserver import Site
from watch.errors import AllSourcesFailedError
from watch.poll import poll
from watch.store.connection import now as utcnow

GOOD_TEXT = "Azimjan Askarov remains in the colony, his family said. " * 15
CAP = FAST.max_body_bytes


def _raw(handler, status: int, headers: dict[str, str]) -> None:
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.end_headers()


def slow_drip(handler) -> None:
    """Headers at once, then a byte every 0.3 s: never idle long enough for a read timeout."""
    _raw(handler, 200, {"Content-Type": "application/rss+xml", "Connection": "close"})
    try:
        for _ in range(200):
            handler.wfile.write(b"<")
            handler.wfile.flush()
            time.sleep(0.3)
    except OSError:
        pass
    handler.close_connection = True


def endless(handler) -> None:
    _raw(handler, 200, {"Content-Type": "application/rss+xml", "Connection": "close"})
    chunk = b"<item>" + b"x" * 65536 + b"</item>"
    try:
        while True:
            handler.wfile.write(chunk)
    except OSError:
        pass
    handler.close_connection = True


def one_gigabyte(handler) -> None:
    """Declares and streams 1 GB of zeros, 64 KB at a time: never held in memory."""
    size = 1_000_000_000
    _raw(handler, 200, {"Content-Type": "application/rss+xml", "Content-Length": str(size)})
    chunk = b"\0" * 65536
    try:
        for _ in range(size // len(chunk)):
            handler.wfile.write(chunk)
    except OSError:
        pass
    handler.close_connection = True


def one_gigabyte_undeclared(handler) -> None:
    """The same without Content-Length: only the streaming cap can stop it."""
    _raw(handler, 200, {"Content-Type": "application/rss+xml", "Connection": "close"})
    chunk = b"\0" * 65536
    try:
        for _ in range(1_000_000_000 // len(chunk)):
            handler.wfile.write(chunk)
    except OSError:
        pass
    handler.close_connection = True


BOMB = gzip.compress(b"<rss>" + b" " * 50_000_000, compresslevel=9)


def gzip_bomb(handler) -> None:
    headers = {
        "Content-Type": "application/rss+xml",
        "Content-Encoding": "gzip",
        "Content-Length": str(len(BOMB)),
    }
    _raw(handler, 200, headers)
    handler.wfile.write(BOMB)


def redirect_to(target: str):
    def handler(h) -> None:
        _raw(h, 302, {"Location": target, "Content-Length": "0"})

    return handler


@pytest.fixture
def hostile(site):
    good_feed = rss([("good-1", site.url("/good/a1"), "Colony news", "x", GOOD_TEXT)])
    site.add("/good/feed", good_feed, content_type="application/rss+xml")
    site.handle("/drip", slow_drip)
    site.handle("/endless", endless)
    site.handle("/gigabyte", one_gigabyte)
    site.handle("/gigabyte-stream", one_gigabyte_undeclared)
    site.handle("/bomb", gzip_bomb)
    site.handle("/loop/a", redirect_to("/loop/b"))
    site.handle("/loop/b", redirect_to("/loop/a"))
    site.handle("/chain/0", redirect_to("/chain/1"))
    for i in range(1, 10):
        site.handle(f"/chain/{i}", redirect_to(f"/chain/{i + 1}"))
    site.handle("/to-ftp", redirect_to("ftp://127.0.0.1/feed.xml"))
    whole = rss(
        [
            ("t1", site.url("/t/1"), "Azimjan Askarov", "x", GOOD_TEXT),
            ("t2", site.url("/t/2"), "Second", "y", GOOD_TEXT),
        ]
    )
    site.add("/truncated", whole[: whole.index("<guid>t2")], content_type="application/rss+xml")
    site.add("/cut-early", whole[:60], content_type="application/rss+xml")
    site.add("/html", "<html><body><h1>Not a feed</h1><p>Hello</p></body></html>")
    site.add("/empty", "", content_type="application/rss+xml")
    site.add("/image", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type="image/png")
    cyrillic = rss(
        [("c1", site.url("/c/1"), "Азимжан Аскаров умер", "Азимжан Аскаров умер в тюрьме")]
    )
    site.add(
        "/wrong-charset",
        cyrillic.encode("cp1251"),
        content_type="application/rss+xml; charset=utf-8",
    )
    return site


EXPECTED = {
    "drip": "timeout",
    "endless": "too_large",
    "gigabyte": "too_large",
    "gigabyte-stream": "too_large",
    "bomb": "too_large",
    "loop/a": "redirect_loop",
    "chain/0": "too_many_redirects",
    "to-ftp": "bad_scheme",
    "cut-early": "feed_malformed",
    "html": "not_a_feed",
    "empty": "empty_body",
    "image": "content_type",
    "missing": "http_404",
}


def test_every_hostile_scenario_fails_alone_with_its_reason(hostile, tmp_path):
    sources = [feed_source(path.replace("/", "-"), hostile.url("/" + path)) for path in EXPECTED]
    sources += [
        feed_source("good", hostile.url("/good/feed")),
        feed_source("truncated", hostile.url("/truncated")),
        feed_source("wrong-charset", hostile.url("/wrong-charset")),
    ]
    wl = watchlist(tmp_path, sources)
    db = tmp_path / "a.duckdb"
    started = time.monotonic()
    summary = poll(wl, db, force=True)
    elapsed = time.monotonic() - started
    assert elapsed < 15, f"poll took {elapsed:.1f} s"
    assert summary.sources_due == len(sources)
    assert summary.sources_failed == len(EXPECTED)
    assert summary.sources_ok == 3
    for path, key in EXPECTED.items():
        row = source_row(db, path.replace("/", "-"))
        assert row["last_error_key"] == key, (path, row["last_error"])
        assert row["consecutive_failures"] == 1
        assert row["next_due"] > row["last_checked"]  # never given up on
        assert row["last_error"]
    assert dict(summary.failures).keys() == {p.replace("/", "-") for p in EXPECTED}
    # the good, the truncated (what parsed is kept) and the mislabelled are all stored
    titles = {t for (t,) in rows(db, "SELECT title FROM documents")}
    assert {"Colony news", "Azimjan Askarov", "Азимжан Аскаров умер"} <= titles
    truncated = json.loads(source_row(db, "truncated")["state"])
    assert truncated["warning"].startswith("feed_malformed")
    mentions = rows(db, "SELECT count(*) FROM mentions m JOIN documents d ON d.id = m.document_id"
                        " WHERE d.source_id = 'wrong-charset'")  # fmt: skip
    assert mentions[0][0] >= 1


def test_robots_txt_that_forbids_is_obeyed(tmp_path, site):
    closed = Site()
    closed.start()
    try:
        closed.add("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
        closed.add("/feed", rss([]), content_type="application/rss+xml")
        site.add(
            "/feed",
            rss([("g", site.url("/x"), "t", GOOD_TEXT)]),
            content_type="application/rss+xml",
        )
        wl = watchlist(
            tmp_path,
            [feed_source("closed", closed.url("/feed")), feed_source("open", site.url("/feed"))],
        )
        db = tmp_path / "a.duckdb"
        summary = poll(wl, db, force=True)
        assert summary.sources_failed == 1 and summary.sources_ok == 1
        assert source_row(db, "closed")["last_error_key"] == "robots_disallowed"
        assert closed.hits("/feed") == 0
        poll(wl, db, force=True)
        assert closed.hits("/robots.txt") == 1  # cached for a day, across polls
        assert site.hits("/robots.txt") == 1
    finally:
        closed.stop()


def test_500_then_recovery_resets_the_backoff(site, tmp_path):
    calls = {"n": 0}
    feed = rss([("g", site.url("/a"), "Back", "x", GOOD_TEXT)]).encode()

    def flaky(handler) -> None:
        calls["n"] += 1
        if calls["n"] <= 2:
            _raw(handler, 500, {"Content-Length": "0"})
            return
        _raw(
            handler, 200, {"Content-Type": "application/rss+xml", "Content-Length": str(len(feed))}
        )
        handler.wfile.write(feed)

    site.handle("/flaky", flaky)
    site.add("/none", rss([]), content_type="application/rss+xml")
    wl = watchlist(
        tmp_path, [feed_source("flaky", site.url("/flaky")), feed_source("ok", site.url("/none"))]
    )
    db = tmp_path / "a.duckdb"
    poll(wl, db, force=True)
    first = source_row(db, "flaky")
    poll(wl, db, force=True)
    second = source_row(db, "flaky")
    assert (first["last_error_key"], second["consecutive_failures"]) == ("http_500", 2)
    # the wait grows, with jitter within +-25% of 30 min, then 60 min
    wait1 = first["next_due"] - first["last_checked"]
    wait2 = second["next_due"] - second["last_checked"]
    assert timedelta(minutes=22) <= wait1 <= timedelta(minutes=38)
    assert timedelta(minutes=45) <= wait2 <= timedelta(minutes=75)
    poll(wl, db, force=True)
    third = source_row(db, "flaky")
    assert third["consecutive_failures"] == 0 and third["last_success"] is not None
    assert third["next_due"] - third["last_checked"] == timedelta(minutes=30)
    assert rows(db, "SELECT count(*) FROM documents WHERE source_id = 'flaky'")[0][0] == 1


def test_429_retry_after_is_honoured(site, tmp_path):
    site.add(
        "/busy", "slow down", content_type="text/plain", status=429, headers={"Retry-After": "7200"}
    )
    site.add(
        "/fine",
        rss([("g", site.url("/a"), "Fine", "x", GOOD_TEXT)]),
        content_type="application/rss+xml",
    )
    wl = watchlist(
        tmp_path, [feed_source("busy", site.url("/busy")), feed_source("fine", site.url("/fine"))]
    )
    db = tmp_path / "a.duckdb"
    summary = poll(wl, db, force=True)
    assert summary.sources_ok == 1
    row = source_row(db, "busy")
    assert row["last_error_key"] == "http_429"
    assert row["next_due"] - utcnow() > timedelta(minutes=110)
    assert poll(wl, db).sources_due == 0  # not asked again before the server's time


def test_retry_after_pauses_the_whole_site_for_this_poll(site, tmp_path):
    site.add(
        "/busy", "slow down", content_type="text/plain", status=429, headers={"Retry-After": "600"}
    )
    site.add("/other", rss([]), content_type="application/rss+xml")
    polite = FAST.__class__(**{**FAST.__dict__, "per_host_concurrency": 1})
    sources = [feed_source("busy", site.url("/busy")), feed_source("other", site.url("/other"))]
    with pytest.raises(AllSourcesFailedError) as failed:
        poll(watchlist(tmp_path, sources, polite), tmp_path / "a.duckdb", force=True)
    assert failed.value.summary.sources_failed == 2
    # one at a time, /busy first: /other, on the same site, is not asked after the 429
    assert site.hits("/busy") == 1 and site.hits("/other") == 0
    assert source_row(tmp_path / "a.duckdb", "other")["last_error_key"] == "http_429"
