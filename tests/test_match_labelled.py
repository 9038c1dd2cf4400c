"""The labelled set in tests/data/names: precision and recall, per script and overall.

people.tsv is the watchlist; cases.tsv holds one text a line with the people it
names (and, for most, the exact words that name them). Hard negatives are there
on purpose: namesakes, the female form of a male surname, the surname inside
another word, a different initial, a different patronymic.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from watch.match import Matcher
from watch.records import Person

DATA = Path(__file__).parent / "data" / "names"
SCRIPTS = ("latin", "cyrillic", "han", "mixed", "arabic", "hebrew", "devanagari", "kana", "hangul")


def load_people(path: Path = DATA / "people.tsv") -> list[Person]:
    people = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pid, name, aliases, context, min_score = [*line.split("\t"), "", "", ""][:5]
        split = lambda v: tuple(x for x in v.split("|") if x)  # noqa: E731
        score = float(min_score) if min_score.strip() else None
        people.append(
            Person(pid, name, aliases=split(aliases), context=split(context), min_score=score)
        )
    return people


def load_cases(path: Path = DATA / "cases.tsv") -> list[tuple[str, dict[str, str | None], str]]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        script, expected, text = line.split("\t")
        want: dict[str, str | None] = {}
        if expected != "-":
            for item in expected.split("+"):
                pid, _, span = item.partition("=")
                want[pid] = span or None
        assert text, f"cases.tsv:{number}: empty text"
        cases.append((script, want, text))
    return cases


@pytest.fixture(scope="module")
def outcome():
    matcher = Matcher(load_people())
    counts: dict[str, Counter] = defaultdict(Counter)
    wrong: list[str] = []
    for script, want, text in load_cases():
        mentions = matcher.find(text)
        for m in mentions:
            assert text[m.start : m.end] == m.matched, f"span does not index the text: {m}"
            assert 0 < m.score <= 1 and m.how
        got = {m.person_id for m in mentions}
        for pid in got | set(want):
            for bucket in (script, "all"):
                if pid in got and pid in want:
                    counts[bucket]["tp"] += 1
                elif pid in got:
                    counts[bucket]["fp"] += 1
                else:
                    counts[bucket]["fn"] += 1
            if (pid in got) != (pid in want):
                wrong.append(f"{'FP' if pid in got else 'FN'} {pid}: {text}")
        for pid, span in want.items():
            if (
                span
                and pid in got
                and span not in {m.matched for m in mentions if m.person_id == pid}
            ):
                wrong.append(f"SPAN {pid} want {span!r} got {[m.matched for m in mentions]}")
    return counts, wrong


def test_labelled_set_is_large_and_covers_every_script():
    cases = load_cases()
    scripts = Counter(script for script, _, _ in cases)
    assert len(cases) >= 300
    assert set(scripts) == set(SCRIPTS)
    assert sum(1 for _, want, _ in cases if not want) >= 100  # hard negatives


@pytest.mark.parametrize("script", ["all", *SCRIPTS])
def test_precision_and_recall(outcome, script):
    counts, wrong = outcome
    c = counts[script]
    precision = c["tp"] / max(1, c["tp"] + c["fp"])
    recall = c["tp"] / max(1, c["tp"] + c["fn"])
    detail = "\n".join(wrong)
    assert precision >= 0.98, f"{script}: precision {precision:.3f}\n{detail}"
    assert recall >= 0.95, f"{script}: recall {recall:.3f}\n{detail}"


def test_spans_are_the_words_that_name_the_person(outcome):
    _, wrong = outcome
    spans = [w for w in wrong if w.startswith("SPAN")]
    assert len(spans) <= 3, "\n".join(spans)
