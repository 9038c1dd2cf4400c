"""Writes to the archive: the watchlist's people and sources, documents, mentions, events, flags."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from watch.errors import StoreError
from watch.fingerprint import from_bytes, to_bytes
from watch.records import Document, Event, Mention, Person, Source, Status, Watchlist
from watch.store.connection import connect, ensure_schema, now

SNIPPET_CHARS = 120


def evidence_key(event: Event) -> str:
    """The same claim about the same person, wherever it is printed, has one key."""
    sentence = " ".join(event.sentence.casefold().split())
    raw = f"{event.person_id}\x1f{event.kind}\x1f{sentence}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


def content_hash(*parts: str | None) -> str:
    return hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


def snippet(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    left = max(0, start - width // 2)
    right = min(len(text), end + width // 2)
    body = " ".join(text[left:right].split())
    return ("…" if left else "") + body + ("…" if right < len(text) else "")


def names_key(person: Person) -> str:
    """Changes when a person's names or context change, so their archive gets rescanned."""
    return content_hash(*person.names, "|", *person.context)


class Store:
    """One open connection to the archive. Open it briefly: see store.connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path):
        self.con = con
        self.path = path

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # -- people and sources -------------------------------------------------------------

    def sync_watchlist(self, watchlist: Watchlist) -> list[str]:
        """Bring persons and sources in line with the watchlist; return ids needing a rescan."""
        with self.transaction():
            stale = [p.id for p in watchlist.people if self._sync_person(p)]
            stored = {
                r[0]: tuple(r[1:])
                for r in self.con.execute(
                    "SELECT id, name, kind, url, language FROM sources"
                ).fetchall()
            }
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
            self.con.execute(
                "UPDATE persons SET name = ?, aliases = ?, context = ?, country = ?, appeals = ?,"
                " names_key = ? WHERE id = ?",
                [person.name, list(person.aliases), list(person.context), person.country,
                 appeals, key, person.id],
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

    SOURCE_FIELDS = (
        "etag", "last_modified", "content_hash", "last_checked", "last_success", "last_error_key",
        "last_error", "last_error_at", "consecutive_failures", "next_due", "items_seen",
        "last_new_item", "state",
    )  # fmt: skip

    def source_rows(self) -> dict[str, dict]:
        """Every source's stored fetch state, by id (`state` is a JSON dict for the crawler)."""
        cursor = self.con.execute("SELECT * FROM sources")
        columns = [d[0] for d in cursor.description]
        rows = {}
        for values in cursor.fetchall():
            row = dict(zip(columns, values, strict=True))
            row["state"] = json.loads(row["state"]) if row["state"] else {}
            rows[row["id"]] = row
        return rows

    def update_source(self, source_id: str, **fields) -> None:
        unknown = set(fields) - set(self.SOURCE_FIELDS)
        if unknown:
            raise ValueError(f"not source fields: {sorted(unknown)}")
        if "state" in fields:
            fields["state"] = json.dumps(fields["state"], default=str)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self.con.execute(
            f"UPDATE sources SET {assignments} WHERE id = ?", [*fields.values(), source_id]
        )

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
            for start in range(0, len(rows), 300):
                part = rows[start : start + 300]
                values = ", ".join(["(" + ", ".join(["?"] * (len(names) + 1)) + ")"] * len(part))
                params: list = []
                for source_id, fields in part:
                    params.append(source_id)
                    for name in names:
                        value = fields[name]
                        params.append(json.dumps(value, default=str) if name == "state" else value)
                assignments = ", ".join(f"{name} = v.col{i + 1}" for i, name in enumerate(names))
                self.con.execute(
                    f"UPDATE sources SET {assignments} FROM (VALUES {values}) v"
                    " WHERE sources.id = v.col0",
                    params,
                )

    def mark_scanned(self, person_ids: Sequence[str]) -> None:
        self.con.execute(
            "UPDATE persons SET scanned_at = ? WHERE list_contains(?, id)",
            [now(), list(person_ids)],
        )

    def statuses(self) -> dict[str, Status]:
        rows = self.con.execute('SELECT id, custody, "case", since FROM persons').fetchall()
        return {r[0]: Status(r[1], r[2], r[3]) for r in rows}

    # -- documents, mentions, events ------------------------------------------------------

    def save_document(self, doc: Document) -> tuple[int, bool]:
        """Insert or update in place; return (id, whether its text is new or changed)."""
        canonical = doc.canonical_url or doc.url
        digest = content_hash(doc.title, doc.text)
        row = self.con.execute(
            "SELECT id, content_hash FROM documents WHERE canonical_url = ? "
            "OR (guid IS NOT NULL AND guid = ? AND source_id = ?) ORDER BY id LIMIT 1",
            [canonical, doc.guid, doc.source_id],
        ).fetchone()
        if row is None:
            doc_id = self.con.execute(
                "INSERT INTO documents (url, canonical_url, guid, title, text, language, published,"
                " fetched, source_id, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " RETURNING id",
                [doc.url, canonical, doc.guid, doc.title, doc.full_text, doc.language,
                 _naive(doc.published), _naive(doc.fetched) or now(), doc.source_id, digest],
            ).fetchone()[0]  # fmt: skip
            return doc_id, True
        if row[1] == digest:
            return row[0], False
        self.con.execute(
            "UPDATE documents SET title = ?, text = ?, language = ?, updated = ?,"
            " content_hash = ?, published = coalesce(published, ?) WHERE id = ?",
            [doc.title, doc.full_text, doc.language, now(), digest, _naive(doc.published), row[0]],
        )
        # The old text's spans no longer point anywhere: find them afresh.
        self.con.execute("DELETE FROM mentions WHERE document_id = ?", [row[0]])
        return row[0], True

    def document_batch(self, after_id: int, limit: int) -> list[tuple]:
        """(id, title, text, language, published) of stored documents, in id order, for rescans."""
        return self.con.execute(
            "SELECT id, title, text, language, published"
            " FROM documents WHERE id > ? ORDER BY id LIMIT ?",
            [after_id, limit],
        ).fetchall()

    def document_count(self) -> int:
        return self.con.execute("SELECT count(*) FROM documents").fetchone()[0]

    def unscanned_people(self) -> list[str]:
        rows = self.con.execute("SELECT id FROM persons WHERE scanned_at IS NULL").fetchall()
        return [r[0] for r in rows]

    def save_documents(self, docs: Sequence[Document]) -> list[tuple[int, bool, bool]]:
        """save_document for many at once: (id, text new or changed, row new) for each.

        Same identity rules (canonical URL, else source + GUID; edits update in place), but
        one lookup and one multi-row INSERT instead of two statements a document: a poll
        files thousands of documents and each statement costs a millisecond or more.
        """
        existing = self._existing(docs)
        results: list[tuple[int, bool, bool] | None] = [None] * len(docs)
        fresh: dict[str, int] = {}  # canonical URL -> index of the first new doc in this batch
        inserts: list[int] = []
        for i, doc in enumerate(docs):
            canonical = doc.canonical_url or doc.url
            digest = content_hash(doc.title, doc.text)
            found = existing.get(("url", canonical)) or existing.get(
                ("guid", doc.source_id, doc.guid) if doc.guid else ("none",)
            )
            if found is None and canonical in fresh:
                continue  # a second copy of a URL new in this batch: the first one stands
            if found is None:
                fresh[canonical] = i
                inserts.append(i)
                continue
            doc_id, old_digest = found
            if old_digest == digest:
                results[i] = (doc_id, False, False)
            else:
                self._update_document(doc_id, doc, digest)
                existing[("url", canonical)] = (doc_id, digest)
                results[i] = (doc_id, True, False)
        for i, doc_id in zip(
            inserts, self._insert_documents([docs[i] for i in inserts]), strict=True
        ):
            results[i] = (doc_id, True, True)
        for i, doc in enumerate(docs):
            if results[i] is None:  # the skipped duplicate: same row as its first copy
                first = results[fresh[doc.canonical_url or doc.url]]
                results[i] = (first[0], False, False)
        return results  # type: ignore[return-value]

    def _existing(self, docs: Sequence[Document]) -> dict[tuple, tuple[int, str]]:
        urls = [d.canonical_url or d.url for d in docs]
        guids = [d.guid for d in docs if d.guid]
        rows = self.con.execute(
            "SELECT id, canonical_url, guid, source_id, content_hash FROM documents"
            " WHERE canonical_url IN (SELECT unnest(?::VARCHAR[]))"
            " OR (guid IS NOT NULL AND guid IN (SELECT unnest(?::VARCHAR[]))) ORDER BY id DESC",
            [urls, guids],
        ).fetchall()
        found: dict[tuple, tuple[int, str]] = {}
        for doc_id, url, guid, source_id, digest in rows:  # lowest id last: it wins
            found[("url", url)] = (doc_id, digest)
            if guid is not None:
                found[("guid", source_id, guid)] = (doc_id, digest)
        return found

    def _update_document(self, doc_id: int, doc: Document, digest: str) -> None:
        self.con.execute(
            "UPDATE documents SET title = ?, text = ?, language = ?, updated = ?,"
            " content_hash = ?, published = coalesce(published, ?) WHERE id = ?",
            [doc.title, doc.full_text, doc.language, now(), digest, _naive(doc.published), doc_id],
        )
        self.con.execute("DELETE FROM mentions WHERE document_id = ?", [doc_id])

    def _insert_documents(self, docs: Sequence[Document], chunk: int = 200) -> list[int]:
        ids: list[int] = []
        for start in range(0, len(docs), chunk):
            part = docs[start : start + chunk]
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(part))
            params: list = []
            for order, doc in enumerate(part):
                params += [order, doc.url, doc.canonical_url or doc.url, doc.guid, doc.title,
                           doc.full_text, doc.language, _naive(doc.published),
                           _naive(doc.fetched) or now(), doc.source_id,
                           content_hash(doc.title, doc.text)]  # fmt: skip
            rows = self.con.execute(
                "INSERT INTO documents (url, canonical_url, guid, title, text, language,"
                " published, fetched, source_id, content_hash) SELECT col1, col2, col3, col4,"
                " col5, col6, col7, col8, col9, col10 FROM (VALUES " + values + ") ORDER BY col0"
                " RETURNING id, canonical_url",
                params,
            ).fetchall()
            by_url = {url: doc_id for doc_id, url in rows}
            ids += [by_url[doc.canonical_url or doc.url] for doc in part]
        return ids

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

    def recent_fingerprints(self, since) -> list[tuple[int, int, int]]:
        """(id, fingerprint, story id) of documents fetched since `since`."""
        rows = self.con.execute(
            "SELECT id, fingerprint, coalesce(story_id, id) FROM documents"
            " WHERE fingerprint IS NOT NULL AND fetched >= ?",
            [since],
        ).fetchall()
        return [(r[0], from_bytes(r[1]), r[2]) for r in rows]

    def set_stories(self, items: Sequence[tuple[int, int, int]]) -> None:
        """(document id, fingerprint, story id) for each; a story's first copy has its own id."""
        for start in range(0, len(items), 500):
            part = items[start : start + 500]
            values = ", ".join(["(?, ?, ?)"] * len(part))
            params = []
            for doc_id, fp, story in part:
                params += [doc_id, to_bytes(fp), story]
            self.con.execute(
                "UPDATE documents SET fingerprint = v.col1, story_id = v.col2 FROM (VALUES "
                + values
                + ") v WHERE documents.id = v.col0",
                params,
            )

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        rows = self.con.execute(
            "SELECT canonical_url FROM documents WHERE list_contains(?, canonical_url)",
            [list(urls)],
        ).fetchall()
        return {r[0] for r in rows}

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

    # -- stories: one agency story copied by many sites --------------------------------

    def story_event_kinds(self, story_id: int, doc_id: int) -> set[tuple[str, str]]:
        """(person, kind) of events already found in the story's other copies."""
        rows = self.con.execute(
            "SELECT DISTINCT e.person_id, e.kind FROM events e JOIN documents d"
            " ON d.id = e.document_id WHERE coalesce(d.story_id, d.id) = ? AND d.id <> ?",
            [story_id, doc_id],
        ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def story_copies(self, story_id: int) -> list[dict]:
        """Every stored copy of a story, first stored first."""
        cursor = self.con.execute(
            "SELECT id, url, canonical_url, title, source_id, published, fetched FROM documents"
            " WHERE coalesce(story_id, id) = ? ORDER BY id",
            [story_id],
        )
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]

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


def _naive(value: datetime | None) -> datetime | None:
    """Store UTC without tzinfo, as every TIMESTAMP in the archive is."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


@contextmanager
def open_store(path: Path, *, read_only: bool = False) -> Iterator[Store]:
    """Open the archive (creating or upgrading it first), and close it on leaving.

    Read-only openers never create a file: an archive that does not exist yet is an error.
    """
    if read_only and not path.exists():
        raise StoreError(f"no archive at {path} yet: run `appealwatch poll` first")
    ensure_schema(path)
    con = connect(path, read_only=read_only)
    try:
        yield Store(con, path)
    finally:
        con.close()
