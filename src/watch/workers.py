"""The CPU work of a poll: parsing pages, building documents, analysing their text.

In a big poll this runs in worker processes, so that the event loop keeps the network
busy (and a request's timeout is not eaten by parsing elsewhere) and a second core is
used; a small poll does it inline rather than pay for starting a process. The work
functions live apart from the crawler and the writer so that a worker process, which
imports this module to run them, loads only what the CPU work needs; and what the CPU
work needs (trafilatura, the matcher, the detector) is imported by the work functions,
not here, so that the poller, which imports this module for the pool, does not hold it
too (about 25 MB).
"""

from __future__ import annotations

import asyncio
import html
import multiprocessing
import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from watch.records import Document, FeedItem, Fetched, full_text
from watch.urls import canonical as canonical_url

if TYPE_CHECKING:
    from watch.analyse import Analyser

MIN_FINGERPRINT_CHARS = 400  # shorter texts (headlines, teasers) group too eagerly
POOL_MIN_SOURCES = 50


def processes_for(due: int) -> int:
    """One worker per core but one (up to 4): the poller's process needs the other.
    Measured on 2 cores (bench/poll --feeds 1000, alternating, same load): one worker
    45.7 s and 54.3 s, two workers 46.3 s and 58.1 s, their CPU 39-40 s against 47-48 s
    (two busy workers slow each other down on this machine) and 185 MB more memory."""
    if due < POOL_MIN_SOURCES:
        return 0
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class Cpu:
    def __init__(self, people, *, processes: int = 0):
        self.pool = None
        self.people = tuple(people)
        self.processes = processes
        self.in_flight = 0  # calls sent to the pool and not yet answered
        self._warmed = False
        if processes:
            # The process starts when work is known to be coming (warm(), or the first
            # call), so a poll with nothing new (every feed 304) starts none. Started with
            # the pool instead, it cost an unchanged 1,000-feed cycle 0.2-0.3 s and ~170 MB.
            self.pool = ProcessPoolExecutor(
                processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=work_init,
                initargs=(tuple(people),),
            )
        else:
            work_init(tuple(people))

    def warm(self) -> None:
        """Start the worker processes now, when CPU work is known to be coming (a source
        never read, or one with new items whose pages are being fetched), rather than at
        the first call.

        A worker takes ~1 s to start and import what it needs; the first call comes only
        once a source's articles are fetched (20 at two a host, 0.5 s and more), so this
        way the two overlap instead of the worker starting idle-handed behind the poll."""
        if self.pool is not None and not self._warmed:
            self._warmed = True
            for _ in range(self.processes):
                self.pool.submit(work_warm)

    def fingerprints_here(self) -> bool:
        """Whether the poller should take a batch's story fingerprints itself, at filing:
        yes while the workers are behind (calls queue up for them), as they then set the
        pace; where they keep up, or there are none, they take every fingerprint.
        bench/poll --feeds 1000, four alternating pairs: first cycle 27.4-29.9 s (mean
        27.9) against 27.8-30.6 s (mean 29.5) when the poller took two batches in three."""
        return self.pool is not None and self.in_flight > 2 * self.processes

    async def call(self, fn, *args):
        if self.pool is not None:
            try:
                loop = asyncio.get_running_loop()
                self.in_flight += 1
                try:
                    result, seconds = await loop.run_in_executor(self.pool, _timed, fn, *args)
                finally:
                    self.in_flight -= 1
            except BrokenProcessPool:
                # A worker died (killed, out of memory): carry on in this process rather
                # than fail every source still to come.
                self.pool = None
                work_init(self.people)
        if self.pool is None:
            result, seconds = _timed(fn, *args)
        TIMINGS[fn.__name__.removeprefix("work_")] += seconds
        return result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


# Where a poll's time goes (CPU seconds per stage, wall seconds writing); `verbose` prints it.
TIMINGS: Counter[str] = Counter()


def _timed(fn, *args):
    started = time.process_time()
    result = fn(*args)
    return result, time.process_time() - started


_analyser: Analyser | None = None


def work_init(people) -> None:
    global _analyser
    from watch.analyse import Analyser

    _analyser = Analyser(people)


def work_warm() -> None:
    """Do one small article ahead of the first real call (Cpu.warm), so that what the
    work loads on first use is loaded while the poller is still fetching: the imports,
    and the language model, whose decompression (0.5 s) made the first call of a poll
    take 0.7 s instead of 30 ms (bench/poll timeline, worker log). The article names a
    watched person, as only such texts go on to event detection and need the model."""
    name = next((p.name for p in _analyser.people.values()), "") if _analyser else ""
    sentence = f"<p>{html.escape(name)} was moved to a prison hospital, his lawyer said.</p>"
    body = f"<html><body><article>{sentence * 8}</article></body></html>".encode()
    url = "http://warm.invalid/article"
    item = FeedItem(guid=None, url=url, title="Warm-up", text="", full=False)
    page = Fetched(url, 200, {"content-type": "text/html; charset=utf-8"}, body)
    work_article(ArticleJob(item, page, None, "", datetime(2020, 1, 1)))


def work_page(body: bytes, url: str, content_type: str):
    from watch.extract import extract_page

    return extract_page(body, url, content_type)


@dataclass(frozen=True)
class ArticleJob:
    item: FeedItem
    page: Fetched | None  # the article page, when one was fetched
    language: str | None  # the source's, which wins over the page's
    source_id: str
    now: datetime


def work_articles(
    jobs: list[ArticleJob], fingerprints: bool = True
) -> list[tuple[Document, tuple | None]]:
    """Build each item's document (from its article page when there is one) and analyse
    it; with fingerprints=False the story fingerprints are left to the caller (NOT_TAKEN)."""
    return [work_article(job, fingerprints) for job in jobs]


def work_article(job: ArticleJob, fingerprints: bool = True) -> tuple[Document, tuple | None]:
    from watch.extract import extract_page

    item = job.item
    text, title, canonical, published, language = item.text, item.title, "", None, None
    if job.page is not None:
        page = extract_page(job.page.body, job.page.url, job.page.content_type, links=False)
        if len(page.text) > len(text):
            text = page.text
        title = title or page.title
        canonical, published, language = page.canonical_url, page.published, page.language
    doc = Document(
        url=item.url,
        text=full_text(title, text),
        title=title,
        canonical_url=canonical or canonical_url(item.url),  # a page's is canonical already
        language=job.language or item.language or language,
        published=item.published or published,
        fetched=job.now,
        source_id=job.source_id,
        guid=item.guid,
    )
    if not doc.text.strip():
        return doc, None
    day = doc.published.date() if doc.published else None
    return doc, work_analyse(doc.text, doc.url, doc.language, day, fingerprints)


# What work_articles(..., fingerprints=False) gives for a fingerprint it left to the caller.
NOT_TAKEN = -1


def work_analyse(text: str, url: str, language: str | None, published, fingerprints=True):
    scan = _analyser.analyse(text, input=url, language=language, published=published)
    return scan, story_fingerprint(text) if fingerprints else NOT_TAKEN


def story_fingerprint(text: str) -> int | None:
    """The document's story fingerprint; None for a text too short to have one."""
    from watch.fingerprint import fingerprint

    return fingerprint(text) if len(text) >= MIN_FINGERPRINT_CHARS else None
