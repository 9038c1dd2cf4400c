"""The archive: one DuckDB file. The only part of appealwatch that speaks SQL.

connection    opening with lock waits, migrations, read-only user SQL
migrations    the named, ordered schema versions
archive       Store: what a poll and a review write, and open_store; its methods live in
  watchlist     people and sources in line with the watchlist, status, source fetch state
  documents     filing documents (one or in bulk), rescan batches, stories
  findings      mentions, events, flags and reviews
listings      what the commands and the dashboard read
search        the dashboard's archive search, CSV export and saved views
person_story  the dashboard's person page: mentions per week, latest documents, appeals
reviewing     the dashboard's review queue and flag pages: names, copies, decisions
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
