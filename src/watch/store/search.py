"""What the dashboard reads beyond the shared listings: archive search, a person's
story, sources' health, copies of a story, and saved views.

Searches and saved views run on a user-SQL connection (read-only, no files, no
network, a time limit: see store.connection.run_user_sql); the rest take a Store
opened read-only for one request.

Free text is matched by a case-blind RE2 regular expression of the literal words,
not the fts extension: an fts index has to be written into the file and rebuilt
after every poll (it is not incremental; 49 s for 20,000 articles), which a
read-only dashboard cannot do and a poll should not pay for. And not ILIKE, which
lower-cases every text first: regexp_matches(..., 'i') measured 10-15 times faster
on the same archive (bench/bench_search.py prints all three).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import duckdb

from watch.store.archive import Store
from watch.store.connection import now, run_user_sql

PAGE_SIZE = 50
EXPORT_MAX_ROWS = 100_000
MAX_TERMS = 8


@dataclass(frozen=True)
class ArchiveQuery:
    """An archive search: every filter is optional; text words must all appear."""

    text: str = ""
    person: str | None = None
    source: str | None = None
    language: str | None = None
    since: date | None = None
    until: date | None = None
    terms: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", split_terms(self.text))

    @property
    def empty(self) -> bool:
        return not (
            self.terms or self.person or self.source or self.language or self.since or self.until
        )


def split_terms(text: str) -> tuple[str, ...]:
    """Words, or "quoted phrases", each of which a document must contain."""
    terms = [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', text or "")]
    return tuple(t.strip() for t in terms if t.strip())[:MAX_TERMS]


RE2_SPECIAL = set("\\.+*?()|[]{}^$")


def _pattern(term: str) -> str:
    """A case-blind RE2 pattern for the term taken literally, any run of spaces matching any."""
    words = ["".join("\\" + c if c in RE2_SPECIAL else c for c in w) for w in term.split()]
    return r"\s+".join(words)


def _where(q: ArchiveQuery) -> tuple[str, list]:
    clauses, params = ["TRUE"], []
    for term in q.terms:
        clauses.append(
            "(regexp_matches(d.title, ?, 'i') OR regexp_matches(d.text, ?, 'i')"
            " OR regexp_matches(d.url, ?, 'i'))"
        )
        params += [_pattern(term)] * 3
    if q.person:
        clauses.append(
            "EXISTS (SELECT 1 FROM mentions m WHERE m.document_id = d.id"
            " AND m.person_id = ? AND NOT m.rejected)"
        )
        params.append(q.person)
    if q.source:
        clauses.append("d.source_id = ?")
        params.append(q.source)
    if q.language:
        clauses.append("d.language = ?")
        params.append(q.language)
    if q.since:
        clauses.append("coalesce(d.published, d.fetched) >= ?")
        params.append(q.since)
    if q.until:
        clauses.append("coalesce(d.published, d.fetched) < ?")
        params.append(q.until + timedelta(days=1))
    return " AND ".join(clauses), params


_RESULT_SQL = """
SELECT d.id, coalesce(d.published, d.fetched) AS date, s.name AS source, d.language,
       d.title, d.url,
       (SELECT string_agg(DISTINCT p.name, ', ' ORDER BY p.name) FROM mentions m
        JOIN persons p ON p.id = m.person_id
        WHERE m.document_id = d.id AND NOT m.rejected) AS people{extra}
