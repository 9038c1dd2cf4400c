"""The dashboard's pages: review queue, person, sources, search, saved views, feed, login."""

from __future__ import annotations

import csv
import io
from datetime import date

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from watch.errors import QueryError, ReviewError, StoreError
from watch.review import DECISIONS, review
from watch.serve import charts
from watch.serve.access import is_busy
from watch.serve.feed import atom
from watch.serve.savedviews import chart_problem, load_views
from watch.serve.security import log_in
from watch.serve.text import csv_cell, highlight, label
from watch.sources import health_rows
from watch.store import listings, person_story, reviewing, search
from watch.store.connection import now

QUEUE_LIMIT = 200
LATEST_MENTIONS = 20
DONE = {"confirm": "confirmed", "dismiss": "dismissed", "not_person": "marked “not this person”"}


def ctx():
    return current_app.extensions["appealwatch"]


def register(app: Flask) -> None:
    for rule, view, methods in (
        ("/", home, ["GET"]),
        ("/queue", queue, ["GET"]),
        ("/flags/<int:flag_id>", flag_page, ["GET"]),
        ("/flags/<int:flag_id>/review", decide, ["POST"]),
        ("/people", people, ["GET"]),
        ("/people/<person_id>", person_page, ["GET"]),
        ("/sources", sources, ["GET"]),
        ("/search", search_page, ["GET"]),
        ("/search.csv", search_csv, ["GET"]),
        ("/views", views, ["GET"]),
        ("/views/<name>.csv", view_csv, ["GET"]),
        ("/views/<name>", view_page, ["GET"]),
        ("/feed.atom", feed, ["GET"]),
        ("/login", login, ["GET", "POST"]),
        ("/logout", logout, ["POST"]),
        ("/favicon.ico", favicon, ["GET"]),
    ):
        app.add_url_rule(rule, view.__name__.removesuffix("_page"), view, methods=methods)


def favicon():
    return redirect(url_for("static", filename="icon.svg"), code=301)


def home():
    return redirect(url_for("queue"))


# -- review queue -------------------------------------------------------------------------


def queue():
    with ctx().archive.reading() as store:
        flags = listings.flags(store)
        shown = flags[:QUEUE_LIMIT]
        ids = [f["id"] for f in shown]
        names = reviewing.matched_names(store, ids)
        copies = reviewing.story_copies(store, ids)
        changes = reviewing.flag_changes(store, ids)
        recent = reviewing.recent_reviews(store, limit=10)
    for i, flag in enumerate(shown):
        flag["evidence_html"] = highlight(flag["evidence"], names.get(flag["id"], []), flag["cue"])
        flag["copies"] = copies.get(flag["id"], [])
        flag["change"] = changes.get(flag["id"], {})
        flag["next"] = shown[i + 1]["id"] if i + 1 < len(shown) else None
    return render_template(
        "queue.html",
        flags=shown,
        total=len(flags),
        recent=recent,
        feed_url=_feed_url(),
        decisions=DECISIONS,
    )


def flag_page(flag_id: int):
    with ctx().archive.reading() as store:
        flag = reviewing.flag_detail(store, flag_id)
        if flag is None:
            abort(404, description=f"there is no flag {flag_id}")
        names = reviewing.matched_names(store, [flag_id]).get(flag_id, [])
        copies = reviewing.story_copies(store, [flag_id]).get(flag_id, [])
        change = reviewing.flag_changes(store, [flag_id]).get(flag_id, {})
    flag["evidence_html"] = highlight(flag["evidence"], names, flag["cue"])
    return render_template("flag.html", flag=flag, copies=copies, change=change)


def decide(flag_id: int):
    decision = request.form.get("decision", "")
    note = " ".join(request.form.get("note", "").split())[:2000] or None
    if decision not in DECISIONS:
        abort(400, description=f"unknown decision {decision!r}: use one of {', '.join(DECISIONS)}")
    try:
        # Read-write, briefly: connect() waits while a poll's batch holds the file.
        with ctx().archive.writing() as store:
            done = review(store, flag_id, decision, note=note, reviewer=g.user)
    except ReviewError as error:
        flash(str(error), "error")
        return redirect(url_for("queue"))
    except StoreError as error:
        if isinstance(error, QueryError) or not is_busy(error):
            raise
        # Say plainly that nothing was saved: the organiser must not think it was.
        message = (
            f"Your decision on flag {flag_id} was NOT saved: the archive stayed busy "
            f"(a poll or a rescan is writing to it). Go back and decide again in a minute."
        )
        return render_template("error.html", title="Not saved", message=message), 503
    flash(_done_message(done), "ok")
    following = request.form.get("next", "")
    anchor = f"#flag-{following}" if following.isdigit() else ""
    return redirect(url_for("queue") + anchor)


def _done_message(done) -> str:
    text = f"Flag {done.flag_id} {DONE[done.decision]}."
    if done.decision == "confirm":
        text += (
            f" {done.person_id} is now: {label(done.status.custody)},"
            f" case {label(done.status.case)}."
        )
    return text


# -- people -------------------------------------------------------------------------------


def people():
    with ctx().archive.reading() as store:
        rows = listings.status(store)
    return render_template("people.html", people=rows)


def person_page(person_id: str):
    with ctx().archive.reading() as store:
        person = person_story.person(store, person_id)
        if person is None:
            abort(404, description=f"there is no person {person_id!r} on the watchlist")
        history = listings.history(store, person_id)
        weekly = person_story.mentions_per_week(store, person_id)
        latest = person_story.latest_mentions(store, person_id, limit=LATEST_MENTIONS)
        flags = listings.flags(store, all=True, person=person_id)[:20]
    for mention in latest:
        mention["snippet_html"] = highlight(mention["snippet"] or "", mention["matched"])
    chart = charts.chart(
        "bar",
        [w for w, _ in weekly],
        {"mentions": [n for _, n in weekly]},
        title=f"Mentions of {person['name']} per week",
        integers=True,
    )
    appeals = person_story.appeal_staleness(person["appeals"], history)
    return render_template(
        "person.html",
        person=person,
        history=list(reversed(history)),
        chart=chart,
        weeks=weekly,
        weekly_total=sum(n for _, n in weekly),
        latest=latest,
        flags=flags,
        appeals=appeals,
    )


