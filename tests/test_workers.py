"""The worker processes a big poll uses: articles analysed there and handed back whole."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from tests.crawlkit import ASKAROV, article
from watch.records import FeedItem, Fetched
from watch.workers import ArticleJob, Cpu, processes_for, work_articles

TEXT = "Azimjan Askarov was transferred to a prison hospital, his lawyer said. " * 12


def test_a_big_poll_gets_a_worker_pool_and_a_small_one_none():
    assert processes_for(10) == 0
    assert 1 <= processes_for(1000) <= 4


def test_articles_are_done_in_a_worker_process():
    url = "http://news.example/a/1"
    item = FeedItem(guid="g1", url=url, title="Colony news", text="teaser", full=False)
    page = Fetched(url, 200, {"content-type": "text/html"}, article("Colony news", TEXT).encode())
    teaser_only = FeedItem(guid="g2", url=url + "2", title="Short", text="", full=False)

    async def run():
        cpu = Cpu([ASKAROV], processes=1)
        try:
            jobs = [ArticleJob(item, page, None, "s", datetime.now(UTC)),
                    ArticleJob(teaser_only, None, None, "s", datetime.now(UTC))]  # fmt: skip
            return await cpu.call(work_articles, jobs)
        finally:
            cpu.close()

    [(doc, analysed), (_, nothing)] = asyncio.run(run())
    assert doc.text.startswith("Colony news") and "prison hospital" in doc.text
    assert doc.canonical_url == url and doc.guid == "g1"
    scan, fingerprint = analysed
    assert [m.person_id for m in scan.mentions][:1] == ["azimjan-askarov"]
    assert fingerprint
    assert nothing is not None and nothing[1] is None  # a title alone: analysed, no fingerprint
