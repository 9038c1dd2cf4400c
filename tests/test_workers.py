"""The worker processes a big poll uses: articles analysed there and handed back whole."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

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


def test_fingerprints_are_shared_with_the_poller_only_while_the_worker_is_behind():
    inline = Cpu([ASKAROV])
    inline.in_flight = 100
    assert not any(inline.fingerprints_here() for _ in range(4))  # no worker: it does all

    pooled = Cpu([ASKAROV], processes=1)
    try:
        pooled.in_flight = 2  # keeping up: the worker takes every fingerprint
        assert not any(pooled.fingerprints_here() for _ in range(4))
        pooled.in_flight = 50  # behind: the poller takes them, the workers set the pace
        assert all(pooled.fingerprints_here() for _ in range(4))
        pooled.in_flight = 2  # caught up again
        assert not pooled.fingerprints_here()
    finally:
        pooled.close()


def test_a_worker_told_so_leaves_the_fingerprints_to_the_caller():
    from watch.workers import NOT_TAKEN

    url = "http://news.example/a/1"
    item = FeedItem(guid="g1", url=url, title="Colony news", text=TEXT, full=True)
    job = ArticleJob(item, None, None, "s", datetime.now(UTC))
    [(_, (_, taken))] = work_articles([job])
    [(_, (_, left))] = work_articles([job], False)
    assert taken > 0 and left == NOT_TAKEN


def test_warming_starts_the_worker_before_any_call_and_only_once():
    import multiprocessing
    import time

    before = set(multiprocessing.active_children())
    cpu = Cpu([ASKAROV], processes=1)
    try:
        assert set(multiprocessing.active_children()) == before  # nothing started yet
        cpu.warm()
        cpu.warm()
        deadline = time.monotonic() + 30
        while not (started := set(multiprocessing.active_children()) - before):
            assert time.monotonic() < deadline, "warm() started no worker process"
            time.sleep(0.05)
        time.sleep(0.5)
        assert len(set(multiprocessing.active_children()) - before) == 1
    finally:
        cpu.close()
    assert not any(p.is_alive() for p in started)
    Cpu([ASKAROV]).warm()  # no pool (a small poll): nothing to start, no error


def test_warming_loads_what_a_first_article_would_load():
    from watch import language, workers

    workers.work_init((ASKAROV,))
    language._identifier.cache_clear()
    workers.work_warm()
    # The language model (0.5 s to load) is in memory before the first real article.
    assert language._identifier.cache_info().currsize == 1


def test_a_poll_with_a_never_read_source_starts_its_workers_at_once():
    from watch.crawl import Crawler
    from watch.records import Settings, Source, Watchlist

    sources = [Source(id=f"s{i}", name=f"s{i}", kind="feed", url=f"http://x.example/{i}")
               for i in range(3)]  # fmt: skip
    watchlist = Watchlist(Path("w.yaml"), Settings(), (ASKAROV,), tuple(sources))
    read = {"state": {"validators": {"http://x.example/0": {"etag": '"e"'}}}}
    for rows, starts in (
        ({s.id: read for s in sources}, False),  # all read before: most will answer 304
        ({"s0": read, "s1": read}, True),  # s2 is new
        ({"s0": read, "s1": read, "s2": {"state": None}}, True),  # known, never read
    ):
        crawler = Crawler(watchlist, rows, datetime.now(UTC))
        crawler.cpu = Cpu([ASKAROV], processes=1)
        try:
            crawler.warm_if_new(sources)
            assert crawler.cpu._warmed is starts
        finally:
            crawler.cpu.close()
