"""Who may do what, and what a page may load.

- Logins: a shared token (each organiser gives their name with it) and/or named users
  with password hashes. With either set, every page asks for a login; without, the
  server only listens on localhost (run() refuses otherwise) and accepts only a
  localhost Host header, so a web page elsewhere cannot reach it by DNS rebinding.
- CSRF: every POST carries the token kept in the signed session cookie.
- Headers: a strict Content-Security-Policy (our own scripts, styles and images only,
  no inline script), no framing, no referrer sent to the sites we link to.
- The session cookie: HttpOnly and SameSite=Lax always, Secure whenever the request came
  over https (behind a proxy, only when the server trusts that proxy's X-Forwarded-Proto:
  see serve.run's trusted_proxy).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import SecurityError
from werkzeug.security import check_password_hash, generate_password_hash

from watch.errors import ServeError

TOKEN_ENV = "APPEALWATCH_DASHBOARD_TOKEN"
USERS_ENV = "APPEALWATCH_DASHBOARD_USERS"
MIN_TOKEN_CHARS = 16
LOGIN_FAILURE_PAUSE = 1.0  # seconds: slows guessing without locking anyone out

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # the sites we link to learn nothing of us
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
OPEN_ENDPOINTS = {"login", "static", "feed", "favicon"}


def is_loopback(host: str) -> bool:
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def hash_password(password: str) -> str:
    """A line for the users file is `name:` followed by this."""
    return generate_password_hash(password)


def read_users(path: Path) -> dict[str, str]:
    """`name:password-hash` per line; blank lines and # comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ServeError(f"cannot read the dashboard users file {path}: {error}") from error
    users = {}
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, hashed = line.partition(":")
        if not sep or not name.strip() or "$" not in hashed:
            raise ServeError(
                f"{path}:{number}: expected `name:password-hash` (make the hash with "
                "`python -m watch.serve.security NAME`)"
            )
        users[name.strip()] = hashed.strip()
    if not users:
        raise ServeError(f"{path}: no users in the dashboard users file")
    return users


@dataclass(frozen=True)
class Access:
    """The login settings of one server."""

    token: str | None = None
    users: Mapping[str, str] = field(default_factory=dict)  # name -> password hash
    local_only: bool = True  # listening on localhost: accept only a localhost Host header

    def __post_init__(self) -> None:
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise ServeError(
                f"the dashboard token is too short ({len(self.token)} characters): use at least "
                f"{MIN_TOKEN_CHARS}, e.g. `python -c 'import secrets; print(secrets.token_urlsafe())'`"
            )

    @property
    def logins(self) -> bool:
        return bool(self.token or self.users)

    def check(self, name: str, secret: str) -> bool:
        hashed = self.users.get(name)
        if hashed is not None and check_password_hash(hashed, secret):
            return True
        return bool(self.token) and hmac.compare_digest(secret.encode(), self.token.encode())

    def feed_key(self, secret_key: bytes) -> str:
        """A key for the feed's URL, stable while the logins stay the same."""
        material = self.token or "\n".join(sorted(self.users.values())) or secret_key.hex()
        return hmac.new(material.encode(), b"appealwatch feed", hashlib.sha256).hexdigest()[:32]


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, marked Secure per request: when this request came over
    https. A fixed SESSION_COOKIE_SECURE would either send the login in the clear over
    http, or keep a plain-http localhost dashboard from ever keeping a login."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def install(app: Flask, access: Access) -> None:
    # Lax, not Strict: a link from the mailed report or a feed reader opens the page
    # logged in; forms are still refused without the CSRF token kept in the session.
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="appealwatch",
    )
    app.session_interface = SessionCookies()
    if access.local_only:
        app.config["TRUSTED_HOSTS"] = ["127.0.0.1", "localhost", "[::1]", "::1"]

    @app.before_request
    def guard():
        if isinstance(request.routing_exception, SecurityError):
            return None  # an untrusted Host header: Flask refuses it (400), no login page
        g.user = session.get("user") if access.logins else None
        if access.logins and g.user is None and request.endpoint not in OPEN_ENDPOINTS:
            return redirect(url_for("login", next=request.full_path.rstrip("?")))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            check_csrf()
        return None

    @app.after_request
    def headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.context_processor
    def tokens():
        return {"csrf_token": csrf_token, "logins": access.logins}


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    expected = session.get("csrf")
    sent = request.form.get("csrf_token", "") or request.headers.get("X-CSRF-Token", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(
            400,
            description="this form has expired or did not come from this dashboard "
            "(missing or wrong CSRF token): reload the page and try again",
        )
    origin = request.headers.get("Origin")
    # Host and port only: behind an https proxy the scheme seen here may differ. "null"
    # (sent by privacy settings) proves nothing either way: the token above decides.
    if origin and origin != "null" and urlsplit(origin).netloc != request.host:
        abort(400, description=f"a form from {origin} may not write here")


def log_in(access: Access, name: str, secret: str) -> bool:
    name = " ".join(name.split())[:80]
    if not name or not access.check(name, secret):
        time.sleep(LOGIN_FAILURE_PAUSE)
        return False
    session.clear()
    session["user"] = name
    csrf_token()
    return True


def main(argv: list[str] | None = None) -> None:
    """`python -m watch.serve.security NAME`: print a users-file line for NAME."""
    import getpass
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m watch.serve.security NAME")
    password = getpass.getpass(f"password for {args[0]}: ")
    print(f"{args[0]}:{hash_password(password)}")


if __name__ == "__main__":
    main()
