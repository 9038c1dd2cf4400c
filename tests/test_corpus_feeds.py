"""Every file of the shared feed corpus (feedparser's own test feeds), served and polled.

No crash, no hang: what parses is stored, what does not is recorded with a reason.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import feedparser
import pytest

from tests.crawlkit import rows, settings, watchlist
from watch import fetch
from watch.poll import poll
from watch.records import Source

BATCHES = 3
TYPES = {".xml": "application/xml", ".json": "application/json"}


@pytest.fixture
def local_only(monkeypatch):
    """The corpus feeds link to real sites: keep every request on this machine."""
    monkeypatch.setattr(fetch, "ALLOWED_HOSTS", frozenset({"127.0.0.1"}))


def test_every_corpus_feed_is_polled_or_refused_with_a_reason(corpus, site, tmp_path, local_only):
    files = sorted(p for p in (corpus / "feeds").rglob("*") if p.is_file() and p.suffix != ".md")
    assert len(files) > 2000
    sources = []
    for i, path in enumerate(files):
        rel = "/" + path.relative_to(corpus / "feeds").as_posix()
        ctype = TYPES.get(path.suffix, "application/octet-stream")
        if path.suffix in (".gz", ".z"):
            ctype = "application/xml"  # served as stored: compressed bytes, no Content-Encoding
        site.add(rel, path.read_bytes(), content_type=ctype)
        sources.append(Source(id=f"c{i}", name=rel, kind="feed", url=site.url(rel)))
    fast = settings(per_host_concurrency=8, concurrency=8, total_timeout=5.0)
    db = tmp_path / "corpus.duckdb"
    started = time.monotonic()
    ok = failed = 0
    size = len(sources) // BATCHES + 1
    for b in range(BATCHES):
        wl = watchlist(tmp_path, sources[b * size : (b + 1) * size], settings=fast)
        summary = poll(wl, db, force=True)
        ok += summary.sources_ok
        failed += summary.sources_failed
    elapsed = time.monotonic() - started
    assert ok + failed == len(sources)
    keys = Counter(
        k for (k,) in rows(db, "SELECT last_error_key FROM sources WHERE consecutive_failures > 0")
    )
    print(
        f"\n{len(sources)} corpus feeds in {elapsed:.1f} s: {ok} ok, {failed} refused {dict(keys)}"
    )
    assert "internal" not in keys, rows(
        db, "SELECT url, last_error FROM sources WHERE last_error_key = 'internal'"
    )[:5]
    assert not {"timeout", "read_timeout", "connect_timeout"} & keys.keys()
    assert ok > 0.8 * len(sources)
    unexplained = rows(
        db, "SELECT count(*) FROM sources WHERE last_success IS NULL AND last_error IS NULL"
    )
    assert unexplained == [(0,)]
    # most test feeds share a handful of links (http://example.com/...): one document per URL
    distinct = rows(db, "SELECT count(*), count(DISTINCT canonical_url) FROM documents")[0]
    assert distinct[0] == distinct[1] > 300
    # every feed in which feedparser itself finds an entry with a link, id or title has it seen
    with_entries = {
        f"c{i}"
        for i, path in enumerate(files)
        if any(
            e.get("link") or e.get("id") or re.sub(r"<[^>]*>", "", e.get("title", "")).strip()
            for e in feedparser.parse(path.read_bytes()).entries
        )
    }
    seen = {sid for (sid,) in rows(db, "SELECT id FROM sources WHERE items_seen > 0")}
    assert len(with_entries) > 250
    assert with_entries - seen == set()
    assert elapsed < 60
