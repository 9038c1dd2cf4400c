"""Store writes for documents: filing them (one at a time or in bulk), rescans, stories.

A document is identified by its canonical URL, else its source and GUID; an edit
updates it in place. Stories group one agency text copied by many sites.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

import duckdb

from watch.fingerprint import from_bytes, to_bytes
from watch.records import Document
from watch.store.connection import as_dicts, insert_rows, now, update_rows


def content_hash(*parts: str | None) -> str:
    return hashlib.sha1("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()


_DOCUMENT_COLUMNS = (
    ("url", "VARCHAR"), ("canonical_url", "VARCHAR"), ("guid", "VARCHAR"), ("title", "VARCHAR"),
    ("text", "VARCHAR"), ("language", "VARCHAR"), ("published", "TIMESTAMP"),
    ("fetched", "TIMESTAMP"), ("source_id", "VARCHAR"), ("content_hash", "VARCHAR"),
)  # fmt: skip
_STORY_COLUMNS = (("id", "BIGINT"), ("fingerprint", "BLOB"), ("story_id", "BIGINT"))


class DocumentWrites:
    """Store methods for documents and stories; mixed into store.archive.Store."""

    con: duckdb.DuckDBPyConnection

    # -- documents ------------------------------------------------------------------------

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

    def save_documents(self, docs: Sequence[Document]) -> list[tuple[int, bool, bool]]:
        """save_document for many at once: (id, text new or changed, row new) for each.

        Same identity rules (canonical URL, else source + GUID; edits update in place), but
        one lookup and one multi-row INSERT instead of two statements a document: a poll
        files thousands of documents and each statement costs a millisecond or more.
        """
        existing = self._existing(docs)
        results: list[tuple[int, bool, bool] | None] = [None] * len(docs)
        fresh: dict[str, int] = {}  # canonical URL -> index of the first new doc in this batch
        inserts: list[tuple[int, str]] = []  # (index, content hash) of the docs to insert
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
                inserts.append((i, digest))
                continue
            doc_id, old_digest = found
            if old_digest == digest:
                results[i] = (doc_id, False, False)
            else:
                self._update_document(doc_id, doc, digest)
                existing[("url", canonical)] = (doc_id, digest)
                results[i] = (doc_id, True, False)
        inserted = self._insert_documents([(docs[i], digest) for i, digest in inserts])
        for (i, _), doc_id in zip(inserts, inserted, strict=True):
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

    def _insert_documents(
        self, docs: Sequence[tuple[Document, str]], chunk: int = 1000
    ) -> list[int]:
        """Insert (document, content hash) pairs; their ids, in order."""
        ids: list[int] = []
        for start in range(0, len(docs), chunk):
            part = docs[start : start + chunk]
            rows = [
                (doc.url, doc.canonical_url or doc.url, doc.guid, doc.title, doc.full_text,
                 doc.language, _naive(doc.published), _naive(doc.fetched) or now(),
                 doc.source_id, digest)
                for doc, digest in part
            ]  # fmt: skip
            inserted = insert_rows(
                self.con, "documents", _DOCUMENT_COLUMNS, rows, "id, canonical_url"
            )
            by_url = {url: doc_id for doc_id, url in inserted}
            ids += [by_url[doc.canonical_url or doc.url] for doc, _ in part]
        return ids

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        rows = self.con.execute(
            "SELECT canonical_url FROM documents WHERE list_contains(?, canonical_url)",
            [list(urls)],
        ).fetchall()
        return {r[0] for r in rows}

    # -- stories: one agency story copied by many sites --------------------------------

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
        if items:
            rows = [(doc_id, to_bytes(fp), story) for doc_id, fp, story in items]
            update_rows(self.con, "documents", _STORY_COLUMNS, rows)

    def story_event_kinds(
        self, story_id: int, doc_id: int, ignore: Collection[int] = ()
    ) -> set[tuple[str, str]]:
        """(person, kind) of events already found in the story's other copies, leaving out
        the events whose ids are in `ignore`."""
        rows = self.con.execute(
            "SELECT DISTINCT e.person_id, e.kind FROM events e JOIN documents d"
            " ON d.id = e.document_id WHERE coalesce(d.story_id, d.id) = ? AND d.id <> ?"
            " AND NOT list_contains(?::BIGINT[], e.id)",
            [story_id, doc_id, sorted(ignore)],
        ).fetchall()
        return {(r[0], r[1]) for r in rows}

    def story_copies(self, story_id: int) -> list[dict]:
        """Every stored copy of a story, first stored first."""
        cursor = self.con.execute(
            "SELECT id, url, canonical_url, title, source_id, published, fetched FROM documents"
            " WHERE coalesce(story_id, id) = ? ORDER BY id",
            [story_id],
        )
        return as_dicts(cursor)


def _naive(value: datetime | None) -> datetime | None:
    """Store UTC without tzinfo, as every TIMESTAMP in the archive is."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)
