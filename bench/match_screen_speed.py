"""What screening costs: the same watchlist and corpus matched at the default threshold
and screened (every person below 0.5), side by side in one run, CPU seconds.

    python bench/match_screen_speed.py [--mb 10] [--people 2000]

Uses match_speed.py's generated watchlist and news-like corpus.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from match_speed import make_corpus, make_people
from watch.match import Matcher


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=10)
    ap.add_argument("--people", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    people = make_people(args.people, rng)
    docs = make_corpus(args.mb, people, rng)
    for label, score in (("default (0.6)", 0.6), ("screening (0.4)", 0.4)):
        cpu = time.process_time()
        matcher = Matcher(people, min_score=score)
        build = time.process_time() - cpu
        cpu = time.process_time()
        found = sum(len(matcher.find(d)) for d in docs)
        scan = time.process_time() - cpu
        print(
            f"{label:16s} index {build:.2f} s CPU; scan {scan:.2f} s CPU, "
            f"{args.mb / scan:.1f} MB/s per core, {found} mentions"
        )


if __name__ == "__main__":
    main()
