"""appealwatch's matcher against OpenSanctions' name_bench, beside their logic_v2.

    python bench/match_names.py [CORPUS_DIR]      (default ../shared/corpus)

Each Person pair: watch name1, then look for it in a sentence containing name2.
Prints precision and recall of both matchers on the same rows.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from watch.match import Matcher
from watch.records import Person

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


def compare(corpus: Path) -> dict[str, tuple[float, float, int]]:
    """(precision, recall, rows) of appealwatch (default, and screening at min_score=0.4)
    and of logic_v2, on the Person rows both scored."""
    theirs = logic_v2(corpus)
    default, screening, both = [], [], []
    for row in person_rows(corpus):
        k = (row["case_group"], row["name1"], row["name2"])
        if k not in theirs:
            continue
        want = row["is_match"] == "true"
        default.append((want, ours(row)))
        screening.append((want, ours(row, min_score=0.4)))
        both.append((want, theirs[k]))
    return {
        "appealwatch": (*scores(default), len(default)),
        "appealwatch screening (min_score=0.4)": (*scores(screening), len(screening)),
        "logic_v2": (*scores(both), len(both)),
    }


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "corpus"
    for name, (p, r, n) in compare(corpus).items():
        print(f"{name:38s} precision {p:.3f}  recall {r:.3f}  (Person rows: {n})")


if __name__ == "__main__":
    main()
