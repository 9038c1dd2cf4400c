"""One poll cycle: fetch every due source, analyse what is new, file it, record health.

    poll(watchlist, db) -> PollSummary

Only one poll runs at a time (an flock beside the archive: the kernel drops it when
the process dies, so a SIGKILLed poll never leaves a stale lock). Fetching happens
with the archive closed; each source's documents are then filed together with the
source's new validators and seen-items in ONE transaction, in short batches, so:
  - other processes can open the archive between batches, and
  - a poll killed at any moment either stored a source's results and advanced its
    state, or did neither, and the next poll redoes exactly the missing work.
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import importlib.util
import multiprocessing
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from watch.analyse import Analyser
from watch.backfill import backfill, people_to_rescan
from watch.errors import AllSourcesFailedError, FetchError, PollLockedError
from watch.extract import extract_page, parse_sitemap
from watch.feeds import FeedItem, looks_like_feed, looks_like_sitemap, parse_feed
from watch.fetch import Fetched, Fetcher
from watch.fingerprint import StoryIndex, fingerprint
from watch.flag import raise_flags
from watch.records import Document, PollSummary, ScanResult, Source, Watchlist, full_text
from watch.robots import Robots
from watch.sources import (
    DARK_AFTER,
    FULL_FETCH_EVERY,
    backoff,
    due_sources,
    interval,
    is_dark,
    search_urls,
)
from watch.store import Store, open_store
from watch.store.connection import connect
from watch.store.connection import now as utcnow
from watch.urls import canonical as canonical_url

# duckdb's Python binding tries `import pandas` on every execute() with parameters; where
# pandas is not installed each try searches sys.path (about 5 ms of stat calls per source
# written, measured: 6.3 s of 15 s writing 800 sources). A None entry in sys.modules makes
# the failing import fail at once; nothing changes where pandas is installed.
if importlib.util.find_spec("pandas") is None:
    sys.modules.setdefault("pandas", None)

SEEN_KEEP = 3000  # item keys remembered per source: far more than any feed carries
LISTING_MIN_LINKS = 3  # a page with fewer article links is watched for change instead
MIN_FINGERPRINT_CHARS = 400  # shorter texts (headlines, teasers) group too eagerly
BATCH_SECONDS = 2.0  # finished sources wait this long to be written together
# An article page failing so will fail the same way next time: keep the teaser for good.
PERMANENT_ARTICLE_ERRORS = frozenset(
    {"content_type", "too_large", "robots_disallowed", "bad_scheme", "bad_url", "http_404",
     "http_410", "http_401", "http_403", "redirect_loop", "too_many_redirects", "host_not_allowed"}
)  # fmt: skip  # how long finished sources wait to be written together


# -- the lock -----------------------------------------------------------------------------


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


@contextmanager
def poll_lock(db: Path) -> Iterator[None]:
    """Hold the poll lock or raise PollLockedError at once."""
    path = lock_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise PollLockedError(
                f"another poll is running on {db} (it holds {path}); try again when it ends"
            ) from error
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing drops the flock


# -- what one source yields -----------------------------------------------------------------


@dataclass
class Prepared:
    """A document ready to file: the text analysed, the fingerprint taken."""

    doc: Document
    scan: ScanResult
    fingerprint: int | None
    key: str  # seen-state key (GUID or URL)
    digest: str


@dataclass
class Outcome:
    source: Source
    row: dict
    prepared: list[Prepared] = field(default_factory=list)
    validators: dict[str, dict] = field(default_factory=dict)  # endpoint url -> validators
    primary: str | None = None  # the endpoint whose validators the source row shows
    error: FetchError | None = None
    warnings: list[str] = field(default_factory=list)
    discovered_feed: str | None = None
    discovered_at: str | None = None
    seen_only: dict[str, str] = field(default_factory=dict)  # items seen, nothing to file


@dataclass
class Totals:
    ok: int = 0
    failed: int = 0
    documents_new: int = 0
    mentions_new: int = 0
    events_new: int = 0
    flags_new: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    dark: list[str] = field(default_factory=list)

    def add(self, other: Totals) -> None:
        for name in ("ok", "failed", "documents_new", "mentions_new", "events_new", "flags_new"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.failures += other.failures
        self.dark += other.dark


# -- the entry point ------------------------------------------------------------------------


def poll(
    watchlist: Watchlist,
    db: Path,
    *,
    verbose: bool = False,
    progress: bool = False,
    force: bool = False,
) -> PollSummary:
    """Poll every due source once (all of them with `force`); see the module docstring.

    Raises PollLockedError when another poll runs, and AllSourcesFailedError (with the
    summary as `.summary`) when every due source failed.
    """
    db = Path(db)
    with poll_lock(db):
        # People new to the watchlist, or with new names, are first looked for in the archive.
        found = backfill(people_to_rescan(watchlist, db), db)
        summary = asyncio.run(_poll(watchlist, db, verbose=verbose, progress=progress, force=force))
    summary = replace(
        summary,
        mentions_new=summary.mentions_new + found.mentions_new,
        events_new=summary.events_new + found.events_new,
        flags_new=summary.flags_new + found.flags_new,
    )
    if summary.sources_due and not summary.sources_ok:
        error = AllSourcesFailedError(
            f"all {summary.sources_due} due sources failed: "
            + "; ".join(f"{name}: {message}" for name, message in summary.failures[:5])
        )
        error.summary = summary
        raise error
    return summary


async def _poll(
    watchlist: Watchlist, db: Path, *, verbose: bool, progress: bool, force: bool
) -> PollSummary:
    rows = await asyncio.to_thread(_prepare_archive, watchlist, db)
    now = utcnow()
    due = due_sources(watchlist.sources, rows, now, force=force)
    crawler = Crawler(watchlist, rows, now)
    crawler.cpu = Cpu(watchlist.people, processes=_processes(len(due)))
    robots = Robots(db.with_name(db.name + ".robots.json"))
    totals = Totals()
    TIMINGS.clear()
    cpu_started = time.process_time()
    stories = RecentStories()
    report = _Reporter(len(due), verbose=verbose, progress=progress)
    try:
        await _crawl_and_write(crawler, due, db, watchlist, now, totals, stories, report, robots)
    finally:
        crawler.cpu.close()  # worker processes never outlive the poll, even on an error
    robots.save()
    due_ids = {s.id for s in due}
    for source in watchlist.sources:  # sources backing off are still called out when dark
        if source.id not in due_ids and is_dark(rows.get(source.id) or {}, now, DARK_AFTER):
            totals.dark.append(source.name)
    report.finish()
    if verbose:
        TIMINGS["poller process CPU"] = time.process_time() - cpu_started
        spent = ", ".join(f"{k} {v:.1f} s" for k, v in TIMINGS.most_common())
        print(f"time: {spent}", file=sys.stderr)
    return PollSummary(
        sources_due=len(due),
        sources_ok=totals.ok,
        sources_failed=totals.failed,
        documents_new=totals.documents_new,
        mentions_new=totals.mentions_new,
        events_new=totals.events_new,
        flags_new=totals.flags_new,
        failures=tuple(totals.failures),
        dark_sources=tuple(sorted(totals.dark)),
    )


async def _crawl_and_write(
    crawler: Crawler,
    due: list[Source],
    db: Path,
    watchlist: Watchlist,
    now: datetime,
    totals: Totals,
    stories: RecentStories,
    report: _Reporter,
    robots: Robots,
) -> None:
    async with Fetcher(watchlist.settings, robots) as fetcher:
        crawler.fetcher = fetcher
        queue: asyncio.Queue[Outcome] = asyncio.Queue()
        # Sources are crawled a bounded number at a time: each holds its articles until
        # it is written, so this bounds memory, and finished sources reach the archive
        # steadily rather than all at the end.
        gate = asyncio.Semaphore(max(20, watchlist.settings.concurrency // 2))
        tasks = [asyncio.create_task(_crawl_into(crawler, s, queue, gate)) for s in due]
        written = 0
        last_write = 0.0
        while written < len(due):
            batch = [await queue.get()]
            # Each batch opens and closes the archive, and closing checkpoints it, which
            # costs more as the archive grows: wait longer when writing took long, so
            # writing stays under a quarter of the poll.
            deadline = time.monotonic() + max(BATCH_SECONDS, 3 * last_write)
            while written + len(batch) < len(due) and time.monotonic() < deadline:
                try:
                    batch.append(await asyncio.wait_for(queue.get(), deadline - time.monotonic()))
                except TimeoutError:
                    break
            while not queue.empty():
                batch.append(queue.get_nowait())
            started = time.monotonic()
            _write_batch(db, batch, watchlist, now, totals, stories)
            last_write = time.monotonic() - started
            TIMINGS["write (wall)"] += last_write
            written += len(batch)
            for outcome in batch:
                report.done(outcome)
        await asyncio.gather(*tasks)


def _prepare_archive(watchlist: Watchlist, db: Path) -> dict[str, dict]:
    with open_store(db) as store:
        store.sync_watchlist(watchlist)
        return store.source_rows()


async def _crawl_into(
    crawler: Crawler, source: Source, queue: asyncio.Queue, gate: asyncio.Semaphore
) -> None:
    async with gate:
        outcome = await crawler.crawl(source)
    await queue.put(outcome)


# -- CPU work: parsing, extraction, analysis ---------------------------------------------
# In a big poll this runs in worker processes, so that the event loop keeps the network
# busy (and a request's timeout is not eaten by parsing elsewhere) and a second core is
# used; a small poll does it inline rather than pay for starting a process.

POOL_MIN_SOURCES = 50


def _processes(due: int) -> int:
    if due < POOL_MIN_SOURCES:
        return 0
    return max(1, min(4, (os.cpu_count() or 2) - 1))


class Cpu:
    def __init__(self, people, *, processes: int = 0):
        self.pool = None
        self.people = tuple(people)
        if processes:
            self.pool = ProcessPoolExecutor(
                processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_work_init,
                initargs=(tuple(people),),
            )
        else:
            _work_init(tuple(people))

    async def call(self, fn, *args):
        if self.pool is not None:
            try:
                loop = asyncio.get_running_loop()
                result, seconds = await loop.run_in_executor(self.pool, _timed, fn, *args)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): carry on in this process rather
                # than fail every source still to come.
                self.pool = None
                _work_init(self.people)
        if self.pool is None:
            result, seconds = _timed(fn, *args)
        TIMINGS[fn.__name__.removeprefix("_work_")] += seconds
        if isinstance(result, _Failed):
            raise FetchError(result.key, result.message)
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


@dataclass(frozen=True)
class _Failed:
    """A FetchError crossing a process boundary (its constructor does not pickle)."""

    key: str
    message: str


_analyser: Analyser | None = None


def _work_init(people) -> None:
    global _analyser
    _analyser = Analyser(people)


def _work_page(body: bytes, url: str, content_type: str):
    return extract_page(body, url, content_type)


@dataclass(frozen=True)
class _ArticleJob:
    item: FeedItem
    page: Fetched | None  # the article page, when one was fetched
    language: str | None  # the source's, which wins over the page's
    source_id: str
    now: datetime


def _work_articles(jobs: list[_ArticleJob]) -> list[tuple[Document, tuple | None]]:
    """Build each item's document (from its article page when there is one) and analyse it."""
    return [_work_article(job) for job in jobs]


