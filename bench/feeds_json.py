"""parse_feed on the shared corpus's real news feeds: RSS/Atom before and after JSON Feed
support (the baseline is parse_feed as of git revision BASE, loaded side by side), and
the same items served as a JSON Feed 1.1.

    python bench/feeds_json.py [--base REV] [--runs N]

Prints CPU time (time.process_time), best of N runs, per pass over every feed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
CORPUS = REPO.parent / "shared" / "corpus" / "newsfeeds"

from watch.feeds import parse_feed  # noqa: E402


def load_baseline(rev: str):
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{rev}:src/watch/feeds.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "feeds_base.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("feeds_base", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["feeds_base"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.parse_feed


def as_json_feed(parsed) -> bytes:
    items = [
        {
            "id": i.guid or i.url,
            "url": i.url,
            "title": i.title,
            "content_html": "".join(f"<p>{line}</p>" for line in i.text.split("\n")),
            "date_published": i.published.isoformat() if i.published else None,
        }
        for i in parsed.items
    ]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": parsed.title, "items": items}
    return json.dumps(feed, ensure_ascii=False).encode()


def one_pass(feeds, parse) -> float:
    started = time.process_time()
    for body, url, content_type in feeds:
        parse(body, url, content_type)
    return time.process_time() - started


def best(runs: int, cases: dict) -> dict[str, float]:
    """Best CPU time of each case; the cases take turns, so noise from other processes on
    the machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (feeds, parse) in cases.items():
            times[name].append(one_pass(feeds, parse))
    return {name: min(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="9879461")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    index = json.loads((CORPUS / "index.json").read_text())
    feeds = [((CORPUS / e["path"]).read_bytes(), "https://news.example/feed", "") for e in index]
    baseline = load_baseline(args.base)
    json_feeds = [
        (as_json_feed(parse_feed(b, u, c)), u, "application/feed+json") for b, u, c in feeds
    ]
    items = sum(len(parse_feed(b, u, c).items) for b, u, c in feeds)
    print(f"{len(feeds)} real news feeds, {items} items; CPU s per pass, best of {args.runs}")
    cases = {
        f"RSS/Atom, parse_feed at {args.base}": (feeds, baseline),
        "RSS/Atom, parse_feed now": (feeds, parse_feed),
        "the same items as JSON Feed 1.1, now": (json_feeds, parse_feed),
    }
    for name, seconds in best(args.runs, cases).items():
        print(f"  {name:<40} {seconds:.3f}")


if __name__ == "__main__":
    main()
