"""The whole loop as cron and an organiser use it: a real server, a real archive, the real command."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "site"
ARTICLES = {
    "askarov-died": "Kyrgyz rights defender Azimjan Askarov dies in prison",
    "karasartova-petition": "405,000 sign petition for Kempir-Abad activists",
    "askarov-innocent": "Askarov's family keeps up the campaign",
    "isakov-fr": "Turkménistan : un militant porté disparu",
}


def feed(site, names) -> str:
    items = []
    for i, name in enumerate(names):
        when = format_datetime(datetime(2024, 5, 1 + i, 9, 0, tzinfo=UTC))
        items.append(
            f"<item><title>{ARTICLES[name]}</title><link>{site.url(f'/news/{name}.html')}</link>"
            f"<guid>{name}</guid><pubDate>{when}</pubDate>"
            f"<description>{ARTICLES[name]} (summary only)</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Test news</title><link>{site.url('/')}</link>{''.join(items)}</channel></rss>"
    )


WATCHLIST = """
settings:
  database: archive/watch.duckdb
  user_agent: "appealwatch-test/1.0 (+https://example.org/contact)"
  poll_interval: 30m
  per_host_delay: 0.05
people:
  - name: Azimjan Askarov
    aliases: [Azimzhan Askarov, Азимжан Аскаров]
    context: [Kyrgyzstan, Bazar-Korgon]
    status: {{custody: imprisoned, case: convicted, since: 2010-09-15}}
  - name: Azat Isakov
    aliases: [Азат Исаков]
    status: {{custody: detained, case: unknown, since: 2020-10-22}}
  - name: Rita Karasartova
    status: {{custody: free, case: charged, since: 2023-01-01}}
sources:
  - {{name: Test news, feed: "{feed}"}}
  - {{name: Dead site, feed: "{dead}"}}
