"""Run one poll in its own process, for the crash tests: python -m tests.crash_child DB URL..."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.crawlkit import feed_source, watchlist

if __name__ == "__main__":
    from watch.poll import poll

    db = Path(sys.argv[1])
    sources = [feed_source(f"feed{i}", url) for i, url in enumerate(sys.argv[2:])]
    summary = poll(watchlist(db.parent, sources), db, force=True)
    print(summary.documents_new, summary.sources_failed)
