"""Filing a batch of crawled sources at once gives the archive what filing them one by one
gives: the same documents, events and flags (a batch inserts its events in one statement)."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.crawlkit import ASKAROV, feed_source, rows, watchlist
from watch.crawl import Outcome, Prepared
from watch.filing import RecentStories, Totals, write_batch
from watch.fingerprint import fingerprint
from watch.records import Document, Event, ScanResult
from watch.store import open_store

STORY = " ".join(
    f"Agency report line {i} on the colony where the defender is held." for i in range(40)
)


def _outcome(n: int, kinds: tuple[str, ...]) -> Outcome:
    url = f"http://site{n}.example/story"
    doc = Document(url=url, text=STORY + f" Copy {n}.", title=f"Copy {n}", source_id=f"s{n}")
    events = tuple(
        Event(ASKAROV.id, kind, f"Copy {n} says Askarov: {kind}.", cue=kind) for kind in kinds
    )
    prepared = Prepared(doc, ScanResult(url, (), events), fingerprint(doc.text), url, f"d{n}")
    return Outcome(feed_source(f"s{n}", url), {}, prepared=[prepared])


def _archive(tmp_path) -> tuple:
    """A fresh archive watching three feeds s0, s1, s2."""
    wl = watchlist(
        tmp_path, [feed_source(f"s{n}", f"http://site{n}.example/feed") for n in range(3)]
    )
    db = tmp_path / "a.duckdb"
    with open_store(db) as store:
        store.sync_watchlist(wl)
    return wl, db


def _file(tmp_path, batches: list[list[int]]) -> list[tuple]:
    kinds = {0: ("transferred",), 1: ("hunger_strike",), 2: ("hunger_strike", "transferred")}
    wl, db = _archive(tmp_path)
    now, stories, totals = datetime.now(UTC).replace(tzinfo=None), RecentStories(), Totals()
    for batch in batches:
        write_batch(db, [_outcome(n, kinds[n]) for n in batch], wl, now, totals, stories)
    assert totals.documents_new == 3 and totals.events_new == 4
    assert len(rows(db, "SELECT DISTINCT coalesce(story_id, id) FROM documents")) == 1
    return rows(
        db,
        "SELECT d.source_id, e.kind FROM flags f JOIN events e ON e.id = f.event_id"
        " JOIN documents d ON d.id = e.document_id ORDER BY ALL",
    )


def test_copies_in_one_batch_flag_as_copies_filed_one_by_one(tmp_path):
    one_by_one = _file(tmp_path / "apart", [[0], [1], [2]])
    together = _file(tmp_path / "together", [[0, 1, 2]])
    # the first copy flags its transfer, the second the hunger strike the first did not
    # report, and the third nothing new
    assert one_by_one == [("s0", "transferred"), ("s1", "hunger_strike")]
    assert together == one_by_one


def _separate_reports(tmp_path, batches: list[list[int]]) -> list[tuple]:
    """Different stories (no shared text) that report the same death: one flag, whether
    filed in one batch or one by one (the second report is already flagged as open)."""
    from datetime import date

    wl, db = _archive(tmp_path)
    now, stories, totals = datetime.now(UTC).replace(tzinfo=None), RecentStories(), Totals()

    def outcome(n: int) -> Outcome:
        url = f"http://site{n}.example/report-{n}"
        text = f"Report {n}: " + " ".join(f"w{n}x{i}" for i in range(120))
        doc = Document(url=url, text=text, title=f"Report {n}", source_id=f"s{n}")
        death = Event(ASKAROV.id, "died", f"Report {n}: Askarov died.", "died",
                      date(2020, 7, 25), "text", custody="deceased")  # fmt: skip
        prepared = Prepared(doc, ScanResult(url, (), (death,)), fingerprint(text), url, f"d{n}")
        return Outcome(feed_source(f"s{n}", url), {}, prepared=[prepared])

    for batch in batches:
        write_batch(db, [outcome(n) for n in batch], wl, now, totals, stories)
    assert totals.events_new == 3
    return rows(db, "SELECT person_id, state FROM flags ORDER BY ALL")


def test_one_flag_for_one_death_reported_by_separate_stories_in_one_batch(tmp_path):
    together = _separate_reports(tmp_path / "together", [[0, 1, 2]])
    assert together == [(ASKAROV.id, "open")]
    assert _separate_reports(tmp_path / "apart", [[0], [1], [2]]) == together


def test_fingerprints_the_worker_left_are_taken_at_filing(tmp_path):
    """A busy worker leaves some fingerprints to the poller (NOT_TAKEN): filing takes them,
    so the copies are grouped and stored exactly as when the worker took them."""
    from watch.workers import NOT_TAKEN

    wl, db = _archive(tmp_path)
    outcomes = [_outcome(n, ()) for n in range(3)]
    outcomes[1].prepared[0].fingerprint = NOT_TAKEN
    short = Document(url="http://site2.example/brief", text="Brief.", source_id="s2")
    outcomes[2].prepared.append(Prepared(short, ScanResult(short.url, (), ()), NOT_TAKEN, "b", "d"))
    now, totals = datetime.now(UTC).replace(tzinfo=None), Totals()
    write_batch(db, outcomes, wl, now, totals, RecentStories())
    stored = rows(db, "SELECT url, fingerprint, story_id FROM documents ORDER BY id")
    assert len(stored) == 4
    copies = [r for r in stored if r[0] != short.url]
    assert [bytes(fp) for _, fp, _ in copies] == [
        fingerprint(o.prepared[0].doc.text).to_bytes(32, "big") for o in outcomes
    ]
    assert len({story for *_, story in copies}) == 1  # one story, fingerprints all taken
    assert [(fp, story) for url, fp, story in stored if url == short.url] == [(None, None)]