"""


@pytest.fixture
def world(site, tmp_path):
    for name in ARTICLES:
        site.add(f"/news/{name}.html", (FIXTURES / f"{name}.html").read_bytes())
    site.add("/feed.xml", feed(site, ARTICLES), content_type="application/rss+xml")
    site.add("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    path = tmp_path / "watchlist.yaml"
    path.write_text(WATCHLIST.format(feed=site.url("/feed.xml"), dead=site.url("/gone.xml")))
    return path


def cli(watchlist: Path, *args: str):
    return run_cli("--watchlist", str(watchlist), *args)


def as_json(result) -> list[dict]:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = ("documents", "mentions", "events", "flags")
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        con.close()


def test_poll_flags_review_status_query_export(world, site, tmp_path):
    db = tmp_path / "archive" / "watch.duckdb"
    first = cli(world, "poll")
    assert first.returncode == 0, first.stderr
    assert "new flag" in first.stdout  # cron mails this
    assert "askarov" in first.stdout.lower() and "died" in first.stdout
    assert site.requests[0][2].get("User-Agent", "").startswith("appealwatch-test/1.0")

    # Every article is archived and every watched person is found.
    mentions = as_json(cli(world, "mentions", "--json"))
    found = {(m["person"], m["url"].rsplit("/", 1)[-1]) for m in mentions}
    assert {
        ("azimjan-askarov", "askarov-died.html"),
        ("azimjan-askarov", "askarov-innocent.html"),
        ("rita-karasartova", "karasartova-petition.html"),
        ("azat-isakov", "isakov-fr.html"),
    } <= found

    # Only the death raises flags: not the petition, not a state already recorded.
    flags = as_json(cli(world, "flags", "--json"))
    assert {(f["person"], f["event"]) for f in flags} >= {("azimjan-askarov", "died")}
    assert {f["person"] for f in flags} == {"azimjan-askarov"}
    assert not any("innocent" in f["url"] or "petition" in f["url"] for f in flags)
    died = next(f for f in flags if f["event"] == "died")
    assert died["date"] == "2020-07-25" and "died in prison" in died["evidence"]

    # The dead source is recorded, not fatal.
    sources = as_json(
        cli(world, "query", "SELECT name, last_error_key FROM sources", "--format", "json")
    )
    assert {s["name"]: s["last_error_key"] for s in sources}["Dead site"] == "http_404"

    # Review: confirm moves the status; the history keeps both.
    confirmed = cli(world, "review", str(died["id"]), "confirm", "--note", "reported by lawyer")
    assert confirmed.returncode == 0, confirmed.stderr
    status = as_json(cli(world, "status", "azimjan-askarov", "--json"))[0]
    assert (status["custody"], status["since"], status["open_flags"]) == (
        "deceased",
        "2020-07-25",
        0,
    )
    assert status["last_mention"] is not None
    history = as_json(
        cli(
            world,
            "query",
            "SELECT custody, origin FROM status_history WHERE person_id = 'azimjan-askarov' ORDER BY id",
            "--format",
            "json",
        )
    )
    assert [(h["custody"], h["origin"]) for h in history] == [
        ("imprisoned", "watchlist"),
        ("deceased", "review"),
    ]

    # Read-only SQL: a write is refused with a clear error and exit code 5.
    refused = cli(world, "query", "DELETE FROM flags")
    assert refused.returncode == 5 and "read-only" in refused.stderr

    # Export
    out = tmp_path / "export"
    assert cli(world, "export", "--format", "csv", "--out", str(out)).returncode == 0
    assert "died" in (out / "events.csv").read_text()

    # A second poll, everything unchanged: conditional requests, nothing new, nothing printed.
    before = counts(db)
    second = cli(world, "poll", "--force")
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""
    assert counts(db) == before
    feed_requests = [h for _, p, h in site.requests if p == "/feed.xml"]
    assert len(feed_requests) == 2 and "If-None-Match" in feed_requests[1]


def test_nothing_due_prints_nothing_and_verbose_says_so(world):
    assert cli(world, "poll").returncode == 0
    quiet = cli(world, "poll")
    assert quiet.returncode == 0 and quiet.stdout == ""
    verbose = cli(world, "-v", "poll")
    assert verbose.returncode == 0 and "Polled 0 source(s)" in verbose.stdout


def test_every_source_failing_exits_4(site, tmp_path):
    path = tmp_path / "watchlist.yaml"
    path.write_text(
        "people:\n  - name: Azimjan Askarov\nsources:\n"
        f"  - {{name: gone, feed: '{site.url('/gone.xml')}'}}\n"
    )
    result = run_cli("--watchlist", str(path), "poll")
    assert result.returncode == 4
    assert "sources failed" in result.stderr and "http_404" in result.stderr


def test_broken_watchlist_touches_nothing(world, tmp_path):
    db = tmp_path / "archive" / "watch.duckdb"
    assert cli(world, "poll").returncode == 0
    before = counts(db)
    stamp = db.stat().st_mtime_ns
    world.write_text(world.read_text().replace("aliases:", "alias:"))
    result = cli(world, "poll", "--force")
    assert result.returncode == 2
    assert "unknown key 'alias'" in result.stderr and "did you mean 'aliases'" in result.stderr
    assert counts(db) == before and db.stat().st_mtime_ns == stamp


def test_scan_finds_mentions_and_events_without_storing(world, tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("Azimjan Askarov died in prison on 25 July 2020, his lawyer said.")
    result = cli(world, "scan", "--json", str(text), str(FIXTURES / "karasartova-petition.html"))
    results = as_json(result)
    assert [r["input"] for r in results] == [str(text), str(FIXTURES / "karasartova-petition.html")]
    died, petition = results
    assert died["mentions"][0]["person"] == "azimjan-askarov"
    assert died["mentions"][0]["start"] == 0 and died["mentions"][0]["end"] == len(
        "Azimjan Askarov"
    )
    assert [(e["person"], e["event"], e["date"]) for e in died["events"]] == [
        ("azimjan-askarov", "died", "2020-07-25")
    ]
    assert {m["person"] for m in petition["mentions"]} == {"rita-karasartova"}
    # A petition demanding that charges be dropped is no charges_dropped; "is charged" is
    # her recorded state (the poll raises no flag for it: see the first test).
    assert [e["event"] for e in petition["events"]] == ["charged"]
    assert not (tmp_path / "archive").exists()


def test_new_flags_are_mailed_through_smtp(world, tmp_path):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:  # aiosmtpd needs a port it can name
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        text = world.read_text().replace(
            "  poll_interval: 30m\n",
            f"  poll_interval: 30m\n  mail:\n    smtp: 127.0.0.1:{port}\n"
            "    from: appealwatch@example.org\n    to: [organisers@example.org]\n",
        )
        world.write_text(text)
        result = cli(world, "poll")
        assert result.returncode == 0, result.stderr
        assert len(received) == 1
        mail = received[0]
        assert mail["To"] == "organisers@example.org"
        assert "new flag" in mail["Subject"]
        assert "died" in mail.get_payload() and "azimjan-askarov" in mail.get_payload()
        # Nothing new: no second mail.
        assert cli(world, "poll", "--force").returncode == 0
        assert len(received) == 1
    finally:
        controller.stop()


def test_sources_command_shows_health(world):
    assert cli(world, "poll").returncode == 0
    rows = {r["name"]: r for r in as_json(cli(world, "sources", "--json"))}
    assert rows["Test news"]["condition"] == "ok" and rows["Test news"]["items_seen"] == 4
    assert rows["Dead site"]["last_error_key"] == "http_404"
    assert rows["Dead site"]["consecutive_failures"] == 1 and rows["Dead site"]["next_due"]
    table = cli(world, "sources")
    assert table.returncode == 0 and "Dead site" in table.stdout


def test_a_second_poll_exits_3_while_one_runs(world, tmp_path):
    import fcntl

    from watch.poll import lock_path

    db = tmp_path / "archive" / "watch.duckdb"
    db.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path(db), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a running poll holds it
        result = cli(world, "poll")
    assert result.returncode == 3
    assert "another poll is running" in result.stderr
    assert cli(world, "poll").returncode == 0  # released: the next one runs


def test_a_person_added_later_is_found_in_the_archive(world, tmp_path):
    text = world.read_text()
    without = text.replace(
        "  - name: Rita Karasartova\n    status: {custody: free, case: charged, since: 2023-01-01}\n",
        "",
    )
    assert without != text
    world.write_text(without)
    assert cli(world, "poll").returncode == 0
    assert not [
        m for m in as_json(cli(world, "mentions", "--json")) if m["person"] == "rita-karasartova"
    ]
    world.write_text(text)
    assert cli(world, "poll").returncode == 0  # nothing due: the archive is rescanned for her
    found = as_json(cli(world, "mentions", "--person", "rita-karasartova", "--json"))
    assert {m["url"].rsplit("/", 1)[-1] for m in found} == {"karasartova-petition.html"}
