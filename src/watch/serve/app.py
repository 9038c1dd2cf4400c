"""The dashboard's Flask application: built by create_app(), served by run()."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, render_template, request

from watch.errors import QueryError, StoreError
from watch.serve import pages, security
from watch.serve.access import Archive, is_busy
from watch.serve.security import Access
from watch.serve.text import domain, label, web_url
from watch.store.connection import ensure_schema

PACKAGE = Path(__file__).resolve().parent
REPO_DASHBOARDS = PACKAGE.parents[2] / "dashboards"


@dataclass(frozen=True)
class Context:
    """What every request needs; no open connection among it."""

    archive: Archive
    access: Access
    dashboards: Path | None
    feed_key: str


def default_dashboards(db: Path) -> Path | None:
    """The first saved-views folder found: ./dashboards, beside the archive, or appealwatch's."""
    for folder in (Path.cwd() / "dashboards", db.parent / "dashboards", REPO_DASHBOARDS):
        if folder.is_dir():
            return folder
    return None


def create_app(
    db: Path,
    *,
    token: str | None = None,
    users: Mapping[str, str] | None = None,
    dashboards: Path | None = None,
    secret_key: bytes | None = None,
    local_only: bool = True,
    lock_wait: float = 60.0,
) -> Flask:
    """The dashboard for the archive at `db` (which must exist).

    token / users: logins (see security.Access); dashboards: the saved views folder;
    local_only: accept only a localhost Host header (when listening on localhost).
    """
    db = Path(db)
    if not db.exists():
        raise StoreError(f"no archive at {db} yet: run `appealwatch poll` first")
    ensure_schema(db)  # upgrade once now, so that each request can open read-only
    access = Access(token=token, users=dict(users or {}), local_only=local_only)
    app = Flask("watch.serve", root_path=str(PACKAGE))
    app.secret_key = secret_key or secrets.token_bytes(32)
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # forms here are small
    app.extensions["appealwatch"] = Context(
        archive=Archive(db, wait=lock_wait),
        access=access,
        dashboards=dashboards if dashboards is not None else default_dashboards(db),
        feed_key=access.feed_key(app.secret_key),
    )
    app.jinja_env.filters.update(label=label, web_url=web_url, domain=domain)
    app.jinja_env.globals.update(db_name=db.name)
    security.install(app, access)
    pages.register(app)
    _errors(app)
    return app


def _errors(app: Flask) -> None:
    @app.errorhandler(StoreError)
    def busy(error: StoreError):
        # QueryError is a StoreError too, but pages show those in place.
        if isinstance(error, QueryError):
            return render_template("error.html", title="Query refused", message=str(error)), 400
        message = str(error)
        if is_busy(error):
            message = (
                "The archive is busy: a poll or a rescan has been writing to it for a while. "
                f"Try again in a minute. ({error})"
            )
        response = render_template("error.html", title="The archive is busy", message=message)
        return response, 503, {"Retry-After": "30"}

    for code, title in (
        (400, "Refused"),
        (403, "Not allowed"),
        (404, "Not found"),
        (405, "Not allowed"),
        (413, "Too large"),
    ):
        app.register_error_handler(code, _page(title, code))


def _page(title: str, code: int):
    def handler(error):
        message = getattr(error, "description", "") or title
        if request.url_rule is None and code == 400:
            # Refused before routing (an untrusted Host header): no page links to build.
            return Response(f"{title}: {message}\n", status=code, mimetype="text/plain")
        return render_template("error.html", title=title, message=message), code

    return handler
