"""What the dashboard's person page reads: the person, mentions per week, their latest
documents, and which of their appeals the story has overtaken."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from watch.store.archive import Store
from watch.store.connection import as_dicts, now


def person(store: Store, person_id: str) -> dict | None:
    cursor = store.con.execute(
        'SELECT id, name, aliases, country, appeals, custody, "case", since FROM persons'
        " WHERE id = ?",
        [person_id],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    item = dict(zip([d[0] for d in cursor.description], row, strict=True))
    item["appeals"] = json.loads(item["appeals"]) if item["appeals"] else []
    return item


def mentions_per_week(store: Store, person_id: str, *, weeks: int = 52) -> list[tuple[date, int]]:
    """Mentions of the person per week, empty weeks included, over `weeks` weeks.

    The weeks end with the current one, unless the person was not mentioned in them
    at all: then they end with the week of the last mention, so the chart shows the
    story there is rather than a year of nothing.
    """
    last = store.con.execute(
        "SELECT max(coalesce(d.published, d.fetched)) FROM mentions m"
        " JOIN documents d ON d.id = m.document_id WHERE m.person_id = ? AND NOT m.rejected",
        [person_id],
    ).fetchone()[0]
    end = now().date()
    if last is not None and last.date() < end - timedelta(weeks=weeks):
        end = last.date()
    first = end - timedelta(days=end.weekday()) - timedelta(weeks=weeks - 1)
    rows = store.con.execute(
        """
        SELECT date_trunc('week', coalesce(d.published, d.fetched))::DATE AS week, count(*)
        FROM mentions m JOIN documents d ON d.id = m.document_id
        WHERE m.person_id = ? AND NOT m.rejected
          AND coalesce(d.published, d.fetched) >= ? AND coalesce(d.published, d.fetched) < ?
        GROUP BY week
        """,
        [person_id, first, first + timedelta(weeks=weeks)],
    ).fetchall()
    counts = dict(rows)
    return [
        (first + timedelta(weeks=i), counts.get(first + timedelta(weeks=i), 0))
        for i in range(weeks)
    ]


def latest_mentions(store: Store, person_id: str, *, limit: int = 20) -> list[dict]:
    """The person's latest documents, one row each, with every name matched in it."""
    cursor = store.con.execute(
        """
        SELECT d.id AS document_id, any_value(d.url) AS url, any_value(d.title) AS title,
               any_value(d.language) AS language, any_value(d.published) AS published,
               any_value(d.fetched) AS fetched, list(m.matched ORDER BY m.start) AS matched,
               min_by(m.snippet, m.start) AS snippet
        FROM mentions m JOIN documents d ON d.id = m.document_id
        WHERE m.person_id = ? AND NOT m.rejected
        GROUP BY d.id
        ORDER BY any_value(coalesce(d.published, d.fetched)) DESC, d.id DESC
        LIMIT ?
        """,
        [person_id, limit],
    )
    return as_dicts(cursor)


def appeal_staleness(appeals: list[dict], history: list[dict]) -> list[dict]:
    """Each appeal with `stale`: True when the person's state changed after it was opened.

    A change is a history row whose (custody, case) differs from the row before it; it
    happened on its `since` date, or when it was recorded if the date is unknown.
    `stale` is None when the appeal has no opening date to compare with.
    """
    changes, previous = [], None
    for row in history:
        state = (row["custody"], row["case"])
        if state != previous:
            when = row["since"] or _as_date(row["recorded_at"])
            changes.append((when, row))
        previous = state
    result = []
    for appeal in appeals:
        opened = _parse_date(appeal.get("opened"))
        later = [row for when, row in changes if opened and when and when > opened]
        stale = None if opened is None else bool(later)
        result.append(
            {**appeal, "opened": opened, "stale": stale, "changed_by": later[-1] if later else None}
        )
    return result


def _as_date(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _parse_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
