"""OpenSanctions' name_bench (shared corpus): appealwatch beside their logic_v2.

The pairs are record-to-record sanctions screening, labelled for recall: many of
their "matches" are one consonant apart (Pulin/Putin, Cates/Gates), which this
project keeps apart by default on purpose (Isakov is not Iskakov). So at its default
appealwatch is more precise than logic_v2 and finds fewer of their matches; at the
screening threshold (min_score=0.4) it beats logic_v2 on both on the development
half and on all rows; on the held-out half its precision is far above theirs and its
recall level with theirs. The figures are held where they stand, on the held-out
half too, so that a change that loses either shows.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from match_names import SCREENING, compare

DEFAULT = "appealwatch"
SCREEN = f"appealwatch screening (min_score={SCREENING})"


@lru_cache(maxsize=1)
def _compare(corpus: Path):
    return compare(corpus)


@pytest.fixture
def figures(corpus):
    if not (corpus / "names" / "name_bench_cases.csv").is_file():
        pytest.skip(f"name_bench not found under {corpus}/names")
    return _compare(corpus)


def test_the_halves_split_the_same_rows(figures):
    n = {h: figures[h]["logic_v2"][2] for h in figures}
    assert n["all"] == n["development"] + n["held-out"] >= 500
    assert min(n["development"], n["held-out"]) >= 200  # a fair split, not a sliver
    assert all(figures[h][DEFAULT][2] == figures[h]["logic_v2"][2] for h in figures)


def test_default_is_more_precise_than_logic_v2(figures):
    for h in ("development", "held-out", "all"):
        assert figures[h][DEFAULT][0] > figures[h]["logic_v2"][0] + 0.2, h


def test_screening_beats_logic_v2_on_both(figures):
    ours, theirs = figures["development"][SCREEN], figures["development"]["logic_v2"]
    assert ours[0] > theirs[0] and ours[1] > theirs[1]
    ours, theirs = figures["all"][SCREEN], figures["all"]["logic_v2"]
    assert ours[0] > theirs[0] + 0.2 and ours[1] > theirs[1] + 0.03


def test_held_out_where_it_stands(figures):
    """On rows never looked at while tuning: precision far above theirs (0.898 against
    0.688) and recall level with theirs (0.759, 88 of 116 matches each), held there."""
    ours, theirs = figures["held-out"][SCREEN], figures["held-out"]["logic_v2"]
    assert ours[0] > theirs[0] + 0.2
    assert ours[1] >= theirs[1] >= 0.75


def test_screening_precision_stays_above_logic_v2_on_every_split(figures):
    for h in ("development", "held-out", "all"):
        assert figures[h][SCREEN][0] >= 0.89 > figures[h]["logic_v2"][0], h
    assert figures["development"][SCREEN][1] >= 0.88
    assert figures["all"][SCREEN][1] >= 0.82


def test_screening_finds_more_and_default_stays_more_precise(figures):
    for h in ("development", "held-out", "all"):
        assert figures[h][SCREEN][1] > figures[h][DEFAULT][1] + 0.25, h
    assert figures["all"][DEFAULT][0] >= figures["all"][SCREEN][0]
    assert figures["all"][DEFAULT][1] >= 0.49
