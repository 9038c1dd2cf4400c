"""Store writes for the watchlist: its people and sources, custody status, fetch state.

Kept apart from documents and findings: this is what changes when an organiser edits
the watchlist file, and what the crawler records about each source it asks.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import ClassVar

import duckdb

from watch.records import Person, Source, Status, Watchlist
from watch.store.connection import as_dicts, now, update_rows
from watch.store.documents import content_hash


def names_key(person: Person) -> str:
    """Changes when a person's names or context change, so their archive gets rescanned."""
    return content_hash(*person.names, "|", *person.context)


class WatchlistWrites:
    """Store methods for people and sources; mixed into store.archive.Store."""

    con: duckdb.DuckDBPyConnection

    # -- people and sources -------------------------------------------------------------

    def sync_watchlist(self, watchlist: Watchlist) -> list[str]:
        """Bring persons and sources in line with the watchlist; return ids needing a rescan."""
        with self.transaction():
            stale = [p.id for p in watchlist.people if self._sync_person(p)]
            rows = self.con.execute(
                "SELECT id, name, kind, url, language, retired_at FROM sources"
            ).fetchall()
            stored = {r[0]: tuple(r[1:5]) for r in rows}
            self._retire_sources({r[0] for r in rows if r[5] is not None}, stored, watchlist)
            # An upsert costs 5-10 ms: a poll of 1,000 unchanged sources skips them all, and
            # new sources go in with one multi-row INSERT.
            new = [s for s in watchlist.sources if s.id not in stored]
            for start in range(0, len(new), 500):
                part = new[start : start + 500]
                self.con.execute(
                    "INSERT INTO sources (id, name, kind, url, language) VALUES "
                    + ", ".join(["(?, ?, ?, ?, ?)"] * len(part)),
                    [v for s in part for v in (s.id, s.name, s.kind, s.url, s.language)],
                )
            for source in watchlist.sources:
                known = stored.get(source.id)
                if known and known != (source.name, source.kind, source.url, source.language):
                    self._sync_source(source)
        return stale

    def _retire_sources(
        self, retired: set[str], stored: dict[str, tuple], watchlist: Watchlist
    ) -> None:
        """Mark sources the watchlist no longer has as retired, and revive those back on it.

        Their rows stay: documents reference them, and their history is worth keeping."""
        listed = {s.id for s in watchlist.sources}
        gone = [sid for sid in stored if sid not in listed and sid not in retired]
        back = [sid for sid in retired if sid in listed]
        if gone:
            self.con.execute(
                "UPDATE sources SET retired_at = ? WHERE list_contains(?, id)", [now(), gone]
            )
        if back:
            self.con.execute(
                "UPDATE sources SET retired_at = NULL WHERE list_contains(?, id)", [back]
            )

    def _sync_person(self, person: Person) -> bool:
        row = self.con.execute(
            "SELECT names_key, scanned_at FROM persons WHERE id = ?", [person.id]
        ).fetchone()
        appeals = json.dumps([asdict(a) for a in person.appeals], default=str)
        key = names_key(person)
        if row is None:
            self.con.execute(
                "INSERT INTO persons (id, name, aliases, context, country, appeals, added, names_key)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [person.id, person.name, list(person.aliases), list(person.context),
                 person.country, appeals, now(), key],
            )  # fmt: skip
        else:
            # New names: the archive is to be looked through for them, and stays so marked
            # (scanned_at NULL) until a backfill has done it, even if this poll dies first.
            self.con.execute(
                "UPDATE persons SET name = ?, aliases = ?, context = ?, country = ?, appeals = ?,"
                " scanned_at = CASE WHEN names_key = ? THEN scanned_at END, names_key = ?"
                " WHERE id = ?",
                [person.name, list(person.aliases), list(person.context), person.country,
                 appeals, key, key, person.id],
            )  # fmt: skip
        self._sync_watchlist_status(person)
        return row is None or row[0] != key or row[1] is None

    def _sync_watchlist_status(self, person: Person) -> None:
        """The watchlist's status counts when an organiser changes it in the file."""
        last = self.con.execute(
            'SELECT custody, "case", since FROM status_history WHERE person_id = ? '
            "AND origin = 'watchlist' ORDER BY id DESC LIMIT 1",
            [person.id],
        ).fetchone()
        status = person.status
        if last == (status.custody, status.case, status.since):
            return
        self.set_status(person.id, status, origin="watchlist")

    def set_status(self, person_id: str, status: Status, *, origin: str, flag_id=None) -> None:
        self.con.execute(
            'INSERT INTO status_history (person_id, custody, "case", since, origin, flag_id, recorded_at)'
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [person_id, status.custody, status.case, status.since, origin, flag_id, now()],
        )
        self.con.execute(
            'UPDATE persons SET custody = ?, "case" = ?, since = ? WHERE id = ?',
            [status.custody, status.case, status.since, person_id],
        )

    def _sync_source(self, source: Source) -> None:
        self.con.execute(
            "INSERT INTO sources (id, name, kind, url, language) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
            "url = excluded.url, language = excluded.language",
            [source.id, source.name, source.kind, source.url, source.language],
        )

    SOURCE_FIELDS: ClassVar[dict[str, str]] = {  # name: SQL type
        "etag": "VARCHAR", "last_modified": "VARCHAR", "content_hash": "VARCHAR",
        "last_checked": "TIMESTAMP", "last_success": "TIMESTAMP", "last_error_key": "VARCHAR",
        "last_error": "VARCHAR", "last_error_at": "TIMESTAMP", "consecutive_failures": "INTEGER",
        "next_due": "TIMESTAMP", "items_seen": "BIGINT", "last_new_item": "TIMESTAMP",
        "state": "JSON",
    }  # fmt: skip

    def source_rows(self) -> dict[str, dict]:
        """Every source's stored fetch state, by id (`state` is a JSON dict for the crawler)."""
        rows = as_dicts(self.con.execute("SELECT * FROM sources"))
        for row in rows:
            row["state"] = json.loads(row["state"]) if row["state"] else {}
        return {row["id"]: row for row in rows}

    def update_source(self, source_id: str, **fields) -> None:
        self.update_sources([(source_id, fields)])

    def update_sources(self, updates: Sequence[tuple[str, dict]]) -> None:
        """update_source for many sources: one statement for each distinct set of fields.

        A poll records every source it asked (a 304 too); one UPDATE each cost ~3 ms, 3 s
        of a 6 s unchanged poll of 1,000 sources."""
        groups: dict[tuple[str, ...], list[tuple[str, dict]]] = {}
        for source_id, fields in updates:
            unknown = set(fields) - set(self.SOURCE_FIELDS)
            if unknown:
                raise ValueError(f"not source fields: {sorted(unknown)}")
            groups.setdefault(tuple(sorted(fields)), []).append((source_id, fields))
        for names, rows in groups.items():
            columns = (("id", "VARCHAR"), *((name, self.SOURCE_FIELDS[name]) for name in names))
            values = [
                (source_id, *(_source_value(name, fields[name]) for name in names))
                for source_id, fields in rows
            ]
            update_rows(self.con, "sources", columns, values)

    def mark_scanned(self, person_ids: Sequence[str]) -> None:
        self.con.execute(
            "UPDATE persons SET scanned_at = ? WHERE list_contains(?, id)",
            [now(), list(person_ids)],
        )

    def unscanned_people(self) -> list[str]:
        rows = self.con.execute("SELECT id FROM persons WHERE scanned_at IS NULL").fetchall()
        return [r[0] for r in rows]

    def statuses(self) -> dict[str, Status]:
        rows = self.con.execute('SELECT id, custody, "case", since FROM persons').fetchall()
        return {r[0]: Status(r[1], r[2], r[3]) for r in rows}


def _source_value(name: str, value):
    return json.dumps(value, default=str) if name == "state" else value
