"""Store writes for what a scan finds and a reviewer decides: mentions, events, flags, reviews."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

import duckdb

from watch.records import Event, Mention
from watch.store.connection import now

SNIPPET_CHARS = 120


def evidence_key(event: Event) -> str:
    """The same claim about the same person, wherever it is printed, has one key."""
    sentence = " ".join(event.sentence.casefold().split())
    raw = f"{event.person_id}\x1f{event.kind}\x1f{sentence}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def snippet(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    left = max(0, start - width // 2)
    right = min(len(text), end + width // 2)
    body = " ".join(text[left:right].split())
    return ("…" if left else "") + body + ("…" if right < len(text) else "")


class FindingWrites:
    """Store methods for mentions, events, flags and reviews; mixed into store.archive.Store."""

    con: duckdb.DuckDBPyConnection

    # -- mentions and events --------------------------------------------------------------

    def add_mentions(self, doc_id: int, text: str, mentions: Sequence[Mention]) -> int:
        added = 0
        for m in mentions:
            inserted = self.con.execute(
                "INSERT INTO mentions (person_id, document_id, matched, start, \"end\", snippet,"
                " score, how, found) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING RETURNING id",
                [m.person_id, doc_id, m.matched, m.start, m.end, snippet(text, m.start, m.end),
                 m.score, m.how, now()],
            ).fetchall()  # fmt: skip
            added += len(inserted)
        return added

    def add_mentions_many(self, items: Sequence[tuple[int, str, Sequence[Mention]]]) -> int:
        """add_mentions for many documents in one statement per 500 mentions."""
        params_rows = [
            [m.person_id, doc_id, m.matched, m.start, m.end, snippet(text, m.start, m.end),
             m.score, m.how, now()]
            for doc_id, text, mentions in items for m in mentions
        ]  # fmt: skip
        added = 0
        for start in range(0, len(params_rows), 500):
            part = params_rows[start : start + 500]
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(part))
            inserted = self.con.execute(
                'INSERT INTO mentions (person_id, document_id, matched, start, "end", snippet,'
                " score, how, found) VALUES " + values + " ON CONFLICT DO NOTHING RETURNING id",
                [v for row in part for v in row],
            ).fetchall()
            added += len(inserted)
        return added

    def add_events(self, doc_id: int, events: Sequence[Event]) -> list[tuple[int, Event]]:
        """Store events; return the ones not seen in this document before, with their ids."""
        new = []
        for e in events:
            inserted = self.con.execute(
                "INSERT INTO events (person_id, document_id, kind, event_date, date_how, sentence,"
                " cue, custody, \"case\", attribution, evidence_key, found)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                [e.person_id, doc_id, e.kind, e.date, e.date_how, e.sentence, e.cue, e.custody,
                 e.case, e.attribution, evidence_key(e), now()],
            ).fetchall()  # fmt: skip
            if inserted:
                new.append((inserted[0][0], e))
        return new

    def add_events_many(
        self, items: Sequence[tuple[int, Sequence[Event]]]
    ) -> dict[int, list[tuple[int, Event]]]:
        """add_events for many documents in one statement per 500 events: for each
        document id, the events not seen in it before, with their ids, in input order.

        A poll filing 1,000 documents with events spent ~1 s in one INSERT per event."""
        rows: dict[tuple[int, str], tuple[int, Event]] = {}
        for doc_id, events in items:
            for e in events:
                rows.setdefault((doc_id, evidence_key(e)), (doc_id, e))  # the first one wins
        found = now()
        keys = list(rows)
        ids: dict[tuple[int, str], int] = {}
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(part))
            params: list = []
            for doc_id, key in part:
                e = rows[(doc_id, key)][1]
                params += [e.person_id, doc_id, e.kind, e.date, e.date_how, e.sentence, e.cue,
                           e.custody, e.case, e.attribution, key, found]  # fmt: skip
            inserted = self.con.execute(
                "INSERT INTO events (person_id, document_id, kind, event_date, date_how,"
                ' sentence, cue, custody, "case", attribution, evidence_key, found) VALUES '
                + values
                + " ON CONFLICT DO NOTHING RETURNING id, document_id, evidence_key",
                params,
            ).fetchall()
            ids.update({(doc_id, key): event_id for event_id, doc_id, key in inserted})
        new: dict[int, list[tuple[int, Event]]] = {}
        for (doc_id, key), (_, event) in rows.items():
            if (doc_id, key) in ids:
                new.setdefault(doc_id, []).append((ids[(doc_id, key)], event))
        return new

    # -- flags and reviews ---------------------------------------------------------------

    def flagged(self, keys: Sequence[str]) -> set[str]:
        """Evidence already flagged, open or decided: the same evidence never flags twice."""
        rows = self.con.execute(
            "SELECT evidence_key FROM flags WHERE list_contains(?, evidence_key)", [list(keys)]
        ).fetchall()
        return {r[0] for r in rows}

    def open_flag_events(self, person_id: str) -> list[tuple[str, date | None]]:
        """(kind, event date) of the person's open and confirmed flags."""
        return self.con.execute(
            "SELECT e.kind, e.event_date FROM flags f JOIN events e ON e.id = f.event_id "
            "WHERE f.person_id = ? AND f.state IN ('open', 'confirmed')",
            [person_id],
        ).fetchall()

    def add_flag(self, event_id: int, event: Event) -> int | None:
        row = self.con.execute(
            "INSERT INTO flags (person_id, event_id, evidence_key, state, created)"
            " VALUES (?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING RETURNING id",
            [event.person_id, event_id, evidence_key(event), now()],
        ).fetchone()
        return row[0] if row else None

    def flag_for_review(self, flag_id: int) -> tuple | None:
        return self.con.execute(
            'SELECT f.id, f.person_id, f.state, e.custody, e."case", e.event_date, e.kind '
            "FROM flags f JOIN events e ON e.id = f.event_id WHERE f.id = ?",
            [flag_id],
        ).fetchone()

    def reject_mentions(self, flag_id: int) -> None:
        """Take the flagged document's mentions off the flagged person."""
        self.con.execute(
            "UPDATE mentions SET rejected = true WHERE (person_id, document_id) IN "
            "(SELECT f.person_id, e.document_id FROM flags f JOIN events e ON e.id = f.event_id "
            "WHERE f.id = ?)",
            [flag_id],
        )

    def record_review(self, flag_id: int, decision: str, state: str, note: str | None,
                      reviewer: str | None) -> None:  # fmt: skip
        self.con.execute("UPDATE flags SET state = ? WHERE id = ?", [state, flag_id])
        self.con.execute(
            "INSERT INTO reviews (flag_id, decision, note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?)",
            [flag_id, decision, note, reviewer, now()],
        )
