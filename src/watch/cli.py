"""The `appealwatch` command: a thin layer over the stages and the store.

Exit codes (README: "Exit codes"): 0 success, 1 other error, 2 watchlist error,
3 another poll is running, 4 every source failed, 5 archive error, 6 review error.

Each command imports the stages and the store it uses when it runs, not up here: a poll's
worker process imports this module again (multiprocessing's spawn re-imports the program
that started it), and should not hold DuckDB, HTTP clients or the dashboard as well.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from watch import __version__
from watch import watchlist as watchlist_file
from watch.errors import WatchError
from watch.records import Watchlist


class Context:
    def __init__(self, watchlist_path: Path, db: Path | None, verbose: bool):
        self.watchlist_path = watchlist_path
        self.db_override = db
        self.verbose = verbose
        self._watchlist: Watchlist | None = None

    @property
    def watchlist(self) -> Watchlist:
        if self._watchlist is None:
            self._watchlist = watchlist_file.load(self.watchlist_path)
        return self._watchlist

    @property
    def db(self) -> Path:
        if self.db_override is not None:
            return self.db_override
        return self.watchlist.settings.database


pass_context = click.make_pass_decorator(Context)


class Group(click.Group):
    """Turns appealwatch's own errors into one clear line on stderr and a documented exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WatchError as error:
            click.echo(f"appealwatch: error: {error}", err=True)
            sys.exit(error.exit_code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--watchlist",
    "watchlist_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The watchlist file [default: $APPEALWATCH_WATCHLIST or ./watchlist.yaml].",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="The archive file (overrides settings.database).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Say what is happening, even when nothing is new."
)
@click.version_option(__version__, prog_name="appealwatch")
@click.pass_context
def main(ctx: click.Context, watchlist_path: Path | None, db: Path | None, verbose: bool) -> None:
    """Watch the news for people at risk and flag changes in their situation."""
    ctx.obj = Context(watchlist_path or watchlist_file.default_path(), db, verbose)


# -- output ----------------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, date):
        return (
            value.isoformat(sep=" ", timespec="seconds")
            if hasattr(value, "hour")
            else value.isoformat()
        )
    return value


def emit(rows: Sequence[dict], *, as_json: bool, columns: Sequence[str], empty: str) -> None:
    """Print rows as a JSON array (every field) or as a table (the named columns)."""
    if as_json:
        click.echo(
            json.dumps(
                [{k: _plain(v) for k, v in r.items()} for r in rows], ensure_ascii=False, indent=2
            )
        )
        return
    if not rows:
        click.echo(empty)
        return
    print_table(columns, [[r.get(c) for c in columns] for r in rows])


def print_table(columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, show_lines=False, highlight=False)
    for row in rows:
        table.add_row(*("" if v is None else str(_plain(v)) for v in row))
    Console(soft_wrap=False).print(table)


# -- commands ----------------------------------------------------------------------------------


@main.command()
@pass_context
def check(obj: Context) -> None:
    """Check the watchlist file; print every problem with file:line (exit 2 if any)."""
    wl = obj.watchlist
    click.echo(
        f"{wl.path}: ok: {len(wl.people)} people, {len(wl.sources)} sources, "
        f"archive {wl.settings.database}"
    )


@main.command()
@click.option("--force", is_flag=True, help="Fetch every source now, due or not.")
@pass_context
def poll(obj: Context, force: bool) -> None:
    """Fetch the sources that are due, archive what they say, raise flags.

    Prints nothing when there is nothing new (for cron), unless -v.
    """
    from watch.notify import mail_report, poll_report
    from watch.poll import poll as run_poll
    from watch.store import listings, open_store
    from watch.store.connection import now

    started = now()
    summary = run_poll(
        obj.watchlist, obj.db, verbose=obj.verbose, progress=sys.stdout.isatty(), force=force
    )
    new_flags = []
    if summary.flags_new:
        with open_store(obj.db, read_only=True) as store:
            new_flags = [f for f in listings.flags(store) if f["created"] >= started]
    report = poll_report(summary, new_flags, verbose=obj.verbose)
    if report:
        click.echo(report)
    mail = obj.watchlist.settings.mail
    if mail and (new_flags or summary.dark_sources):
        subject = (
            f"appealwatch: {len(new_flags)} new flag(s)"
            if new_flags
            else "appealwatch: sources failing"
        )
        mail_report(mail, poll_report(summary, new_flags), subject=subject)


