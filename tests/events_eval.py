"""Run the labelled event cases (tests/data/events/*.yaml) through Matcher + Detector.

Mentions are what watch.match.Matcher finds for the people as an organiser lists
them, PLUS the labelled surface forms in people.yaml (`forms`) and in a case
(`names`): the interim matcher does not yet find inflected, possessive or
run-in Chinese names, and detection should be judged on its own.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from watch.detect import Detector
from watch.match import Matcher, fold
from watch.records import EVENT_KINDS, Event, Mention, Person

EVENTS_DIR = Path(__file__).resolve().parent / "data" / "events"
HARD_NEGATIVE_TAGS = frozenset(
    [
        "demand",
        "fear",
        "negation",
        "question",
        "conditional",
        "future",
        "denial",
        "other_person",
        "false_friend",
        "agent",
        "absentia",
        "fine",
        "retrial",
        "amnesty",
        "no_event",
        "hospital",
    ]
)


@dataclass
class Case:
    id: str
    language: str
    text: str
    expected: list[tuple[str, str, str]]  # (person, kind, date prefix or "")
    published: date
    tag: str = ""
    names: dict[str, list[str]] = field(default_factory=dict)

    @property
    def heldout(self) -> bool:
        return "-heldout" in self.id

    @property
    def hard_negative(self) -> bool:
        return not self.expected and self.tag in HARD_NEGATIVE_TAGS


def load_people() -> tuple[list[Person], dict[str, list[str]]]:
    spec = yaml.safe_load((EVENTS_DIR / "people.yaml").read_text(encoding="utf-8"))
    people, forms = [], {}
    for p in spec["people"]:
        people.append(Person(id=p["id"], name=p["name"], aliases=tuple(p.get("aliases", ()))))
        forms[p["id"]] = list(p.get("forms", ()))
    return people, forms


def _parse_expected(item: str, where: str) -> tuple[str, str, str]:
    parts = item.split()
    if len(parts) not in (2, 3) or parts[1] not in EVENT_KINDS:
        raise ValueError(f"{where}: expected 'person kind [date]', got {item!r}")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def load_cases(languages: set[str] | None = None) -> list[Case]:
    cases = []
    for path in sorted(EVENTS_DIR.glob("*.yaml")):
        if path.name == "people.yaml":
            continue
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        lang = spec["language"]
        if languages and lang not in languages:
            continue
        for i, raw in enumerate(spec["cases"], 1):
            where = f"{path.name} case {i}"
            cases.append(
                Case(
                    id=f"{path.stem}-{i:03d}",
                    language=lang,
                    text=raw["t"],
                    expected=[_parse_expected(x, where) for x in raw.get("e") or []],
                    published=raw.get("pub") or spec["published"],
                    tag=raw.get("tag", ""),
                    names=raw.get("names") or {},
                )
            )
    return cases


def _form_pattern(form: str) -> re.Pattern[str]:
    body = re.escape(fold(form))
    if re.search(r"[\u3000-\u9fff]", form):  # Chinese runs names into the text
        return re.compile(body)
    return re.compile(rf"(?<!\w){body}(?!\w)")


class Runner:
    def __init__(self, detector: Detector | None = None):
        self.people, self.forms = load_people()
        self.matcher = Matcher(self.people)
        self.detector = detector or Detector()
        self._form_patterns = {
            pid: [_form_pattern(f) for f in forms] for pid, forms in self.forms.items()
        }

    def mentions(self, case: Case) -> list[Mention]:
        return self.mentions_in(case.text, case.names)

    def mentions_in(self, text: str, names: dict[str, list[str]] | None = None) -> list[Mention]:
        """Matcher mentions, plus the labelled surface forms it does not find yet."""
        found = list(self.matcher.find(text))
        folded = fold(text)
        extra = {pid: [_form_pattern(f) for f in fs] for pid, fs in (names or {}).items()}
        for pid in set(self._form_patterns) | set(extra):
            for pattern in self._form_patterns.get(pid, []) + extra.get(pid, []):
                for m in pattern.finditer(folded):
                    if not any(m.start() < x.end and x.start < m.end() for x in found):
                        span = text[m.start() : m.end()]
                        found.append(Mention(pid, m.start(), m.end(), span, 1.0, "labelled"))
        return sorted(found, key=lambda x: x.start)

    def run(self, case: Case, *, with_language: bool = True) -> list[Event]:
        language = case.language if with_language else None
        return self.detector.detect(
            case.text, self.mentions(case), language=language, published=case.published
        )


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Report:
    by_language: dict[str, Score]
    by_kind: dict[tuple[str, str], Score]
    overall: Score
    dates_right: int
    dates_checked: int
    errors: list[str]
    cases: int
    hard_negatives: int

    def table(self) -> str:
        langs = sorted(self.by_language)
        lines = [f"{'kind':18s}" + "".join(f"{lang:>12s}" for lang in langs) + f"{'all':>12s}"]
        for kind in EVENT_KINDS:
            row = [self.by_kind.get((lang, kind), Score()) for lang in langs]
            total = Score(sum(s.tp for s in row), sum(s.fp for s in row), sum(s.fn for s in row))
            if not (total.tp + total.fp + total.fn):
                continue
            cells = "".join(f"{f'{s.tp}/{s.fp}/{s.fn}':>12s}" for s in [*row, total])
            lines.append(f"{kind:18s}{cells}")
        lines.append("  (cells: true positives / false positives / missed)")
        for label, get in (("precision", "precision"), ("recall", "recall")):
            cells = "".join(f"{getattr(self.by_language[lang], get):>12.3f}" for lang in langs)
            lines.append(f"{label:18s}{cells}{getattr(self.overall, get):>12.3f}")
        lines.append(
            f"cases {self.cases}, hard negatives {self.hard_negatives} "
            f"({self.hard_negatives / max(1, self.cases):.0%}); dates right "
            f"{self.dates_right}/{self.dates_checked}"
        )
        return "\n".join(lines)


def evaluate(runner: Runner, cases: list[Case], *, with_language: bool = True) -> Report:
    by_language: dict[str, Score] = defaultdict(Score)
    by_kind: dict[tuple[str, str], Score] = defaultdict(Score)
    overall = Score()
    errors: list[str] = []
    dates_right = dates_checked = 0
    for case in cases:
        events = runner.run(case, with_language=with_language)
        got = {(e.person_id, e.kind): e for e in events}
        want = {(p, k): d for p, k, d in case.expected}
        for key in got.keys() | want.keys():
            bucket = "tp" if key in got and key in want else ("fp" if key in got else "fn")
            for score in (by_language[case.language], by_kind[(case.language, key[1])], overall):
                setattr(score, bucket, getattr(score, bucket) + 1)
            if bucket != "tp":
                errors.append(f"{case.id} {bucket.upper()} {key[0]} {key[1]}: {case.text}")
            elif want[key]:
                dates_checked += 1
                when = got[key].date
                if when and str(when).startswith(want[key]):
                    dates_right += 1
                else:
                    errors.append(
                        f"{case.id} DATE {key}: want {want[key]} got {when} ({got[key].date_how})"
                    )
    hard = sum(1 for c in cases if c.hard_negative)
    return Report(
        dict(by_language),
        dict(by_kind),
        overall,
        dates_right,
        dates_checked,
        errors,
        len(cases),
        hard,
    )


def tag_counts(cases: list[Case]) -> Counter:
    return Counter(c.tag or "-" for c in cases)
