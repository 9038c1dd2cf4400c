"""The matcher: fold the text once, find surname stems with one Aho-Corasick pass,
then judge each hit by the words beside it.

Why not fuzzy matching alone: no single threshold separates an inflected form from
a different surname (Askarov vs Аскаровым scores lower than Isakov vs Iskakov), so
every spelling and ending is generated forward at index time and looked up
exactly. Fuzzy comparison is kept for the word right next to an exact given name,
and even there only vowels may differ, and only in the ways romanisations differ
(Uzbek o for Russian a, Kyrgyz o for u, e for i) or by one vowel more or less.

The steps live in their own modules: index.py builds the index, doc.py scans a text
and reads the words around a hit, judge.py decides each hit, screen.py holds what
only screened people (a min_score below 0.5) get; this module runs them.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace

from watch.match.align import SWAP
from watch.match.doc import WORD_RE, Doc, Hit, stem_hits
from watch.match.fold import MARK, coarse, key
from watch.match.index import (
    ALIAS_FOLD,
    Watched,
    automaton,
    check,
    gc_paused,
    index_person,
    load_given_names,
    name_automaton,
)
from watch.match.judge import Judge, cased_name, never_cased
from watch.match.screen import (
    LOOSE_BELOW,
    anchors,
    candidates,
    screen_other_scripts,
    screen_sounded,
    screened_names,
    sounded_names,
)
from watch.records import Mention, Person


class Matcher(Judge):
    """Build once per watchlist; `find` a whole document at a time."""

    @gc_paused()
    def __init__(self, people: Sequence[Person], min_score: float = 0.6):
        """`min_score` drops weaker mentions; below 0.5 it also screens for near-misses
        (one letter in five wrong: Pulin for Putin; a name in another script; words
        joined, split or left out) scored 0.45, as sanctions screening does. The default
        keeps them out: Isakov is not Iskakov. A person's own `min_score` wins over it."""
        self.people = list(people)
        self.min_score = min_score
        check(self.people)
        self._min = [min_score if p.min_score is None else p.min_score for p in self.people]
        self._loose = [m < LOOSE_BELOW for m in self._min]
        self._watched: list[Watched] = []
        self._given_index: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        surnames: dict[str, set] = defaultdict(set)
        givens: dict[str, set] = defaultdict(set)
        aliases: dict[str, set] = defaultdict(set)
        for who, person in enumerate(self.people):
            self._watched.append(
                index_person(
                    who, person, surnames, givens, aliases, self._given_index, self._loose[who]
                )
            )
        self._names = name_automaton(surnames, givens)
        self._aliases = automaton(aliases)
        self._screened = screened_names(self._watched, self._loose)
        self._anchors = anchors(self._watched, self._loose)
        self._sounded = sounded_names(self._watched, self._loose)
        watched_given = {k for w in self._watched for k in w.given_keys}
        self._known_given = frozenset(load_given_names() | watched_given)

    def find(self, text: str) -> list[Mention]:
        """Every mention of a watched person in `text`; spans index `text` exactly."""
        if not isinstance(text, str):
            raise TypeError(f"Matcher.find wants the text of a document (str), got {type(text)}")
        folded = coarse(text)
        if MARK in folded:
            return self._find_unmarked(text, folded)
        doc = Doc(text, folded, known_given=self._known_given)
        found = _Found()
        for who, start, end in self._alias_hits(doc):
            found.keep(who, self._mention(doc, who, start, end, 1.0, "alias"))
        pending: list[Hit] = []
        named: set[int] = set()  # people named in full somewhere in the text
        namesakes: set[int] = set()  # people whose surname someone else wears here
        surname_hits, given_hits = stem_hits(self._names, doc)
        for hit in surname_hits:
            if not self._watched[hit.who].initial_given and never_cased(doc, hit):
                namesakes.add(hit.who)  # what judging it would conclude, without the work
                continue
            verdict = self._verify(doc, hit)
            aligned = self._aligned(doc, hit) if self._worth_aligning(doc, hit, verdict) else None
            if aligned == SWAP:
                verdict = None  # the words around name someone else (another middle name)
            elif aligned and verdict in (None, "surname"):
                verdict = aligned  # the whole run names them after all ('A. Khamenei')
            if isinstance(verdict, tuple) and not cased_name(doc, hit, verdict):
                verdict = None
            if verdict is None:
                namesakes.add(hit.who)
            elif verdict == "surname":
                pending.append(hit)
            else:
                start, end, score, how = verdict
                named.add(hit.who)
                found.keep(hit.who, self._mention(doc, hit.who, start, end, score, how))
        for hit in given_hits:
            if found.covers(hit.who, hit.start, hit.end):
                continue
            if not self._loose[hit.who] and not self._surname_near(doc, hit):
                continue
            verdict = self._aligned(doc, hit)
            if verdict and verdict != SWAP:
                named.add(hit.who)
                found.keep(hit.who, self._mention(doc, hit.who, *verdict))
        if self._anchors:
            self._screen_words(doc, found)
        for hit in pending:
            mention = self._surname_only(doc, hit, named, namesakes)
            if mention and not found.covers(hit.who, hit.start, hit.end):
                found.keep(hit.who, mention)
        if self._sounded:
            for who, start, end in screen_sounded(doc, self._sounded):
                if not found.covers(who, start, end):
                    found.keep(who, self._mention(doc, who, start, end, 0.45, "near"))
        if self._screened:
            for who, start, end, matched in screen_other_scripts(text, self._screened):
                if not found.covers(who, start, end):
                    found.keep(who, Mention(self.people[who].id, start, end, matched, 0.45, "near"))
        kept = (m for (_, _, who), m in found.items() if m.score >= self._min[who])
        return sorted(kept, key=lambda m: (m.start, -m.end, m.person_id))

    def _find_unmarked(self, text: str, folded: str) -> list[Mention]:
        """`find` in a text with combining accents over its letters (stress marks:
        'Влади́мир Пу́тин'): matched without them, spans mapped back onto `text`."""
        kept = [i for i, ch in enumerate(folded) if ch != MARK]
        found = self.find("".join(text[i] for i in kept))
        out = []
        for m in found:
            start, end = kept[m.start], kept[m.end - 1] + 1 if m.end else 0
            while end < len(text) and folded[end] == MARK:
                end += 1  # the accent over the name's last letter is the name's
            out.append(replace(m, start=start, end=end, matched=text[start:end]))
        return out

    def _screen_words(self, doc: Doc, found: _Found) -> None:
        """Screening: capitalised words that start or end like a screened person's name
        word, though no stem of it is there ('Gaddafi' for Qaddafi), judged by their run."""
        for m in WORD_RE.finditer(doc.folded):
            start, end = m.span()
            if not doc.upper(start):
                continue
            for who in candidates(self._anchors, key(m.group())):
                if found.covers(who, start, end):
                    continue
                verdict = self._screened_run(doc, Hit(who, start, end, ""))
                if verdict:
                    found.keep(who, self._mention(doc, who, *verdict))

    def _mention(self, doc: Doc, who: int, start: int, end: int, score: float, how: str):
        return Mention(self.people[who].id, start, end, doc.text[start:end], score, how)

    def _alias_hits(self, doc: Doc) -> Iterator[tuple[int, int, int]]:
        if self._aliases is None:
            return
        folded = doc.text.translate(ALIAS_FOLD)
        for last, (length, entries) in self._aliases.iter(folded):
            start = last + 1 - length
            inside = start and folded[start].isalpha() and folded[start - 1].isalpha()
            if inside and not _unspaced(folded[start]):
                continue  # starts inside a word
            after = folded[last + 1 : last + 2]
            if folded[last].isalpha() and after.isalpha() and not _unspaced(folded[last]):
                continue  # ends inside a word
            for who, _, _ in entries:
                yield who, start, last + 1


def _unspaced(ch: str) -> bool:
    """Scripts written without spaces between words: a name may touch other letters."""
    return "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\u0e00" <= ch <= "\u0eff"


class _Found(dict):
    """Mentions by (start, end, who), with each person's spans sorted for `covers`."""

    def __init__(self):
        super().__init__()
        self.spans: dict[int, list[tuple[int, int]]] = defaultdict(list)

    def keep(self, who: int, mention: Mention) -> None:
        k = (mention.start, mention.end, who)
        if k not in self:
            bisect.insort(self.spans[who], (mention.start, mention.end))
        if k not in self or self[k].score < mention.score:
            self[k] = mention

    def covers(self, who: int, start: int, end: int) -> bool:
        """Whether a mention of `who` already spans [start, end) (a name is a few words)."""
        spans = self.spans.get(who)
        if not spans:
            return False
        i = bisect.bisect_right(spans, (start, float("inf")))
        return any(e >= end for s, e in spans[max(0, i - 8) : i] if s <= start)
