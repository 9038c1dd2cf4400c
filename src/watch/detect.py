"""Find what a text asserts happened to a watched person: status-change events.

    detector = Detector()                       # loads src/watch/cues/<lang>.yaml once
    detector.detect(text, mentions, language="ru", published=date(2024, 3, 1))

Rules, not a model: each language's cue file lists the words that carry an event
(cues), the words that take it back (blockers: demands, fears, negation, future,
denials, questions), look-alikes that are no event at all (false friends), and how
that language writes dates. The code below is the same for every language, so that
adding Kyrgyz or Arabic is adding a file.

Only sentences that name a watched person, or refer back to one ("he", "the
activist") just after, are analysed: that keeps detection cheap on long articles.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from watch.errors import CueFileError
from watch.records import CASE_STATES, CUSTODY_STATES, EVENT_KINDS, Event, Mention

CUES_DIR = Path(__file__).resolve().parent / "cues"

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
# How far a pronoun or "the activist" may reach back, in sentences.
ANAPHORA_REACH = 2
# Only this much text around each name is split into sentences (characters).
SPLIT_BEFORE = 300
SPLIT_AFTER = 700


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


# --- sentences -----------------------------------------------------------------------

# French sets a space before closing guillemets: « Turkménie, unis-toi ! »
_SENTENCE_END = re.compile(
    r"[.!?…]+(?:[ \u00a0\u202f]?[\"'»”’)\]])*(?=[\s,;:])|[。！？]+[”」』）]*|\n\s*\n|\n"
)
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "gen",
        "col",
        "lt",
        "sgt",
        "prof",
        "no",
        "vs",
        "etc",
        "jan",
        "feb",
        "aug",
        "sept",
        "oct",
        "nov",
        "dec",
        "mme",
        "mlle",
        "m",
        "sra",
        "sres",
        "dra",
        "hr",
        "fr",
        "nr",
        "str",
        "bzw",
        "ca",
        "г",
        "гг",
        "ст",
        "ул",
        "им",
        "т",
        "д",
        "проф",
        "тыс",
        "млн",
    ]
)
_WORD_BEFORE = re.compile(r"(\w+)\W*$")


def sentence_spans(text: str, begin: int = 0, stop: int | None = None) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text[begin:stop]; initials, abbreviations and
    ordinals ("am 25. Juli") do not end one."""
    stop = len(text) if stop is None else stop
    spans, start = [], begin
    for m in _SENTENCE_END.finditer(text, begin, stop):
        gap = text[m.end() : m.end() + 3]
        # "Unite!' movement", "e.g. the", "unis-toi ! », a été": the sentence goes on,
        # unless a paragraph ends
        following = gap.lstrip()[:1]
        if (following.islower() or following in ",;:") and "\n" not in gap:
            continue
        if m.group().startswith("."):
            word = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start() + 1)
            if word and (
                word.group(1).casefold() in _ABBREVIATIONS
                or (len(word.group(1)) == 1 and word.group(1).isupper())
                or (len(word.group(1)) <= 2 and word.group(1).isdigit())  # "am 25. Juli"
            ):
                continue
        end = m.end()
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:stop].strip():
        spans.append((start, stop))
    return spans


# --- dates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _DateHit:
    start: int
    end: int
    value: date
    how: str


def _resolve(m: re.Match[str], rules: DateRules, published: date | None):
    """(date, how) for one date expression; without a publication date, only a date
    that names its year can be resolved."""
    groups = {k: v for k, v in m.groupdict().items() if v}
    if published is None and "y" not in groups:
        return None
    try:
        if "rel" in groups:
            return published + timedelta(days=rules.relative[groups["rel"].casefold()]), "relative"
        if "wd" in groups:
            back = (published.weekday() - rules.weekdays[groups["wd"].casefold()]) % 7 or 7
            return published - timedelta(days=back), "relative"
        year = int(groups["y"]) if "y" in groups else None
        if "m" in groups:
            raw = groups["m"]
            month = int(raw) if raw.isdigit() else rules.months[raw.casefold()]
        else:
            month = None
        day = int(groups["d"]) if "d" in groups else None
        if year is None and month is None:
            return None
        if year is None and published is not None:  # "on 20 October": the last one by then
            year = published.year
            if date(year, month, day or 1) > published:
                year -= 1
        how = "text" if day else ("text-month" if month else "text-year")
        return date(year, month or 1, day or 1), how
    except (KeyError, ValueError):
        return None


