"""The fetcher, robots, backoff and health, against a real local server."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from tests.crawlkit import feed_source, rss, settings, source_row, watchlist
from watch.errors import FetchError
from watch.fetch import Fetcher, parse_retry_after
from watch.poll import poll
from watch.records import Person, Source
from watch.sources import MAX_BACKOFF, backoff, condition, health, search_urls


def test_retry_after_in_seconds_or_as_a_date():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_doubles_with_jitter_and_stops_at_a_day():
    rng = random.Random(1)
    base = timedelta(minutes=30)
    waits = [backoff(n, base, rng=rng) for n in range(1, 12)]
    for n, wait in enumerate(waits[:5], start=1):
        expected = base * 2 ** (n - 1)
        assert expected * 0.75 <= wait <= expected * 1.25
    assert all(w <= MAX_BACKOFF for w in waits)
    assert waits[-1] >= MAX_BACKOFF * 0.75  # still retried daily, never dropped
    assert backoff(1, base, retry_after=7200, rng=rng) >= timedelta(hours=2)


def test_search_urls_encode_every_name_once():
    person = Person(id="p", name="Azat Isakov", aliases=("Азат Исаков", "Azat Isakov"))
    source = Source(id="s", name="s", kind="search", url="https://x.org/s?q={query}&n=1")
    assert search_urls(source, [person]) == [
        ("https://x.org/s?q=Azat+Isakov&n=1", "Azat Isakov"),
        ("https://x.org/s?q=%D0%90%D0%B7%D0%B0%D1%82+%D0%98%D1%81%D0%B0%D0%BA%D0%BE%D0%B2&n=1", "Азат Исаков"),
    ]  # fmt: skip


def test_the_user_agent_and_conditional_headers_are_sent(site):
    site.add("/f", "body", content_type="text/plain")

    async def run():
        async with Fetcher(
            settings(user_agent="appealwatch-test (+https://example.org/contact)")
        ) as f:
            got = await f.get(site.url("/f"))
            again = await f.get(site.url("/f"), etag=got.etag)
            return got, again

    got, again = asyncio.run(run())
    assert got.status == 200 and got.body == b"body" and again.not_modified
    headers = [h for _, p, h in site.requests]
    assert headers[0]["User-Agent"] == "appealwatch-test (+https://example.org/contact)"
    assert headers[1]["If-None-Match"] == got.etag


def test_cookies_a_site_sets_are_never_sent_back(site):
    site.add("/a", "a", content_type="text/plain", headers={"Set-Cookie": "visit=1; Path=/"})
    site.add("/b", "b", content_type="text/plain")

    # By name, not by IP address: cookie jars keep no cookies for an IP address at all.
    by_name = site.url("/").replace("127.0.0.1", "localhost").rstrip("/")

    async def run():
        async with Fetcher(settings()) as f:
            await f.get(by_name + "/a")
            await f.get(by_name + "/b")
            await f.get(by_name + "/a")

    asyncio.run(run())
    sent = [h for _, _, h in site.requests]
    assert len(sent) == 3
    assert not any("Cookie" in h or "cookie" in h for h in sent)


def test_at_most_n_requests_at_a_time_per_host_and_a_delay_between_them(site, tmp_path):
    lock = threading.Lock()
    state = {"now": 0, "max": 0, "starts": []}
    body = rss([]).encode()

    def slow(handler) -> None:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["starts"].append(time.monotonic())
        time.sleep(0.15)
        with lock:
            state["now"] -= 1
        handler.send_response(200)
        handler.send_header("Content-Type", "application/rss+xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    for i in range(6):
        site.handle(f"/f{i}", slow)
    polite = settings(per_host_concurrency=2, per_host_delay=0.1)
    wl = watchlist(tmp_path, [feed_source(f"f{i}", site.url(f"/f{i}")) for i in range(6)], polite)
    poll(wl, tmp_path / "a.duckdb", force=True)
    starts = sorted(state["starts"])
    assert state["max"] <= 2
    assert len(starts) == 6
    assert min(b - a for a, b in pairwise(starts)) >= 0.09


def test_a_redirected_feed_is_followed(site):
    site.add("/new", "moved here", content_type="text/plain")
    site.handle("/old", lambda h: (h.send_response(301), h.send_header("Location", "/new"),
                                   h.send_header("Content-Length", "0"), h.end_headers()))  # fmt: skip

    async def run():
        async with Fetcher(settings()) as f:
            return await f.get(site.url("/old"))

    got = asyncio.run(run())
    assert got.url == site.url("/new") and got.body == b"moved here"


def test_connection_refused_is_a_stable_key():
    async def run():
        async with Fetcher(settings()) as f:
            await f.get("http://127.0.0.1:9/feed")

    with pytest.raises(FetchError) as caught:
        asyncio.run(run())
    assert caught.value.key == "connect_failed"


def test_health_tells_dead_from_quiet_and_lists_what_organisers_need(site, tmp_path):
    site.add(
        "/ok", rss([("g", site.url("/a"), "t", "x" * 700)]), content_type="application/rss+xml"
    )
    wl = watchlist(
        tmp_path, [feed_source("ok", site.url("/ok")), feed_source("gone", site.url("/gone"))]
    )
    db = tmp_path / "a.duckdb"
    poll(wl, db, force=True)
    report = {h["id"]: h for h in health(db)}
    assert report["ok"]["condition"] == "ok" and report["ok"]["items_seen"] == 1
    assert report["gone"]["condition"] == "failing"
    assert report["gone"]["last_error_key"] == "http_404"
    assert report["gone"]["next_due"] > report["gone"]["last_error_at"]
    for key in ("name", "kind", "url", "last_success", "last_error", "consecutive_failures",
                "next_due", "items_seen", "last_new_item"):  # fmt: skip
        assert key in report["ok"]
    later = datetime.now() + timedelta(days=3)
    assert condition(_row(db, "gone"), later) == "dead"
    assert condition(_row(db, "ok"), later) == "ok"
    assert condition(_row(db, "ok"), datetime.now() + timedelta(days=10)) == "quiet"


def test_a_source_failing_for_days_is_called_out_as_dark(site, tmp_path):
    wl = watchlist(
        tmp_path, [feed_source("gone", site.url("/gone")), feed_source("ok", site.url("/ok"))]
    )
    site.add("/ok", rss([]), content_type="application/rss+xml")
    db = tmp_path / "a.duckdb"
    assert poll(wl, db, force=True).dark_sources == ()
    from watch.store import open_store

    with open_store(db) as store:  # as if the first failure had been three days ago
        row = store.source_rows()["gone"]
        state = {**row["state"], "failing_since": (datetime.now() - timedelta(days=3)).isoformat()}
        store.update_source("gone", state=state)
    summary = poll(wl, db)  # not due (backing off), still called out
    assert summary.dark_sources == ("gone",)


def _row(db, source_id):
    import json

    row = source_row(db, source_id)
    row["state"] = json.loads(row["state"]) if row["state"] else {}
    return row


def _fetch_error(url: str, **overrides) -> FetchError:
    async def run():
        async with Fetcher(settings(**overrides)) as f:
            await f.get(url)

    with pytest.raises(FetchError) as caught:
        asyncio.run(run())
    return caught.value


def test_a_server_silent_mid_body_is_a_read_timeout_not_a_total_one(site):
    def stall(handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", "100")
        handler.end_headers()
        handler.wfile.write(b"half")
        handler.wfile.flush()
        time.sleep(1.5)

    site.handle("/stall", stall)
    error = _fetch_error(site.url("/stall"), read_timeout=0.3, total_timeout=5.0)
    assert error.key == "read_timeout", error


def test_a_server_that_hangs_up_or_garbles_http_is_a_protocol_error(site):
    def hang_up(handler) -> None:
        handler.close_connection = True  # closes without a byte of answer

    def garbled(handler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\nbody")
        handler.close_connection = True

    site.handle("/hang-up", hang_up)
    site.handle("/garbled", garbled)
    assert _fetch_error(site.url("/hang-up")).key == "protocol_error"
    assert _fetch_error(site.url("/garbled")).key == "protocol_error"


def test_header_names_are_sent_as_written(site):
    site.add("/h", "ok", content_type="text/plain")

    async def run():
        async with Fetcher(settings()) as f:
            await f.get(site.url("/h"), etag='"e"', last_modified="Mon, 27 Jul 2020 10:00:00 GMT")

    asyncio.run(run())
    names = set(site.requests[0][2])
    assert {"User-Agent", "If-None-Match", "If-Modified-Since"} <= names
