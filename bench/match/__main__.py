"""Matching, measured at the sizes the targets name: `python bench/match`.

Runs bench/match_speed.py (10,000 people, 50 MB of text, backfill of a 200 MB archive
scaled to 1 GB; `--backfill-mb 1024` measures a whole gigabyte, which takes about ten
minutes, mostly building the archive) and then bench/match_names.py (OpenSanctions'
name_bench beside logic_v2; skipped, saying so, without the shared corpus). Other
arguments are passed on to match_speed.py.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]


def run(script: str, args: list[str]) -> None:
    print(f"== {script} {' '.join(args)}", flush=True)
    sys.argv = [str(BENCH / script), *args]
    runpy.run_path(str(BENCH / script), run_name="__main__")


if __name__ == "__main__":
    extra = sys.argv[1:]
    run("match_speed.py", ["--mb", "50", "--people", "10000", "--backfill-mb", "200", *extra])
    corpus = BENCH.parents[1] / "shared" / "corpus"
    if (corpus / "names").is_dir():
        run("match_names.py", [str(corpus)])
    else:
        print(f"== match_names.py not run: no name_bench under {corpus}")
