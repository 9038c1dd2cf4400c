"""One text being matched: folded once, scanned once for name stems, and the words
around each hit (the one or two beside it, the capitalised run it belongs to).

Separate from the judging (judge.py) so that what a text looks like near a hit is
read in one place, and from the index (index.py), which is built once per watchlist.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from watch.match.align import PARTICLES, text_word
from watch.match.fold import WORD, key
from watch.match.names import A_NOUN, FEMALE_SURNAME, MALE_SURNAME, TITLE_WORDS, Y_NOUN

_WORD_RUN = re.compile(f"[{WORD}]*")
WORD_RE = re.compile(f"[{WORD}]+")
_LONGEST_ENDING = max(map(len, MALE_SURNAME | FEMALE_SURNAME | A_NOUN | Y_NOUN))
_WINDOW = 48  # characters looked at on either side of a hit
_WORD_END = frozenset({" ", "'", ".", ",", ""})  # what cannot go on a word; "": the end


class Hit(NamedTuple):
    """A name stem found in the text; `ending` is what follows it inside the word.
    (A named tuple: made for every hit, it costs a third of a frozen dataclass.)"""

    who: int
    start: int
    end: int
    ending: str
    female: bool = False


@dataclass
class Doc:
    """One text being matched, folded once."""

    text: str
    folded: str
    _words: str | None = None
    _runs: dict = field(default_factory=dict)
    known_given: frozenset = frozenset()  # keys of given names (watchlist and common)
    givens: dict = field(default_factory=dict)  # word span -> people it is a given name of
    in_context: dict = field(default_factory=dict)  # person -> whether a context word is here

    @property
    def words(self) -> str:
        """The folded words joined by single spaces, for context phrases."""
        if self._words is None:
            self._words = " " + " ".join(WORD_RE.findall(self.folded)) + " "
        return self._words

    def run(self, start: int, end: int):
        """The capitalised run around [start, end) and its words, computed once per span."""
        span = (start, end)
        if span not in self._runs:
            run = _run(self, start, end)
            words = [
                text_word(self.folded[s:e], initial, self.weak(s, e)) for (s, e), initial in run
            ]
            self._runs[span] = (run, words)
        return self._runs[span]

    def weak(self, start: int, end: int) -> bool:
        """A capitalised word that may only start a sentence ('Жена Аскарова рассказала')
        rather than be a given name: first in its sentence and no known given name; or
        a title."""
        if self.folded[start:end] in TITLE_WORDS:
            return True  # 'President Erdoğan': a title, where no given name stands
        before = self.text[max(0, start - 3) : start].rstrip()
        first = not before or before[-1] in '.!?:;«“"(\n—–-•'
        return first and key(self.folded[start:end]) not in self.known_given

    def upper(self, pos: int) -> bool:
        return self.text[pos].isupper()


def stem_hits(auto, doc: Doc) -> tuple[list[Hit], list[Hit]]:
    """Surname and given-name stems that start a word and are followed, inside it, by an
    ending they allow. Given names count only capitalised, where the script has case."""
    surnames: list[Hit] = []
    givens: list[Hit] = []
    if not len(auto):
        return surnames, givens
    folded, text = doc.folded, doc.text
    for last, (length, surname_entries, given_entries, endings) in auto.iter(" " + folded):
        if folded[last : last + 1] in _WORD_END:  # most often: the stem is the whole word
            end, ending = last, ""
        else:
            end = _WORD_RUN.match(folded, last).end()
            ending = folded[last:end]
        if end - last > _LONGEST_ENDING or ending not in endings:
            continue  # the word goes on past any ending these names take: another word
        start = last - length  # in `folded`: the scanned string has one space more
        for who, endings, female in surname_entries:
            if ending in endings:
                surnames.append(Hit(who, start, end, ending, female))
        if given_entries and (text[start].isupper() or text[start].lower() == text[start].upper()):
            for who, endings, _ in given_entries:
                if ending in endings:
                    givens.append(Hit(who, start, end, ending))
    return surnames, givens


def words_before(doc: Doc, start: int) -> list[tuple[tuple[int, int], str]]:
    """Up to two words before `start`, nearest first, each with the (original) gap after it."""
    folded = doc.folded
    spans = [m.span() for m in WORD_RE.finditer(folded, max(0, start - _WINDOW), start)][-2:]
    out = []
    right = start
    for s, e in reversed(spans):
        gap = doc.text[e:right]
        if len(gap) > 3:
            break
        out.append(((s, e), gap))
        right = s
    return out


def words_after(doc: Doc, end: int) -> list[tuple[tuple[int, int], str]]:
    folded = doc.folded
    out = []
    left = end
    for m in itertools.islice(WORD_RE.finditer(folded, end, end + _WINDOW), 2):
        gap = doc.text[left : m.start()]
        if len(gap) > 3:
            break
        if not out and gap.strip() == ",":
            gap = " "  # "ASKAROV, Azimjan"
        out.append((m.span(), gap))
        left = m.end()
    return out


_RUN_GAP = re.compile(r"['’]?(?:[ \t\-‐‑]{1,3}|\r?\n)|\.[ \t]{0,2}")
_RUN_MAX = 5


def _run(doc: Doc, start: int, end: int) -> list[tuple[tuple[int, int], bool]]:
    """The capitalised words joined to [start, end) by spaces or hyphens: one name's extent.

    Each word comes with whether it is an initial. A full stop joins only after an initial.
    """
    text, folded = doc.text, doc.folded
    inner = [m.span() for m in WORD_RE.finditer(folded, start, end)]
    before = [m.span() for m in WORD_RE.finditer(folded, max(0, start - _WINDOW), start)]
    after = [m.span() for m in itertools.islice(WORD_RE.finditer(folded, end, end + _WINDOW), 8)]
    left: list[tuple[int, int]] = []
    right_edge = start
    for span in reversed(before[-_RUN_MAX:]):
        if not _joins(text, span, right_edge, after_word=span):
            break
        left.append(span)
        right_edge = span[0]
    right: list[tuple[int, int]] = []
    previous = inner[-1] if inner else (start, end)
    for span in after[:_RUN_MAX]:
        if not _joins(text, previous, span[0], after_word=previous, next_word=span):
            break
        right.append(span)
        previous = span
    spans = [*reversed(left), *inner, *right]
    return [(span, is_initial(text, span)) for span in spans]


def _joins(text: str, word: tuple[int, int], next_start: int, after_word, next_word=None) -> bool:
    """Whether `word` and the word at `next_start` belong to one name."""
    gap = text[word[1] : next_start]
    if not _RUN_GAP.fullmatch(gap):
        return False
    if gap.startswith(".") and not is_initial(text, word):
        return False
    candidate = next_word or word
    first = text[candidate[0]]
    if key(text[candidate[0] : candidate[1]]) in PARTICLES:
        return True
    hyphen = "-" in gap or "‐" in gap or "‑" in gap
    return first.isupper() or hyphen or first.lower() == first.upper()


def is_initial(text: str, span: tuple[int, int]) -> bool:
    word = text[span[0] : span[1]]
    if not word[:1].isupper() or len(word) > 3 or (len(word) > 1 and not word[1:].islower()):
        return False
    after = text[span[1] : span[1] + 1]
    if (after == "." and text[span[1] + 1 : span[1] + 2].isalpha()) or (
        span[0] >= 2 and text[span[0] - 1] == "." and text[span[0] - 2].isalpha()
    ):
        return _initials_chain(text, span[0])  # 'А.А.' yes, 'C.A.R.E', 'U.S.' no
    return after == "." or (len(word) == 1 and after not in "-‐‑'’")


# two or three dotted initials, then a space or a surname written on ('В.В.Путин')
_CHAIN = re.compile(r"(?:[^\W\d_]\.){2,3}(?=\s|$|[^\W\d_][^\W\d_A-ZА-ЯЁ]{2})")


def _initials_chain(text: str, pos: int) -> bool:
    """Whether the dotted letters around `pos` are two or three initials, then a space
    or a word in lower case after its capital (not 'U.S.A.' nor 'U.S.ARMY')."""
    start = pos
    while start >= 2 and text[start - 1] == "." and text[start - 2].isalpha():
        start -= 2
    if start and text[start - 1].isalnum():
        return False
    return bool(_CHAIN.match(text, start))
