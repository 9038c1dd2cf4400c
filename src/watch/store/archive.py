"""The Store: one open connection to the archive, and what a poll and a review write.

Its methods live in one module per concern, combined here:

watchlist   people and sources in line with the watchlist, status, source fetch state
documents   filing documents (one or in bulk), rescan batches, stories
findings    mentions, events, flags and reviews
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from watch.errors import StoreError
from watch.store.connection import connect, ensure_schema
from watch.store.documents import DocumentWrites
from watch.store.findings import FindingWrites, evidence_key
from watch.store.watchlist import WatchlistWrites

__all__ = ["Store", "evidence_key", "open_store"]


class Store(WatchlistWrites, DocumentWrites, FindingWrites):
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
