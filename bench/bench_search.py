"""Archive search: what the dashboard uses (RE2 regexp, case-blind) against ILIKE and fts.

    python bench/bench_search.py [--docs 20000] [--runs 5]

Builds a throwaway archive of --docs documents from the shared corpus's real article
texts (or generated text when the corpus is absent), then times, on the same file:
  - served: watch.store.search.search() on a fresh read-only user-SQL connection, as
    the dashboard runs it per request (count, first page, snippets);
  - regexp / ILIKE: counting the matches with each, over title, text and URL;
  - fts: building the index (which needs write access and must be redone after every
    poll, as it is not incremental) and counting BM25 matches for the same words.
Prints milliseconds (median of --runs) and the rows each found.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import duckdb_extension_fts

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from watch.store import open_store  # noqa: E402
from watch.store.connection import USER_SQL_CONFIG  # noqa: E402
from watch.store.search import ArchiveQuery, search  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "articles" / "scrapinghub-aeb" / "ground-truth.json"
FTS = Path(duckdb_extension_fts.__file__).parent / "extensions" / "v1.5.5" / "fts.duckdb_extension"
QUERIES = ["prison", "human rights", "Karasartova", "zzzunfound"]
WHERE_ANY = "(({0}(d.title, ?{1})) OR ({0}(d.text, ?{1})) OR ({0}(d.url, ?{1})))"
REGEXP = "SELECT count(*) FROM documents d WHERE " + WHERE_ANY.format("regexp_matches", ", 'i'")
ILIKE = "SELECT count(*) FROM documents d WHERE " + WHERE_ANY.format("ilike_escape", ", '\\'")
FTS_COUNT = (
    "SELECT count(*) FROM (SELECT fts_main_documents.match_bm25(id, ?, conjunctive := 1)"
    " AS score FROM documents) WHERE score IS NOT NULL"
)


def texts() -> list[str]:
    if CORPUS.exists():
        return [v["articleBody"] for v in json.loads(CORPUS.read_text()).values()]
    words = ["the", "court", "prison", "rights", "defender", "said", "week", "report", "police"]
    rng = random.Random(1)
    return [" ".join(rng.choices(words, k=500)) for _ in range(100)]


def build(db: Path, n: int) -> None:
    bodies = texts()
    rng = random.Random(7)
    start = datetime(2020, 1, 1)
    with open_store(db) as store:
        store.con.execute(
            "INSERT INTO sources (id, name, kind, url) VALUES ('s', 'S', 'feed', 'x')"
        )
        rows = []
        for i in range(n):
            body = bodies[i % len(bodies)]
            if i % 500 == 0:
                body += " Rita Karasartova was charged in the Kempir-Abad case."
            rows.append(
                (
                    f"https://x.example/{i}",
                    f"https://x.example/{i}",
                    f"Article {i}",
                    body,
                    rng.choice(["en", "ru", "de"]),
                    start + timedelta(hours=i),
                    start,
                    "s",
                )
            )
        store.con.executemany(
            "INSERT INTO documents (url, canonical_url, title, text, language, published, fetched,"
            " source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def fresh(db: Path, q: ArchiveQuery) -> int:
    """One search on its own connection, opened and closed as a dashboard request does."""
    con = duckdb.connect(str(db), read_only=True, config=USER_SQL_CONFIG)
    try:
        return search(con, q)[1]
    finally:
        con.close()


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    db = folder / "bench.duckdb"
    build(db, args.docs)
    size = db.stat().st_size / 1e6
    print(
        f"archive: {args.docs} documents, {size:.0f} MB "
        f"({'corpus texts' if CORPUS.exists() else 'generated text'})"
    )
    con = duckdb.connect(str(db), read_only=True, config=USER_SQL_CONFIG)
    served, regexp, ilike = {}, {}, {}
    for q in QUERIES:
        served[q] = timed(lambda q=q: fresh(db, ArchiveQuery(text=q)), args.runs)
        pattern = r"\s+".join(q.split())
        regexp[q] = timed(lambda p=pattern: con.execute(REGEXP, [p] * 3).fetchone()[0], args.runs)
        ilike[q] = timed(lambda q=q: con.execute(ILIKE, [f"%{q}%"] * 3).fetchone()[0], args.runs)
    con.close()
    copy = folder / "fts.duckdb"
    shutil.copy(db, copy)
    fts = duckdb.connect(str(copy))
    fts.execute(f"LOAD '{FTS}'")
    t = time.perf_counter()
    fts.execute("PRAGMA create_fts_index('documents', 'id', 'title', 'text', overwrite=1)")
    build_ms = (time.perf_counter() - t) * 1000
    print(f"{'query':<14}" + "".join(f"{h:>16}" for h in ("served", "regexp", "ILIKE", "fts")))
    for q in QUERIES:
        fts_ms, fts_rows = timed(lambda q=q: fts.execute(FTS_COUNT, [q]).fetchone()[0], args.runs)
        cells = [served[q], regexp[q], ilike[q], (fts_ms, fts_rows)]
        print(f"{q:<14}" + "".join(f"{ms:>9.1f} ms{n:>5}" for ms, n in cells))
    print(f"fts index build (needs write access; redo after every poll): {build_ms:.0f} ms")
    fts.close()
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
