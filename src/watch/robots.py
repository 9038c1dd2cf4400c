"""robots.txt: asked once per host per day, remembered between polls in a small JSON file.

A missing robots.txt (4xx) allows everything. An unreachable one (5xx, timeout) also
allows, but is asked again within the hour rather than the day: RFC 9309 would have us
stop crawling, which would silently darken a source whose only fault is a broken
robots endpoint.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from urllib.robotparser import RobotFileParser

from watch.errors import FetchError
from watch.fetch import host_key

DAY = 24 * 3600.0
RETRY_UNREACHABLE = 3600.0
MAX_ROBOTS_BYTES = 512 * 1024
AGENT = "appealwatch"


class Robots:
    """Per-host rules; `path` (optional) keeps them across polls."""

    def __init__(self, path: Path | None = None, *, agent: str = AGENT):
        self.path = path
        self.agent = agent
        self.entries: dict[str, dict] = self._load()
        self.parsers: dict[str, RobotFileParser] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.dirty = False

    def _load(self) -> dict[str, dict]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            return {}  # a damaged cache only costs a refetch
        return data if isinstance(data, dict) else {}

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.entries), "utf-8")
        os.replace(tmp, self.path)  # atomic: a killed poll leaves the old file or the new
        self.dirty = False

    async def check(self, fetcher, url: str) -> None:
        """Raise FetchError('robots_disallowed') when the host's robots.txt forbids `url`."""
        if not self.allowed(await self._parser(fetcher, url), url):
            raise FetchError("robots_disallowed", f"robots.txt of {host_key(url)} forbids {url}")

    def allowed(self, parser: RobotFileParser | None, url: str) -> bool:
        return parser is None or parser.can_fetch(self.agent, url)

    async def _parser(self, fetcher, url: str) -> RobotFileParser | None:
        host = host_key(url)
        if _fresh(self.entries.get(host)):
            # Known and fresh (every request but a host's first): no lock to wait for.
            return self._parsed(host)
        lock = self.locks.setdefault(host, asyncio.Lock())
        async with lock:  # one robots.txt request per host, however many sources wait
            if not _fresh(self.entries.get(host)):
                self.entries[host] = await self._fetch(fetcher, host)
                self.parsers.pop(host, None)
                self.dirty = True
            return self._parsed(host)

    def _parsed(self, host: str) -> RobotFileParser | None:
        """The host's robots.txt as a parser, made once per entry; None when it has none."""
        text = self.entries[host].get("text")
        if text is None:
            return None
        if host not in self.parsers:
            parser = RobotFileParser()
            parser.parse(text.splitlines())
            self.parsers[host] = parser
        return self.parsers[host]

    async def _fetch(self, fetcher, host: str) -> dict:
        now = time.time()
        try:
            got = await fetcher.get(
                host + "/robots.txt", check_robots=False, max_bytes=MAX_ROBOTS_BYTES
            )
        except FetchError as error:
            if error.key.startswith("http_4"):
                return {"text": None, "expires": now + DAY, "status": error.key}
            return {"text": None, "expires": now + RETRY_UNREACHABLE, "status": error.key}
        text = got.body.decode("utf-8", errors="replace")
        return {"text": text, "expires": now + DAY, "status": "ok"}


def _fresh(entry: dict | None) -> bool:
    return entry is not None and time.time() <= entry.get("expires", 0)
