"""Split text into sentences, and the sentence as the detector analyses it.

The splitter is the same for every language: initials, abbreviations and ordinals
("am 25. Juli") do not end a sentence. A Sentence carries the names found in it and
the person a pronoun in it would refer back to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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


@dataclass
class Found:
    start: int
    end: int
    person_id: str
    possessor: bool = False


@dataclass
class Sentence:
    start: int
    end: int
    text: str
    found: list[Found] = field(default_factory=list)
    carried: str | None = None  # the person a pronoun here would refer back to
