"""The shared article corpus and the two upstream metrics, as the upstream projects define them."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("APPEALWATCH_CORPUS", REPO.parent / "shared" / "corpus"))


@dataclass
class Page:
    source: str
    path: Path
    url: str
    lang: str
    key: str
    truth: dict


def load_pages(corpus: Path = CORPUS) -> list[Page]:
    base = corpus / "articles"
    aeb = json.loads((base / "scrapinghub-aeb" / "ground-truth.json").read_text())
    tra = json.loads((base / "trafilatura-eval" / "evaldata.json").read_text())
    pages = []
    for line in (base / "index.jsonl").read_text().splitlines():
        row = json.loads(line)
        truth = aeb[row["key"]] if row["source"] == "scrapinghub-aeb" else tra[row["key"]]
        pages.append(
            Page(row["source"], base / row["html"], row["url"], row["lang"], row["key"], truth)
        )
    return pages


# --- scrapinghub article-extraction-benchmark: evaluate.py --------------------------------

_TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(
        " ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n]
    )


def shingle_counts(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) over 4-token shingle multisets, normalised to sum to 1 per page."""
    t, p = _shingles(true), _shingles(pred)
    tp = fp = fn = 0
    for key in t.keys() | p.keys():
        tc, pc = t.get(key, 0), p.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def exact(true: str, pred: str) -> bool:
    return _TOKEN.findall(true or "") == _TOKEN.findall(pred or "")


# --- trafilatura tests/eval_common.py: count_item -----------------------------------------


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def snippet_counts(truth: dict, pred: str) -> tuple[int, int, int, int]:
    """(tp, fn, fp, tn): 'with' snippets found / missing, 'without' snippets found / absent."""
    text = _ws(pred)
    tp = sum(1 for s in truth.get("with", []) if _ws(s) in text)
    fn = len(truth.get("with", [])) - tp
    fp = sum(1 for s in truth.get("without", []) if _ws(s) in text)
    tn = len(truth.get("without", [])) - fp
    return tp, fn, fp, tn


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f
