"""Opening the archive per request, so the dashboard never stands in the poll's way.

DuckDB lets one process write a file or many read it, never both; and inside one
process every open connection to a file must share one configuration. So each
request opens the archive for as long as it needs it and no longer, and a lock
inside this process lets connections of the same kind (plain reads, or user SQL
with external access off) run together while the others wait: a review decision
(read-write) runs alone. Across processes, store.connection.connect waits while
the poll holds the file, so a decision made during a poll waits for its batch to
end instead of failing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from watch.errors import StoreError
from watch.store import Store
from watch.store.connection import USER_SQL_CONFIG, _is_lock_conflict, connect

READ = "read"
USER_SQL = "user_sql"
WRITE = "write"


class ModeLock:
    """Many holders of one mode at a time (one only for WRITE); other modes wait their turn."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._mode: str | None = None
        self._holders = 0
        self._waiting: dict[str, int] = {}

    def _may_enter(self, mode: str) -> bool:
        if self._mode is None:
            return True
        if self._mode != mode or mode == WRITE:
            return False
        # Readers that keep arriving must not starve a writer or a user query already waiting.
        return not any(n for m, n in self._waiting.items() if m != mode)

    @contextmanager
    def hold(self, mode: str) -> Iterator[None]:
        with self._cond:
            self._waiting[mode] = self._waiting.get(mode, 0) + 1
            self._cond.wait_for(lambda: self._may_enter(mode))
            self._waiting[mode] -= 1
            self._mode = mode
            self._holders += 1
        try:
            yield
        finally:
            with self._cond:
                self._holders -= 1
                if self._holders == 0:
                    self._mode = None
                self._cond.notify_all()


RETRY_EVERY = 0.01  # seconds
READ_WAIT = 20.0  # a page gives up sooner than a decision, which waits the whole wait


def is_busy(error: BaseException) -> bool:
    """Whether a StoreError means another process held the file for the whole wait."""
    return error.__cause__ is not None and _is_lock_conflict(error.__cause__)


def open_when_free(
    path: Path, *, read_only: bool, wait: float, config: dict | None = None
) -> duckdb.DuckDBPyConnection:
    """connect(), retried every 10 ms while another process holds the file.

    connect()'s own back-off grows to half a second, which suits a batch job; a poll
    leaves only short gaps between its batches, and a person is waiting here.
    """
    deadline = time.monotonic() + wait
    while True:
        try:
            return connect(path, read_only=read_only, wait=0, config=config)
        except StoreError as error:
            if not is_busy(error) or time.monotonic() > deadline:
                raise
        time.sleep(RETRY_EVERY)


class Archive:
    """The dashboard's way into one archive file: short-lived connections only."""

    def __init__(self, path: Path, *, wait: float = 60.0):
        self.path = path
        self.wait = wait
        self.lock = ModeLock()

    @contextmanager
    def reading(self) -> Iterator[Store]:
        with self.lock.hold(READ):
            con = open_when_free(self.path, read_only=True, wait=min(self.wait, READ_WAIT))
            try:
                yield Store(con, self.path)
            finally:
                con.close()

    @contextmanager
    def writing(self) -> Iterator[Store]:
        with self.lock.hold(WRITE):
            con = open_when_free(self.path, read_only=False, wait=self.wait)
            try:
                yield Store(con, self.path)
            finally:
                con.close()

    @contextmanager
    def user_sql(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Read-only, with files and network off: for saved views and searches.

        The same settings as store.connection.user_sql_connection, opened without its
        schema check: that check's plain connection would clash, inside this process,
        with a user connection already open.
        """
        if not self.path.exists():
            raise StoreError(f"no archive at {self.path} yet: run `appealwatch poll` first")
        with self.lock.hold(USER_SQL):
            con = open_when_free(self.path, read_only=True, wait=self.wait, config=USER_SQL_CONFIG)
            try:
                yield con
            finally:
                con.close()