def _find_dates(sentence: str, rules: DateRules, published: date | None) -> list[_DateHit]:
    hits: list[_DateHit] = []
    taken: list[tuple[int, int]] = []
    for pattern in rules.patterns:  # earlier patterns are the more specific ones
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            resolved = _resolve(m, rules, published)
            if resolved:
                # a date after publication is a plan, not the event's date; it still
                # keeps its parts ("3 June" of "3 June 2024") from matching again
                taken.append((m.start(), m.end()))
                if published is None or resolved[0] <= published:
                    hits.append(_DateHit(m.start(), m.end(), *resolved))
    return hits


# --- detection ------------------------------------------------------------------------


@dataclass
class _Found:
    start: int
    end: int
    person_id: str
    possessor: bool = False


@dataclass
class _Sentence:
    start: int
    end: int
    text: str
    found: list[_Found] = field(default_factory=list)
    carried: str | None = None  # the person a pronoun here would refer back to


class Detector:
    """Status-change events in a text, for the watched people mentioned in it."""

    def __init__(self, cue_dir: Path | None = None, languages: Sequence[str] | None = None):
        folder = Path(cue_dir) if cue_dir else CUES_DIR
        files = sorted(folder.glob("*.yaml"))
        if languages:
            files = [f for f in files if f.stem in set(languages)]
        if not files:
            raise CueFileError(f"{folder}: no cue files (*.yaml) found")
        self.cuesets: dict[str, CueSet] = {}
        for path in files:
            cueset = load_cue_file(path)
            self.cuesets[cueset.language] = cueset

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.cuesets))

    def detect(
        self,
        text: str,
        mentions: Sequence[Mention],
        *,
        language: str | None = None,
        published: date | datetime | None = None,
    ) -> list[Event]:
        """Events the text asserts about the mentioned people, each with its evidence and date."""
        if not mentions or not text:
            return []
        if language is None:
            from watch.language import identify

            language = identify(_near_mentions(text, mentions), among=self.cuesets)
        cueset = self.cuesets.get(re.split(r"[-_]", language or "")[0].casefold())
        if cueset is None:
            return []
        if isinstance(published, datetime):
            published = published.date()
        sentences = self._sentences(text, mentions, cueset)
        events: list[Event] = []
        seen: set[tuple[str, str, date | None]] = set()
        for sentence in sentences:
            for event in self._sentence_events(sentence, cueset, published):
                key = (event.person_id, event.kind, event.date)
                if key not in seen:
                    seen.add(key)
                    events.append(event)
        return events

    def _sentences(self, text: str, mentions: Sequence[Mention], cueset: CueSet) -> list[_Sentence]:
        """The sentences worth analysing: those naming someone, and the next few after them."""
        mentions = _distinct(mentions)
        spans = _spans_near(text, mentions)
        starts = [s for s, _ in spans]
        by_index: dict[int, _Sentence] = {}
        for mention in mentions:
            i = max(0, bisect.bisect_right(starts, mention.start) - 1)
            s, e = spans[i]
            sentence = by_index.setdefault(i, _Sentence(s, e, text[s:e]))
            local = mention.start - s
            possessor = self._is_possessor(sentence.text, local, mention.end - s, cueset)
            sentence.found.append(_Found(local, mention.end - s, mention.person_id, possessor))
        chosen: list[_Sentence] = []
        last_focus, last_index = None, -10
        for i in range(len(spans)):
            sentence = by_index.get(i)
            if sentence is not None:
                sentence.found.sort(key=lambda f: f.start)
                sentence.carried = last_focus if i - last_index <= ANAPHORA_REACH else None
                chosen.append(sentence)
                subjects = [f for f in sentence.found if not f.possessor] or sentence.found
                last_focus, last_index = subjects[0].person_id, i
            elif spans[i][0] == spans[i][1]:  # a gap between stretches of text near names
                last_focus = None
            elif last_focus and i - last_index <= ANAPHORA_REACH:
                s, e = spans[i]
                chosen.append(_Sentence(s, e, text[s:e], carried=last_focus))
            elif last_index >= 0 and i - last_index > ANAPHORA_REACH and i > max(by_index):
                break
        return chosen

    @staticmethod
    def _is_possessor(sentence: str, start: int, end: int, cueset: CueSet) -> bool:
        """'Askarov's lawyer', 'адвокат Аскарова': the person owns the subject, is not it."""
        if cueset.possessor_after and cueset.possessor_after.match(sentence, end):
            return True
        if cueset.possessor_before:
            before = sentence[max(0, start - 40) : start]
            return any(m.end() == len(before) for m in cueset.possessor_before.finditer(before))
        return False

    def _sentence_events(
        self, sentence: _Sentence, cueset: CueSet, published: date | None
    ) -> list[Event]:
        text = sentence.text
        if not sentence.found and not (cueset.anaphora and cueset.anaphora.search(text)):
            return []
        hits = _cue_hits(text, cueset)
        if not hits:
            return []
        if text.rstrip().rstrip("\"'»”’)").endswith(tuple(cueset.question_marks)):
            return []
        breaks = [m.end() for m in cueset.clause_break.finditer(text)]
        date_hits = _find_dates(text, cueset.dates, published)
        attribution = _attribution(text, cueset)
        events = []
        done: set[tuple[str, str]] = set()
        for m, cue in hits:
            clause = _clause(breaks, m.start(), m.end(), len(text))
            if _blocked(text, m, cue, clause, cueset):
                continue
            for person_id in _patients(sentence, m, cue, clause, cueset):
                if (person_id, cue.kind) in done:
                    continue
                done.add((person_id, cue.kind))
                when, how = _event_date(_dates_of(m, hits, date_hits), m, clause, published)
                events.append(
                    Event(
                        person_id=person_id,
                        kind=cue.kind,
                        sentence=text.strip(),
                        cue=m.group().strip(),
                        date=when,
                        date_how=how,
                        start=sentence.start,
                        end=sentence.end,
                        custody=cue.custody,
                        case=cue.case,
                        attribution=attribution,
                    )
                )
        return events


