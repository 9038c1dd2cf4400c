"""Named, ordered schema migrations.

Each migration runs in one transaction together with the row that records it in
`schema_migrations`, so a file is always at a known version: a crash mid-upgrade
leaves the previous version intact. Append new migrations; never edit a shipped one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[duckdb.DuckDBPyConnection], None]


def _sql(statements: str) -> Callable[[duckdb.DuckDBPyConnection], None]:
    def run(con: duckdb.DuckDBPyConnection) -> None:
        for statement in statements.split(";\n"):
            if statement.strip():
                con.execute(statement)

    return run


INITIAL = """
CREATE SEQUENCE documents_id START 1;
CREATE SEQUENCE mentions_id START 1;
CREATE SEQUENCE events_id START 1;
CREATE SEQUENCE flags_id START 1;
CREATE SEQUENCE reviews_id START 1;
CREATE SEQUENCE status_history_id START 1;
CREATE TABLE persons (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    aliases VARCHAR[],
    context VARCHAR[],
    country VARCHAR,
    appeals JSON,
    custody VARCHAR NOT NULL DEFAULT 'unknown',
    "case" VARCHAR NOT NULL DEFAULT 'unknown',
    since DATE,
    added TIMESTAMP NOT NULL,
    names_key VARCHAR,
    scanned_at TIMESTAMP
);
CREATE TABLE sources (
    id VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    language VARCHAR,
    etag VARCHAR,
    last_modified VARCHAR,
    content_hash VARCHAR,
    last_checked TIMESTAMP,
    last_success TIMESTAMP,
    last_error_key VARCHAR,
    last_error VARCHAR,
    last_error_at TIMESTAMP,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_due TIMESTAMP,
    items_seen BIGINT NOT NULL DEFAULT 0,
    last_new_item TIMESTAMP,
    state JSON
);
CREATE TABLE documents (
    id BIGINT PRIMARY KEY DEFAULT nextval('documents_id'),
    url VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL UNIQUE,
    guid VARCHAR,
    title VARCHAR,
    text VARCHAR,
    language VARCHAR,
    published TIMESTAMP,
    fetched TIMESTAMP NOT NULL,
    updated TIMESTAMP,
    source_id VARCHAR,
    content_hash VARCHAR
);
CREATE TABLE mentions (
    id BIGINT PRIMARY KEY DEFAULT nextval('mentions_id'),
    person_id VARCHAR NOT NULL,
    document_id BIGINT NOT NULL,
    matched VARCHAR NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    snippet VARCHAR,
    score DOUBLE NOT NULL,
    how VARCHAR,
    found TIMESTAMP NOT NULL,
    rejected BOOLEAN NOT NULL DEFAULT false,
    UNIQUE (person_id, document_id, start)
);
CREATE TABLE events (
    id BIGINT PRIMARY KEY DEFAULT nextval('events_id'),
    person_id VARCHAR NOT NULL,
    document_id BIGINT NOT NULL,
    kind VARCHAR NOT NULL,
    event_date DATE,
    date_how VARCHAR,
    sentence VARCHAR NOT NULL,
    cue VARCHAR,
    custody VARCHAR,
    "case" VARCHAR,
    attribution VARCHAR,
    evidence_key VARCHAR NOT NULL,
    found TIMESTAMP NOT NULL,
    UNIQUE (document_id, evidence_key)
);
CREATE TABLE flags (
    id BIGINT PRIMARY KEY DEFAULT nextval('flags_id'),
    person_id VARCHAR NOT NULL,
    event_id BIGINT NOT NULL,
    evidence_key VARCHAR NOT NULL UNIQUE,
    state VARCHAR NOT NULL DEFAULT 'open',
    created TIMESTAMP NOT NULL
);
CREATE TABLE reviews (
    id BIGINT PRIMARY KEY DEFAULT nextval('reviews_id'),
    flag_id BIGINT NOT NULL,
    decision VARCHAR NOT NULL,
    note VARCHAR,
    reviewer VARCHAR,
    decided_at TIMESTAMP NOT NULL
);
CREATE TABLE status_history (
    id BIGINT PRIMARY KEY DEFAULT nextval('status_history_id'),
    person_id VARCHAR NOT NULL,
    custody VARCHAR NOT NULL,
    "case" VARCHAR NOT NULL,
    since DATE,
    origin VARCHAR NOT NULL,
    flag_id BIGINT,
    recorded_at TIMESTAMP NOT NULL
)
"""

# Syndication: near-duplicate copies of one story share a story_id (the id of the first
# copy stored); `fingerprint` is watch.fingerprint's 256-bit MinHash as 32 bytes.
STORIES = """
ALTER TABLE documents ADD COLUMN fingerprint BLOB;
ALTER TABLE documents ADD COLUMN story_id BIGINT
"""

# A source taken off the watchlist keeps its row (its documents reference it) and is
# marked retired: never polled, hidden from health, cleared if it comes back.
SOURCES_RETIRED = """
ALTER TABLE sources ADD COLUMN retired_at TIMESTAMP
"""


def _recompute_fingerprints(con: duckdb.DuckDBPyConnection) -> None:
    """Every stored fingerprint recomputed from its document's text by today's
    watch.fingerprint, so that new copies of a story still find the old ones: the scheme
    is unchanged but the shingle hash went from blake2b to CRC-32 (2.3 times faster), and
    old and new values of one text differ. Story ids stay as they were grouped."""
    from watch.fingerprint import fingerprint, to_bytes
    from watch.store.connection import update_rows

    last = 0
    while rows := con.execute(
        "SELECT id, text FROM documents WHERE fingerprint IS NOT NULL AND id > ?"
        " ORDER BY id LIMIT 2000",
        [last],
    ).fetchall():
        update_rows(
            con,
            "documents",
            (("id", "BIGINT"), ("fingerprint", "BLOB")),
            [(doc_id, to_bytes(fingerprint(text))) for doc_id, text in rows],
        )
        last = rows[-1][0]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial", _sql(INITIAL)),
    Migration(2, "stories", _sql(STORIES)),
    Migration(3, "sources_retired", _sql(SOURCES_RETIRED)),
    Migration(4, "story_fingerprints_crc32", _recompute_fingerprints),
)

LATEST = MIGRATIONS[-1].version
