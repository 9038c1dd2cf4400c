"""Real news (the shared corpus' 150 article texts, 14 languages) names none of a
generated watchlist of Central Asian names: every mention found there is a false flag."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest

from tests.test_match_labelled import load_people
from watch.match import Matcher

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from match_speed import make_people


def article_texts(corpus: Path) -> list[str]:
    base = corpus / "articles"
    index = base / "index.jsonl"
    if not index.is_file():
        pytest.skip(f"articles not found under {base}")
    truth: dict[str, dict] = {}
    for source in ("scrapinghub-aeb", "trafilatura-eval"):
        for path in (base / source).glob("*.json"):
            truth[source] = json.loads(path.read_text(encoding="utf-8"))
    texts = []
    for line in index.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        value = truth.get(row["source"], {}).get(row["key"])
        if isinstance(value, dict):
            value = value.get(row["ground_truth"]) or next(
                (v for v in value.values() if isinstance(v, str) and len(v) > 200), ""
            )
        if value:
            texts.append(value)
    return texts


def test_no_false_flags_in_real_news(corpus):
    texts = article_texts(corpus)
    assert len(texts) >= 100
    people = make_people(2000, random.Random(11)) + load_people()
    matcher = Matcher(people)
    found = [(m.person_id, m.matched) for text in texts for m in matcher.find(text)]
    assert found == []
