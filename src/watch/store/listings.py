"""What the commands and the dashboard read: each listing returns plain dicts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from watch.store.archive import Store
from watch.store.connection import as_dicts


def _dicts(store: Store, sql: str, params: list) -> list[dict]:
    return as_dicts(store.con.execute(sql, params))


def flags(store: Store, *, all: bool = False, person: str | None = None) -> list[dict]:
    """Open flags (or every flag), newest first, with their evidence."""
    return _dicts(
        store,
        """
        SELECT f.id, f.person_id AS person, p.name AS person_name, e.kind AS event,
               e.event_date AS date, e.date_how, d.url, d.title, e.sentence AS evidence,
               e.cue, e.attribution, f.state, f.created, d.id AS document_id,
               s.name AS source, d.published
        FROM flags f
        JOIN events e ON e.id = f.event_id
        JOIN documents d ON d.id = e.document_id
        LEFT JOIN persons p ON p.id = f.person_id
        LEFT JOIN sources s ON s.id = d.source_id
        WHERE (? OR f.state = 'open') AND (? IS NULL OR f.person_id = ?)
        ORDER BY f.created DESC, f.id DESC
        """,
        [all, person, person],
    )


def status(store: Store, person: str | None = None) -> list[dict]:
    return _dicts(
        store,
        """
        SELECT p.id AS person, p.name, p.custody, p."case", p.since,
               (SELECT max(coalesce(d.published, d.fetched)) FROM mentions m
                JOIN documents d ON d.id = m.document_id
                WHERE m.person_id = p.id AND NOT m.rejected) AS last_mention,
               (SELECT count(*) FROM flags f
                WHERE f.person_id = p.id AND f.state = 'open') AS open_flags
        FROM persons p
        WHERE ? IS NULL OR p.id = ?
        ORDER BY p.name
        """,
        [person, person],
    )


def mentions(store: Store, *, person: str | None = None, since: date | None = None) -> list[dict]:
    return _dicts(
        store,
        """
        SELECT m.id, m.person_id AS person, d.url, d.title, m.matched, m.score, m.how,
               d.published, d.fetched, m.snippet, d.id AS document_id, d.language
        FROM mentions m JOIN documents d ON d.id = m.document_id
        WHERE NOT m.rejected
          AND (? IS NULL OR m.person_id = ?)
          AND (? IS NULL OR coalesce(d.published, d.fetched) >= ?)
        ORDER BY coalesce(d.published, d.fetched) DESC, m.id DESC
        """,
        [person, person, since, since],
    )


def history(store: Store, person: str) -> list[dict]:
    return _dicts(
        store,
        """
        SELECT custody, "case", since, origin, flag_id, recorded_at
        FROM status_history WHERE person_id = ? ORDER BY id
        """,
        [person],
    )


def person_ids(store: Store) -> list[str]:
    return [r[0] for r in store.con.execute("SELECT id FROM persons ORDER BY id").fetchall()]


EXPORT_TABLES = (
    "persons",
    "sources",
    "documents",
    "mentions",
    "events",
    "flags",
    "reviews",
    "status_history",
)

EXPORT_FORMATS = {"csv": "(FORMAT csv, HEADER true)", "json": "(FORMAT json, ARRAY true)",
                  "parquet": "(FORMAT parquet)"}  # fmt: skip


def export(store: Store, fmt: str, out_dir: Path) -> list[Path]:
    """Write every archive table to out_dir/TABLE.FORMAT; return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for table in EXPORT_TABLES:
        target = out_dir / f"{table}.{fmt}"
        quoted = str(target).replace("'", "''")
        store.con.execute(
            f"COPY (SELECT * FROM {table} ORDER BY 1) TO '{quoted}' {EXPORT_FORMATS[fmt]}"
        )
        written.append(target)
    return written
