"""The matcher: fold the text once, find surname stems with one Aho-Corasick pass,
then check each hit against the words beside it.

Why not fuzzy matching alone: no single threshold separates an inflected form from
a different surname (Askarov vs Аскаровым scores lower than Isakov vs Iskakov), so
every spelling and ending is generated forward at index time and looked up
exactly; a fuzzy comparison is used only for the words right next to an exact
given-name or surname hit, and only where consonants agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources

import ahocorasick

from watch.match.fold import WORD, coarse, fold, key, spellings
from watch.match.names import (
    PATRONYMIC,
    NameParts,
    Stem,
    given_stems,
    initials,
    is_alphabetic,
    split_name,
    surname_stems,
)
from watch.records import Mention, Person

_WORD_RUN = re.compile(f"[{WORD}]*")
_WORD_RE = re.compile(f"[{WORD}]+")
_VOWELS = re.compile("[aeiou]")
_TITLE_WINDOW = 80  # characters looked at on either side of a surname hit


@dataclass
class _Watched:
    """What the matcher knows about one person, folded."""

    person: Person
    given: list[Stem] = field(default_factory=list)
    given_keys: set[str] = field(default_factory=set)
    patronymics: set[str] = field(default_factory=set)
    initials: set[str] = field(default_factory=set)
    surname_keys: set[str] = field(default_factory=set)
    context: set[str] = field(default_factory=set)
    written: set[str] = field(default_factory=set)  # folded names as listed, both orders


@dataclass(frozen=True)
class _Hit:
    """A surname stem found in the text; `ending` is what follows it in the word."""

    who: int
    start: int
    end: int
    ending: str
    female: bool


class Matcher:
    """Build once per watchlist; `find` a whole document at a time."""

    def __init__(self, people: Sequence[Person]):
        self.people = list(people)
        self._watched: list[_Watched] = []
        self._surnames = ahocorasick.Automaton()
        self._aliases = ahocorasick.Automaton()
        surnames: dict[str, list[tuple[int, frozenset[str], bool]]] = defaultdict(list)
        aliases: dict[str, set[int]] = defaultdict(set)
        for who, person in enumerate(self.people):
            self._watched.append(self._index_person(who, person, surnames, aliases))
        for stem, entries in surnames.items():
            self._surnames.add_word(stem, (len(stem), tuple(set(entries))))
        for form, whos in aliases.items():
            self._aliases.add_word(form, (len(form), tuple(whos)))
        self._has_surnames = bool(surnames)
        self._has_aliases = bool(aliases)
        if surnames:
            self._surnames.make_automaton()
        if aliases:
            self._aliases.make_automaton()
        self._known_given = _load_given_names() | {k for w in self._watched for k in w.given_keys}

    def _index_person(self, who, person, surnames, aliases) -> _Watched:
        watched = _Watched(person)
        for name in person.names:
            if not name.strip():
                continue
            if not is_alphabetic(name):
                for form in _alias_forms(name):
                    aliases[form].add(who)
                continue
            parts = split_name(name)
            self._index_parts(who, watched, parts, surnames)
            words = fold(name).replace(",", " ").split()
            watched.written |= {" ".join(words), " ".join(words[::-1])}
        for word in person.context:
            watched.context |= {s for s in spellings(word) if len(s) >= 3}
        return watched

    def _index_parts(self, who, watched: _Watched, parts: NameParts, surnames) -> None:
        stems, female = surname_stems(parts.surname)
        for stem in stems:
            if stem.text:
                surnames[stem.text].append((who, stem.endings, female))
        watched.surname_keys.add(key(parts.surname))
        for word in parts.given + parts.middle:
            if PATRONYMIC.search(key(word)) and word not in parts.given:
                watched.patronymics.add(key(word))
                continue
            watched.given.extend(given_stems(word))
            watched.given_keys.add(key(word))
            watched.initials |= initials(word)

    def find(self, text: str) -> list[Mention]:
        """Every mention of a watched person in `text`, spans indexing `text`."""
        folded = coarse(text)
        found: dict[tuple[int, int, int], Mention] = {}
        if self._has_aliases:
            for mention in self._find_aliases(text, folded):
                found[(mention.start, mention.end, _who(self, mention))] = mention
        if not self._has_surnames:
            return _sorted(found)
        pending: list[_Hit] = []
        named: set[int] = set()  # people named in full somewhere in the text
        namesakes: set[int] = set()  # people whose surname is also worn by someone else here
        for hit in self._surname_hits(folded):
            verdict = self._verify(text, folded, hit)
            if verdict is None:
                namesakes.add(hit.who)
            elif verdict == "surname":
                pending.append(hit)
            else:
                start, end, score, how = verdict
                named.add(hit.who)
                _keep(
                    found,
                    hit.who,
                    Mention(self.people[hit.who].id, start, end, text[start:end], score, how),
                )
        for hit in pending:
            mention = self._surname_only(text, folded, hit, named, namesakes)
            if mention and not _covered(found, hit.who, hit.start, hit.end):
                _keep(found, hit.who, mention)
        return _sorted(found)

    def _surname_hits(self, folded: str):
        for last, (length, entries) in self._surnames.iter(folded):
            start = last + 1 - length
            if start and folded[start - 1] in WORD:
                continue
            end = _WORD_RUN.match(folded, last + 1).end()
            ending = folded[last + 1 : end]
            for who, endings, female in entries:
                if ending in endings:
                    yield _Hit(who, start, end, ending, female)

    def _find_aliases(self, text: str, folded: str):
        for last, (length, whos) in self._aliases.iter(folded):
            start = last + 1 - length
            if folded[start] in WORD and start and folded[start - 1] in WORD:
                continue
            if folded[last] in WORD and last + 1 < len(folded) and folded[last + 1] in WORD:
                continue
            for who in whos:
                yield Mention(
                    self.people[who].id, start, last + 1, text[start : last + 1], 1.0, "alias"
                )

    def _verify(self, text: str, folded: str, hit: _Hit):
        """(start, end, score, how) if named in full; "surname" if bare; None for a namesake."""
        watched = self._watched[hit.who]
        before = _words_before(folded, hit.start)
        after = _words_after(folded, hit.end)
        for words, forward in ((before, False), (after, True)):
            verdict = self._beside(text, watched, hit, words, forward)
            if verdict != "surname":
                return verdict
        if not text[hit.start].isupper() and text[hit.start].lower() != text[hit.start].upper():
            return None  # a lower-case word in a cased script is not a name
        return "surname"

    def _beside(self, text, watched: _Watched, hit: _Hit, words, forward: bool):
        """Judge the surname by the one or two words on one side of it."""
        if not words:
            return "surname"
        first, gap = words[0]
        word = _word_at(text, first)
        folded_word = coarse(word).replace("'", "")
        if _is_initial(text, first, gap):
            if folded_word in watched.initials:
                # "A. Askarov" or "Askarov A."; "Azimjan A. Askarov" reads as given + patronymic
                span = _span(hit, first, forward)
                if len(words) > 1 and self._is_given(watched, words[1][0], text):
                    return self._full(text, watched, hit, _span(hit, words[1][0], forward))
                return (*span, 0.8, "initial")
            return None  # another initial: another person
        if gap.strip(" \t\n\r"):
            return "surname"  # punctuation between: not one name
        if self._is_given(watched, first, text):
            return self._full(text, watched, hit, _span(hit, first, forward))
        if self._is_fuzzy_given(watched, folded_word, text, first):
            return (*_span(hit, first, forward), 0.7, "fuzzy")
        if len(words) > 1 and not words[1][1].strip(" \t\n\r") and text[first[0]].isupper():
            middle_key = key(word)
            if self._is_given(watched, words[1][0], text):
                if (
                    PATRONYMIC.search(middle_key)
                    and watched.patronymics
                    and middle_key not in watched.patronymics
                ):
                    return None  # same name, another father: another person
                return self._full(text, watched, hit, _span(hit, words[1][0], forward), 0.05)
        if self._is_other_given(watched, word, text, first):
            return None
        return "surname"

    def _is_given(self, watched: _Watched, span: tuple[int, int], text: str) -> bool:
        word = coarse(text[span[0] : span[1]])
        word = (
            word.split("'")[0]
            if "'" in word and not word.startswith(("g'", "o'"))
            else word.replace("'", "")
        )
        return any(
            word.startswith(s.text) and word[len(s.text) :] in s.endings for s in watched.given
        )

    def _is_fuzzy_given(self, watched: _Watched, word: str, text: str, span) -> bool:
        """A misspelt given name ('Vladmir', 'Fridrich'): same consonants, same first letter."""
        if not text[span[0]].isupper() or len(word) < 4:
            return False
        k = key(word)
        return any(_vowel_variant(k, g) for g in watched.given_keys)

    def _is_other_given(self, watched: _Watched, word: str, text: str, span) -> bool:
        if not text[span[0]].isupper():
            return False
        k = key(word)
        candidates = {k} | {
            k[: -len(e)] for e in ("a", "i", "u", "e", "om", "oi", "ei") if k.endswith(e)
        }
        candidates |= {c + "a" for c in list(candidates)}
        return bool(candidates & self._known_given) and not (candidates & watched.given_keys)

    def _full(self, text, watched: _Watched, hit: _Hit, span, penalty: float = 0.0):
        """A name in full: as listed (1.0), respelt (0.95) or inflected (0.9)."""
        words = fold(text[span[0] : span[1]]).replace(",", " ").replace(".", " ").split()
        if " ".join(words) in watched.written:
            return (*span, 1.0 - penalty, "alias")
        if hit.ending not in ("", "a" if hit.female else ""):
            return (*span, 0.9 - penalty, "inflection")
        return (*span, 0.95 - penalty, "transliteration")

    def _surname_only(self, text, folded, hit: _Hit, named: set[int], namesakes: set[int]):
        watched = self._watched[hit.who]
        person = watched.person
        maybe_female = not hit.female and hit.ending.startswith("a")
        if hit.who in named and not (maybe_female and hit.who in namesakes):
            return Mention(
                person.id, hit.start, hit.end, text[hit.start : hit.end], 0.75, "surname+mention"
            )
        if maybe_female or hit.who in namesakes:
            return None
        if any(c in folded for c in watched.context):
            return Mention(
                person.id, hit.start, hit.end, text[hit.start : hit.end], 0.7, "surname+context"
            )
        return None


def _vowel_variant(a: str, b: str) -> bool:
    """Isakov/Iskakov stay apart (a consonant differs); Vladmir/Vladimir do not."""
    if a == b or a[:1] != b[:1] or abs(len(a) - len(b)) > 2:
        return a == b
    return _VOWELS.sub("", a) == _VOWELS.sub("", b)


def _words_before(folded: str, start: int) -> list[tuple[tuple[int, int], str]]:
    """Up to two words before `start`, nearest first, each with the gap after it."""
    lo = max(0, start - _TITLE_WINDOW)
    spans = [m.span() for m in _WORD_RE.finditer(folded, lo, start)][-2:]
    out = []
    right = start
    for s, e in reversed(spans):
        gap = folded[e:right]
        if len(gap) > 3:
            break
        out.append(((s, e), gap))
        right = s
    return out


def _words_after(folded: str, end: int) -> list[tuple[tuple[int, int], str]]:
    out = []
    left = end
    for m in _WORD_RE.finditer(folded, end, min(len(folded), end + _TITLE_WINDOW)):
        gap = folded[left : m.start()]
        if len(gap) > 3 or len(out) == 2:
            break
        if "," in gap and not out:
            gap = gap.replace(",", " ")  # "ASKAROV, Azimjan"
        out.append((m.span(), gap))
        left = m.end()
    return out


def _is_initial(text: str, span: tuple[int, int], gap: str) -> bool:
    word = text[span[0] : span[1]]
    if not word[:1].isupper() or len(word) > 3:
        return False
    after = text[span[1] : span[1] + 1]
    return len(word) == 1 or (after == "." and len(word) <= 3)


def _word_at(text: str, span: tuple[int, int]) -> str:
    return text[span[0] : span[1]]


def _span(hit: _Hit, other: tuple[int, int], forward: bool) -> tuple[int, int]:
    return (hit.start, other[1]) if forward else (other[0], hit.end)


def _alias_forms(name: str) -> set[str]:
    """An alias as written: folded, with its separators as a space or as nothing."""
    form = " ".join(coarse(name).split())
    return {form, form.replace(" ", "")} - {""}


def _who(matcher: Matcher, mention: Mention) -> int:
    return next(i for i, p in enumerate(matcher.people) if p.id == mention.person_id)


def _keep(found: dict, who: int, mention: Mention) -> None:
    k = (mention.start, mention.end, who)
    if k not in found or found[k].score < mention.score:
        found[k] = mention


def _covered(found: dict, who: int, start: int, end: int) -> bool:
    return any(w == who and s <= start and end <= e for (s, e, w) in found)


def _sorted(found: dict) -> list[Mention]:
    return sorted(found.values(), key=lambda m: (m.start, -m.end, m.person_id))


def _load_given_names() -> set[str]:
    raw = resources.files("watch.match").joinpath("given_names.txt").read_text(encoding="utf-8")
    lines = (line for line in raw.splitlines() if not line.startswith("#"))
    return {key(word) for line in lines for word in line.split()}
