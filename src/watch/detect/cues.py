"""Load and check one language's cue file (src/watch/cues/<lang>.yaml) into a CueSet.

A cue file lists the words that carry an event (cues), the words that take it back
(blockers), look-alikes that are no event at all (false friends), the words that
point at or away from a person, and how the language writes dates. Everything here
runs once, when a Detector is built: a bad file raises CueFileError naming the file
and the entry, before any text is read.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from watch.errors import CueFileError
from watch.records import CASE_STATES, CUSTODY_STATES, EVENT_KINDS

CUES_DIR = Path(__file__).resolve().parent.parent / "cues"

# The state each kind moves the person to (custody, case); alerts move nothing.
DEFAULT_STATE: dict[str, tuple[str | None, str | None]] = {
    "detained": ("detained", None),
    "charged": (None, "charged"),
    "sentenced": ("imprisoned", "convicted"),
    "conviction_upheld": (None, "convicted"),
    "released": ("free", None),
    "charges_dropped": (None, "charges_dropped"),
    "acquitted": (None, "acquitted"),
    "disappeared": ("disappeared", None),
    "deported": ("deported", None),
    "died": ("deceased", None),
}
BLOCKER_SCOPES = ("near", "clause", "sentence", "after")


@dataclass(frozen=True)
class Cue:
    kind: str
    regex: re.Pattern[str]
    custody: str | None
    case: str | None
    role: str = "any"  # "object": the person must follow the cue ("police detained X")
    # False where the cue's own words look like a blocker ("denied medical care").
    check_inside: bool = True


@dataclass(frozen=True)
class Blocker:
    name: str
    regex: re.Pattern[str]
    scope: str
    window: int
    kinds: frozenset[str] | None = None


@dataclass(frozen=True)
class DateRules:
    patterns: tuple[re.Pattern[str], ...]
    months: dict[str, int]
    weekdays: dict[str, int]
    relative: dict[str, int]


@dataclass
class CueSet:
    """Everything one language's cue file says, compiled."""

    language: str
    cues: list[Cue]
    blockers: list[Blocker]
    false_friends: re.Pattern[str] | None
    clause_break: re.Pattern[str]
    anaphora: re.Pattern[str] | None
    object_pronoun: re.Pattern[str] | None
    coordination: re.Pattern[str] | None
    possessor_before: re.Pattern[str] | None
    possessor_after: re.Pattern[str] | None
    others: re.Pattern[str] | None
    attribution: list[re.Pattern[str]]
    speech: re.Pattern[str] | None
    dates: DateRules
    capitalised_names: bool = True
    question_marks: str = "?？"
    any_cue: re.Pattern[str] | None = None  # every cue in one pattern: a cheap first test

    def __post_init__(self) -> None:
        if self.any_cue is None and self.cues:
            joined = "|".join(f"(?:{c.regex.pattern})" for c in self.cues)
            try:
                self.any_cue = re.compile(joined, re.IGNORECASE)
            except re.error:  # e.g. one group name used by two cues: no first test then
                self.any_cue = None


