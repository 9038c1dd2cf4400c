"""appealwatch's matcher against OpenSanctions' name_bench, beside their logic_v2.

    python bench/match_names.py [CORPUS_DIR]      (default ../shared/corpus)

Each Person pair: watch name1, then look for it in a sentence containing name2.
Prints precision and recall of both matchers on the same rows: on the development
half (rows whose sha1(name1|name2) starts with an even byte: tune on these only), the
held-out half and all rows; appealwatch at its default threshold and screening.
"""

from __future__ import annotations

import csv
import hashlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from watch.match import Matcher
from watch.records import Person

SCREENING = 0.4  # the screening threshold README documents
HALVES = ("development", "held-out", "all")
SENTENCE = "According to the report, {} was seen in the capital on Monday."


def person_rows(corpus: Path) -> list[dict]:
    with open(corpus / "names" / "name_bench_cases.csv", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["schema"] == "Person"]


def logic_v2(corpus: Path) -> dict[tuple[str, str, str], bool]:
    with open(corpus / "names" / "logicv2-frozen.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["schema"] == "Person"]
    return {(r["case_group"], r["name1"], r["name2"]): r["predicted_match"] == "true" for r in rows}


def ours(row: dict, min_score: float = 0.6) -> bool:
    matcher = Matcher([Person("watched", row["name1"])], min_score=min_score)
    return bool(matcher.find(SENTENCE.format(row["name2"])))


def scores(pairs: list[tuple[bool, bool]]) -> tuple[float, float]:
    tp = sum(1 for want, got in pairs if want and got)
    fp = sum(1 for want, got in pairs if got and not want)
    fn = sum(1 for want, got in pairs if want and not got)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def half(row: dict) -> str:
    """A stable split of the rows: 'development' or 'held-out'."""
    digest = hashlib.sha1(f"{row['name1']}|{row['name2']}".encode()).digest()
    return "development" if digest[0] % 2 == 0 else "held-out"


def compare(corpus: Path) -> dict[str, dict[str, tuple[float, float, int]]]:
    """By half: (precision, recall, rows) of appealwatch at its default, screening
    (min_score=SCREENING) and logic_v2, on the Person rows both scored."""
    theirs = logic_v2(corpus)
    outcomes: dict[str, dict[str, list]] = {h: {} for h in HALVES}
    for row in person_rows(corpus):
        k = (row["case_group"], row["name1"], row["name2"])
        if k not in theirs:
            continue
        want = row["is_match"] == "true"
        got = {
            "appealwatch": ours(row),
            f"appealwatch screening (min_score={SCREENING})": ours(row, min_score=SCREENING),
            "logic_v2": theirs[k],
        }
        for h in (half(row), "all"):
            for name, g in got.items():
                outcomes[h].setdefault(name, []).append((want, g))
    return {
        h: {name: (*scores(pairs), len(pairs)) for name, pairs in by_name.items()}
        for h, by_name in outcomes.items()
    }


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "corpus"
    for h, by_name in compare(corpus).items():
        for name, (p, r, n) in by_name.items():
            print(f"{h:12s} {name:38s} precision {p:.3f}  recall {r:.3f}  (Person rows: {n})")


if __name__ == "__main__":
    main()
