"""What the dashboard's review queue and flag pages read: the names to highlight, other
copies of the story, the flag's decision, recent reviews, and what a flag would change."""

from __future__ import annotations

from watch.store.archive import Store
from watch.store.connection import as_dicts


def matched_names(store: Store, flag_ids: list[int]) -> dict[int, list[str]]:
    """The names matched for each flag's person in its document: what to highlight."""
    rows = store.con.execute(
        """
        SELECT DISTINCT f.id, m.matched FROM flags f
        JOIN events e ON e.id = f.event_id
        JOIN mentions m ON m.document_id = e.document_id AND m.person_id = f.person_id
        WHERE list_contains(?, f.id)
        """,
        [flag_ids],
    ).fetchall()
    names: dict[int, list[str]] = {}
    for flag_id, matched in rows:
        names.setdefault(flag_id, []).append(matched)
    return names


def has_column(store: Store, table: str, column: str) -> bool:
    return (
        store.con.execute(
            "SELECT count(*) FROM information_schema.columns WHERE table_name = ? AND column_name = ?",
            [table, column],
        ).fetchone()[0]
        > 0
    )


def story_copies(store: Store, flag_ids: list[int]) -> dict[int, list[dict]]:
    """Other documents carrying the same story as each flag's document.

    A copy is a document the crawler grouped into the same story (documents.story_id,
    when the archive has it), or one in which the same evidence was found (the same
    claim about the same person): syndicated copies share both.
    """
    stories = has_column(store, "documents", "story_id")
    story = "coalesce(d0.story_id, d0.id)" if stories else "d0.id"
    by_story = (
        "UNION SELECT fl.flag_id, fl.doc0, d.id FROM fl"
        " JOIN documents d ON coalesce(d.story_id, d.id) = fl.story"
        if stories
        else ""
    )
    rows = store.con.execute(
        f"""
        WITH fl AS (
            SELECT f.id AS flag_id, f.evidence_key, d0.id AS doc0, {story} AS story
            FROM flags f JOIN events e ON e.id = f.event_id
            JOIN documents d0 ON d0.id = e.document_id
            WHERE list_contains(?, f.id)
        ), copies AS (
            SELECT fl.flag_id, fl.doc0, other.document_id AS doc FROM fl
            JOIN events other ON other.evidence_key = fl.evidence_key
            {by_story}
        )
        SELECT DISTINCT c.flag_id, d.id, d.url, d.title, s.name AS source,
               coalesce(d.published, d.fetched) AS date
        FROM copies c JOIN documents d ON d.id = c.doc AND d.id <> c.doc0
        LEFT JOIN sources s ON s.id = d.source_id
        ORDER BY date, d.id
        """,
        [flag_ids],
    ).fetchall()
    copies: dict[int, list[dict]] = {}
    for flag_id, doc_id, url, title, source, when in rows:
        copies.setdefault(flag_id, []).append(
            {"id": doc_id, "url": url, "title": title, "source": source, "date": when}
        )
    return copies


def flag_detail(store: Store, flag_id: int) -> dict | None:
    cursor = store.con.execute(
        """
        SELECT f.id, f.person_id AS person, p.name AS person_name, e.kind AS event,
               e.event_date AS date, e.sentence AS evidence, e.cue, f.state, f.created,
               d.url, d.title, s.name AS source,
               r.decision, r.note, r.reviewer, r.decided_at
        FROM flags f JOIN events e ON e.id = f.event_id
        JOIN documents d ON d.id = e.document_id
        LEFT JOIN persons p ON p.id = f.person_id
        LEFT JOIN sources s ON s.id = d.source_id
        LEFT JOIN reviews r ON r.flag_id = f.id
        WHERE f.id = ?
        ORDER BY r.id DESC LIMIT 1
        """,
        [flag_id],
    )
    row = cursor.fetchone()
    return dict(zip([d[0] for d in cursor.description], row, strict=True)) if row else None


def recent_reviews(store: Store, limit: int = 20) -> list[dict]:
    cursor = store.con.execute(
        """
        SELECT r.flag_id, r.decision, r.note, r.reviewer, r.decided_at, f.person_id AS person,
               p.name AS person_name, e.kind AS event
        FROM reviews r JOIN flags f ON f.id = r.flag_id JOIN events e ON e.id = f.event_id
        LEFT JOIN persons p ON p.id = f.person_id
        ORDER BY r.decided_at DESC, r.id DESC LIMIT ?
        """,
        [limit],
    )
    return as_dicts(cursor)


def flag_changes(store: Store, flag_ids: list[int]) -> dict[int, dict]:
    """For each flag: the state its event implies, and the person's state now."""
    cursor = store.con.execute(
        """
        SELECT f.id, e.custody, e."case", p.custody AS now_custody, p."case" AS now_case,
               p.since AS now_since
        FROM flags f JOIN events e ON e.id = f.event_id LEFT JOIN persons p ON p.id = f.person_id
        WHERE list_contains(?, f.id)
        """,
        [flag_ids],
    )
    return {row["id"]: row for row in as_dicts(cursor)}
