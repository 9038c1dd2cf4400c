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
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from watch.backfill import backfill, people_to_rescan
from watch.crawl import Crawler, Outcome
from watch.errors import AllSourcesFailedError, PollLockedError
from watch.fetch import Fetcher
from watch.filing import RecentStories, Totals, write_batch
from watch.records import PollSummary, Source, Watchlist
from watch.robots import Robots
from watch.sources import DARK_AFTER, due_sources, is_dark
from watch.store import open_store
from watch.store.connection import now as utcnow
from watch.workers import TIMINGS, Cpu, processes_for

BATCH_SECONDS = 2.0  # finished sources wait this long to be written together
# A transaction's documents are held by DuckDB until it commits and checkpoints: 5,000
# of 2.4 KB took the poller ~100 MB above its level between batches (bench/poll).
BATCH_DOCUMENTS = 1000


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


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector, run far less often for the poll's duration.

    A poll makes millions of short-lived objects (parsed feeds, requests, documents) and
    few reference cycles, so the collector's frequent rounds walked live objects and freed
    little: bench/poll, 1,000 feeds, two cycles: 939 collections, 1.6 s of the poller's
    ~26 CPU-s; with these thresholds 3 collections, 0.06 s, and the same peak memory.
    Freezing first keeps what was already there (modules, the watchlist) out of them."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


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
        # Syncs the watchlist into the archive; then people new to the watchlist, or with
        # new names, are first looked for in what is stored.
        found = backfill(people_to_rescan(watchlist, db), db)
        with (
            _fewer_collections(),
            asyncio.Runner(loop_factory=event_loop_factory()) as runner,
        ):
            summary = runner.run(
                _poll(watchlist, db, verbose=verbose, progress=progress, force=force)
            )
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
    rows = await asyncio.to_thread(_source_rows, db)
    now = utcnow()
    due = due_sources(watchlist.sources, rows, now, force=force)
    crawler = Crawler(watchlist, rows, now)
    crawler.cpu = Cpu(watchlist.people, processes=processes_for(len(due)))
    crawler.warm_if_new(due)
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
            # Each batch opens and closes the archive, and closing checkpoints it: wait
            # longer when writing took long, so writing stays under a quarter of the poll,
            # but put no more than BATCH_DOCUMENTS in one transaction (memory).
            deadline = time.monotonic() + max(BATCH_SECONDS, 3 * last_write)
            while (
                written + len(batch) < len(due)
                and _documents(batch) < BATCH_DOCUMENTS
                and time.monotonic() < deadline
            ):
                try:
                    batch.append(await asyncio.wait_for(queue.get(), deadline - time.monotonic()))
                except TimeoutError:
                    break
            while not queue.empty() and _documents(batch) < BATCH_DOCUMENTS:
                batch.append(queue.get_nowait())
            started = time.monotonic()
            # In a thread: the event loop keeps fetching while DuckDB writes (it releases
            # the GIL in its own work). Only this thread touches the batch, totals and
            # stories until it returns, and the next batch waits for it.
            await asyncio.to_thread(_write, db, batch, watchlist, now, totals, stories)
            last_write = time.monotonic() - started
            TIMINGS["write (wall)"] += last_write
            written += len(batch)
            for outcome in batch:
                report.done(outcome)
        await asyncio.gather(*tasks)


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """uvloop's event loop (libuv, in C) where it exists, asyncio's own elsewhere (Windows).

    bench/poll --feeds 1000, three alternating pairs of runs: the poller's CPU went from
    1.04-1.07 to 0.98-1.01 times the worker's (which it does not touch), about 5 % less,
    in its sockets, timers and callbacks."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop
    return uvloop.new_event_loop


def _documents(batch: list[Outcome]) -> int:
    return sum(len(outcome.prepared) for outcome in batch)


def _write(db, batch, watchlist, now, totals, stories) -> None:
    started = time.thread_time()
    write_batch(db, batch, watchlist, now, totals, stories)
    TIMINGS["write (CPU)"] += time.thread_time() - started


def _source_rows(db: Path) -> dict[str, dict]:
    """The sources' stored state. poll() synced the watchlist into the archive just before
    (people_to_rescan does it): a second sync here cost every poll ~17 ms (1,000 sources)."""
    with open_store(db) as store:
        return store.source_rows()


async def _crawl_into(
    crawler: Crawler, source: Source, queue: asyncio.Queue, gate: asyncio.Semaphore
) -> None:
    async with gate:
        outcome = await crawler.crawl(source)
    await queue.put(outcome)


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
