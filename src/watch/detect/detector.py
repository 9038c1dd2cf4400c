"""The Detector: the cue files loaded once, then events found text after text.

It picks the sentences worth analysing (those naming someone, and the next few after
them), and in each takes the cue matches that stand, the people they happen to, the
date and who says so.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from watch.detect.cue_hits import blocked, clause_span, cue_hits
from watch.detect.cues import CUES_DIR, CueSet, load_cue_file
from watch.detect.dates import dates_of, event_date, find_dates
from watch.detect.patients import patients
from watch.detect.sentences import Found, Sentence, sentence_spans
from watch.errors import CueFileError
from watch.records import Event, Mention

# How far a pronoun or "the activist" may reach back, in sentences.
ANAPHORA_REACH = 2
# Only this much text around each name is split into sentences (characters).
SPLIT_BEFORE = 300
SPLIT_AFTER = 700


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

    def _sentences(self, text: str, mentions: Sequence[Mention], cueset: CueSet) -> list[Sentence]:
        """The sentences worth analysing: those naming someone, and the next few after them."""
        mentions = _distinct(mentions)
        spans = _spans_near(text, mentions)
        starts = [s for s, _ in spans]
        by_index: dict[int, Sentence] = {}
        for mention in mentions:
            i = max(0, bisect.bisect_right(starts, mention.start) - 1)
            s, e = spans[i]
            sentence = by_index.setdefault(i, Sentence(s, e, text[s:e]))
            local = mention.start - s
            possessor = self._is_possessor(sentence.text, local, mention.end - s, cueset)
            sentence.found.append(Found(local, mention.end - s, mention.person_id, possessor))
        chosen: list[Sentence] = []
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
                chosen.append(Sentence(s, e, text[s:e], carried=last_focus))
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
        self, sentence: Sentence, cueset: CueSet, published: date | None
    ) -> list[Event]:
        text = sentence.text
        if not sentence.found and not (cueset.anaphora and cueset.anaphora.search(text)):
            return []
        hits = cue_hits(text, cueset)
        if not hits:
            return []
        if text.rstrip().rstrip("\"'»”’)").endswith(tuple(cueset.question_marks)):
            return []
        breaks = [m.end() for m in cueset.clause_break.finditer(text)]
        date_hits = find_dates(text, cueset.dates, published)
        attribution = _attribution(text, cueset)
        events = []
        done: set[tuple[str, str]] = set()
        for m, cue in hits:
            clause = clause_span(breaks, m.start(), m.end(), len(text))
            if blocked(text, m, cue, clause, cueset):
                continue
            for person_id in patients(sentence, m, cue, clause, cueset):
                if (person_id, cue.kind) in done:
                    continue
                done.add((person_id, cue.kind))
                when, how = event_date(dates_of(m, hits, date_hits), m, clause, published)
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
