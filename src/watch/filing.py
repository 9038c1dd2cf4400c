"""Filing a poll's results: writing batches of Outcomes and recording each source's state.

Each batch is one transaction over a short opening of the archive; each source's
documents are filed together with its new validators, seen-items and health.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from watch.crawl import Outcome, Prepared
from watch.errors import FetchError
from watch.fingerprint import StoryIndex
from watch.flag import Flagger
from watch.records import Watchlist
from watch.sources import DARK_AFTER, backoff, interval
from watch.store import Store
from watch.store.connection import connect
from watch.workers import NOT_TAKEN, story_fingerprint

SEEN_KEEP = 3000  # item keys remembered per source at the most
SEEN_MARGIN = 200  # besides those it lists now: items gone from it for a poll or two


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


# -- writing: one transaction per source, few openings of the archive -----------------------


def write_batch(
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
    """open_store without its schema check: the poll ran it at its start (people_to_rescan).
    Opening twice per batch cost ~0.1 s a batch. One DuckDB thread: a batch is small, and
    more threads would take the core that the poll's worker process is using."""
    con = connect(db, config={"threads": 1})
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
    fingerprints = [(doc_id, _fingerprint(p)) for p, doc_id in changed]
    story_rows = [
        (doc_id, fp, stories.assign(doc_id, fp)) for doc_id, fp in fingerprints if fp is not None
    ]
    store.set_stories(story_rows)
    story_of = {doc_id: story for doc_id, _, story in story_rows}
    # Every event of the batch in one INSERT; flags are then raised document by document,
    # in filing order, as if each document's events had been inserted just before.
    events_of = store.add_events_many([(d, p.scan.events) for p, d in changed if p.scan.events])
    later = {i for new_events in events_of.values() for i, _ in new_events}
    flagger = Flagger(store, [e for evs in events_of.values() for _, e in evs])
    for doc_id, new_events in events_of.items():
        later -= {i for i, _ in new_events}
        totals.events_new += len(new_events)
        story = story_of.get(doc_id, doc_id)
        if story != doc_id:  # a copy of a story already filed: its flags are raised
            # (what the story's documents filed after this one say does not count yet)
            known = store.story_event_kinds(story, doc_id, ignore=later)
            new_events = [(i, e) for i, e in new_events if (e.person_id, e.kind) not in known]
        totals.flags_new += flagger.raise_flags(new_events)
    store.update_sources([_record_source(o, watchlist, now, totals) for o in outcomes])


def _fingerprint(prepared: Prepared) -> int | None:
    if prepared.fingerprint == NOT_TAKEN:
        return story_fingerprint(prepared.doc.text)
    return prepared.fingerprint


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
    state["seen"] = _remembered(seen, outcome)
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


def _remembered(seen: dict[str, str], outcome: Outcome) -> dict[str, str]:
    """The seen-items a source keeps: every item it lists now (none of them is fetched
    again next time), and the SEEN_MARGIN seen last besides; SEEN_KEEP at most.

    Every key up to 3,000 a source, as was kept before, grew without end in a feed's
    life: 1,000 sources at 3,000 keys held 605 MB in the poller that loads them (peak
    +1.2 GB), and each batch's checkpoint, rewriting the sources table, took +456 MB more.
    A source that listed nothing this time (a 304) keeps what it had."""
    if not outcome.listed:
        return dict(list(seen.items())[-SEEN_KEEP:])
    listed = outcome.listed | {p.key for p in outcome.prepared} | set(outcome.seen_only)
    others = [key for key in seen if key not in listed][-SEEN_MARGIN:]
    keep = listed.union(others)
    return dict([item for item in seen.items() if item[0] in keep][-SEEN_KEEP:])


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
