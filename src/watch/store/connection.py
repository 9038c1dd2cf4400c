"""Opening the archive: locks, migrations, and read-only user SQL.

DuckDB lets one process write a file, or many read it, never both at once. A poll
therefore opens the archive only for short batches and closes it in between; a
reader (the CLI, the dashboard) that finds the file busy waits and tries again
instead of failing.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from watch.errors import QueryError, SchemaTooNewError, StoreError
from watch.store.migrations import LATEST, MIGRATIONS

LOCK_WAIT_SECONDS = 60.0


def _skip_pandas_probe() -> None:
    """DuckDB tries `import pandas` twice for every bound parameter when pandas is not
    installed, and a failed import is not cached: a 200-row, 4-column INSERT took 80 ms,
    of which 60 ms was the import system searching sys.path. A None in sys.modules makes
    the import fail at once (the documented way to block an import). When pandas is
    installed nothing changes: its first import is cached as usual."""
    if "pandas" not in sys.modules and importlib.util.find_spec("pandas") is None:
        sys.modules["pandas"] = None  # type: ignore[assignment]


_skip_pandas_probe()


def now() -> datetime:
    """Naive UTC: what every TIMESTAMP column in the archive holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def as_dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    """An executed query's rows as dicts keyed by column name."""
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence],
    returning: str,
) -> list[tuple]:
    """INSERT rows (in order) through ONE bound parameter: the rows as a JSON text that
    DuckDB's built-in json extension unpacks. `columns` are (name, SQL type) pairs.

    Why: DuckDB converts every bound Python value on its own, so a 200-row, 11-column
    VALUES insert of documents cost 0.25-0.28 ms a row in CPU; the same rows as JSON cost
    0.09-0.12 ms (6,000 documents of 2.4 KB, best of two runs each).
    """
    values, params = _json_rows(columns, rows)
    quoted = ", ".join(f'"{name}"' for name, _ in columns)
    return con.execute(
        f"INSERT INTO {table} ({quoted}) SELECT * EXCLUDE (i) FROM {values} ORDER BY i"
        f" RETURNING {returning}",
        params,
    ).fetchall()


def update_rows(
    con: duckdb.DuckDBPyConnection,
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence],
) -> None:
    """UPDATE the rows whose first column (the key) matches, setting the other columns;
    in one statement with one JSON parameter, as insert_rows does."""
    values, params = _json_rows(columns, rows)
    key = columns[0][0]
    sets = ", ".join(f'"{name}" = v."{name}"' for name, _ in columns[1:])
    con.execute(
        f'UPDATE {table} SET {sets} FROM {values} AS v WHERE {table}."{key}" = v."{key}"',
        params,
    )


def _json_rows(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence]) -> tuple[str, list]:
    """A subquery of the rows, typed as `columns` say, with their order as column i; and
    its two parameters (the rows as one JSON text, and its shape)."""
    names = [name for name, _ in columns]
    shape = json.dumps(
        [{"i": "BIGINT", **{name: _JSON_TYPE.get(t, "VARCHAR") for name, t in columns}}]
    )
    data = json.dumps(
        [
            {"i": i, **dict(zip(names, map(_jsonable, row), strict=True))}
            for i, row in enumerate(rows)
        ],
        ensure_ascii=False,
    )
    picks = ", ".join(
        f'unhex(r."{name}") AS "{name}"'
        if sql_type == "BLOB"
        else f'r."{name}"::{sql_type} AS "{name}"'
        for name, sql_type in columns
    )
    return f"(SELECT r.i AS i, {picks} FROM (SELECT unnest(from_json(?, ?)) AS r))", [data, shape]


# JSON carries these SQL types as they are; every other (timestamps, say) goes as text,
# and BLOBs as hexadecimal text.
_JSON_TYPE = {"BIGINT": "BIGINT", "INTEGER": "INTEGER", "DOUBLE": "DOUBLE", "BOOLEAN": "BOOLEAN"}


def _jsonable(value):
    if isinstance(value, bytes):
        return value.hex()
    return value.isoformat() if isinstance(value, datetime) else value


def _is_lock_conflict(error: Exception) -> bool:
    return "lock" in str(error).lower()


