"""Measure main-text extraction on the shared corpus; print one table.

    python bench/extract                  # every candidate, then watch.extract.extract_page
    python bench/extract trafilatura      # only candidates whose name contains "trafilatura"
    python bench/extract fingerprint      # only the syndication (near-duplicate) table
    python bench/extract charset          # only the charset detection table

Columns: scrapinghub-aeb shingle P/R/F1 and accuracy (upstream evaluate.py),
trafilatura-eval snippet P/R/F1 (upstream eval_common.count_item), and
milliseconds per page (mean and 95th percentile, one process, pages decoded first).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [
    str(Path(__file__).resolve().parent),
    str(Path(__file__).resolve().parents[2] / "src"),
]

from candidates import CANDIDATES  # noqa: E402
from charsets import report as charset_report  # noqa: E402
from corpus import CORPUS, exact, load_pages, prf, shingle_counts, snippet_counts  # noqa: E402
from fingerprints import report  # noqa: E402

from watch.charset import decode  # noqa: E402


def appealwatch(html: str, url: str) -> str:
    from watch.extract import extract_page

    return extract_page(html, url).text


def measure(name, extractor, pages, decoded):
    aeb = [0.0, 0.0, 0.0]
    hits = 0
    snip = [0, 0, 0, 0]
    times = []
    for page, html in zip(pages, decoded, strict=True):
        start = time.perf_counter()
        try:
            text = extractor(html, page.url)
        except Exception as exc:  # a candidate that crashes scores zero on that page
            print(f"  {name}: {page.path.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            text = ""
        times.append(time.perf_counter() - start)
        if page.source == "scrapinghub-aeb":
            for i, v in enumerate(shingle_counts(page.truth["articleBody"], text)):
                aeb[i] += v
            hits += exact(page.truth["articleBody"], text)
        else:
            for i, v in enumerate(snippet_counts(page.truth, text)):
                snip[i] += v
    n_aeb = sum(p.source == "scrapinghub-aeb" for p in pages)
    ap, ar, af = prf(aeb[0], aeb[1], aeb[2])
    sp, sr, sf = prf(snip[0], snip[2], snip[1])
    ms = sorted(t * 1000 for t in times)
    p95 = ms[int(0.95 * (len(ms) - 1))]
    print(
        f"{name:28} {ap:6.3f} {ar:6.3f} {af:6.3f} {hits / max(n_aeb, 1):6.3f}   "
        f"{sp:6.3f} {sr:6.3f} {sf:6.3f}   {statistics.mean(ms):7.1f} {p95:7.1f}",
        flush=True,
    )


def main(argv: list[str]) -> None:
    if not (CORPUS / "articles").is_dir():
        sys.exit(f"corpus not found at {CORPUS}/articles (set APPEALWATCH_CORPUS)")
    pages = load_pages()
    if argv[:1] == ["charset"]:
        charset_report(pages)
        return
    if argv[:1] == ["fingerprint"]:
        report([p.truth["articleBody"] for p in pages if p.source == "scrapinghub-aeb"])
        return
    decoded = [decode(p.path.read_bytes())[0] for p in pages]
    wanted = argv[0] if argv else ""
    candidates = {k: v for k, v in CANDIDATES.items() if wanted in k}
    candidates["appealwatch extract_page"] = appealwatch
    print(f"{len(pages)} pages from {CORPUS / 'articles'}")
    print(
        f"{'':28} {'scrapinghub-aeb (shingles)':29}   {'trafilatura-eval (snippets)':22}   ms/page"
    )
    cols = ("P", "R", "F1", "acc", "", "P", "R", "F1", "", "mean", "p95")
    print(f"{'extractor':28} " + " ".join(f"{c:>6}" if c else " " for c in cols))
    for name, extractor in candidates.items():
        try:
            extractor(decoded[0], pages[0].url)  # warm-up: imports, lazy tables
        except ImportError as exc:
            print(f"{name:28} not installed ({exc.name}): pip install -e '.[bench]'")
            continue
        measure(name, extractor, pages, decoded)
    report([p.truth["articleBody"] for p in pages if p.source == "scrapinghub-aeb"])
    charset_report(pages)


if __name__ == "__main__":
    main(sys.argv[1:])
