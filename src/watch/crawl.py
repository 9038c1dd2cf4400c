"""Crawling one source: the Crawler turns a feed, page or search source into an Outcome.

An Outcome holds the source's documents, analysed and ready to file, with the
validators and seen-items to record; nothing here touches the archive.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from watch.errors import FetchError
from watch.feeds import looks_like_feed, looks_like_sitemap, parse_feed
from watch.fetch import Fetcher
from watch.records import Document, FeedItem, Fetched, ScanResult, Source, Watchlist, full_text
from watch.sitemaps import parse_sitemap
from watch.sources import FULL_FETCH_EVERY, parse_time, search_urls
from watch.urls import canonical as canonical_url
from watch.workers import ArticleJob, Cpu, work_analyse, work_articles, work_page

LISTING_MIN_LINKS = 3  # a page with fewer article links is watched for change instead
# An article page failing so will fail the same way next time: keep the teaser for good.
PERMANENT_ARTICLE_ERRORS = frozenset(
    {"content_type", "too_large", "robots_disallowed", "bad_scheme", "bad_url", "http_404",
     "http_410", "http_401", "http_403", "redirect_loop", "too_many_redirects", "host_not_allowed"}
)  # fmt: skip


# -- what one source yields -----------------------------------------------------------------


@dataclass
class Prepared:
    """A document ready to file: the text analysed, the fingerprint taken (or NOT_TAKEN:
    the worker, being behind, left it to filing; see Cpu.fingerprints_here)."""

    doc: Document
    scan: ScanResult
    fingerprint: int | None
    key: str  # seen-state key (GUID or URL)
    digest: str


@dataclass
class Outcome:
    source: Source
    row: dict
    prepared: list[Prepared] = field(default_factory=list)
    validators: dict[str, dict] = field(default_factory=dict)  # endpoint url -> validators
    primary: str | None = None  # the endpoint whose validators the source row shows
    error: FetchError | None = None
    warnings: list[str] = field(default_factory=list)
    discovered_feed: str | None = None
    discovered_at: str | None = None
    seen_only: dict[str, str] = field(default_factory=dict)  # items seen, nothing to file
    listed: set[str] = field(default_factory=set)  # keys of every item it lists this time


# -- crawling one source ----------------------------------------------------------------


class Crawler:
    """Turns one source into an Outcome; holds what every source shares."""

    def __init__(self, watchlist: Watchlist, rows: dict[str, dict], now: datetime):
        self.watchlist = watchlist
        self.settings = watchlist.settings
        self.rows = rows
        self.now = now
        self.fetcher: Fetcher | None = None
        self.cpu: Cpu | None = None

    def warm_if_new(self, sources: list[Source]) -> None:
        """Start the workers at once when a source has never been read: its items will
        need them, and they take ~1 s to start (see Cpu.warm). A poll of known sources
        waits for the first new items instead, as most of its feeds answer 304."""
        states = [(self.rows.get(s.id) or {}).get("state") or {} for s in sources]
        if any(not state.get("validators") for state in states):
            self.cpu.warm()

    async def crawl(self, source: Source) -> Outcome:
        row = self.rows.get(source.id) or {}
        out = Outcome(source, row)
        try:
            if source.kind == "feed":
                out.primary = source.url
                await self._feed_endpoint(out, source.url)
            elif source.kind == "page":
                await self._page_source(out)
            elif source.kind == "search":
                await self._search_source(out)
            else:
                raise FetchError("bad_source", f"unknown source kind {source.kind!r}")
        except FetchError as error:
            out.error = error
        except Exception as error:  # one broken source must never stop the others
            out.error = FetchError("internal", f"{type(error).__name__}: {error}")
        return out

    # endpoints: one URL with its own validators

    def _old_validators(self, out: Outcome, url: str) -> dict:
        return ((out.row.get("state") or {}).get("validators") or {}).get(url) or {}

    async def _fetch_endpoint(self, out: Outcome, url: str) -> Fetched | None:
        """The body if it changed since the last stored fetch, else None."""
        old = self._old_validators(out, url)
        full_at = parse_time(old.get("full_at"))
        full = full_at is None or self.now - full_at >= FULL_FETCH_EVERY
        got = await self.fetcher.get(
            url,
            etag=None if full else old.get("etag"),
            last_modified=None if full else old.get("last_modified"),
        )
        if got.not_modified:
            out.validators[url] = {**old, "etag": got.etag or old.get("etag")}
            return None
        digest = hashlib.sha1(got.body).hexdigest()
        out.validators[url] = {
            "etag": got.etag,
            "last_modified": got.last_modified,
            "hash": digest,
            "full_at": self.now.isoformat() if full else old.get("full_at"),
        }
        if digest == old.get("hash"):
            return None  # validators lied or were absent: the content is what we have
        return got

    def _incomplete(self, out: Outcome, url: str) -> None:
        """Some items could not be done: keep the old hash so the next poll looks again."""
        validators = out.validators.get(url)
        if validators is not None:
            validators.update(hash=None, etag=None, last_modified=None)

    # feeds

    async def _feed_endpoint(self, out: Outcome, url: str, got: Fetched | None = None) -> None:
        got = got or await self._fetch_endpoint(out, url)
        if got is None:
            return
        # Parsed here, not in the worker: on 2 cores the one worker process is the busier
        # (bench/poll --feeds 1000, alternating runs: parsed here 46.0 s and 61.2 s, in the
        # worker 60.3 s and 74.8 s); 5 ms a feed on the event loop holds nothing up long.
        parsed = parse_feed(got.body, got.url, got.content_type)
        if parsed.warning:
            out.warnings.append(f"feed_malformed: {parsed.warning}")
        await self._items(out, url, parsed.items)

    def _seen(self, out: Outcome) -> dict[str, str]:
        return (out.row.get("state") or {}).get("seen") or {}

    async def _items(self, out: Outcome, endpoint: str, items: list[FeedItem]) -> None:
        out.listed.update(item.key for item in items)
        seen = self._seen(out)
        fresh = [i for i in items if seen.get(i.key) != i.digest]
        if fresh:
            self.cpu.warm()
        limit = self.settings.max_articles_per_source - len(out.prepared)
        if len(fresh) > limit:
            fresh = fresh[: max(limit, 0)]
            self._incomplete(out, endpoint)
        fetched = await asyncio.gather(*(self._article(i) for i in fresh))
        # One trip to a worker for all of a source's articles: a trip per article cost
        # more in pickling and queue hand-offs than extraction itself.
        jobs = [
            ArticleJob(item, got, out.source.language, out.source.id, self.now)
            for item, (_, got) in zip(fresh, fetched, strict=True)
        ]
        built = []
        if jobs:
            built = await self.cpu.call(work_articles, jobs, not self.cpu.fingerprints_here())
        for item, (complete, _), (doc, analysed) in zip(fresh, fetched, built, strict=True):
            digest = item.digest if complete else ""
            if analysed is None:
                out.seen_only[item.key] = digest
            else:
                out.prepared.append(Prepared(doc, analysed[0], analysed[1], item.key, digest))
        if not all(complete for complete, _ in fetched):
            self._incomplete(out, endpoint)

    async def _article(self, item: FeedItem) -> tuple[bool, Fetched | None]:
        """The item's article page when it needs one; False when to be tried again."""
        if item.full or not item.linked or not item.url.startswith(("http://", "https://")):
            return True, None
        try:
            return True, await self.fetcher.get(item.url)
        except FetchError as error:
            # File the teaser now; a passing failure is tried again next poll.
            return error.key in PERMANENT_ARTICLE_ERRORS, None

    async def _prepare(self, out: Outcome, doc: Document, key: str, digest: str) -> Prepared | None:
        if not doc.text.strip():
            out.seen_only[key] = digest
            return None
        published = doc.published.date() if doc.published else None
        scan, fp = await self.cpu.call(work_analyse, doc.text, doc.url, doc.language, published)
        return Prepared(doc, scan, fp, key, digest)

    # pages: discovery, listings, watched pages

    async def _page_source(self, out: Outcome) -> None:
        source = out.source
        state = out.row.get("state") or {}
        feed = state.get("discovered_feed")
        found_at = parse_time(state.get("discovered_at"))
        if feed and found_at and self.now - found_at < FULL_FETCH_EVERY:
            out.primary, out.discovered_feed, out.discovered_at = feed, feed, state["discovered_at"]
            await self._feed_endpoint(out, feed)
            return
        out.primary = source.url
        old = self._old_validators(out, source.url)
        got = await self._fetch_endpoint(out, source.url)
        if got is None:
            return
        if looks_like_sitemap(got.body):
            await self._sitemap(out, source.url, got)
            return
        if looks_like_feed(got.body):
            await self._feed_endpoint(out, source.url, got)
            return
        page = await self.cpu.call(work_page, got.body, got.url, got.content_type)
        if page.feed_links:
            out.validators[source.url] = old  # the feed, not the page, is what we follow
            out.primary = out.discovered_feed = page.feed_links[0]
            out.discovered_at = self.now.isoformat()
            await self._feed_endpoint(out, page.feed_links[0])
            return
        if len(page.article_links) >= LISTING_MIN_LINKS:
            await self._links(out, source.url, page.article_links)
            return
        doc = Document(
            url=source.url,
            text=full_text(page.title, page.text),
            title=page.title,
            canonical_url=canonical_url(source.url),
            language=source.language or page.language,
            published=page.published,
            fetched=self.now,
            source_id=source.id,
        )
        prepared = await self._prepare(
            out, doc, source.url, hashlib.sha1(got.body).hexdigest()[:16]
        )
        if prepared is not None:
            out.prepared.append(prepared)

    async def _sitemap(self, out: Outcome, endpoint: str, got: Fetched) -> None:
        """A (news) sitemap: its newest URLs are followed like a listing's links. For a
        sitemap index, the newest sitemap in it is read."""
        entries = parse_sitemap(got.body)
        if b"<sitemapindex" in got.body[:4096].lower() and entries:
            newest = max(entries, key=lambda e: e[1].timestamp() if e[1] else 0.0)[0]
            got = await self.fetcher.get(newest)
            entries = parse_sitemap(got.body)
        entries.sort(key=lambda e: e[1].timestamp() if e[1] else 0.0, reverse=True)
        await self._links(out, endpoint, [url for url, _ in entries])

    async def _links(self, out: Outcome, endpoint: str, links: list[str]) -> None:
        seen = self._seen(out)
        listed = dict.fromkeys(canonical_url(u) for u in links)
        out.listed.update(listed)
        items = [
            FeedItem(guid=None, url=link, title="", text="", full=False)
            for link in listed
            if link not in seen
        ]
        await self._items(out, endpoint, items)

    # searches: one request per name and alias

    async def _search_source(self, out: Outcome) -> None:
        urls = search_urls(out.source, self.watchlist.people)
        out.primary = urls[0][0] if urls else None
        results = await asyncio.gather(
            *(self._search_url(out, url) for url, _ in urls), return_exceptions=True
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        for error in errors:
            if not isinstance(error, FetchError):
                raise error
        if errors and len(errors) == len(urls):
            raise errors[0]
        out.warnings.extend(f"{e.key}: {e.message}" for e in errors[:3])

    async def _search_url(self, out: Outcome, url: str) -> None:
        got = await self._fetch_endpoint(out, url)
        if got is None:
            return
        if looks_like_feed(got.body):
            await self._feed_endpoint(out, url, got)
            return
        page = await self.cpu.call(work_page, got.body, got.url, got.content_type)
        await self._links(out, url, page.article_links)
