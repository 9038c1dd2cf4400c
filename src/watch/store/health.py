"""Sources' health for the dashboard: each source's fetch record and a one-word verdict."""

from __future__ import annotations

from datetime import datetime, timedelta

from watch.store.archive import Store
from watch.store.connection import now

DEAD_AFTER = timedelta(days=3)
QUIET_AFTER = timedelta(days=14)


def source_health(store: Store) -> list[dict]:
    """Every source's fetch record with a one-word `health`, worst first.

    Read from the `sources` table's columns; the crawler's own health report can
    replace this function with the same keys.
    """
    cursor = store.con.execute(
        """
        SELECT id, name, kind, url, language, last_checked, last_success, last_error_key,
               last_error, last_error_at, consecutive_failures, next_due, items_seen,
               last_new_item
        FROM sources ORDER BY name
        """
    )
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    at = now()
    for row in rows:
        row["health"] = health(row, at)
    order = {"dead": 0, "failing": 1, "quiet": 2, "new": 3, "ok": 4}
    return sorted(rows, key=lambda r: (order[r["health"]], r["name"]))


def health(row: dict, at: datetime) -> str:
    """new (never fetched), dead (failing for days), failing, quiet (nothing new lately), ok."""
    if row.get("last_checked") is None:
        return "new"
    failures = row.get("consecutive_failures") or 0
    last_ok = row.get("last_success")
    if failures >= 3 and (last_ok is None or at - last_ok > DEAD_AFTER):
        return "dead"
    if failures:
        return "failing"
    last_new = row.get("last_new_item")
    if last_new is None or at - last_new > QUIET_AFTER:
        return "quiet"
    return "ok"
