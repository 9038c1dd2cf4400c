"""Which sources are due, what URLs a search source asks, backoff, and health.

A failing source backs off exponentially with jitter up to a day, and is never given
up on: the next attempt is always scheduled, and its reason is kept. Health tells a
*dead* source (failing for days) from a *quiet* one (fetched fine, but no new item for
much longer than its usual gap between items).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote_plus

from watch.records import Person, Settings, Source

MAX_BACKOFF = timedelta(hours=24)
DARK_AFTER = timedelta(days=1)  # poll's summary calls a source failing this long "dark"
DEAD_AFTER = timedelta(days=2)  # health calls it "dead"
QUIET_MIN = timedelta(days=7)  # never "quiet" before a week without news
QUIET_FACTOR = 4.0  # ... nor before four usual gaps between new items
FULL_FETCH_EVERY = timedelta(hours=24)  # validators are checked, not trusted


def interval(source: Source, settings: Settings) -> timedelta:
    return source.poll_interval or settings.poll_interval


def is_due(row: dict | None, now: datetime) -> bool:
    due = (row or {}).get("next_due")
    return due is None or due <= now


def is_retired(row: dict | None) -> bool:
    """Taken off the watchlist: kept for its documents' sake, never polled."""
    return (row or {}).get("retired_at") is not None


def due_sources(
    sources: Sequence[Source], rows: dict[str, dict], now: datetime, *, force: bool = False
) -> list[Source]:
    return [
        s
        for s in sources
        if not is_retired(rows.get(s.id)) and (force or is_due(rows.get(s.id), now))
    ]


def search_urls(source: Source, people: Sequence[Person]) -> list[tuple[str, str]]:
    """(url, query) for each person's name and alias, URL-encoded into the template."""
    seen: set[str] = set()
    urls = []
    for person in people:
        for name in person.names:
            url = source.url.replace("{query}", quote_plus(name))
            if url not in seen:
                seen.add(url)
                urls.append((url, name))
    return urls


def backoff(
    failures: int,
    base: timedelta,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> timedelta:
    """Wait after the n-th consecutive failure: base * 2^(n-1), +-25% jitter, capped at a day.

    Jitter keeps a hundred sources that failed together (a network outage) from all
    coming back at the same second. Retry-After, when the server sent one, is a floor.
    """
    rng = rng or random
    exponent = min(max(failures - 1, 0), 20)
    wait = min(base * (2**exponent), MAX_BACKOFF)
    wait = wait * rng.uniform(0.75, 1.25)
    wait = min(wait, MAX_BACKOFF)
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds())))
    return wait


def failing_since(row: dict) -> datetime | None:
    if not row.get("consecutive_failures"):
        return None
    return parse_time((row.get("state") or {}).get("failing_since")) or row.get("last_success")


def is_dark(row: dict, now: datetime, after: timedelta = DARK_AFTER) -> bool:
    since = failing_since(row)
    return since is not None and now - since >= after


def usual_gap(row: dict) -> timedelta | None:
    hours = (row.get("state") or {}).get("gap_hours")
    return timedelta(hours=hours) if hours else None


def condition(row: dict, now: datetime) -> str:
    """'new' (never fetched), 'ok', 'failing', 'dead' or 'quiet'."""
    since = failing_since(row)
    if since is not None:
        return "dead" if now - since >= DEAD_AFTER else "failing"
    if row.get("last_success") is None:
        return "new"
    last_new = row.get("last_new_item")
    gap = usual_gap(row)
    quiet_after = max(QUIET_MIN, gap * QUIET_FACTOR) if gap else QUIET_MIN
    reference = last_new or parse_time((row.get("state") or {}).get("first_success"))
    if reference is not None and now - reference >= quiet_after:
        return "quiet"
    return "ok"


def health_rows(
    rows: dict[str, dict], now: datetime, *, include_retired: bool = False
) -> list[dict]:
    """One plain dict per source, by name; retired sources only with `include_retired`."""
    out = []
    for row in sorted(rows.values(), key=lambda r: r["name"]):
        if is_retired(row) and not include_retired:
            continue
        state = row.get("state") or {}
        since = failing_since(row)
        out.append(
            {
                "id": row["id"],
                "name": row["name"],
                "kind": row["kind"],
                "url": row["url"],
                "condition": condition(row, now),
                "last_success": row.get("last_success"),
                "last_error_key": row.get("last_error_key"),
                "last_error": row.get("last_error"),
                "last_error_at": row.get("last_error_at"),
                "consecutive_failures": row.get("consecutive_failures") or 0,
                "failing_since": since,
                "next_due": row.get("next_due"),
                "items_seen": row.get("items_seen") or 0,
                "last_new_item": row.get("last_new_item"),
                "usual_gap_hours": state.get("gap_hours"),
                "discovered_feed": state.get("discovered_feed"),
                "warning": state.get("warning"),
                "retired_at": row.get("retired_at"),
            }
        )
    return out


def health(db: Path, *, now: datetime | None = None, include_retired: bool = False) -> list[dict]:
    """Every source's health, for `appealwatch sources [--json]`: a list of plain dicts.

    Timestamps are naive UTC datetimes (the CLI formats them; json.dumps(default=str)
    works). `condition` is 'new', 'ok', 'failing', 'dead' or 'quiet'; `retired_at` is
    when the source left the watchlist (retired ones only with `include_retired`).
    """
    from watch.store import open_store
    from watch.store.connection import now as utcnow

    with open_store(db, read_only=True) as store:
        rows = store.source_rows()
    return health_rows(rows, now or utcnow(), include_retired=include_retired)


def parse_time(value) -> datetime | None:
    """A stored time (a datetime, or ISO text from a JSON state), else None."""
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None
