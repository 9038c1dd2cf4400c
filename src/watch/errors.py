"""Every error appealwatch raises on purpose, in one tree.

    WatchError                      base: catch this to catch everything below
    ├── WatchlistError              watchlist.yaml is missing, malformed or invalid   (exit 2)
    ├── PollLockedError             another poll holds the lock                       (exit 3)
    ├── AllSourcesFailedError       a poll in which every due source failed           (exit 4)
    ├── StoreError                  the archive cannot be opened or used              (exit 5)
    │   ├── SchemaTooNewError       the file was written by a newer appealwatch
    │   └── QueryError              user SQL refused (writes, file access) or failed
    ├── ReviewError                 a review names an unknown flag or a bad decision  (exit 6)
    ├── NotifyError                 the poll report could not be mailed               (exit 7)
    ├── CueFileError                an event cue file (src/watch/cues/*.yaml) is bad
    ├── ServeError                  the dashboard cannot start as asked (no login off localhost)
    └── FetchError                  one source could not be fetched or parsed
                                    (never ends a poll: its key is stored on the source)

FetchError carries a stable `key` (such as "timeout", "http_404", "too_large")
that is stored with the source, as Miniflux does, so that a source's health can
be queried and compared over time; the message is for people.
"""

from __future__ import annotations

from pathlib import Path

# Exit codes the CLI documents (README: "Exit codes").
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_WATCHLIST = 2
EXIT_LOCKED = 3
EXIT_ALL_SOURCES_FAILED = 4
EXIT_STORE = 5
EXIT_REVIEW = 6
EXIT_NOTIFY = 7


class WatchError(Exception):
    """Base of every error appealwatch raises on purpose."""

    exit_code = EXIT_FAILURE


class WatchlistError(WatchError):
    """One or more problems in a watchlist file, each with file:line."""

    exit_code = EXIT_WATCHLIST

    def __init__(self, problems: list[WatchlistProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class WatchlistProblem:
    """One problem: where it is and what to do about it."""

    def __init__(self, path: Path | str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"WatchlistProblem({str(self)!r})"


class PollLockedError(WatchError):
    exit_code = EXIT_LOCKED


class AllSourcesFailedError(WatchError):
    exit_code = EXIT_ALL_SOURCES_FAILED


class StoreError(WatchError):
    exit_code = EXIT_STORE


class SchemaTooNewError(StoreError):
    pass


class QueryError(StoreError):
    pass


class ReviewError(WatchError):
    exit_code = EXIT_REVIEW


class NotifyError(WatchError):
    exit_code = EXIT_NOTIFY


class CueFileError(WatchError):
    """A cue file is missing, malformed or names an unknown kind, scope or state; the
    message names the file and the entry."""


class ServeError(WatchError):
    """The dashboard refuses to start as asked: what is wrong and how to put it right."""


class FetchError(WatchError):
    """A source failed; `key` is stable and stored, `message` is for people."""

    def __init__(self, key: str, message: str, *, retry_after: float | None = None):
        self.key = key
        self.message = message
        self.retry_after = retry_after
        super().__init__(f"{key}: {message}")
