"""The dashboard over real HTTP (waitress on 127.0.0.1) on a real DuckDB archive.

The browser tests (tests/browser/) drive the same pages in Chromium; these need no
browser, so they run everywhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import feedparser
import httpx
import pytest

from tests.browser.archive import ASKAROV, build
from watch.errors import ServeError
from watch.flag import file_document
from watch.records import Document
from watch.serve import build as build_app
from watch.serve import create_app, start
from watch.serve.charts import chart, pivot
from watch.serve.savedviews import load_view
from watch.serve.security import CSP, hash_password, read_users
from watch.serve.text import csv_cell, highlight, web_url
from watch.store import open_store
from watch.store.connection import now
from watch.store.person_story import appeal_staleness
from watch.store.search import split_terms

REPO = Path(__file__).resolve().parents[1]
TOKEN = "a-long-enough-dashboard-token"


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("template"), extra_docs=60)


@pytest.fixture
def archive(template, tmp_path) -> Path:
    """A fresh copy of the module's archive: building one takes a while, copying does not."""
    return Path(shutil.copy(template, tmp_path / "watch.duckdb"))


def serve(db: Path, **kwargs):
    return start(build_app(db, **kwargs))


@pytest.fixture
def served(archive):
    running = serve(archive)
    yield running
    running.stop()


@pytest.fixture
def client(served):
    with httpx.Client(base_url=served.url, timeout=30) as c:
        yield c


def csrf(client: httpx.Client, path: str = "/queue") -> str:
    page = client.get(path)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def flag_id(db: Path, person: str, kind: str) -> int:
    with open_store(db, read_only=True) as store:
        return store.con.execute(
            "SELECT f.id FROM flags f JOIN events e ON e.id = f.event_id "
            "WHERE f.person_id = ? AND e.kind = ?",
            [person, kind],
        ).fetchone()[0]


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with open_store(db, read_only=True) as store:
        return store.con.execute(sql, params or []).fetchall()


# -- review queue and decisions ----------------------------------------------------------


def test_queue_shows_open_flags_with_evidence_highlighted(client, archive):
    page = client.get("/queue")
    assert page.status_code == 200
    assert page.text.count('class="flag card"') == 5
    died = flag_id(archive, ASKAROV.id, "died")
    card = page.text.split(f'id="flag-{died}"')[1].split("</article>")[0]
    assert '<mark class="name">Azimjan Askarov</mark>' in card
    assert '<mark class="cue">died in prison</mark>' in card
    assert "Also in 1 other copy of this story" in card and "rferl.example/a/askarov" in card
    assert 'href="https://eurasianet.example/askarov-dies"' in card
    # Newest first: flags were raised in filing order, so the highest id comes first.
    ids = [int(i) for i in re.findall(r'data-flag="(\d+)"', page.text)]
    assert ids == sorted(ids, reverse=True)


def test_confirm_records_decision_and_moves_the_persons_state(client, archive):
    died = flag_id(archive, ASKAROV.id, "died")
    token = csrf(client)
    before = now()
    answer = client.post(
        f"/flags/{died}/review",
        data={"csrf_token": token, "decision": "confirm", "note": "lawyer confirms", "next": "3"},
    )
    assert answer.status_code == 302 and answer.headers["location"].endswith("/queue#flag-3")
    decision, note, reviewer, decided = query(
        archive,
        "SELECT decision, note, reviewer, decided_at FROM reviews WHERE flag_id = ?",
        [died],
    )[0]
    assert (decision, note, reviewer) == ("confirm", "lawyer confirms", None)
    assert decided >= before - timedelta(seconds=1)
    person = client.get(f"/people/{ASKAROV.id}").text
    status = person.split('id="status"')[1].split("</section>")[0]
    assert "state-deceased" in status and "25 Jul 2020" in status
    assert "Stale: state changed since" in person  # the 2016 appeal asks for a release
    assert f'id="flag-{died}"' not in client.get("/queue").text