# -- sources ------------------------------------------------------------------------------


HEALTH_ORDER = {"dead": 0, "failing": 1, "quiet": 2, "new": 3, "ok": 4}


def source_health(store) -> list[dict]:
    """The crawler's health report (watch.sources), worst first; `health` is one of
    HEALTH_ORDER."""
    rows = health_rows(store.source_rows(), now())
    for row in rows:
        row["health"] = row.get("condition") or "ok"
    return sorted(rows, key=lambda r: (HEALTH_ORDER.get(r["health"], 5), r["name"]))


def sources():
    with ctx().archive.reading() as store:
        rows = source_health(store)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["health"]] = counts.get(row["health"], 0) + 1
    return render_template("sources.html", sources=rows, counts=counts)


# -- search -------------------------------------------------------------------------------


def _archive_query() -> tuple[search.ArchiveQuery, list[str]]:
    args, problems = request.args, []
    dates = {}
    for key in ("since", "until"):
        raw = args.get(key, "").strip()
        try:
            dates[key] = date.fromisoformat(raw) if raw else None
        except ValueError:
            problems.append(f"“{raw}” in {key} is not a date: use YYYY-MM-DD")
            dates[key] = None
    q = search.ArchiveQuery(
        text=args.get("q", "")[:500],
        person=args.get("person") or None,
        source=args.get("source") or None,
        language=args.get("language") or None,
        **dates,
    )
    return q, problems


def search_page():
    q, problems = _archive_query()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    results, total = [], 0
    with ctx().archive.reading() as store:
        choices = search.filter_choices(store)
    if not q.empty and not problems:
        try:
            with ctx().archive.user_sql() as con:
                results, total = search.search(con, q, page=page)
        except QueryError as error:
            problems.append(str(error))
    for row in results:
        row["snippet_html"] = highlight(row["snippet"], list(q.terms))
    pages = max(1, -(-total // search.PAGE_SIZE))
    return render_template(
        "search.html",
        q=q,
        results=results,
        total=total,
        page=page,
        pages=pages,
        choices=choices,
        problems=problems,
        args=request.args.to_dict(),
    )


def search_csv():
    q, problems = _archive_query()
    if problems:
        abort(400, description="; ".join(problems))
    with ctx().archive.user_sql() as con:
        columns, rows, _ = search.export(con, q)
    return _csv(columns, rows, "appealwatch-search.csv")


def _csv(columns: list[str], rows: list[tuple], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- saved views --------------------------------------------------------------------------


def views():
    return render_template(
        "views.html", views=load_views(ctx().dashboards), folder=ctx().dashboards
    )


def _view(name: str):
    view = next((v for v in load_views(ctx().dashboards) if v.name == name), None)
    if view is None:
        abort(404, description=f"there is no saved view {name!r}")
    return view


def view_page(name: str):
    view = _view(name)
    columns, rows, truncated, problem, chart = [], [], False, view.problem, None
    if not problem:
        try:
            with ctx().archive.user_sql() as con:
                columns, rows, truncated = search.run_view(con, view.query)
        except QueryError as error:
            problem = f"{view.path}: {error}"
    if not problem and view.chart:
        problem = chart_problem(view, columns)
        if not problem:
            xs, series = charts.pivot(columns, rows, view.chart.x, view.chart.y, view.chart.series)
            chart = charts.chart(
                view.chart.type, xs, series, title=view.title, y_label=view.chart.y
            )
    status = 400 if problem else 200
    return render_template(
        "view.html",
        view=view,
        columns=columns,
        rows=rows,
        truncated=truncated,
        problem=problem,
        chart=chart,
    ), status


def view_csv(name: str):
    view = _view(name)
    if view.problem:
        abort(400, description=view.problem)
    try:
        with ctx().archive.user_sql() as con:
            columns, rows, _ = search.run_view(con, view.query, max_rows=search.EXPORT_MAX_ROWS)
    except QueryError as error:
        abort(400, description=f"{view.path}: {error}")
    return _csv(columns, rows, f"{view.name}.csv")


# -- feed and login -----------------------------------------------------------------------


def _feed_url() -> str:
    key = {"key": ctx().feed_key} if ctx().access.logins else {}
    return url_for("feed", _external=True, **key)


def feed():
    if (
        ctx().access.logins
        and session.get("user") is None
        and (request.args.get("key", "") != ctx().feed_key)
    ):
        abort(403, description="this feed needs its key: copy the feed link from the queue page")
    with ctx().archive.reading() as store:
        flags = listings.flags(store)[:QUEUE_LIMIT]
    body = atom(flags, base_url=request.url_root, self_url=_feed_url())
    return Response(body, mimetype="application/atom+xml")


def login():
    if not ctx().access.logins:
        return redirect(url_for("queue"))
    error = None
    if request.method == "POST":
        if log_in(ctx().access, request.form.get("name", ""), request.form.get("secret", "")):
            target = request.args.get("next", "")
            # Only a path on this site: never an open redirect.
            safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
            return redirect(target if safe else url_for("queue"))
        error = "That name and password (or token) did not match."
    return render_template(
        "login.html", error=error, users=bool(ctx().access.users), token=bool(ctx().access.token)
    ), (401 if error else 200)


def logout():
    session.clear()
    return redirect(url_for("login"))
