"""The archive: migrations, idempotent filing, flags, reviews, read-only SQL, export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from watch.errors import QueryError, ReviewError, SchemaTooNewError
from watch.flag import file_document
from watch.records import Document, Event, Mention, Person, Settings, Source, Status, Watchlist
from watch.review import review
from watch.store import listings, open_store, run_user_sql, user_sql_connection
from watch.store.connection import connect, migrate
from watch.store.migrations import LATEST, MIGRATIONS

ASKAROV = Person(
    "azimjan-askarov",
    "Azimjan Askarov",
    status=Status("imprisoned", "convicted", date(2010, 9, 15)),
)
KARASARTOVA = Person("rita-karasartova", "Rita Karasartova", status=Status("free", "charged"))
WATCHLIST = Watchlist(
    Path("w.yaml"), Settings(), (ASKAROV, KARASARTOVA), (Source("s", "S", "feed", "http://x/"),)
)
DIED = "Azimjan Askarov died in prison on 25 July 2020."


def died_event(sentence: str = DIED) -> Event:
    return Event(
        ASKAROV.id, "died", sentence, "died", date(2020, 7, 25), "text", custody="deceased"
    )


def file_death(store, url: str = "http://x/1", sentence: str = DIED):
    doc = Document(url, sentence, title="Death in custody", source_id="s")
    mention = Mention(ASKAROV.id, 18, 33, "Azimjan Askarov", 1.0, "alias")
    return file_document(store, doc, [mention], [died_event(sentence)])


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "watch.duckdb"
    with open_store(path) as store:
        store.sync_watchlist(WATCHLIST)
    return path


def test_filing_is_idempotent(db):
    with open_store(db) as store:
        first = file_death(store)
        again = file_death(store)
        counts = [store.con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("documents", "mentions", "events", "flags")]  # fmt: skip
    assert (first.mentions_new, first.events_new, first.flags_new) == (1, 1, 1)
    assert (again.changed, again.flags_new) == (False, 0)
    assert counts == [1, 1, 1, 1]


def test_same_evidence_on_another_site_flags_once(db):
    with open_store(db) as store:
        file_death(store, "http://x/1")
        copy = file_death(store, "http://y/copy")
    assert copy.events_new == 1 and copy.flags_new == 0


def test_edited_document_is_updated_in_place(db):
    with open_store(db) as store:
        first = file_death(store)
        edited = file_death(store, sentence=DIED + " His lawyer confirmed it.")
        rows = store.con.execute("SELECT count(*), max(updated) FROM documents").fetchone()
    assert edited.document_id == first.document_id and edited.changed
    assert rows[0] == 1 and rows[1] is not None


def test_no_flag_for_a_state_already_recorded_or_older(db):
    serving = Event(ASKAROV.id, "sentenced", "Askarov is serving a life sentence.", "serving",
                    date(2024, 1, 1), custody="imprisoned", case="convicted")  # fmt: skip
    old = Event(ASKAROV.id, "released", "Askarov was released in 2009.", "released",
                date(2009, 1, 1), "text", custody="free")  # fmt: skip
    with open_store(db) as store:
        filed = file_document(store, Document("http://x/2", "text"), [], [serving, old])
    assert filed.events_new == 2 and filed.flags_new == 0


def test_alerts_flag_though_they_change_no_state(db):
    alert = Event(ASKAROV.id, "hunger_strike", "Askarov went on hunger strike.", "hunger strike",
                  date(2020, 6, 1))  # fmt: skip
    with open_store(db) as store:
        assert file_document(store, Document("http://x/3", "t"), [], [alert]).flags_new == 1


def test_confirm_moves_status_and_keeps_history(db):
    with open_store(db) as store:
        file_death(store)
        decision = review(store, 1, "confirm", note="lawyer confirmed", reviewer="ana")
        history = listings.history(store, ASKAROV.id)
        assert listings.flags(store) == []
        assert listings.flags(store, all=True)[0]["state"] == "confirmed"
    assert decision.status == Status("deceased", "convicted", date(2020, 7, 25))
    assert [(h["custody"], h["origin"]) for h in history] == [
        ("imprisoned", "watchlist"),
        ("deceased", "review"),
    ]


def test_dismissed_evidence_never_flags_again(db):
    with open_store(db) as store:
        file_death(store)
        review(store, 1, "dismiss")
        again = file_death(store, "http://z/other-copy")
    assert again.events_new == 1 and again.flags_new == 0


def test_not_person_takes_the_mention_off(db):
    with open_store(db) as store:
        file_death(store)
        review(store, 1, "not_person")
        assert listings.mentions(store, person=ASKAROV.id) == []
        assert listings.status(store, ASKAROV.id)[0]["custody"] == "imprisoned"


def test_review_errors(db):
    with open_store(db) as store:
        file_death(store)
        with pytest.raises(ReviewError, match="there is no flag 99"):
            review(store, 99, "confirm")
        review(store, 1, "dismiss")
        with pytest.raises(ReviewError, match="already reviewed: it is dismissed"):
            review(store, 1, "confirm")


def test_watchlist_status_edit_is_recorded(db):
    moved = Person(
        ASKAROV.id, ASKAROV.name, status=Status("deceased", "convicted", date(2020, 7, 25))
    )
    with open_store(db) as store:
        store.sync_watchlist(Watchlist(Path("w"), Settings(), (moved,), ()))
        store.sync_watchlist(Watchlist(Path("w"), Settings(), (moved,), ()))
        assert len(listings.history(store, ASKAROV.id)) == 2
        assert store.statuses()[ASKAROV.id].custody == "deceased"


def test_old_archive_is_upgraded_and_newer_one_refused(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied TIMESTAMP NOT NULL)"
    )
    con.close()
    with open_store(path) as store:
        versions = store.con.execute(
            "SELECT version, name FROM schema_migrations ORDER BY 1"
        ).fetchall()
    assert versions == [(m.version, m.name) for m in MIGRATIONS]

    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_migrations VALUES (?, 'from the future', now())", [LATEST + 1])
    con.close()
    with pytest.raises(SchemaTooNewError, match="upgrade appealwatch"), open_store(path):
        pass


def test_failed_migration_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    from watch.store import migrations

    def broken(con):
        con.execute("CREATE TABLE half_done (x INTEGER)")
        raise RuntimeError("disk full")

    path = tmp_path / "a.duckdb"
    con = connect(path)
    migrate(con, path)
    monkeypatch.setattr(
        migrations, "MIGRATIONS", (*MIGRATIONS, migrations.Migration(LATEST + 1, "broken", broken))
    )
    monkeypatch.setattr("watch.store.connection.MIGRATIONS", migrations.MIGRATIONS)
    monkeypatch.setattr("watch.store.connection.LATEST", LATEST + 1)
    with pytest.raises(RuntimeError, match="disk full"):
        migrate(con, path)
    tables = {
        r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    version = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    con.close()
    assert "half_done" not in tables and version == LATEST


def test_stored_fingerprints_are_recomputed_when_the_scheme_changes(tmp_path, monkeypatch):
    """Migration 4: fingerprints stored by the blake2b shingle hash are recomputed from the
    documents' texts (in batches of 2,000), so a new copy of an old story still finds it;
    documents without a fingerprint keep none, and story ids stay as they were."""
    from watch.fingerprint import fingerprint, from_bytes

    path = tmp_path / "v3.duckdb"
    before = tuple(m for m in MIGRATIONS if m.version <= 3)
    monkeypatch.setattr("watch.store.connection.MIGRATIONS", before)
    monkeypatch.setattr("watch.store.connection.LATEST", 3)
    con = connect(path)
    migrate(con, path)
    con.execute(
        "INSERT INTO documents (id, url, canonical_url, text, fetched, fingerprint, story_id)"
        " SELECT i, 'http://x/' || i, 'http://x/' || i,"
        " 'Story ' || (i % 7) || ': Azimjan Askarov was moved to a prison hospital in Bishkek',"
        " now(), CASE WHEN i % 5 = 0 THEN NULL ELSE '\\x00\\xff'::BLOB END, i % 7 + 1"
        " FROM range(1, 4501) t(i)"
    )
    con.close()
    monkeypatch.undo()

    with open_store(path) as store:
        rows = store.con.execute(
            "SELECT id, text, fingerprint, story_id FROM documents ORDER BY id"
        ).fetchall()
        version = store.con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]
    assert version == LATEST and len(rows) == 4500
    for doc_id, text, fp, story in rows:
        assert story == doc_id % 7 + 1
        if doc_id % 5 == 0:
            assert fp is None
        else:
            assert from_bytes(fp) == fingerprint(text), doc_id


def test_user_sql_is_read_only_capped_and_sandboxed(db, tmp_path):
    with open_store(db) as store:
        file_death(store)
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with user_sql_connection(db) as con:
        columns, rows, truncated = run_user_sql(con, "SELECT person_id, kind FROM events")
        assert (columns, rows, truncated) == (["person_id", "kind"], [(ASKAROV.id, "died")], False)
        _, rows, truncated = run_user_sql(con, "SELECT * FROM range(100)", max_rows=10)
        assert len(rows) == 10 and truncated
        with pytest.raises(QueryError, match="read-only"):
            run_user_sql(con, "DELETE FROM flags")
        with pytest.raises(QueryError, match="file and network access is disabled"):
            run_user_sql(con, f"SELECT * FROM read_csv('{secret}')")
        with pytest.raises(QueryError, match="time limit"):
            run_user_sql(con, "SELECT count(*) FROM range(10000000000) a", time_limit=0.5)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_export(db, tmp_path, fmt):
    with open_store(db) as store:
        file_death(store)
        written = listings.export(store, fmt, tmp_path / "out")
    assert {p.name for p in written} >= {f"flags.{fmt}", f"mentions.{fmt}", f"documents.{fmt}"}
    events = tmp_path / "out" / f"events.{fmt}"
    if fmt == "json":
        assert json.loads(events.read_text())[0]["kind"] == "died"
    else:
        reader = "read_csv" if fmt == "csv" else "read_parquet"
        assert duckdb.sql(f"SELECT kind FROM {reader}('{events}')").fetchall() == [("died",)]


def test_bound_parameters_do_not_search_for_pandas(tmp_path):
    """DuckDB tries `import pandas` for every bound parameter; without pandas each try
    searched sys.path (60 of 80 ms of a 200-row insert). After the archive is opened, a
    parameterised write must not reach the import system's path search for it (when
    pandas is installed, its first import may search once, then it is cached)."""
    import importlib.machinery
    import importlib.util

    # find_spec answers None for an import blocked by a None in sys.modules, too
    installed = importlib.util.find_spec("pandas") is not None
    searched: list[str] = []
    original = importlib.machinery.PathFinder.find_spec

    def watching(name, path=None, target=None):
        searched.append(name)
        return original(name, path, target)

    with open_store(tmp_path / "a.duckdb") as store:
        importlib.machinery.PathFinder.find_spec = watching
        try:
            for n in range(20):
                file_document(store, Document(f"http://x/{n}", DIED, source_id="s"), [], [])
        finally:
            importlib.machinery.PathFinder.find_spec = original
    assert searched.count("pandas") <= (1 if installed else 0)


def test_documents_filed_in_bulk_keep_every_character_value_and_order(db):
    """save_documents sends its rows as one JSON text: what is read back must be what went
    in, quotes, backslashes, NUL, emoji and all, and ids must follow the input order."""
    from datetime import datetime

    texts = [
        'He said "free him" \\ and left.\x00 Then: \u2028 ünïcödé, 阿斯卡罗夫, 😀 \t end',
        "",
        "x" * 5000,
    ]
    docs = [
        Document(
            url=f"http://x/{i}",
            text=text,
            title=f"T{i} \"quoted\" 'single'" if i != 1 else "",
            guid=None if i == 2 else f"g{i}",
            language=None if i == 0 else "ru",
            published=datetime(2020, 7, 25, 6, 30, 15, 123456) if i == 0 else None,
            fetched=datetime(2026, 11, 23, 12, 0, 0),
            source_id="s",
        )
        for i, text in enumerate(texts)
    ]
    with open_store(db) as store:
        saved = store.save_documents(docs)
        got = store.con.execute(
            "SELECT id, url, guid, title, text, language, published, fetched FROM documents"
            " ORDER BY id"
        ).fetchall()
    assert [s[0] for s in saved] == [g[0] for g in got] and all(s[1] and s[2] for s in saved)
    assert [g[0] for g in got] == sorted(g[0] for g in got)
    for doc, row in zip(docs, got, strict=True):
        assert row[1:] == (
            doc.url, doc.guid, doc.title, doc.full_text, doc.language, doc.published, doc.fetched
        )  # fmt: skip


def test_documents_are_stored_in_small_row_groups_across_batches(db):
    """DuckDB rewrites the last row group of an indexed table at every checkpoint, so a
    writing connection keeps row groups small (ROW_GROUP_ROWS rows, not DuckDB's 122,880):
    filed over several openings, no group of `documents` holds more, and every row is there."""
    from watch.store.connection import ROW_GROUP_ROWS

    total = ROW_GROUP_ROWS + ROW_GROUP_ROWS // 2
    for start in range(0, total, 2000):
        docs = [
            Document(f"http://x/{i}", f"text {i} " * 40, source_id="s")
            for i in range(start, min(total, start + 2000))
        ]
        with open_store(db) as store:
            store.save_documents(docs)
    with open_store(db) as store:
        groups = store.con.execute(
            "SELECT row_group_id, max(count) FROM pragma_storage_info('documents')"
            " GROUP BY ALL ORDER BY 1"
        ).fetchall()
        stored = store.con.execute("SELECT count(DISTINCT canonical_url) FROM documents").fetchone()
    assert stored == (total,)
    assert len(groups) >= 2 and max(rows for _, rows in groups) <= ROW_GROUP_ROWS


def test_stories_set_in_bulk_keep_each_fingerprint_bit_for_bit(db):
    """set_stories sends its rows as one JSON text, fingerprints as hex: every one of the
    256 bits must come back, leading zero bytes and the top bit included."""
    from datetime import datetime

    docs = [Document(f"http://x/s{i}", f"text {i}", source_id="s") for i in range(4)]
    fps = [1, (1 << 255) | 5, (1 << 256) - 1, 0x00FF << 200]
    with open_store(db) as store:
        ids = [doc_id for doc_id, _, _ in store.save_documents(docs)]
        store.set_stories([(ids[0], fps[0], ids[0]), (ids[1], fps[1], ids[0]),
                           (ids[2], fps[2], ids[2]), (ids[3], fps[3], ids[2])])  # fmt: skip
        got = store.recent_fingerprints(datetime(2000, 1, 1))
    assert sorted(got) == [(ids[0], fps[0], ids[0]), (ids[1], fps[1], ids[0]),
                           (ids[2], fps[2], ids[2]), (ids[3], fps[3], ids[2])]  # fmt: skip


def test_source_fields_updated_in_bulk_come_back_as_they_went_in(db):
    """update_sources sends its rows as one JSON text: timestamps (microseconds), counts,
    None, and the JSON state (quotes, backslashes, non-Latin keys) must come back intact."""
    from datetime import datetime

    when = datetime(2026, 11, 23, 19, 41, 18, 123456)
    state = {"seen": {'g"1\\': "ab", "Аскаров 阿斯卡罗夫": "cd"}, "warning": None, "n": 3}
    ok = dict(etag='"x"', last_modified=None, content_hash="h", last_checked=when,
              last_success=when, consecutive_failures=0, next_due=when, items_seen=7,
              last_new_item=when, state=state)  # fmt: skip
    with open_store(db) as store:
        store.update_sources([("s", ok)])
        got = store.source_rows()["s"]
        store.update_sources([("s", dict(last_error_key="http_500", last_error="boom 'x'",
                                         last_error_at=None, consecutive_failures=2))])  # fmt: skip
        failed = store.source_rows()["s"]
    assert {k: got[k] for k in ok} == ok
    assert (failed["last_error_key"], failed["last_error"], failed["consecutive_failures"]) == (
        "http_500",
        "boom 'x'",
        2,
    )
    assert failed["last_error_at"] is None and failed["state"] == state and failed["etag"] == '"x"'
