"""Rescan the stored archive for people who are new to the watchlist or have new names.

Runs in batches, each written in one short transaction, so the archive stays
usable by readers and a crash loses at most the batch in hand: mentions, events
and flags are idempotent, so the next run simply does that batch again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from watch.flag import file_findings
from watch.records import Person, Watchlist, full_text
from watch.store import open_store

BATCH = 500


@dataclass(frozen=True)
class BackfillSummary:
    people: tuple[str, ...]
    documents: int = 0
    mentions_new: int = 0
    events_new: int = 0
    flags_new: int = 0


def people_to_rescan(watchlist: Watchlist, db: Path) -> list[Person]:
    """Those whose names changed since their last scan (sync_watchlist marks them)."""
    with open_store(db) as store:
        store.sync_watchlist(watchlist)
        stale = set(store.unscanned_people())
        if stale and not store.document_count():
            # Nothing stored, nothing to rescan: a new archive's first poll then neither
            # builds a matcher in the poller (~25 MB) nor opens the archive three more
            # times (bench/poll's first cycle: 0.3 s).
            store.mark_scanned(sorted(stale))
            stale = set()
    return [p for p in watchlist.people if p.id in stale]


def backfill(
    people: Sequence[Person],
    db: Path,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BackfillSummary:
    """Scan every stored document for `people`; progress(done, total) after each batch."""
    if not people:
        return BackfillSummary(())
    # Here, not at the top: every poll imports this module, and most rescan nobody; the
    # matcher and detector then stay out of the poller (they run in its worker).
    from watch.analyse import Analyser

    analyser = Analyser(people)
    totals = [0, 0, 0, 0]
    last_id = 0
    with open_store(db, read_only=True) as store:
        total = store.document_count()
    while True:
        with open_store(db) as store:
            batch = store.document_batch(last_id, BATCH)
            if not batch:
                store.mark_scanned([p.id for p in people])
                break
            with store.transaction():
                for doc_id, title, body, language, published in batch:
                    text = full_text(title, body)
                    result = analyser.analyse(
                        text, language=language, published=published.date() if published else None
                    )
                    if result.mentions:
                        filed = file_findings(store, doc_id, text, result.mentions, result.events)
                        totals[1] += filed.mentions_new
                        totals[2] += filed.events_new
                        totals[3] += filed.flags_new
        last_id = batch[-1][0]
        totals[0] += len(batch)
        if progress:
            progress(totals[0], total)
    return BackfillSummary(tuple(p.id for p in people), *totals)
