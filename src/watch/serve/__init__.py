"""The organisers' dashboard: review queue, people, sources, search, saved views, feed.

    run(db, host=..., port=...)          serve until stopped (the `appealwatch serve` command)
    create_app(db, ...)                  the Flask app, for a WSGI server of your choice
    start(app, host=..., port=0)         serve in a background thread: tests and scripts

Behind an https reverse proxy, pass trusted_proxy (the proxy's address, or "*") to
run() or start(): waitress then takes the scheme from that proxy's X-Forwarded-Proto,
and from no one else's, so the session cookie is marked Secure.

The dashboard opens the archive per request and never holds it (see serve.access),
so it runs beside the cron poll.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from waitress import wasyncore
from waitress.server import create_server

from watch.errors import ServeError
from watch.serve.app import create_app
from watch.serve.security import TOKEN_ENV, USERS_ENV, is_loopback, read_users

__all__ = ["Running", "create_app", "logins_from_env", "run", "start"]


def logins_from_env(
    token: str | None = None, users: Mapping[str, str] | None = None
) -> tuple[str | None, dict[str, str]]:
    """The token and users given, else those named by the environment."""
    token = token or os.environ.get(TOKEN_ENV) or None
    if users is None and os.environ.get(USERS_ENV):
        users = read_users(Path(os.environ[USERS_ENV]))
    return token, dict(users or {})


def check_exposure(
    host: str, token: str | None, users: Mapping[str, str], *, behind_proxy: bool = False
) -> None:
    """Refuse to listen beyond localhost, or behind a proxy, with no login: anyone could
    decide flags."""
    if (behind_proxy or not is_loopback(host)) and not (token or users):
        where = "serve behind a proxy" if behind_proxy else f"listen on {host}"
        raise ServeError(
            f"refusing to {where} without a login: anyone who can reach it could "
            f"review flags. Set {TOKEN_ENV} (at least 16 characters) or {USERS_ENV} (a file of "
            "name:password-hash lines), or listen on 127.0.0.1 with no proxy"
        )


def build(
    db: Path,
    *,
    host: str = "127.0.0.1",
    token: str | None = None,
    users: Mapping[str, str] | None = None,
    dashboards: Path | None = None,
    secret_key: bytes | None = None,
    behind_proxy: bool = False,
) -> Flask:
    """The app as run() serves it: logins from the arguments or the environment, checked.

    behind_proxy: a reverse proxy forwards the world's requests, whatever `host` is, so
    logins are required and the proxy's Host header is accepted."""
    token, users = logins_from_env(token, users)
    check_exposure(host, token, users, behind_proxy=behind_proxy)
    return create_app(
        db,
        token=token,
        users=users,
        dashboards=dashboards,
        secret_key=secret_key,
        local_only=is_loopback(host) and not behind_proxy,
    )


def proxy_settings(trusted_proxy: str | None) -> dict:
    """waitress settings that honour X-Forwarded-Proto from `trusted_proxy` only.

    Without one, waitress drops every X-Forwarded-* header, so a client cannot claim
    https for itself."""
    if not trusted_proxy:
        return {}
    return {"trusted_proxy": trusted_proxy, "trusted_proxy_headers": {"x-forwarded-proto"}}


def run(
    db: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    token: str | None = None,
    users: Mapping[str, str] | None = None,
    dashboards: Path | None = None,
    threads: int = 4,
    trusted_proxy: str | None = None,
) -> None:
    """Serve the dashboard until interrupted (blocking)."""
    app = build(
        db,
        host=host,
        token=token,
        users=users,
        dashboards=dashboards,
        behind_proxy=bool(trusted_proxy),
    )
    server = create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="appealwatch",
        **proxy_settings(trusted_proxy),
    )
    print(
        f"appealwatch dashboard on http://{_url_host(host)}:{server.effective_port}/ "
        f"(archive {db}); Ctrl-C stops it",
        flush=True,
    )
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


class Running:
    """A server started by start(): its address, and how to stop it."""

    def __init__(
        self, app: Flask, host: str, port: int, threads: int, trusted_proxy: str | None = None
    ):
        self.server = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="appealwatch",
            **proxy_settings(trusted_proxy),
        )
        self.url = f"http://{_url_host(host)}:{self.server.effective_port}"
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="appealwatch-serve", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        # waitress's own run() loops until its sockets are gone; closing them from another
        # thread races its select(). So loop here in short turns and close in this thread.
        while not self._stopping.is_set():
            wasyncore.loop(timeout=0.05, map=self.server._map, count=1)
        self.server.task_dispatcher.shutdown()
        wasyncore.close_all(self.server._map)

    def stop(self) -> None:
        self._stopping.set()
        self.thread.join(timeout=5)


def start(
    app: Flask,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = 4,
    trusted_proxy: str | None = None,
) -> Running:
    """Serve `app` with waitress in a background thread; port 0 picks a free port."""
    return Running(app, host, port, threads, trusted_proxy)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
