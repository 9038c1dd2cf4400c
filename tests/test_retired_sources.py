"""Sources taken off the watchlist: kept with their documents, marked retired, never polled,
hidden from health and from the poll's "went dark" call-outs, revived when they come back."""

from __future__ import annotations

import json
from datetime import timedelta

import duckdb
import httpx

from tests.conftest import run_cli
from tests.crawlkit import feed_source, rows, rss, source_row, watchlist
from watch.poll import poll
from watch.serve import create_app, start
from watch.sources import health
from watch.store import open_store
from watch.store.connection import connect, migrate
from watch.store.connection import now as utcnow
from watch.store.migrations import MIGRATIONS

TEXT = "Azimjan Askarov was moved to a prison hospital in Bishkek, his lawyer said. " * 12


def two_feeds(site) -> tuple:
    for name in ("kept", "gone"):
        site.add(
            f"/{name}.xml",
            rss([(f"{name}-1", site.url(f"/{name}/1"), f"{name} news", "teaser", TEXT)]),
            content_type="application/rss+xml",
        )
    return (
        feed_source("kept", site.url("/kept.xml"), name="Kept Feed"),
        feed_source("gone", site.url("/gone.xml"), name="Gone Feed"),
    )


def test_a_removed_source_is_retired_kept_and_not_polled_until_it_comes_back(site, tmp_path):
    kept, gone = two_feeds(site)
    db = tmp_path / "a.duckdb"
    assert poll(watchlist(tmp_path, [kept, gone]), db, force=True).documents_new == 2

    summary = poll(watchlist(tmp_path, [kept]), db, force=True)
    assert summary.sources_due == 1
    assert site.hits("/gone.xml") == 1  # asked in the first poll only
    assert source_row(db, "gone")["retired_at"] is not None
    assert source_row(db, "kept")["retired_at"] is None
    # Its history stays: the document still names it.
    assert rows(db, "SELECT count(*) FROM documents WHERE source_id = 'gone'")[0][0] == 1

    assert [r["id"] for r in health(db)] == ["kept"]
    every = {r["id"]: r for r in health(db, include_retired=True)}
    assert every["gone"]["retired_at"] is not None and every["kept"]["retired_at"] is None
    running = start(create_app(db))  # the dashboard's Sources page shows the same
    try:
        page = httpx.get(running.url + "/sources").text
    finally:
        running.stop()
    assert "Kept Feed" in page and "Gone Feed" not in page

    summary = poll(watchlist(tmp_path, [kept, gone]), db, force=True)
    assert summary.sources_due == 2 and site.hits("/gone.xml") == 2
    assert source_row(db, "gone")["retired_at"] is None
    assert sorted(r["id"] for r in health(db)) == ["gone", "kept"]


def test_a_retired_source_failing_for_days_is_not_called_out_as_dark(site, tmp_path):
    kept, gone = two_feeds(site)
    db = tmp_path / "a.duckdb"
    poll(watchlist(tmp_path, [kept, gone]), db, force=True)
    days_ago = utcnow() - timedelta(days=3)
    with open_store(db) as store:
        store.update_source(
            "gone",
            consecutive_failures=9,
            next_due=utcnow() + timedelta(hours=12),  # backing off: not due
            state={"failing_since": days_ago.isoformat()},
        )
    # Still listed, it is called out; taken off the watchlist, it is not.
    assert poll(watchlist(tmp_path, [kept, gone]), db).dark_sources == ("Gone Feed",)
    assert poll(watchlist(tmp_path, [kept]), db, force=True).dark_sources == ()
    assert [r["id"] for r in health(db)] == ["kept"]


def test_sources_command_hides_retired_ones_unless_all(site, tmp_path):
    kept, gone = two_feeds(site)
    path = tmp_path / "watchlist.yaml"
    lines = [
        "settings: {database: a.duckdb}",
        "people: [{name: Azimjan Askarov}]",
        "sources:",
        f"  - {{id: kept, name: Kept, feed: '{kept.url}'}}",
        f"  - {{id: gone, name: Gone, feed: '{gone.url}'}}",
    ]
    path.write_text("\n".join(lines) + "\n")
    listed = run_cli("--watchlist", str(path), "sources", "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted(r["id"] for r in json.loads(listed.stdout)) == ["gone", "kept"]

    path.write_text("\n".join(lines[:-1]) + "\n")  # Gone is taken off the watchlist
    listed = run_cli("--watchlist", str(path), "sources", "--json")
    assert [(r["id"], r["retired_at"]) for r in json.loads(listed.stdout)] == [("kept", None)]
    every = json.loads(run_cli("--watchlist", str(path), "sources", "--all", "--json").stdout)
    retired = {r["id"]: r["retired_at"] for r in every}
    assert retired["kept"] is None and retired["gone"]  # an ISO time
    table = run_cli("--watchlist", str(path), "sources", "--all")
    assert "Gone" in table.stdout and "retired_at" in table.stdout
    assert "Gone" not in run_cli("--watchlist", str(path), "sources").stdout


def test_an_archive_from_before_retirement_is_upgraded_with_its_sources(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    retirement = next(m.version for m in MIGRATIONS if m.name == "sources_retired")
    earlier = tuple(m for m in MIGRATIONS if m.version < retirement)
    monkeypatch.setattr("watch.store.connection.MIGRATIONS", earlier)
    monkeypatch.setattr("watch.store.connection.LATEST", earlier[-1].version)
    con = connect(path)
    migrate(con, path)
    con.execute("INSERT INTO sources (id, name, kind, url) VALUES ('s', 'S', 'feed', 'http://x/')")
    con.close()
    monkeypatch.undo()

    with open_store(path) as store:
        store.con.execute("SELECT 1")
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT id, retired_at FROM sources").fetchall() == [("s", None)]
        names = con.execute("SELECT name FROM schema_migrations ORDER BY version").fetchall()
    finally:
        con.close()
    assert ("sources_retired",) in names and len(names) == len(MIGRATIONS)