FROM documents d LEFT JOIN sources s ON s.id = d.source_id
WHERE {where}
ORDER BY coalesce(d.published, d.fetched) DESC, d.id DESC
"""


def search(
    con: duckdb.DuckDBPyConnection, q: ArchiveQuery, *, page: int = 1, page_size: int = PAGE_SIZE
) -> tuple[list[dict], int]:
    """One page of matching documents, newest first, and how many match in all."""
    where, params = _where(q)
    offset = (max(page, 1) - 1) * page_size
    # One scan: the window counts every match before LIMIT keeps one page of them. The
    # texts (for snippets) come after, for that page only: reading them with the window
    # made a fresh connection's search three times slower (bench/bench_search.py).
    sql = _RESULT_SQL.format(where=where, extra=", count(*) OVER () AS total")
    columns, rows, _ = run_user_sql(
        con, f"{sql} LIMIT {page_size} OFFSET {offset}", params=params, max_rows=page_size
    )
    results = [dict(zip(columns, row, strict=True)) for row in rows]
    total = results[0]["total"] if results else 0
    _, texts, _ = run_user_sql(
        con,
        "SELECT id, text FROM documents WHERE list_contains(?, id)",
        params=[[r["id"] for r in results]],
        max_rows=page_size,
    )
    text_of = dict(texts)
    for item in results:
        item.pop("total")
        item["snippet"] = hit_snippet(text_of.get(item["id"]) or "", q.terms)
    if results or offset == 0:
        return results, total
    # Past the last page: count on its own to say how many there are.
    _, count, _ = run_user_sql(
        con, f"SELECT count(*) FROM documents d WHERE {where}", params=params
    )
    return [], count[0][0]


def export(
    con: duckdb.DuckDBPyConnection, q: ArchiveQuery, *, max_rows: int = EXPORT_MAX_ROWS
) -> tuple[list[str], list[tuple], bool]:
    """Every matching document (up to max_rows) for CSV: (columns, rows, truncated)."""
    where, params = _where(q)
    sql = _RESULT_SQL.format(where=where, extra="")
    return run_user_sql(con, sql, params=params, max_rows=max_rows)


def hit_snippet(text: str, terms: tuple[str, ...], width: int = 220) -> str:
    """The text around the first search term found, or the opening when none is."""
    lowered = text.casefold()
    starts = [i for i in (lowered.find(t.casefold()) for t in terms) if i >= 0]
    if not starts:
        body = " ".join(text[:width].split())
        return body + ("…" if len(text) > width else "")
    first = min(starts)
    left = max(0, first - width // 3)
    right = min(len(text), left + width)
    body = " ".join(text[left:right].split())
    return ("…" if left else "") + body + ("…" if right < len(text) else "")


def filter_choices(store: Store) -> dict[str, list[tuple[str, str]]]:
    """The people, sources and languages a search can be narrowed to: (value, label)."""
    con = store.con
    people = con.execute("SELECT id, name FROM persons ORDER BY name").fetchall()
    sources = con.execute("SELECT id, name FROM sources ORDER BY name").fetchall()
    languages = con.execute(
        "SELECT DISTINCT language FROM documents WHERE language IS NOT NULL ORDER BY 1"
    ).fetchall()
    return {
        "people": people,
        "sources": sources,
        "languages": [(r[0], r[0]) for r in languages],
    }


# -- a person's story ---------------------------------------------------------------------


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
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


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


# -- the review queue ---------------------------------------------------------------------


def matched_names(store: Store, flag_ids: list[int]) -> dict[int, list[str]]:
    """The names matched for each flag's person in its document: what to highlight."""
    rows = store.con.execute(
        """
        SELECT DISTINCT f.id, m.matched FROM flags f
        JOIN events e ON e.id = f.event_id
        JOIN mentions m ON m.document_id = e.document_id AND m.person_id = f.person_id
        WHERE list_contains(?, f.id)
        """,
        [flag_ids],
    ).fetchall()
    names: dict[int, list[str]] = {}
    for flag_id, matched in rows:
        names.setdefault(flag_id, []).append(matched)
    return names


def has_column(store: Store, table: str, column: str) -> bool:
    return (
        store.con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
            [table, column],
        ).fetchone()[0]
        > 0
    )


