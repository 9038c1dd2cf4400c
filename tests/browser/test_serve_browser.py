"""Chromium drives the real dashboard on a real archive: review, person, safety, beside a poll."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.browser.archive import ASKAROV, ISAKOV, KARASARTOVA
from tests.browser.conftest import REPO, shoot
from watch.serve import build as build_app
from watch.serve import start
from watch.store import open_store


def one(db: Path, sql: str, params: list | None = None):
    with open_store(db, read_only=True) as store:
        return store.con.execute(sql, params or []).fetchall()


def flag_of(db: Path, person: str, url_part: str) -> int:
    return one(db, "SELECT f.id FROM flags f JOIN events e ON e.id = f.event_id JOIN documents d "
               "ON d.id = e.document_id WHERE f.person_id = ? AND d.url LIKE ?",
               [person, f"%{url_part}%"])[0][0]  # fmt: skip


def card(page, flag_id: int):
    return page.locator(f"#flag-{flag_id}")


def test_confirm_by_keyboard_changes_the_persons_state(page, archive):
    died = flag_of(archive, ASKAROV.id, "eurasianet")
    page.goto("/queue")
    assert page.locator("article.flag").count() == 5
    shoot(page, "queue")
    # j/k move the selection; c confirms the selected flag.
    page.keyboard.press("j")
    assert "selected" in page.locator("article.flag").nth(1).get_attribute("class")
    page.goto(f"/queue#flag-{died}")
    page.reload()
    assert "selected" in card(page, died).get_attribute("class")
    with page.expect_navigation():
        page.keyboard.press("c")
    assert f"Flag {died} confirmed" in page.locator(".notice.ok").inner_text()
    assert card(page, died).count() == 0
    assert page.locator("article.flag").count() == 4
    page.goto(f"/people/{ASKAROV.id}")
    assert "deceased" in page.locator("#status .big").inner_text()
    assert "Stale" in page.locator("#appeals").inner_text()
    shoot(page, "person")
    decided = one(archive, "SELECT decision, decided_at FROM reviews WHERE flag_id = ?", [died])
    assert decided[0][0] == "confirm" and decided[0][1] is not None


def test_dismiss_with_a_note_and_not_this_person(page, archive):
    sentenced = flag_of(archive, KARASARTOVA.id, "karasartova")
    football = flag_of(archive, ISAKOV.id, "sport")
    page.goto("/queue")
    card(page, sentenced).locator("input[name=note]").fill("old news, retold")
    with page.expect_navigation():
        card(page, sentenced).get_by_role("button", name="Dismiss").click()
    assert "dismissed" in page.locator(".notice.ok").inner_text()
    assert "old news, retold" in page.locator(".recent").inner_text()
    with page.expect_navigation():
        card(page, football).get_by_role("button", name="Not this person").click()
    assert "not this person" in page.locator(".notice.ok").inner_text()
    page.goto(f"/people/{ISAKOV.id}")
    mentions = page.locator("ul.mentions").inner_text()
    assert "Football" not in mentions and "Isakov found" in mentions
    page.goto(f"/people/{KARASARTOVA.id}")
    assert "house arrest" in page.locator("#status .big").inner_text()  # a dismissal moves nothing
    assert one(archive, "SELECT count(*) FROM mentions WHERE rejected") == [(1,)]


def test_scraped_scripts_links_and_images_stay_inert(page, archive, server):
    hostile = flag_of(archive, ASKAROV.id, "javascript")
    for path in ("/queue", f"/people/{ASKAROV.id}", "/search?q=colony", f"/flags/{hostile}"):
        page.goto(path)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        # Event handlers in the text would fire on hover or click if they were markup.
        page.get_by_text("__pwned", exact=False).first.hover(timeout=5000)
        page.mouse.click(5, 300)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert page.locator("a[href^='javascript' i]").count() == 0, path
        assert page.locator("img, iframe, script:not([src])").count() == 0, path
        assert "<script>window.__pwned" in page.locator("main").inner_text(), path
    assert page.dialogs == []
    assert page.console_errors == []  # our own pages break no rule of the CSP either
    foreign = [url for url in page.requests if not url.startswith(server.url)]
    assert foreign == []


def test_a_write_without_the_csrf_token_is_refused(page, archive):
    died = flag_of(archive, ASKAROV.id, "eurasianet")
    page.goto("/queue")
    status = page.evaluate(
        """async (id) => {
            const body = new URLSearchParams({decision: "confirm"});
            const answer = await fetch(`/flags/${id}/review`, {method: "POST", body});
            return answer.status;
        }""",
        died,
    )
    assert status == 400
    page.reload()
    assert card(page, died).count() == 1
    assert one(archive, "SELECT count(*) FROM reviews") == [(0,)]


def test_confirm_while_a_poll_writes_in_batches(page, archive):
    died = flag_of(archive, ASKAROV.id, "eurasianet")
    page.goto("/queue")
    poller = subprocess.Popen(
        [sys.executable, "-m", "tests.browser.poller", str(archive), "25", "0.1"],
        cwd=REPO, env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        time.sleep(0.5)
        with page.expect_navigation(timeout=60_000):
            card(page, died).get_by_role("button", name="Confirm").click()
        assert f"Flag {died} confirmed" in page.locator(".notice.ok").inner_text()
        assert poller.poll() is None, "the poll ended before the decision: nothing was tested"
        out, err = poller.communicate(timeout=120)
    finally:
        poller.kill()
    assert poller.returncode == 0, err
    assert out.strip() == "wrote 25"
    assert one(archive, "SELECT count(*) FROM documents WHERE url LIKE '%/poll/%'") == [(25,)]
    assert one(archive, "SELECT state FROM flags WHERE id = ?", [died]) == [("confirmed",)]
    page.goto(f"/people/{ASKAROV.id}")
    assert "deceased" in page.locator("#status .big").inner_text()


def test_every_page_renders_cleanly(page, archive):
    for name, path in (
        ("people", "/people"),
        ("sources", "/sources"),
        ("search", "/search?q=Kempir-Abad"),
        ("views", "/views"),
        ("view-chart", "/views/events-by-kind-per-month"),
        ("view-weekly", "/views/mentions-per-person-per-week"),
        ("view-table", "/views/flags-waiting-over-three-days"),
        ("flag", "/flags/1"),
    ):
        answer = page.goto(path)
        assert answer.status == 200, path
        assert page.locator("main h1").count() == 1, path
        shoot(page, name)
    assert page.console_errors == []


def test_login_page(browser, archive):
    running = start(build_app(archive, token="a-long-enough-dashboard-token"))
    context = browser.new_context(base_url=running.url)
    try:
        page = context.new_page()
        page.goto("/queue")
        assert page.url.endswith("/login?next=/queue")
        shoot(page, "login")
        page.fill("input[name=name]", "Dina")
        page.fill("input[name=secret]", "a-long-enough-dashboard-token")
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        assert page.url.endswith("/queue")
        assert "Dina" in page.locator("header.top").inner_text()
    finally:
        context.close()
        running.stop()


def test_a_saved_view_that_writes_or_reads_a_file_is_refused(browser, archive, tmp_path):
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "sneaky.yaml").write_text("title: Sneaky\nquery: DELETE FROM flags\n")
    (folder / "nosy.yaml").write_text(
        "title: Nosy\nquery: SELECT * FROM read_text('/etc/passwd')\n"
    )
    running = start(build_app(archive, dashboards=folder))
    context = browser.new_context(base_url=running.url)
    try:
        page = context.new_page()
        for name, says in (("sneaky", "read-only"), ("nosy", "disabled")):
            answer = page.goto(f"/views/{name}")
            assert answer.status == 400
            assert says in page.locator(".notice.error").inner_text()
            assert "root:" not in page.content()
        shoot(page, "view-refused")
    finally:
        context.close()
        running.stop()
    assert one(archive, "SELECT count(*) FROM flags") == [(5,)]
