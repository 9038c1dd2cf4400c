"""The date of an event: date expressions in a sentence, resolved against the
publication date, and the one nearest the cue.

What counts as a date expression is the cue file's (DateRules); a date after
publication is a plan, not an event's date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from watch.detect.cues import DateRules


@dataclass(frozen=True)
class DateHit:
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


def find_dates(sentence: str, rules: DateRules, published: date | None) -> list[DateHit]:
    hits: list[DateHit] = []
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
                    hits.append(DateHit(m.start(), m.end(), *resolved))
    return hits


def _gap(hit: DateHit, m: re.Match[str]) -> int:
    return hit.start - m.end() if hit.start >= m.end() else max(0, m.start() - hit.end)


def dates_of(m: re.Match[str], cues, dates: list[DateHit]) -> list[DateHit]:
    """The dates nearer this cue than any other cue in the sentence ("On 3 February the
    court upheld the sentence handed down in November": February is the upholding's).
    When no date is nearest to it, all of them."""
    own = [d for d in dates if min(cues, key=lambda c: _gap(d, c[0]))[0] is m]
    return own or dates


def event_date(hits: list[DateHit], m: re.Match[str], clause, published: date | None):
    """The date nearest the cue, in its clause first; else the publication date."""
    if not hits:
        return published, "published"
    left, right = clause

    def distance(hit: DateHit) -> int:
        return _gap(hit, m) + (0 if left <= hit.start < right else 1000)

    best = min(hits, key=distance)
    return best.value, best.how
