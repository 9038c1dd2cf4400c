"""The worker processes a big poll uses: feeds parsed and articles analysed there, and
reasons crossing the process boundary intact."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.crawlkit import ASKAROV, article, rss
from watch.errors import FetchError
from watch.feeds import ParsedFeed
from watch.fetch import Fetched
from watch.workers import ArticleJob, Cpu, processes_for, work_articles, work_feed

TEXT = "Azimjan Askarov was transferred to a prison hospital, his lawyer said. " * 12


def test_a_big_poll_gets_one_worker_per_core_and_a_small_one_none():
    assert processes_for(10) == 0
    assert 1 <= processes_for(1000) <= 4


def test_feeds_and_articles_are_done_in_a_worker_process():
    feed = rss([("g1", "http://news.example/a/1", "Colony news", "teaser")]).encode()
    page = Fetched(
        "http://news.example/a/1", 200, {"content-type": "text/html"},
        article("Colony news", TEXT).encode(),
    )  # fmt: skip

    async def run():
        cpu = Cpu([ASKAROV], processes=1)
        try:
            parsed = await cpu.call(
                work_feed, feed, "http://news.example/feed", "application/rss+xml"
            )
            job = ArticleJob(parsed.items[0], page, None, "s", datetime.now(UTC))
            built = await cpu.call(work_articles, [job])
            with pytest.raises(FetchError) as caught:
                await cpu.call(work_feed, b"<html><body>hi</body></html>", "http://x.example/", "")
            return parsed, built, caught.value
        finally:
            cpu.close()

    parsed, built, error = asyncio.run(run())
    assert isinstance(parsed, ParsedFeed) and parsed.items[0].url == "http://news.example/a/1"
    [(doc, analysed)] = built
    assert doc.text.startswith("Colony news") and "prison hospital" in doc.text
    scan, fingerprint = analysed
    assert [m.person_id for m in scan.mentions][:1] == ["azimjan-askarov"]
    assert fingerprint
    assert error.key == "not_a_feed"