def _compile(pattern: str, where: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise CueFileError(f"{where}: bad pattern {pattern!r}: {exc}") from None


def _alternation(patterns: Sequence[str] | None, where: str) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return _compile("|".join(f"(?:{p})" for p in patterns), where)


def _load_cues(spec: dict, where: str) -> list[Cue]:
    cues = []
    for kind, entries in (spec.get("events") or {}).items():
        if kind not in EVENT_KINDS:
            raise CueFileError(f"{where}: events: unknown kind {kind!r} (one of {EVENT_KINDS})")
        for i, entry in enumerate(entries or []):
            at = f"{where}: events.{kind}[{i}]"
            item = {"re": entry} if isinstance(entry, str) else dict(entry)
            if not isinstance(item.get("re"), str):
                raise CueFileError(f"{at}: an entry is a pattern or a mapping with 're'")
            custody, case = DEFAULT_STATE.get(kind, (None, None))
            custody, case = item.get("custody", custody), item.get("case", case)
            if custody is not None and custody not in CUSTODY_STATES:
                raise CueFileError(f"{at}: unknown custody {custody!r} (one of {CUSTODY_STATES})")
            if case is not None and case not in CASE_STATES:
                raise CueFileError(f"{at}: unknown case {case!r} (one of {CASE_STATES})")
            role = item.get("role", "any")
            if role not in ("any", "object"):
                raise CueFileError(f"{at}: role {role!r} is 'any' or 'object'")
            inside = bool(item.get("check_inside", True))
            cues.append(Cue(kind, _compile(item["re"], at), custody, case, role, inside))
    return cues


def _load_blockers(spec: dict, where: str) -> list[Blocker]:
    blockers = []
    for name, entries in (spec.get("blockers") or {}).items():
        for i, entry in enumerate(entries or []):
            item = {"re": entry} if isinstance(entry, str) else dict(entry)
            if not isinstance(item.get("re"), str):
                raise CueFileError(
                    f"{where}: blockers.{name}[{i}]: an entry is a pattern or a mapping with 're'"
                )
            scope = item.get("scope", "clause")
            if scope not in BLOCKER_SCOPES:
                raise CueFileError(
                    f"{where}: blockers.{name}[{i}]: scope {scope!r} not in {BLOCKER_SCOPES}"
                )
            kinds = item.get("kinds")
            for kind in kinds or ():
                if kind not in EVENT_KINDS:
                    raise CueFileError(f"{where}: blockers.{name}[{i}]: unknown kind {kind!r}")
            regex = _compile(item["re"], f"{where}: blockers.{name}[{i}]")
            window = int(item.get("window", 40))
            blockers.append(
                Blocker(name, regex, scope, window, frozenset(kinds) if kinds else None)
            )
    return blockers


def _load_dates(spec: dict, where: str) -> DateRules:
    months = {k.casefold(): int(v) for k, v in (spec.get("months") or {}).items()}
    weekdays = {k.casefold(): int(v) for k, v in (spec.get("weekdays") or {}).items()}
    relative = {k.casefold(): int(v) for k, v in (spec.get("relative") or {}).items()}

    def names(table: dict[str, int]) -> str:
        return "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True)) or "(?!)"

    patterns = []
    for i, raw in enumerate(spec.get("patterns") or []):
        filled = raw.replace("MONTH", f"(?:{names(months)})").replace(
            "WEEKDAY", f"(?:{names(weekdays)})"
        )
        filled = filled.replace("RELATIVE", f"(?:{names(relative)})")
        patterns.append(_compile(filled, f"{where}: dates.patterns[{i}]"))
    return DateRules(tuple(patterns), months, weekdays, relative)


def load_cue_file(path: Path) -> CueSet:
    """Compile one language's cue file; a bad file raises CueFileError naming file and entry."""
    where = str(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CueFileError(f"{where}: cannot read cue file: {exc}") from None
    if not isinstance(spec, dict):
        raise CueFileError(f"{where}: a cue file is a mapping with 'events', 'blockers', 'dates'")
    return CueSet(
        language=str(spec.get("language") or path.stem),
        cues=_load_cues(spec, where),
        blockers=_load_blockers(spec, where),
        false_friends=_alternation(spec.get("false_friends"), f"{where}: false_friends"),
        clause_break=_alternation(
            spec.get("clause_breaks") or [r"[;:]"], f"{where}: clause_breaks"
        ),
        anaphora=_alternation(spec.get("anaphora"), f"{where}: anaphora"),
        object_pronoun=_alternation(spec.get("object_pronouns"), f"{where}: object_pronouns"),
        coordination=_alternation(spec.get("coordination"), f"{where}: coordination"),
        possessor_before=_alternation(spec.get("possessor_before"), f"{where}: possessor_before"),
        possessor_after=_alternation(spec.get("possessor_after"), f"{where}: possessor_after"),
        others=_alternation(spec.get("others"), f"{where}: others"),
        attribution=[_compile(p, f"{where}: attribution") for p in spec.get("attribution") or []],
        speech=_alternation(spec.get("speech"), f"{where}: speech"),
        dates=_load_dates(spec.get("dates") or {}, where),
        capitalised_names=bool(spec.get("capitalised_names", True)),
    )