def test_dismiss_and_not_this_person(client, archive):
    sentenced = flag_id(archive, "rita-karasartova", "sentenced")
    football = query(
        archive,
        "SELECT f.id FROM flags f JOIN events e ON e.id = f.event_id "
        "JOIN documents d ON d.id = e.document_id WHERE d.url LIKE '%sport%'",
    )[0][0]
    token = csrf(client)
    for fid, decision in ((sentenced, "dismiss"), (football, "not_person")):
        answer = client.post(
            f"/flags/{fid}/review", data={"csrf_token": token, "decision": decision}
        )
        assert answer.status_code == 302
    assert query(
        archive, "SELECT id, state FROM flags WHERE id IN (?, ?) ORDER BY id", [sentenced, football]
    ) == sorted([(sentenced, "dismissed"), (football, "not_person")])
    # The state stays for a dismissal; the football mention leaves Azat Isakov.
    assert "state-house_arrest" in client.get("/people/rita-karasartova").text
    isakov = client.get("/people/azat-isakov").text
    assert "sport.example" not in isakov.split("Latest mentions")[1]
    assert "kloop.example" in isakov.split("Latest mentions")[1]
    # Deciding twice is refused with a message, and changes nothing.
    again = client.post(
        f"/flags/{sentenced}/review",
        data={"csrf_token": token, "decision": "confirm"},
        follow_redirects=True,
    )
    assert "already reviewed" in again.text
    assert query(archive, "SELECT count(*) FROM reviews")[0][0] == 2


def test_copies_of_a_story_grouped_by_the_crawler_are_shown(archive):
    """With the crawler's documents.story_id, a rewritten copy (other words) counts too."""
    died = flag_id(archive, ASKAROV.id, "died")
    with open_store(archive) as store:
        first = store.con.execute(
            "SELECT e.document_id FROM flags f JOIN events e ON e.id = f.event_id WHERE f.id = ?",
            [died],
        ).fetchone()[0]
        file_document(store, Document(url="https://kloop.example/askarov-rewrite", title="Askarov",
                      text="Askarov has died, say relatives.", source_id="kloop"), [], [])  # fmt: skip
        store.con.execute(
            "UPDATE documents SET story_id = ? WHERE url = 'https://kloop.example/askarov-rewrite'",
            [first],
        )
    running = serve(archive)
    try:
        card = (
            httpx.get(running.url + "/queue")
            .text.split(f'id="flag-{died}"')[1]
            .split("</article>")[0]
        )
        assert "Also in 2 other copies of this story" in card
        assert "kloop.example/askarov-rewrite" in card and "rferl.example/a/askarov" in card
    finally:
        running.stop()


def test_write_without_csrf_token_is_refused(client, archive):
    died = flag_id(archive, ASKAROV.id, "died")
    token = csrf(client)
    for data, headers in (
        ({"decision": "confirm"}, {}),
        ({"decision": "confirm", "csrf_token": "forged"}, {}),
        ({"decision": "confirm", "csrf_token": token}, {"Origin": "https://evil.example"}),
    ):
        answer = client.post(f"/flags/{died}/review", data=data, headers=headers)
        assert answer.status_code == 400
    with httpx.Client(base_url=client.base_url) as stranger:  # no session cookie at all
        assert (
            stranger.post(
                f"/flags/{died}/review", data={"decision": "confirm", "csrf_token": token}
            ).status_code
            == 400
        )
    assert query(archive, "SELECT count(*) FROM reviews")[0][0] == 0
    assert query(archive, "SELECT state FROM flags WHERE id = ?", [died]) == [("open",)]


def test_pages_send_a_strict_content_security_policy(client):
    for path in ("/queue", "/people/azimjan-askarov", "/sources", "/search?q=x", "/views"):
        answer = client.get(path)
        assert answer.headers["Content-Security-Policy"] == CSP
        assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Referrer-Policy"] == "same-origin"