def _work_article(job: _ArticleJob) -> tuple[Document, tuple | None]:
    item = job.item
    text, title, canonical, published, language = item.text, item.title, "", None, None
    if job.page is not None:
        page = extract_page(job.page.body, job.page.url, job.page.content_type)
        if len(page.text) > len(text):
            text = page.text
        title = title or page.title
        canonical, published, language = page.canonical_url, page.published, page.language
    doc = Document(
        url=item.url,
        text=full_text(title, text),
        title=title,
        canonical_url=canonical_url(canonical or item.url),
        language=job.language or language,
        published=item.published or published,
        fetched=job.now,
        source_id=job.source_id,
        guid=item.guid,
    )
    if not doc.text.strip():
        return doc, None
    day = doc.published.date() if doc.published else None
    return doc, _work_analyse(doc.text, doc.url, doc.language, day)


def _work_analyse(text: str, url: str, language: str | None, published):
    scan = _analyser.analyse(text, input=url, language=language, published=published)
    fp = fingerprint(text) if len(text) >= MIN_FINGERPRINT_CHARS else None
    return scan, fp


# -- crawling one source ----------------------------------------------------------------


class Crawler:
    """Turns one source into an Outcome; holds what every source shares."""

    def __init__(self, watchlist: Watchlist, rows: dict[str, dict], now: datetime):
        self.watchlist = watchlist
        self.settings = watchlist.settings
        self.rows = rows
        self.now = now
        self.fetcher: Fetcher | None = None
        self.cpu: Cpu | None = None

    async def crawl(self, source: Source) -> Outcome:
        row = self.rows.get(source.id) or {}
        out = Outcome(source, row)
        try:
            if source.kind == "feed":
                out.primary = source.url
                await self._feed_endpoint(out, source.url)
            elif source.kind == "page":
                await self._page_source(out)
            elif source.kind == "search":
                await self._search_source(out)
            else:
                raise FetchError("bad_source", f"unknown source kind {source.kind!r}")
        except FetchError as error:
            out.error = error
        except Exception as error:  # one broken source must never stop the others
            out.error = FetchError("internal", f"{type(error).__name__}: {error}")
        return out

    # endpoints: one URL with its own validators

    def _old_validators(self, out: Outcome, url: str) -> dict:
        return ((out.row.get("state") or {}).get("validators") or {}).get(url) or {}

    async def _fetch_endpoint(self, out: Outcome, url: str) -> Fetched | None:
        """The body if it changed since the last stored fetch, else None."""
        old = self._old_validators(out, url)
        full_at = _parse_time(old.get("full_at"))
        full = full_at is None or self.now - full_at >= FULL_FETCH_EVERY
        got = await self.fetcher.get(
            url,
            etag=None if full else old.get("etag"),
            last_modified=None if full else old.get("last_modified"),
        )
        if got.not_modified:
            out.validators[url] = {**old, "etag": got.etag or old.get("etag")}
            return None
        digest = hashlib.sha1(got.body).hexdigest()
        out.validators[url] = {
            "etag": got.etag,
            "last_modified": got.last_modified,
            "hash": digest,
            "full_at": self.now.isoformat() if full else old.get("full_at"),
        }
        if digest == old.get("hash"):
            return None  # validators lied or were absent: the content is what we have
        return got

    def _incomplete(self, out: Outcome, url: str) -> None:
        """Some items could not be done: keep the old hash so the next poll looks again."""
        validators = out.validators.get(url)
        if validators is not None:
            validators.update(hash=None, etag=None, last_modified=None)

    # feeds

    async def _feed_endpoint(self, out: Outcome, url: str, got: Fetched | None = None) -> None:
        got = got or await self._fetch_endpoint(out, url)
        if got is None:
            return
        # Parsed here, not queued behind the workers' analyses: the sooner a feed is
        # read, the sooner its article pages are asked for (~5 ms a feed).
        parsed = parse_feed(got.body, got.url, got.content_type)
        if parsed.warning:
            out.warnings.append(f"feed_malformed: {parsed.warning}")
        await self._items(out, url, parsed.items)

    def _seen(self, out: Outcome) -> dict[str, str]:
        return (out.row.get("state") or {}).get("seen") or {}

    async def _items(self, out: Outcome, endpoint: str, items: list[FeedItem]) -> None:
        seen = self._seen(out)
        fresh = [i for i in items if seen.get(i.key) != i.digest]
        limit = self.settings.max_articles_per_source - len(out.prepared)
        if len(fresh) > limit:
            fresh = fresh[: max(limit, 0)]
            self._incomplete(out, endpoint)
        fetched = await asyncio.gather(*(self._article(i) for i in fresh))
        # One trip to a worker for all of a source's articles: a trip per article cost
        # more in pickling and queue hand-offs than extraction itself.
        jobs = [
            _ArticleJob(item, got, out.source.language, out.source.id, self.now)
            for item, (_, got) in zip(fresh, fetched, strict=True)
        ]
        built = await self.cpu.call(_work_articles, jobs) if jobs else []
        for item, (complete, _), (doc, analysed) in zip(fresh, fetched, built, strict=True):
            digest = item.digest if complete else ""
            if analysed is None:
                out.seen_only[item.key] = digest
            else:
                out.prepared.append(Prepared(doc, analysed[0], analysed[1], item.key, digest))
        if not all(complete for complete, _ in fetched):
            self._incomplete(out, endpoint)

    async def _article(self, item: FeedItem) -> tuple[bool, Fetched | None]:
        """The item's article page when it needs one; False when to be tried again."""
        if item.full or not item.linked or not item.url.startswith(("http://", "https://")):
            return True, None
        try:
            return True, await self.fetcher.get(item.url)
        except FetchError as error:
            # File the teaser now; a passing failure is tried again next poll.
            return error.key in PERMANENT_ARTICLE_ERRORS, None

    async def _prepare(self, out: Outcome, doc: Document, key: str, digest: str) -> Prepared | None:
        if not doc.text.strip():
            out.seen_only[key] = digest
            return None
        published = doc.published.date() if doc.published else None
        scan, fp = await self.cpu.call(_work_analyse, doc.text, doc.url, doc.language, published)
        return Prepared(doc, scan, fp, key, digest)

    # pages: discovery, listings, watched pages

    async def _page_source(self, out: Outcome) -> None:
        source = out.source
        state = out.row.get("state") or {}
        feed = state.get("discovered_feed")
        found_at = _parse_time(state.get("discovered_at"))
        if feed and found_at and self.now - found_at < FULL_FETCH_EVERY:
            out.primary, out.discovered_feed, out.discovered_at = feed, feed, state["discovered_at"]
            await self._feed_endpoint(out, feed)
            return
        out.primary = source.url
        old = self._old_validators(out, source.url)
        got = await self._fetch_endpoint(out, source.url)
        if got is None:
            return
        if looks_like_sitemap(got.body):
            await self._sitemap(out, source.url, got)
            return
        if looks_like_feed(got.body):
            await self._feed_endpoint(out, source.url, got)
            return
        page = await self.cpu.call(_work_page, got.body, got.url, got.content_type)
        if page.feed_links:
            out.validators[source.url] = old  # the feed, not the page, is what we follow
            out.primary = out.discovered_feed = page.feed_links[0]
            out.discovered_at = self.now.isoformat()
            await self._feed_endpoint(out, page.feed_links[0])
            return
        if len(page.article_links) >= LISTING_MIN_LINKS:
            await self._links(out, source.url, page.article_links)
            return
        doc = Document(
            url=source.url,
            text=full_text(page.title, page.text),
            title=page.title,
            canonical_url=canonical_url(source.url),
            language=source.language or page.language,
            published=page.published,
            fetched=self.now,
            source_id=source.id,
        )
        prepared = await self._prepare(
            out, doc, source.url, hashlib.sha1(got.body).hexdigest()[:16]
        )
        if prepared is not None:
            out.prepared.append(prepared)

    async def _sitemap(self, out: Outcome, endpoint: str, got: Fetched) -> None:
        """A (news) sitemap: its newest URLs are followed like a listing's links. For a
        sitemap index, the newest sitemap in it is read."""
        entries = parse_sitemap(got.body)
        if b"<sitemapindex" in got.body[:4096].lower() and entries:
            newest = max(entries, key=lambda e: e[1].timestamp() if e[1] else 0.0)[0]
            got = await self.fetcher.get(newest)
            entries = parse_sitemap(got.body)
        entries.sort(key=lambda e: e[1].timestamp() if e[1] else 0.0, reverse=True)
        await self._links(out, endpoint, [url for url, _ in entries])

    async def _links(self, out: Outcome, endpoint: str, links: list[str]) -> None:
        seen = self._seen(out)
        items = [
            FeedItem(guid=None, url=link, title="", text="", full=False)
            for link in dict.fromkeys(canonical_url(u) for u in links)
            if link not in seen
        ]
        await self._items(out, endpoint, items)

    # searches: one request per name and alias

    async def _search_source(self, out: Outcome) -> None:
        urls = search_urls(out.source, self.watchlist.people)
        out.primary = urls[0][0] if urls else None
        results = await asyncio.gather(
            *(self._search_url(out, url) for url, _ in urls), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        for error in errors:
            if not isinstance(error, FetchError):
                raise error
        if errors and len(errors) == len(urls):
            raise errors[0]
        out.warnings.extend(f"{e.key}: {e.message}" for e in errors[:3])

    async def _search_url(self, out: Outcome, url: str) -> None:
        got = await self._fetch_endpoint(out, url)
        if got is None:
            return
        if looks_like_feed(got.body):
            await self._feed_endpoint(out, url, got)
            return
        page = await self.cpu.call(_work_page, got.body, got.url, got.content_type)
        await self._links(out, url, page.article_links)


def _parse_time(value) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


# -- writing: one transaction per source, few openings of the archive -----------------------


def _write_batch(
    db: Path,
    batch: list[Outcome],
    watchlist: Watchlist,
    now: datetime,
    totals: Totals,
    stories: RecentStories,
) -> None:
    """One transaction for the whole batch (a commit per source cost ~10 ms each); should
    one source's writes fail, the batch is redone a source per transaction so that the
    failure stays with that source."""
    with _open_migrated(db) as store:
        stories.load(store, now)
        before = store.document_count()
        try:
            counted = Totals()
            with store.transaction():
                _write_outcomes(store, batch, watchlist, now, counted, stories)
            totals.add(counted)
        except duckdb.Error:
            stories.reload(store, now)  # it may hold rows that were rolled back
            for outcome in batch:
                counted = Totals()
                try:
                    with store.transaction():
                        _write_outcomes(store, [outcome], watchlist, now, counted, stories)
                except duckdb.Error as error:
                    stories.reload(store, now)
                    outcome.error = FetchError("store_failed", f"could not store: {error}")
                    counted = Totals()
                    with store.transaction():
                        store.update_sources([_record_source(outcome, watchlist, now, counted)])
                totals.add(counted)
        totals.documents_new += store.document_count() - before


@contextmanager
def _open_migrated(db: Path) -> Iterator[Store]:
    """open_store without its schema check: _prepare_archive ran it at the poll's start.
    Opening twice per batch cost ~0.1 s a batch."""
    con = connect(db)
    try:
        yield Store(con, db)
    finally:
        con.close()


def _write_outcomes(
    store: Store,
    outcomes: list[Outcome],
    watchlist: Watchlist,
    now: datetime,
    totals: Totals,
    stories: RecentStories,
) -> None:
    """File the documents of every outcome that succeeded, then record every source."""
    items = [p for o in outcomes if o.error is None for p in o.prepared]
    saved = store.save_documents([p.doc for p in items])
    changed = [
        (p, doc_id) for p, (doc_id, is_changed, _) in zip(items, saved, strict=True) if is_changed
    ]
    totals.mentions_new += store.add_mentions_many(
        [(doc_id, p.doc.text, p.scan.mentions) for p, doc_id in changed if p.scan.mentions]
    )
    story_rows = [
        (doc_id, p.fingerprint, stories.assign(doc_id, p.fingerprint))
        for p, doc_id in changed
        if p.fingerprint is not None
    ]
    store.set_stories(story_rows)
    story_of = {doc_id: story for doc_id, _, story in story_rows}
    for p, doc_id in changed:
        if not p.scan.events:
            continue
        new_events = store.add_events(doc_id, p.scan.events)
        totals.events_new += len(new_events)
        story = story_of.get(doc_id, doc_id)
        if story != doc_id:  # a copy of a story already filed: its flags are raised
            known = store.story_event_kinds(story, doc_id)
            new_events = [(i, e) for i, e in new_events if (e.person_id, e.kind) not in known]
        totals.flags_new += raise_flags(store, new_events)
    store.update_sources([_record_source(o, watchlist, now, totals) for o in outcomes])


class RecentStories:
    """The fingerprints of the last WINDOW of documents, loaded once per poll."""

    WINDOW = timedelta(days=60)  # syndicated copies appear within days of each other

    def __init__(self) -> None:
        self.index: StoryIndex | None = None

    def load(self, store: Store, now: datetime) -> None:
        if self.index is None:
            self.index = StoryIndex()
            for doc_id, fp, story in store.recent_fingerprints(now - self.WINDOW):
                self.index.add(doc_id, fp, story)

    def reload(self, store: Store, now: datetime) -> None:
        self.index = None  # it may hold rows that were rolled back
        self.load(store, now)

    def assign(self, doc_id: int, fp: int) -> int:
        assert self.index is not None, "load() first"
        return self.index.assign(doc_id, fp)


def _record_source(
    outcome: Outcome, watchlist: Watchlist, now: datetime, totals: Totals
) -> tuple[str, dict]:
    """The source's new row fields: validators, seen items, health, when next due."""
    source, row = outcome.source, outcome.row
    state = dict(row.get("state") or {})
    base = interval(source, watchlist.settings)
    if outcome.error is not None:
        return _record_failure(outcome, state, base, now, totals)
    totals.ok += 1
    seen = dict(state.get("seen") or {})
    # Items done this time and never seen before (an item whose article is to be fetched
    # again next poll has no digest yet, and is counted when it is done).
    new_keys = [p.key for p in outcome.prepared if p.digest and p.key not in seen]
    new_keys += [k for k, digest in outcome.seen_only.items() if digest and k not in seen]
    for prepared in outcome.prepared:
        if prepared.digest:
            seen[prepared.key] = prepared.digest
    seen.update({k: v for k, v in outcome.seen_only.items() if v})
    state["seen"] = dict(list(seen.items())[-SEEN_KEEP:])
    state["validators"] = {**(state.get("validators") or {}), **outcome.validators}
    state["failing_since"] = None
    state["warning"] = "; ".join(outcome.warnings)[:500] or None
    state.setdefault("first_success", now.isoformat())
    if outcome.discovered_feed:
        state["discovered_feed"] = outcome.discovered_feed
        state["discovered_at"] = outcome.discovered_at
    fields = {}
    if new_keys:
        last_new = row.get("last_new_item")
        if last_new is not None:
            gap = (now - last_new).total_seconds() / 3600
            old_gap = state.get("gap_hours")
            state["gap_hours"] = round(gap if old_gap is None else 0.7 * old_gap + 0.3 * gap, 3)
        fields["last_new_item"] = now
    primary = state["validators"].get(outcome.primary or "", {})
    return source.id, dict(
        etag=primary.get("etag"),
        last_modified=primary.get("last_modified"),
        content_hash=primary.get("hash"),
        last_checked=now,
        last_success=now,
        consecutive_failures=0,
        next_due=now + base,
        items_seen=(row.get("items_seen") or 0) + len(new_keys),
        state=state,
        **fields,
    )


def _record_failure(
    outcome: Outcome, state: dict, base: timedelta, now: datetime, totals: Totals
) -> tuple[str, dict]:
    error, source, row = outcome.error, outcome.source, outcome.row
    failures = (row.get("consecutive_failures") or 0) + 1
    state["failing_since"] = state.get("failing_since") or now.isoformat()
    totals.failed += 1
    totals.failures.append((source.name, f"{error.key}: {error.message}"))
    if now - datetime.fromisoformat(state["failing_since"]) >= DARK_AFTER:
        totals.dark.append(source.name)
    return source.id, dict(
        last_checked=now,
        last_error_key=error.key,
        last_error=error.message[:1000],
        last_error_at=now,
        consecutive_failures=failures,
        next_due=now + backoff(failures, base, retry_after=error.retry_after),
        state=state,
    )


# -- progress for people at a terminal ----------------------------------------------------


class _Reporter:
    def __init__(self, total: int, *, verbose: bool, progress: bool):
        self.total, self.verbose, self.progress = total, verbose, progress
        self.count = 0
        self.started = time.monotonic()

    def done(self, outcome: Outcome) -> None:
        self.count += 1
        if self.verbose:
            state = (
                f"FAILED {outcome.error.key}: {outcome.error.message}"
                if outcome.error
                else f"ok, {len(outcome.prepared)} items to file"
            )
            print(f"{outcome.source.name}: {state}", file=sys.stderr)
        elif self.progress:
            print(f"\rpolled {self.count}/{self.total} sources", end="", file=sys.stderr)

    def finish(self) -> None:
        if self.progress and not self.verbose and self.total:
            print(f" in {time.monotonic() - self.started:.1f} s", file=sys.stderr)