def _distinct(mentions: Sequence[Mention]) -> list[Mention]:
    """One mention per stretch of text and person: "Azimjan Askarov" and the "Askarov"
    inside it are one mention, the longer."""
    kept: list[Mention] = []
    for m in sorted(mentions, key=lambda m: (m.start, -(m.end - m.start))):
        if not any(k.person_id == m.person_id and k.start <= m.start < k.end for k in kept[-4:]):
            kept.append(m)
    return kept


def _spans_near(text: str, mentions: Sequence[Mention]) -> list[tuple[int, int]]:
    """Sentence spans in the stretches of text around the names only: a long article is
    not split whole. Stretches are separated by an empty (lo, lo) marker."""
    regions: list[list[int]] = []
    for m in sorted(mentions, key=lambda m: m.start):
        lo, hi = max(0, m.start - SPLIT_BEFORE), min(len(text), m.end + SPLIT_AFTER)
        if regions and lo <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], hi)
        else:
            regions.append([lo, hi])
    spans: list[tuple[int, int]] = []
    for lo, hi in regions:
        if spans:
            spans.append((lo, lo))
        spans.extend(sentence_spans(text, lo, hi))
    return spans


def _near_mentions(text: str, mentions: Sequence[Mention], reach: int = 200) -> str:
    """Identify the language of the text around the names, not of a whole page's boilerplate."""
    parts = [text[max(0, m.start - reach) : m.end + reach] for m in mentions[:3]]
    return " ".join(parts)


def _cue_hits(text: str, cueset: CueSet) -> list[tuple[re.Match[str], Cue]]:
    """Cue matches, longest first where they overlap, minus those inside a false friend."""
    if cueset.any_cue is not None and not cueset.any_cue.search(text):
        return []
    ghosts = [m.span() for m in cueset.false_friends.finditer(text)] if cueset.false_friends else []
    raw = []
    for cue in cueset.cues:
        for m in cue.regex.finditer(text):
            if m.end() > m.start() and not any(m.start() < e and s < m.end() for s, e in ghosts):
                raw.append((m, cue))
    raw.sort(key=lambda mc: (mc[0].start() - mc[0].end(), mc[0].start()))
    kept: list[tuple[re.Match[str], Cue]] = []
    for m, cue in raw:
        # A cue inside a longer one goes ("transferred" in "transferred to hospital"); two
        # kinds may share a span or overlap ("est détenu" / "détenu au secret").
        if not any(
            k.start() <= m.start() and m.end() <= k.end() and k.span() != m.span() for k, _ in kept
        ):
            kept.append((m, cue))
    return sorted(kept, key=lambda mc: mc[0].start())


