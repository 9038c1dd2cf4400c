"""Find mentions of watched people in a text.

Interim matcher: each name and alias, case- and diacritics-folded, in either word
order, on word boundaries. The cross-script, inflection-aware matcher replaces the
inside of `Matcher` and keeps its interface.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from watch.records import Mention, Person


def fold(text: str) -> str:
    """Casefold and strip diacritics, keeping one character per input character."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)
        base = "".join(c for c in base if not unicodedata.combining(c)) or ch
        folded = base.casefold()
        out.append(folded if len(folded) == 1 else ch.casefold()[:1] or ch)
    return "".join(out)


class Matcher:
    def __init__(self, people: Sequence[Person]):
        self.people = list(people)
        patterns: list[tuple[re.Pattern[str], str]] = []
        for person in self.people:
            for name in person.names:
                words = fold(name).split()
                for order in {tuple(words), tuple(reversed(words))}:
                    body = r"[\s\-]+".join(re.escape(w) for w in order)
                    patterns.append((re.compile(rf"(?<!\w){body}(?!\w)"), person.id))
        self._patterns = patterns

    def find(self, text: str) -> list[Mention]:
        folded = fold(text)
        found: dict[tuple[int, int, str], Mention] = {}
        for pattern, person_id in self._patterns:
            for m in pattern.finditer(folded):
                key = (m.start(), m.end(), person_id)
                found[key] = Mention(person_id, m.start(), m.end(), text[m.start() : m.end()], 1.0, "alias")
        return sorted(found.values(), key=lambda m: (m.start, -m.end))