def connect(
    path: Path,
    *,
    read_only: bool = False,
    wait: float = LOCK_WAIT_SECONDS,
    config: dict | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds it."""
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            return _open(path, read_only, config or {})
        except duckdb.IOException as error:
            if not _is_lock_conflict(error) or time.monotonic() > deadline:
                raise StoreError(f"cannot open the archive {path}: {error}") from error
        except duckdb.Error as error:
            raise StoreError(f"cannot open the archive {path}: {error}") from error
        time.sleep(delay)
        delay = min(delay * 2, 0.5)


# Rows per row group in what a writing connection stores (DuckDB's default is 122,880).
# DuckDB rewrites the last row group of a table with indexes at every checkpoint, and a
# poll checkpoints each time a batch closes the archive: with 2.4 KB article texts that
# rewrite grew with the group, to ~1 GB of memory and seconds a batch near its end. Smaller
# groups bound it. Bare DuckDB test (25 batches of 2,000 documents of 2.4 KB, indexed
# table, each batch one opening): worst checkpoint +322 MB over the process with the
# default (at 50,000 rows, and growing), +136 MB with 16,384 rows, +78 MB with 4,096,
# +56 MB with 2,048; the checkpoints' CPU 15.5 s, 8.1 s, 3.8 s, 2.5 s. 2,048 gave bench/poll
# no lower peak than 4,096, and smaller groups mean more per-group overhead in scans.
ROW_GROUP_ROWS = 4096


def _open(path: Path, read_only: bool, config: dict) -> duckdb.DuckDBPyConnection:
    if read_only:
        return duckdb.connect(str(path), read_only=True, config=config)
    # ROW_GROUP_SIZE is an ATTACH option only (not a connect() setting).
    con = duckdb.connect(":memory:", config=config)
    try:
        quoted = "'" + str(path).replace("'", "''") + "'"
        con.execute(f"ATTACH {quoted} AS archive (ROW_GROUP_SIZE {ROW_GROUP_ROWS})")
        con.execute("USE archive")
    except BaseException:
        con.close()
        raise
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()[0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]


def migrate(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Bring the file to the latest schema; return the names of the migrations applied."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied TIMESTAMP NOT NULL)"
    )
    current = schema_version(con)
    if current > LATEST:
        raise SchemaTooNewError(
            f"{path} has schema version {current}, but this appealwatch knows only up to "
            f"{LATEST}: upgrade appealwatch before using this archive"
        )
    applied = []
    for migration in MIGRATIONS:
        if migration.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            migration.apply(con)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)",
                [migration.version, migration.name, now()],
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.name)
    return applied


def ensure_schema(path: Path) -> None:
    """Create or upgrade the archive so that read-only openers find the latest schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        con = connect(path, read_only=True)
        try:
            version = schema_version(con)
        finally:
            con.close()
        if version == LATEST:
            return
        if version > LATEST:
            raise SchemaTooNewError(
                f"{path} has schema version {version}, but this appealwatch knows only up to "
                f"{LATEST}: upgrade appealwatch before using this archive"
            )
    con = connect(path)
    try:
        migrate(con, path)
    finally:
        con.close()


# User SQL: read-only, no files or network, a time limit and a row cap (as datasette does).
USER_SQL_CONFIG = {"enable_external_access": False, "lock_configuration": True}


@contextmanager
def user_sql_connection(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    if not path.exists():
        raise StoreError(f"no archive at {path} yet: run `appealwatch poll` first")
    ensure_schema(path)
    con = connect(path, read_only=True, config=USER_SQL_CONFIG)
    try:
        yield con
    finally:
        con.close()


def run_user_sql(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    *,
    params: list | None = None,
    max_rows: int = 10_000,
    time_limit: float = 10.0,
) -> tuple[list[str], list[tuple], bool]:
    """Run one read-only statement; return (columns, rows, truncated)."""
    timer = threading.Timer(time_limit, con.interrupt)
    timer.start()
    try:
        cursor = con.execute(sql, params or [])
        if cursor.description is None:
            return [], [], False
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchmany(max_rows + 1)
    except duckdb.InterruptException as error:
        raise QueryError(f"query stopped after the {time_limit:g} s time limit") from error
    except (duckdb.InvalidInputException, duckdb.PermissionException) as error:
        raise QueryError(_readable(error)) from error
    except duckdb.Error as error:
        raise QueryError(f"query failed: {error}") from error
    finally:
        timer.cancel()
    return columns, rows[:max_rows], len(rows) > max_rows


def _readable(error: Exception) -> str:
    text = str(error)
    if "read-only mode" in text:
        return "the archive is read-only here: only statements that read (SELECT, ...) may run"
    if "disabled by configuration" in text:
        return "file and network access is disabled for queries on the archive"
    return f"query refused: {text}"