def story_copies(store: Store, flag_ids: list[int]) -> dict[int, list[dict]]:
    """Other documents carrying the same story as each flag's document.

    A copy is a document the crawler grouped into the same story (documents.story_id,
    when the archive has it), or one in which the same evidence was found (the same
    claim about the same person): syndicated copies share both.
    """
    stories = has_column(store, "documents", "story_id")
    story = "coalesce(d0.story_id, d0.id)" if stories else "d0.id"
    by_story = (
        "UNION SELECT fl.flag_id, fl.doc0, d.id FROM fl"
        " JOIN documents d ON coalesce(d.story_id, d.id) = fl.story"
        if stories
        else ""
    )
    rows = store.con.execute(
        f"""
        WITH fl AS (
            SELECT f.id AS flag_id, f.evidence_key, d0.id AS doc0, {story} AS story
            FROM flags f JOIN events e ON e.id = f.event_id
            JOIN documents d0 ON d0.id = e.document_id
            WHERE list_contains(?, f.id)
        ), copies AS (
            SELECT fl.flag_id, fl.doc0, other.document_id AS doc FROM fl
            JOIN events other ON other.evidence_key = fl.evidence_key
            {by_story}
        )
        SELECT DISTINCT c.flag_id, d.id, d.url, d.title, s.name AS source,
               coalesce(d.published, d.fetched) AS date
        FROM copies c JOIN documents d ON d.id = c.doc AND d.id <> c.doc0
        LEFT JOIN sources s ON s.id = d.source_id
        ORDER BY date, d.id
        """,
        [flag_ids],
    ).fetchall()
    copies: dict[int, list[dict]] = {}
    for flag_id, doc_id, url, title, source, when in rows:
        copies.setdefault(flag_id, []).append(
            {"id": doc_id, "url": url, "title": title, "source": source, "date": when}
        )
    return copies


def flag_detail(store: Store, flag_id: int) -> dict | None:
    cursor = store.con.execute(
        """
        SELECT f.id, f.person_id AS person, p.name AS person_name, e.kind AS event,
               e.event_date AS date, e.sentence AS evidence, e.cue, f.state, f.created,
               d.url, d.title, s.name AS source,
               r.decision, r.note, r.reviewer, r.decided_at
        FROM flags f JOIN events e ON e.id = f.event_id
        JOIN documents d ON d.id = e.document_id
        LEFT JOIN persons p ON p.id = f.person_id
        LEFT JOIN sources s ON s.id = d.source_id
        LEFT JOIN reviews r ON r.flag_id = f.id
        WHERE f.id = ?
        ORDER BY r.id DESC LIMIT 1
        """,
        [flag_id],
    )
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None


def recent_reviews(store: Store, limit: int = 20) -> list[dict]:
    cursor = store.con.execute(
        """
        SELECT r.flag_id, r.decision, r.note, r.reviewer, r.decided_at, f.person_id AS person,
               p.name AS person_name, e.kind AS event
        FROM reviews r JOIN flags f ON f.id = r.flag_id JOIN events e ON e.id = f.event_id
        LEFT JOIN persons p ON p.id = f.person_id
        ORDER BY r.decided_at DESC, r.id DESC LIMIT ?
        """,
        [limit],
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# -- sources ------------------------------------------------------------------------------

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


# -- saved views --------------------------------------------------------------------------


def run_view(
    con: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int = 10_000
) -> tuple[list[str], list[tuple], bool]:
    """A saved view's query, read-only with files and network off: (columns, rows, truncated)."""
    return run_user_sql(con, sql, max_rows=max_rows)


def flag_changes(store: Store, flag_ids: list[int]) -> dict[int, dict]:
    """For each flag: the state its event implies, and the person's state now."""
    cursor = store.con.execute(
        """
        SELECT f.id, e.custody, e."case", p.custody AS now_custody, p."case" AS now_case,
               p.since AS now_since
        FROM flags f JOIN events e ON e.id = f.event_id LEFT JOIN persons p ON p.id = f.person_id
        WHERE list_contains(?, f.id)
        """,
        [flag_ids],
    )
    columns = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(columns, row, strict=True)) for row in cursor.fetchall()}
