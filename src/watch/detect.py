"""Detect status events about watched people. (Interim: finds nothing; the multilingual
detector replaces the inside of `Detector` and keeps its interface.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from watch.records import Event, Mention


class Detector:
    def detect(
        self,
        text: str,
        mentions: Sequence[Mention],
        *,
        language: str | None = None,
        published: date | None = None,
    ) -> list[Event]:
        return []