def test_scraped_markup_is_escaped_and_javascript_links_are_not_links(client):
    for path in ("/queue", "/people/azimjan-askarov", "/search?q=colony"):
        html = client.get(path).text
        assert "<script>window" not in html and "&lt;script&gt;window" in html
        assert "<img src=x" not in html and "<iframe" not in html
        assert 'href="javascript:' not in html.lower()
        assert not re.search(r"<img[^>]+tracker\.example", html)


# -- feed --------------------------------------------------------------------------------


def test_atom_feed_of_open_flags_parses(client, archive):
    first = client.get("/feed.atom")
    assert first.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(first.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "appealwatch: flags waiting for review"
    assert len(feed.entries) == 5
    died = flag_id(archive, ASKAROV.id, "died")
    entry = next(e for e in feed.entries if e.id == f"urn:appealwatch:flag:{died}")
    assert entry.title == "Azimjan Askarov: died (25 Jul 2020)"
    assert entry.link.endswith(f"/flags/{died}")
    assert "died in prison" in entry.summary
    assert any(link.href == "https://eurasianet.example/askarov-dies" for link in entry.links)
    # The scraped article's javascript: URL is no link in the feed either.
    assert all(not link.href.startswith("javascript:") for e in feed.entries for link in e.links)
    again = feedparser.parse(client.get("/feed.atom").content)
    assert [e.id for e in again.entries] == [e.id for e in feed.entries]


# -- logins and exposure -----------------------------------------------------------------


def test_refuses_to_listen_beyond_localhost_without_a_login(archive, monkeypatch):
    monkeypatch.delenv("APPEALWATCH_DASHBOARD_TOKEN", raising=False)
    monkeypatch.delenv("APPEALWATCH_DASHBOARD_USERS", raising=False)
    with pytest.raises(ServeError, match=r"refusing to listen on 0\.0\.0\.0 without a login"):
        build_app(archive, host="0.0.0.0")
    with pytest.raises(ServeError, match="too short"):
        build_app(archive, host="0.0.0.0", token="short")
    assert build_app(archive, host="0.0.0.0", token=TOKEN) is not None
    monkeypatch.setenv("APPEALWATCH_DASHBOARD_TOKEN", TOKEN)
    assert build_app(archive, host="0.0.0.0") is not None


def test_logins_guard_every_page_and_name_the_reviewer(archive, tmp_path):
    users = tmp_path / "users"
    users.write_text(f"# organisers\nDina:{hash_password('correct horse')}\n")
    running = serve(archive, token=TOKEN, users=read_users(users))
    try:
        with httpx.Client(base_url=running.url) as c:
            assert c.get("/queue").status_code == 302
            assert "/login" in c.get("/queue").headers["location"]
            assert c.get("/feed.atom").status_code == 403
            token = csrf(c, "/login")
            assert (
                c.post(
                    "/login", data={"csrf_token": token, "name": "Dina", "secret": "wrong"}
                ).status_code
                == 401
            )
            assert (
                c.post(
                    "/login", data={"csrf_token": token, "name": "Dina", "secret": "correct horse"}
                ).status_code
                == 302
            )
            queue = c.get("/queue")
            assert queue.status_code == 200 and "Dina" in queue.text
            feed_url = re.search(r'href="([^"]+/feed\.atom\?key=[0-9a-f]+)"', queue.text).group(1)
            died = flag_id(archive, ASKAROV.id, "died")
            c.post(f"/flags/{died}/review", data={"csrf_token": csrf(c), "decision": "confirm"})
        assert query(archive, "SELECT reviewer FROM reviews") == [("Dina",)]
        # A feed reader has no session: the key in the link is its login.
        assert httpx.get(feed_url).status_code == 200
        with httpx.Client(base_url=running.url) as c:  # the shared token, with a name
            token = csrf(c, "/login")
            c.post("/login", data={"csrf_token": token, "name": "Bakyt", "secret": TOKEN})
            assert c.get("/people").status_code == 200
    finally:
        running.stop()


def test_run_serves_until_stopped(archive):
    code = f"from pathlib import Path; from watch.serve import run; run(Path({str(archive)!r}), port=0)"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("APPEALWATCH_DASHBOARD_TOKEN", None)
    server = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        line = server.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", line).group(0)
        assert httpx.get(url + "queue", timeout=30).status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_users_file_problems_say_where(tmp_path):
    bad = tmp_path / "users"
    bad.write_text("Dina:not-a-hash\n")
    with pytest.raises(ServeError, match=r"users:1: expected `name:password-hash`"):
        read_users(bad)


def test_only_localhost_host_headers_without_logins(served):
    port = served.url.rsplit(":", 1)[1]
    rebound = httpx.get(served.url + "/queue", headers={"Host": f"evil.example:{port}"})
    assert rebound.status_code == 400
    assert httpx.get(f"http://localhost:{port}/queue").status_code == 200


# -- saved views -------------------------------------------------------------------------


def test_shipped_saved_views_render_and_export(archive):
    died = flag_id(archive, ASKAROV.id, "died")
    with open_store(archive) as store:
        store.con.execute(
            "UPDATE flags SET created = created - INTERVAL 5 DAY WHERE id = ?", [died]
        )
        store.update_source(
            "sport",
            consecutive_failures=4,
            last_error_key="http_404",
            last_error="404 Not Found",
            last_checked=now(),
            last_error_at=now(),
        )
    running = serve(archive, dashboards=REPO / "dashboards")
    try:
        with httpx.Client(base_url=running.url) as c:
            listing = c.get("/views").text
            names = re.findall(r'href="/views/([\w-]+)"', listing)
            assert {
                "mentions-per-person-per-week",
                "flags-waiting-over-three-days",
                "sources-failing",
                "events-by-kind-per-month",
            } <= set(names)
            for name in names:
                assert c.get(f"/views/{name}").status_code == 200, name
            waiting = c.get("/views/flags-waiting-over-three-days.csv").text.splitlines()
            assert len(waiting) == 2 and waiting[1].startswith(f"{died},Azimjan Askarov,died")
            failing = c.get("/views/sources-failing").text
            assert "Sports Daily" in failing and "http_404" in failing and "Kloop" not in failing
            kinds = c.get("/views/events-by-kind-per-month").text
            assert "<svg" in kinds and "<rect" in kinds
            assert "dead" in c.get("/sources").text
    finally:
        running.stop()


REFUSED_VIEWS = {
    "writes": "DELETE FROM flags",
    "inserts": "INSERT INTO reviews VALUES (99, 1, 'confirm', NULL, NULL, now())",
    "reads-a-file": "SELECT * FROM read_csv('{secret}')",
    "attaches": "ATTACH '{secret}' AS other",
    "copies-out": "COPY (SELECT * FROM persons) TO '{out}'",
    "unlocks": "SET enable_external_access = true",
}


def test_saved_views_that_write_or_touch_files_are_refused(archive, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("password\nhunter2\n")
    out = tmp_path / "leak.csv"
    folder = tmp_path / "dashboards"
    folder.mkdir()
    for name, sql in REFUSED_VIEWS.items():
        sql = sql.format(secret=secret, out=out)
        (folder / f"{name}.yaml").write_text(f'title: {name}\nquery: "{sql}"\n')
    running = serve(archive, dashboards=folder)
    try:
        with httpx.Client(base_url=running.url) as c:
            for name in REFUSED_VIEWS:
                page = c.get(f"/views/{name}")
                assert page.status_code == 400, name
                assert re.search(r"read-only|disabled|locked", page.text), name
                assert "hunter2" not in page.text
                assert c.get(f"/views/{name}.csv").status_code == 400
    finally:
        running.stop()
    assert not out.exists()
    assert query(archive, "SELECT count(*) FROM flags")[0][0] == 5
    assert query(archive, "SELECT count(*) FROM reviews")[0][0] == 0


def test_saved_view_file_problems_say_where(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Bad\nquery: |\n  SELECT 1\n chart: [\n")
    assert load_view(bad).problem.startswith(f"{bad}:")
    assert re.match(rf"{re.escape(str(bad))}:\d+: not valid YAML", load_view(bad).problem)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("title: W\nquery: SELECT 1 AS a\nchart: {type: pie, x: a, y: a}\n")
    assert "chart.type" in load_view(wrong).problem
    missing = tmp_path / "missing.yaml"
    missing.write_text("description: no title\nquery: SELECT 1\n")
    assert "`title` is required" in load_view(missing).problem


def test_saved_view_chart_naming_a_missing_column_says_so(archive, tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "c.yaml").write_text(
        "title: C\nchart: {type: line, x: week, y: nope}\nquery: SELECT 1 AS week, 2 AS n\n"
    )
    running = serve(archive, dashboards=folder)
    try:
        page = httpx.get(running.url + "/views/c")
        assert page.status_code == 400 and "the chart names nope" in page.text
    finally:
        running.stop()


# -- search ------------------------------------------------------------------------------


def test_search_filters_pages_and_exports(archive):
    with open_store(archive) as store:
        file_document(
            store,
            Document(
                url="https://kloop.example/formula",
                title='=HYPERLINK("https://evil.example","click")',
                text="Kempir-Abad formula trap",
                language="ky",
                source_id="kloop",
                published=datetime(2023, 3, 3),
            ),
            [],
            [],
        )
    running = serve(archive)
    try:
        with httpx.Client(base_url=running.url) as c:
            all_kempir = c.get("/search", params={"q": "kempir-abad"}).text
            assert "<strong>62</strong> documents" in all_kempir and "page 1 of 2" in all_kempir
            second = c.get("/search", params={"q": "kempir-abad", "page": 2}).text
            assert second.count('<li class="card">') == 12
            phrase = c.get("/search", params={"q": '"day 7:"'}).text
            assert "<strong>1</strong> document" in phrase
            narrowed = c.get("/search", params={"q": "kempir", "language": "ky"}).text
            assert "<strong>1</strong> document" in narrowed
            dated = c.get(
                "/search", params={"q": "kempir", "since": "2024-01-10", "until": "2024-01-19"}
            ).text
            assert "<strong>10</strong> documents" in dated
            person = c.get("/search", params={"person": "azat-isakov"}).text
            assert "<strong>2</strong> documents" in person
            assert "is not a date" in c.get("/search", params={"since": "July"}).text
            rows = c.get("/search.csv", params={"q": "kempir"}).text.splitlines()
            assert rows[0] == "id,date,source,language,title,url,people" and len(rows) == 63
            formula = next(r for r in rows if "formula" in r)
            assert "\"'=HYPERLINK(" in formula  # a spreadsheet shows it, does not run it
    finally:
        running.stop()


def test_search_terms():
    assert split_terms('Askarov "life sentence"  Vozdukh') == (
        "Askarov",
        "life sentence",
        "Vozdukh",
    )
    assert split_terms("") == ()


# -- beside the poll ---------------------------------------------------------------------


def test_decision_made_while_a_poll_writes_is_not_lost(client, archive):
    died = flag_id(archive, ASKAROV.id, "died")
    token = csrf(client)
    poller = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.poller", str(archive), "30", "0.1"],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(0.5)  # the poll is under way
        answer = client.post(
            f"/flags/{died}/review", data={"csrf_token": token, "decision": "confirm"}
        )
        assert answer.status_code == 302
        assert poller.poll() is None, "the poll ended before the decision: nothing was tested"
        assert client.get("/queue").status_code == 200  # reads keep working too
        out, err = poller.communicate(timeout=120)
    finally:
        poller.kill()
    assert poller.returncode == 0, err
    assert out.strip() == "wrote 30"
    assert query(archive, "SELECT count(*) FROM documents WHERE url LIKE '%/poll/%'") == [(30,)]
    assert query(archive, "SELECT decision FROM reviews WHERE flag_id = ?", [died]) == [
        ("confirm",)
    ]
    assert query(archive, "SELECT custody FROM persons WHERE id = ?", [ASKAROV.id]) == [
        ("deceased",)
    ]


def test_pages_views_and_searches_at_once_do_not_clash(served):
    """Plain reads and user-SQL reads need different connection settings in one process."""
    paths = ["/queue", "/views/events-by-kind-per-month", "/search?q=kempir", "/people",
             "/views/sources-failing", "/search?q=prison&language=en", "/feed.atom"] * 4  # fmt: skip
    with httpx.Client(base_url=served.url, timeout=60) as c, ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda path: c.get(path).status_code, paths))
    assert statuses == [200] * len(paths)


HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(2)"


def test_an_archive_busy_too_long_says_so_and_saves_nothing_silently(archive):
    died = flag_id(archive, ASKAROV.id, "died")
    running = start(create_app(archive, lock_wait=0.5))
    holder = None
    try:
        with httpx.Client(base_url=running.url, timeout=30) as c:
            token = csrf(c)
            holder = subprocess.Popen([sys.executable, "-c", HOLD, str(archive)],
                                      stdout=subprocess.PIPE, text=True)  # fmt: skip
            assert holder.stdout.readline().strip() == "held"
            page = c.get("/queue")
            assert page.status_code == 503 and "The archive is busy" in page.text
            assert page.headers["Retry-After"] == "30"
            answer = c.post(
                f"/flags/{died}/review", data={"csrf_token": token, "decision": "confirm"}
            )
            assert (
                answer.status_code == 503
                and f"decision on flag {died} was NOT saved" in answer.text
            )
            holder.wait(timeout=30)
            assert c.get("/queue").status_code == 200
    finally:
        if holder:
            holder.kill()
        running.stop()
    assert query(archive, "SELECT state FROM flags WHERE id = ?", [died]) == [("open",)]


# -- pieces ------------------------------------------------------------------------------


def test_highlight_escapes_and_marks_names_and_cue():
    html = str(highlight("<b>Azimjan ASKAROV</b> died in prison.", ["Azimjan Askarov"], "died"))
    assert html == (
        '&lt;b&gt;<mark class="name">Azimjan ASKAROV</mark>&lt;/b&gt; '
        '<mark class="cue">died</mark> in prison.'
    )
    assert "Аскаров" in str(highlight("Азимжан Аскаров умер", ["азимжан аскаров"]))
    assert str(highlight("Askarov's", ["Askarov"])).startswith('<mark class="name">Askarov</mark>')


def test_only_web_links_are_links():
    assert web_url("https://a.example/x") == "https://a.example/x"
    for url in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "file:///etc",
        "//evil.example",
        "http://",
        None,
        "",
    ):
        assert web_url(url) is None, url
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-2") == "'-2" and csv_cell(3) == 3


def test_appeal_is_stale_when_the_state_changed_after_it_opened():
    history = [
        {
            "custody": "imprisoned",
            "case": "convicted",
            "since": date(2010, 9, 15),
            "recorded_at": datetime(2024, 1, 1),
        },
        {
            "custody": "deceased",
            "case": "convicted",
            "since": date(2020, 7, 25),
            "recorded_at": datetime(2024, 2, 1),
        },
    ]
    appeals = [
        {"id": "old", "opened": "2016-01-20"},
        {"id": "new", "opened": "2021-01-01"},
        {"id": "undated", "opened": None},
    ]
    stale = {a["id"]: a["stale"] for a in appeal_staleness(appeals, history)}
    assert stale == {"old": True, "new": False, "undated": None}


def test_chart_is_svg_with_one_bar_per_value():
    columns = ["month", "kind", "n"]
    rows = [
        (date(2024, 2, 1), "died", 1),
        (date(2024, 1, 1), "detained", 2),
        (date(2024, 2, 1), "detained", 3),
    ]
    xs, series = pivot(columns, rows, "month", "n", "kind")
    assert xs == [date(2024, 1, 1), date(2024, 2, 1)]
    assert series == {"died": [0, 1], "detained": [2, 3]}
    svg = str(chart("bar", xs, series, title="<Events>"))
    assert svg.count("<rect") == 3 + 2  # three bars, two legend swatches
    assert "&lt;Events&gt;" in svg and "<Events>" not in svg