@main.command()
@click.option(
    "--all", "show_all", is_flag=True, help="Sources taken off the watchlist (retired) too."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@pass_context
def sources(obj: Context, show_all: bool, as_json: bool) -> None:
    """Each source's health: dead (failing) or quiet, last success, last error, next due."""
    from watch.sources import health
    from watch.store import open_store

    with open_store(obj.db) as store:  # marks sources taken off the watchlist as retired
        store.sync_watchlist(obj.watchlist)
    rows = health(obj.db, include_retired=show_all)
    columns = ["name", "condition", "last_success", "last_error", "consecutive_failures", "next_due",
               "items_seen", "last_new_item"]  # fmt: skip
    if show_all:
        columns.append("retired_at")
    emit(rows, as_json=as_json, columns=columns, empty="No sources in the watchlist.")


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Reviewed flags too, not only open ones.")
@click.option("--person", help="Only this person's flags (their id).")
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@pass_context
def flags(obj: Context, show_all: bool, person: str | None, as_json: bool) -> None:
    """List flags waiting for review, newest first."""
    from watch.store import listings, open_store

    with open_store(obj.db, read_only=True) as store:
        rows = listings.flags(store, all=show_all, person=person)
    columns = ["id", "person", "event", "date", "state", "url", "evidence"]
    emit(rows, as_json=as_json, columns=columns, empty="No flags to review.")


@main.command()
@click.argument("flag_id", type=int)
@click.argument("decision", type=click.Choice(["confirm", "dismiss", "not_person"]))
@click.option("--note", help="Why: kept with the decision.")
@click.option("--reviewer", help="Who decides (kept with the decision).")
@pass_context
def review(
    obj: Context, flag_id: int, decision: str, note: str | None, reviewer: str | None
) -> None:
    """Decide on a flag: confirm moves the person's status; dismiss keeps it from flagging again."""
    from watch.review import review as decide
    from watch.store import open_store

    with open_store(obj.db) as store:
        result = decide(store, flag_id, decision, note=note, reviewer=reviewer)
    status = result.status
    click.echo(
        f"flag {flag_id}: {decision}; {result.person_id} is now custody={status.custody}, "
        f"case={status.case}, since {status.since or 'unknown'}"
    )


@main.command()
@click.argument("person", required=False)
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@pass_context
def status(obj: Context, person: str | None, as_json: bool) -> None:
    """Each person's recorded status, last mention and open flags."""
    from watch.store import listings, open_store

    with open_store(obj.db) as store:
        store.sync_watchlist(obj.watchlist)
        rows = listings.status(store, person)
    if person and not rows:
        raise WatchError(f"no person {person!r} in the watchlist")
    columns = ["person", "custody", "case", "since", "last_mention", "open_flags"]
    emit(rows, as_json=as_json, columns=columns, empty="Nobody is watched.")


@main.command()
@click.option("--person", help="Only this person's mentions (their id).")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="Only mentions published since YYYY-MM-DD."
)
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of a table.")
@pass_context
def mentions(obj: Context, person: str | None, since, as_json: bool) -> None:
    """Mentions of watched people in the archive, newest first."""
    from watch.store import listings, open_store

    with open_store(obj.db, read_only=True) as store:
        rows = listings.mentions(store, person=person, since=since.date() if since else None)
    columns = ["person", "published", "matched", "score", "url", "snippet"]
    emit(rows, as_json=as_json, columns=columns, empty="No mentions.")