def _clause(breaks: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_right(breaks, start)
    left = breaks[i - 1] if i else 0
    j = bisect.bisect_left(breaks, end + 1)
    right = breaks[j] if j < len(breaks) else length
    return left, right


def _blocked(
    text: str, m: re.Match[str], cue: Cue, clause: tuple[int, int], cueset: CueSet
) -> bool:
    left = clause[0]
    for blocker in cueset.blockers:
        if blocker.kinds and cue.kind not in blocker.kinds:
            continue
        if blocker.scope == "near":  # the cue itself too: "was not released"
            end = m.end() if cue.check_inside else m.start()
            span = text[max(left, m.start() - blocker.window) : end]
        elif blocker.scope == "clause":
            span = text[left : m.start()]
        elif blocker.scope == "sentence":
            span = text[: m.start()]
        else:  # after: past the clause too ("dropped one charge, but kept the other")
            span = text[m.end() : m.end() + blocker.window]
        if blocker.regex.search(span):
            return True
    return False


def _patients(sentence: _Sentence, m: re.Match[str], cue: Cue, clause, cueset: CueSet) -> list[str]:
    """Who the event happens to: the person the clause is about, not whoever it names."""
    text, found = sentence.text, sentence.found
    left, right = clause
    subjects = [f for f in found if not f.possessor]
    inside = [f.person_id for f in subjects if m.start() <= f.start and f.end <= m.end()]
    if inside:  # "upheld Askarov's sentence"
        return list(dict.fromkeys(inside))
    before = [f for f in subjects if left <= f.start and f.end <= m.start()]
    after = [f for f in subjects if m.end() <= f.start < right]
    # a pronoun inside the cue counts too: "learned of his death"
    anaphors = list(cueset.anaphora.finditer(text, left, m.end())) if cueset.anaphora else []
    if cue.role == "object":
        if after and not _other_between(text, m.end(), after[0].start, cueset):
            return _with_coordinated(text, after[0], subjects, cueset)
        gap = len(text[m.end() :]) - len(text[m.end() :].lstrip())
        if cueset.others and cueset.others.match(text, m.end() + gap):  # "arrested her colleagues"
            return []
        pronoun = cueset.object_pronoun and cueset.object_pronoun.match(text, m.end())
        focus = _focus(sentence, m.start(), cueset)
        return [focus] if pronoun and focus else []
    if before:
        pick = before[-1]
        if _other_between(text, pick.end, m.start(), cueset, names=False):
            # "Askarov's lawyers said he had been beaten": a pronoun after the other
            # person takes the event back to the one named
            last_other = list(cueset.others.finditer(text, pick.end, m.start()))[-1]
            if not any(a.start() >= last_other.end() for a in anaphors):
                return []
            focus = _focus(sentence, m.start(), cueset)
            return [focus] if focus else []
        return _with_coordinated(text, pick, subjects, cueset)
    if anaphors:
        # "she said her lawyer was beaten", "the journalist Bakyt Asanov was detained":
        # someone else stands between the pronoun and the cue
        if _other_between(text, anaphors[-1].start(), m.start(), cueset):
            return []
        focus = _focus(sentence, anaphors[-1].end(), cueset)
        return [focus] if focus else []
    if after:
        return _with_coordinated(text, after[0], subjects, cueset)
    earlier = [f for f in subjects if f.end <= m.start()]
    if earlier and not _other_between(text, earlier[-1].end, m.start(), cueset):
        return _with_coordinated(text, earlier[-1], subjects, cueset)
    named = any(left <= f.start < m.start() for f in found)
    stranger = cueset.capitalised_names and any(
        not any(f.start < n.end() and n.start() < f.end for f in found)
        for n in _CAPITALISED_NAME.finditer(text, 0, m.start())
    )
    if not earlier and not named and not stranger and _subjectless(text[left : m.start()], cueset):
        # Pro-drop ("Según su abogado, está en huelga de hambre"): the clause names
        # no one, so it goes on about the person in focus.
        focus = _focus(sentence, m.start(), cueset)
        return [focus] if focus else []
    return []


def _subjectless(prefix: str, cueset: CueSet) -> bool:
    words = prefix.split()
    if _CJK.search(prefix):  # no spaces to count words by: a short run of characters
        words = [prefix] if len(prefix.strip()) <= 6 else ["", "", ""]
    if len(words) > 2 or (cueset.others and cueset.others.search(prefix)):
        return False
    return not any(w[:1].isupper() for w in words[1:])


def _focus(sentence: _Sentence, position: int, cueset: CueSet) -> str | None:
    """Whom a pronoun at `position` refers to: the nearest name before it, else the carried one.

    A possessor ("Askarov's son", "сын Аскарова") is the subject's owner, not the
    subject: a pronoun goes back to it only across a verb of saying ("Askarov's lawyer
    said he was beaten"), not in "Askarov's son was arrested but released".
    """
    earlier = [f for f in sentence.found if f.end <= position]
    if not earlier:
        return sentence.carried
    subjects = [f for f in earlier if not f.possessor]
    if subjects:
        return subjects[-1].person_id
    owner = earlier[-1]
    said = bool(cueset.speech and cueset.speech.search(sentence.text, owner.end, position))
    return owner.person_id if said else None


def _other_between(text: str, start: int, end: int, cueset: CueSet, names: bool = True) -> bool:
    """Someone else stands between the name and the cue ('his brother', 'Bakyt Asanov')."""
    if start >= end:
        return False
    span = text[start:end]
    if cueset.others and cueset.others.search(span):
        return True
    return bool(names and cueset.capitalised_names and _CAPITALISED_NAME.search(span))


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_CAPITALISED_NAME = re.compile(r"(?<!\w)[A-ZА-ЯЁ][a-zа-яё'’\-]+\s+[A-ZА-ЯЁ][a-zа-яё'’\-]{2,}")


def _with_coordinated(text: str, pick: _Found, subjects: list[_Found], cueset: CueSet) -> list[str]:
    """'Askarov and Isakov were detained': both, when names are joined by 'and', commas."""
    people = [pick.person_id]
    if cueset.coordination is None:
        return people
    i = subjects.index(pick)
    for step in (-1, 1):
        j, current = i + step, pick
        while 0 <= j < len(subjects):
            other = subjects[j]
            gap = text[other.end : current.start] if step < 0 else text[current.end : other.start]
            if not cueset.coordination.fullmatch(gap):
                break
            people.append(other.person_id)
            current, j = other, j + step
    return list(dict.fromkeys(people))


def _gap(hit: _DateHit, m: re.Match[str]) -> int:
    return hit.start - m.end() if hit.start >= m.end() else max(0, m.start() - hit.end)


def _dates_of(m: re.Match[str], cues, dates: list[_DateHit]) -> list[_DateHit]:
    """The dates nearer this cue than any other cue in the sentence ("On 3 February the
    court upheld the sentence handed down in November": February is the upholding's).
    When no date is nearest to it, all of them."""
    own = [d for d in dates if min(cues, key=lambda c: _gap(d, c[0]))[0] is m]
    return own or dates


def _event_date(hits: list[_DateHit], m: re.Match[str], clause, published: date | None):
    """The date nearest the cue, in its clause first; else the publication date."""
    if not hits:
        return published, "published"
    left, right = clause

    def distance(hit: _DateHit) -> int:
        return _gap(hit, m) + (0 if left <= hit.start < right else 1000)

    best = min(hits, key=distance)
    return best.value, best.how


def _attribution(text: str, cueset: CueSet) -> str:
    for pattern in cueset.attribution:
        m = pattern.search(text)
        if m:
            return m.group().strip(" ,")
    return ""


@lru_cache(maxsize=1)
def default_detector() -> Detector:
    return Detector()


def detect(
    text: str,
    mentions: Sequence[Mention],
    *,
    language: str | None = None,
    published: date | datetime | None = None,
) -> list[Event]:
    """Detector.detect with a Detector loaded once per process."""
    return default_detector().detect(text, mentions, language=language, published=published)
