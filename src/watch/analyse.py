"""Match and detect over one text: what `scan` shows and what a poll stores."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from watch.detect import Detector
from watch.match import Matcher
from watch.records import Person, ScanResult


class Analyser:
    """Builds the name index and loads the cues once, then analyses any number of texts."""

    def __init__(self, people: Sequence[Person]):
        self.people = {p.id: p for p in people}
        self.matcher = Matcher(people)
        self.detector = Detector()

    def analyse(
        self,
        text: str,
        *,
        input: str = "",
        language: str | None = None,
        published: date | None = None,
    ) -> ScanResult:
        mentions = self.matcher.find(text)
        events = (
            self.detector.detect(text, mentions, language=language, published=published)
            if mentions
            else []
        )
        return ScanResult(input, tuple(mentions), tuple(events), language)
