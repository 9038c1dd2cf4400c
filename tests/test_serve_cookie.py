"""The dashboard's session cookie over real HTTP (waitress on 127.0.0.1): HttpOnly and
SameSite=Lax always, Secure when the request came over https, which behind a proxy is
believed only from the proxy the server was told to trust."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import httpx
import pytest

from watch.errors import ServeError
from watch.serve import build, start
from watch.store import open_store

TOKEN = "a-long-enough-dashboard-token"
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture
def archive(tmp_path):
    db = tmp_path / "watch.duckdb"
    with open_store(db):
        pass
    return db


@pytest.fixture
def serving(archive):
    """serving(trusted_proxy=...) -> the URL of a server with logins; all stopped after."""
    running = []

    def serve(trusted_proxy: str | None = None) -> str:
        app = build(archive, token=TOKEN, behind_proxy=bool(trusted_proxy))  # as run() does
        server = start(app, trusted_proxy=trusted_proxy)
        running.append(server)
        return server.url

    yield serve
    for server in running:
        server.stop()


def session_cookie(response: httpx.Response):
    """The appealwatch cookie the response sets, as a Morsel (its attributes by name)."""
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    assert "appealwatch" in jar, f"no session cookie set: {response.headers}"
    return jar["appealwatch"]


def cookie_from(url: str, headers: dict | None = None):
    # The login form keeps a CSRF token in the session, so it always sets the cookie.
    return session_cookie(httpx.get(url + "/login", headers=headers or {}))


def test_over_plain_http_the_cookie_is_httponly_lax_and_not_secure(serving):
    cookie = cookie_from(serving())
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["secure"]  # a localhost dashboard over http must still keep a login


def test_a_client_cannot_claim_https_unless_the_proxy_is_trusted(serving):
    cookie = cookie_from(serving(), HTTPS)
    assert not cookie["secure"]
    # Trusting some other address does not make this peer's header believed either.
    assert not cookie_from(serving(trusted_proxy="10.9.9.9"), HTTPS)["secure"]


def test_behind_a_trusted_proxy_https_requests_get_a_secure_cookie(serving):
    url = serving(trusted_proxy="127.0.0.1")
    secure = cookie_from(url, HTTPS)
    assert secure["secure"] and secure["httponly"] and secure["samesite"] == "Lax"
    plain = cookie_from(url, {"X-Forwarded-Proto": "http"})
    assert not plain["secure"] and plain["httponly"] and plain["samesite"] == "Lax"
    assert not cookie_from(url)["secure"]


def test_the_login_cookie_behind_a_trusted_https_proxy(serving):
    url = serving(trusted_proxy="*")
    # A client would not send a Secure cookie back over http: carry it by hand, as the
    # browser does over https to the proxy.
    page = httpx.get(url + "/login", headers=HTTPS)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    before = session_cookie(page)
    logged_in = httpx.post(
        url + "/login",
        headers={**HTTPS, "Cookie": f"appealwatch={before.value}"},
        data={"csrf_token": csrf, "name": "Dina", "secret": TOKEN},
    )
    assert logged_in.status_code == 302
    cookie = session_cookie(logged_in)
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    queue = httpx.get(url + "/queue", headers={**HTTPS, "Cookie": f"appealwatch={cookie.value}"})
    assert queue.status_code == 200 and "Dina" in queue.text


def test_behind_a_proxy_logins_are_required_and_its_host_is_accepted(archive, serving):
    with pytest.raises(ServeError, match="refusing to serve behind a proxy without a login"):
        build(archive, behind_proxy=True)
    proxied = {**HTTPS, "Host": "dash.example.org"}
    # Listening on localhost alone, only a localhost Host is taken (DNS rebinding)...
    assert httpx.get(serving() + "/login", headers=proxied).status_code == 400
    # ... but behind a proxy the world's requests come with the proxy's Host.
    page = httpx.get(serving(trusted_proxy="127.0.0.1") + "/login", headers=proxied)
    assert page.status_code == 200 and session_cookie(page)["secure"]
