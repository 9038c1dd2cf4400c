"""An httpx transport over aiohttp: httpx stays the API, aiohttp moves the bytes.

Why (bench/poll, CPU of the poller): httpx's own transport costs about 0.5 ms a request
in pure-Python HTTP parsing, and httpcore scans every connection of a pool for each
request, so a poll needed one small pool per host. aiohttp parses HTTP in C and keeps its
idle connections in a dict by host: one pool serves every host.

Not httpx-aiohttp (0.2): it sends header names lower-cased, builds a ClientTimeout per
request, and maps every lost connection to httpx.ConnectTimeout, while the fetcher's
reason keys must tell a refused connection from a slow one. Here aiohttp's own errors
pass through unchanged and watch.fetch names them.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import aiohttp
import httpx

CHUNK_BYTES = 64 * 1024


class AiohttpTransport(httpx.AsyncBaseTransport):
    """GET-style requests (no request body) over one aiohttp session, made on first use
    so that it belongs to the running event loop."""

    def __init__(self, *, ssl_context: ssl.SSLContext, limit: int, limit_per_host: int):
        self.ssl_context = ssl_context
        self.limit = limit
        self.limit_per_host = limit_per_host
        self.session: aiohttp.ClientSession | None = None
        self.timeouts: dict[tuple, aiohttp.ClientTimeout] = {}

    def _session(self) -> aiohttp.ClientSession:
        if self.session is None:
            connector = aiohttp.TCPConnector(
                limit=self.limit, limit_per_host=self.limit_per_host, ssl=self.ssl_context
            )
            # No automatic decompression: httpx decodes, so the fetcher's byte cap
            # counts decoded bytes (a gzip bomb stops at the cap). No cookie jar: the
            # fetcher keeps no cookies (watch.fetch says why); aiohttp's default jar
            # kept them for every host named by name (not for IP addresses).
            self.session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                trust_env=False,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self.session

    def _timeout(self, spec: dict) -> aiohttp.ClientTimeout:
        key = (spec.get("connect"), spec.get("read"), spec.get("pool"))
        if key not in self.timeouts:
            connect, read, pool = key
            self.timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=pool, sock_connect=connect, sock_read=read
            )
        return self.timeouts[key]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._session().request(
            request.method,
            str(request.url),
            # the names as written ("User-Agent"), not httpx's lower-cased view of them
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw],
            allow_redirects=False,
            compress=None,
            timeout=self._timeout(request.extensions.get("timeout", {})),
        )
        extensions = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("latin-1", "replace")
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            request=request,
            extensions=extensions,
        )

    async def aclose(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None


class _Body(httpx.AsyncByteStream):
    def __init__(self, response: aiohttp.ClientResponse):
        self.response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.response.content.iter_chunked(CHUNK_BYTES):
            yield chunk

    async def aclose(self) -> None:
        # An unfinished body closes its connection rather than return it to the pool.
        self.response.release()
