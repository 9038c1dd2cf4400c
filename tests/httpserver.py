"""A small real HTTP server for tests, on 127.0.0.1 and a free port.

    site.add("/feed.xml", body, content_type="application/rss+xml")
    site.url("/feed.xml")        -> "http://127.0.0.1:PORT/feed.xml"
    site.requests                -> [(method, path, headers), ...] as received

Routes answer conditional requests (ETag / If-None-Match, Last-Modified /
If-Modified-Since) the way a well-behaved server does; a route can instead be
a handler function for misbehaving servers.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: str = field(default_factory=lambda: formatdate(usegmt=True))

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


Handler = Callable[[BaseHTTPRequestHandler], None]


class Site:
    def __init__(self) -> None:
        self.routes: dict[str, Route | Handler] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self._server: ThreadingHTTPServer | None = None

    def add(
        self,
        path: str,
        body: str | bytes,
        *,
        content_type: str = "text/html; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(data, status, {"Content-Type": content_type, **(headers or {})})
        self.routes[path] = route
        return self.url(path)

    def handle(self, path: str, handler: Handler) -> str:
        self.routes[path] = handler
        return self.url(path)

    def url(self, path: str = "/") -> str:
        assert self._server is not None, "site not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if p.split("?")[0] == path)

    def start(self) -> None:
        site = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                site.requests.append(("GET", self.path, dict(self.headers)))
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                if route is None:
                    self._send(404, {"Content-Type": "text/plain"}, b"not found")
                elif callable(route):
                    route(self)
                else:
                    self._serve(route)

            def _serve(self, route: Route) -> None:
                headers = {**route.headers, "ETag": route.etag, "Last-Modified": route.last_modified}
                if route.status == 200 and (
                    self.headers.get("If-None-Match") == route.etag
                    or self.headers.get("If-Modified-Since") == route.last_modified
                ):
                    self._send(304, {"ETag": route.etag}, b"")
                else:
                    self._send(route.status, headers, route.body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
