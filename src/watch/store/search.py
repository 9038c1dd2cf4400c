"""Archive search for the dashboard (one page, or every match for CSV) and saved views.

Searches and saved views run on a user-SQL connection (read-only, no files, no
network, a time limit: see store.connection.run_user_sql); the search form's filter
choices, like the dashboard's other reads (store.person_story, store.reviewing),
take a Store opened read-only for one request.

Free text is matched by a case-blind RE2 regular expression of the literal words,
not the fts extension: an fts index has to be written into the file and rebuilt
after every poll (it is not incremental; 49 s for 20,000 articles), which a
read-only dashboard cannot do and a poll should not pay for. And not ILIKE, which
lower-cases every text first: regexp_matches(..., 'i') measured 10-15 times faster
on the same archive (bench/bench_search.py prints all three).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import duckdb

from watch.store.archive import Store
from watch.store.connection import run_user_sql

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


# -- saved views --------------------------------------------------------------------------


def run_view(
    con: duckdb.DuckDBPyConnection, sql: str, *, max_rows: int = 10_000
) -> tuple[list[str], list[tuple], bool]:
    """A saved view's query, read-only with files and network off: (columns, rows, truncated)."""
    return run_user_sql(con, sql, max_rows=max_rows)
