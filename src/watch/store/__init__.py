"""The archive: one DuckDB file. The only part of appealwatch that speaks SQL.

connection   opening with lock waits, migrations, read-only user SQL
migrations   the named, ordered schema versions
archive      Store: what a poll and a review write
listings     what the commands and the dashboard read
"""

from watch.store.archive import Store, evidence_key, open_store
from watch.store.connection import ensure_schema, run_user_sql, user_sql_connection

__all__ = [
    "Store",
    "ensure_schema",
    "evidence_key",
    "open_store",
    "run_user_sql",
    "user_sql_connection",
]