@main.command()
@click.argument("sql")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option("--max-rows", type=int, default=10_000, show_default=True, help="Row cap.")
@click.option("--time-limit", type=float, default=30.0, show_default=True, help="Seconds.")
@pass_context
def query(obj: Context, sql: str, fmt: str, max_rows: int, time_limit: float) -> None:
    """Run read-only SQL over the archive (statements that write are refused)."""
    from watch.store import run_user_sql, user_sql_connection

    with user_sql_connection(obj.db) as con:
        columns, rows, truncated = run_user_sql(con, sql, max_rows=max_rows, time_limit=time_limit)
    if fmt == "json":
        out = [dict(zip(columns, map(_plain, r), strict=True)) for r in rows]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([[_plain(v) for v in r] for r in rows])
        click.echo(buffer.getvalue(), nl=False)
    else:
        print_table(columns, rows)
    if truncated:
        click.echo(f"appealwatch: only the first {max_rows} rows are shown (--max-rows)", err=True)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input, in an array.")
@pass_context
def scan(obj: Context, inputs: tuple[str, ...], as_json: bool) -> None:
    """Find watched people and events in files, URLs or - (stdin), without storing anything."""
    from watch.scan import as_json as result_json
    from watch.scan import scan as run_scan

    wl = obj.watchlist
    results = [result_json(r) for r in run_scan(inputs, wl.people, wl.settings)]
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        return
    for result in results:
        click.echo(
            f"{result['input']}: {len(result['mentions'])} mentions, {len(result['events'])} events"
        )
        for m in result["mentions"]:
            click.echo(
                f"  mention  {m['person']}: {m['matched']!r} at {m['start']}-{m['end']} ({m['score']})"
            )
        for e in result["events"]:
            click.echo(f"  event    {e['person']}: {e['event']} {e['date'] or ''}: {e['sentence']}")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "parquet"]), required=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
@pass_context
def export(obj: Context, fmt: str, out_dir: Path) -> None:
    """Write every archive table to DIR as csv, json or parquet files."""
    from watch.store import listings, open_store

    with open_store(obj.db, read_only=True) as store:
        written = listings.export(store, fmt, out_dir)
    for path in written:
        click.echo(str(path))


@main.command()
@click.option("--person", "person_ids", multiple=True, help="Rescan for this person (repeatable).")
@pass_context
def backfill(obj: Context, person_ids: tuple[str, ...]) -> None:
    """Rescan the archive for people new to the watchlist or with new names or aliases."""
    from watch.backfill import backfill as run_backfill
    from watch.backfill import people_to_rescan

    wl = obj.watchlist
    if person_ids:
        unknown = [p for p in person_ids if wl.person(p) is None]
        if unknown:
            raise WatchError(f"not in the watchlist: {', '.join(unknown)}")
        people = [wl.person(p) for p in person_ids]
    else:
        people = people_to_rescan(wl, obj.db)
    if not people:
        if obj.verbose:
            click.echo("Nobody needs a rescan.")
        return
    with _progress("Rescanning the archive") as advance:
        summary = run_backfill(people, obj.db, progress=advance)
    click.echo(
        f"Rescanned {summary.documents} documents for {', '.join(summary.people)}: "
        f"{summary.mentions_new} new mentions, {summary.events_new} events, {summary.flags_new} flags"
    )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--trusted-proxy",
    metavar="ADDRESS",
    help="The https reverse proxy's address ('*': any): its X-Forwarded-Proto is believed.",
)
@pass_context
def serve(obj: Context, host: str, port: int, trusted_proxy: str | None) -> None:
    """Serve the organiser dashboard (logins: see README, "The dashboard")."""
    from watch.serve import run
    from watch.store import open_store

    with open_store(obj.db) as store:  # people and appeals as the watchlist has them now
        store.sync_watchlist(obj.watchlist)
    run(obj.db, host=host, port=port, trusted_proxy=trusted_proxy)


class _progress:
    """A progress bar on a terminal; silence under cron."""

    def __init__(self, label: str):
        self.label = label
        self.bar = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return lambda done, total: None
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.bar.start()
        task = self.bar.add_task(self.label, total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def __exit__(self, *exc):
        if self.bar:
            self.bar.stop()
