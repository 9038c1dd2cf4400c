"""The matcher: fold the text once, find surname stems with one Aho-Corasick pass,
then judge each hit by the words beside it.

Why not fuzzy matching alone: no single threshold separates an inflected form from
a different surname (Askarov vs Аскаровым scores lower than Isakov vs Iskakov), so
every spelling and ending is generated forward at index time and looked up
exactly. Fuzzy comparison is kept for the word right next to an exact given name,
and even there only vowels may differ, and only in the ways romanisations differ
(Uzbek o for Russian a, Kyrgyz o for u, e for i) or by one vowel more or less.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources

import ahocorasick

from watch.errors import WatchlistError, WatchlistProblem
from watch.match.align import PARTICLES, SWAP, align, close, name_words, text_word
from watch.match.fold import SEPARATORS, SOFT, WORD, coarse, key
from watch.match.names import (
    A_NOUN,
    FEMALE_SURNAME,
    MALE_SURNAME,
    Y_NOUN,
    NameParts,
    Stem,
    given_stems,
    initials,
    is_alphabetic,
    patronymic,
    phrase_spellings,
    split_name,
    surname_stems,
)
from watch.records import Mention, Person

_WORD_RUN = re.compile(f"[{WORD}]*")
_WORD_RE = re.compile(f"[{WORD}]+")
_LONGEST_ENDING = max(map(len, MALE_SURNAME | FEMALE_SURNAME | A_NOUN | Y_NOUN))
_NEAR = re.compile(f"(?<![{WORD}])[{WORD}]")
_WINDOW = 48  # characters looked at on either side of a hit
_ENDING_KEYS = sorted({key(e) for e in MALE_SURNAME | FEMALE_SURNAME}, key=len, reverse=True)


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
    names: list[tuple] = field(default_factory=list)  # align.NameWord tuples, one per name
    surname_firsts: set[str] = field(default_factory=set)  # first folded letters of surnames
    initial_given: bool = False  # some listed name gives a given name as an initial only
    signatures: set[tuple] = field(default_factory=set)  # names already in `names`, by key
    single: set[str] = field(default_factory=set)  # one-word names listed ('Hannibal')


@dataclass(frozen=True)
class _Hit:
    """A name stem found in the text; `ending` is what follows it inside the word."""

    who: int
    start: int
    end: int
    ending: str
    female: bool = False


@dataclass
class _Doc:
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
            self._words = " " + " ".join(_WORD_RE.findall(self.folded)) + " "
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
        rather than be a given name: first in its sentence and no known given name."""
        before = self.text[max(0, start - 3) : start].rstrip()
        first = not before or before[-1] in '.!?:;«“"(\n—–-•'
        return first and key(self.folded[start:end]) not in self.known_given

    def upper(self, pos: int) -> bool:
        return self.text[pos].isupper()


class Matcher:
    """Build once per watchlist; `find` a whole document at a time."""

    def __init__(self, people: Sequence[Person], min_score: float = 0.6):
        """`min_score` drops weaker mentions; below 0.5 it also screens for near-misses
        (one letter in five wrong: Pulin for Putin) scored 0.45, as sanctions screening
        does. The default keeps them out: Isakov is not Iskakov."""
        self.people = list(people)
        self.min_score = min_score
        _check(self.people)
        self._watched: list[_Watched] = []
        self._given_index: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        surnames: dict[str, set] = defaultdict(set)
        givens: dict[str, set] = defaultdict(set)
        aliases: dict[str, set] = defaultdict(set)
        for who, person in enumerate(self.people):
            self._watched.append(self._index_person(who, person, surnames, givens, aliases))
        self._names = _name_automaton(surnames, givens)
        self._aliases = _automaton(aliases)
        watched_given = {k for w in self._watched for k in w.given_keys}
        self._known_given = frozenset(_load_given_names() | watched_given)

    def _index_person(self, who, person, surnames, givens, aliases) -> _Watched:
        watched = _Watched(person)
        own_surnames: set[tuple[str, frozenset[str], bool]] = set()  # one person's stems,
        own_givens: set[Stem] = set()  # gathered over all their names before indexing
        for name in person.names:
            if not name.strip():
                continue
            if not is_alphabetic(name):
                for form in _alias_forms(name):
                    aliases[form].add((who, None, False))
                continue
            parts = split_name(name)
            self._index_parts(watched, parts, own_surnames, own_givens)
            words = _as_written(name).split()
            watched.written |= {" ".join(words), " ".join(words[::-1])}
        for phrase in person.context:
            watched.context |= {f" {form}" for form in phrase_spellings(phrase)}
        for text, endings, female in own_surnames:
            surnames[text].add((who, endings, female))
        for stem in own_givens:
            watched.given.append(stem)
            self._given_index[stem.text.replace(SOFT, "")].append((who, stem.endings))
            if len(stem.text) >= 4:  # shorter ones start too many words: too many hits
                givens[stem.text].add((who, stem.endings, False))
        return watched

    def _index_parts(self, watched: _Watched, parts: NameParts, surnames, givens) -> None:
        stems, female = surname_stems(parts.surname)
        for stem in stems:
            if len(stem.text.replace(" ", "")) >= 2:  # a one-letter stem is any initial
                surnames.add((stem.text, stem.endings, female))
        watched.surname_keys.add(key(parts.surname))
        if not parts.given:
            watched.single |= {key(parts.surname)}
        signature = (*map(key, parts.given), "|", *map(key, parts.middle), "|", key(parts.surname))
        if signature not in watched.signatures:  # 'Azimjan Askarov' = 'Азимжан Аскаров' here
            watched.signatures.add(signature)
            watched.names.append(name_words(parts.given, parts.middle, parts.surname))
            watched.initial_given |= any(w.initial for w in watched.names[-1])
        watched.surname_firsts |= {s.text[0] for s in stems if s.text}
        for word in parts.given + parts.middle:
            base = patronymic(key(word))
            if base and word not in parts.given:
                watched.patronymics.add(base)
                watched.initials |= {f"~{i}" for i in initials(word)}
                continue
            givens.update(given_stems(word))
            watched.given_keys.add(key(word))
            watched.initials |= initials(word)

    def find(self, text: str) -> list[Mention]:
        """Every mention of a watched person in `text`; spans index `text` exactly."""
        if not isinstance(text, str):
            raise TypeError(f"Matcher.find wants the text of a document (str), got {type(text)}")
        doc = _Doc(text, coarse(text), known_given=self._known_given)
        found = _Found()
        for who, start, end in self._alias_hits(doc):
            found.keep(who, self._mention(doc, who, start, end, 1.0, "alias"))
        pending: list[_Hit] = []
        named: set[int] = set()  # people named in full somewhere in the text
        namesakes: set[int] = set()  # people whose surname someone else wears here
        surname_hits, given_hits = _hits(self._names, doc)
        for hit in surname_hits:
            verdict = self._verify(doc, hit)
            aligned = self._aligned(doc, hit) if self._worth_aligning(doc, hit, verdict) else None
            if aligned == SWAP:
                verdict = None  # the words around name someone else (another middle name)
            elif aligned and verdict in (None, "surname"):
                verdict = aligned  # the whole run names them after all ('A. Khamenei')
            if isinstance(verdict, tuple) and not _cased_name(doc, hit, verdict):
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
            if found.covers(hit.who, hit.start, hit.end) or not self._surname_near(doc, hit):
                continue
            verdict = self._aligned(doc, hit)
            if verdict and verdict != SWAP:
                named.add(hit.who)
                found.keep(hit.who, self._mention(doc, hit.who, *verdict))
        for hit in pending:
            mention = self._surname_only(doc, hit, named, namesakes)
            if mention and not found.covers(hit.who, hit.start, hit.end):
                found.keep(hit.who, mention)
        kept = (m for m in found.values() if m.score >= self.min_score)
        return sorted(kept, key=lambda m: (m.start, -m.end, m.person_id))

    def _mention(self, doc: _Doc, who: int, start: int, end: int, score: float, how: str):
        return Mention(self.people[who].id, start, end, doc.text[start:end], score, how)

    def _alias_hits(self, doc: _Doc) -> Iterator[tuple[int, int, int]]:
        if self._aliases is None:
            return
        folded = doc.text.translate(_ALIAS_FOLD)
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

    # --- a surname hit, judged by its neighbours

    def _verify(self, doc: _Doc, hit: _Hit):
        """(start, end, score, how) if named in full; "surname" if bare; None for a namesake."""
        watched = self._watched[hit.who]
        for side, forward in ((_words_before, False), (_words_after, True)):
            words = side(doc, hit.start if not forward else hit.end)
            verdict = self._beside(doc, watched, hit, words, forward)
            if verdict != "surname":
                return verdict
        if not doc.upper(hit.start) and doc.text[hit.start].lower() != doc.text[hit.start].upper():
            return None  # a lower-case word in a cased script is no name
        if watched.single and key(doc.folded[hit.start : hit.end]) in watched.single:
            return (hit.start, hit.end, 0.8, "alias")  # listed as one word: enough on its own
        return "surname"

    def _beside(self, doc: _Doc, watched: _Watched, hit: _Hit, words, forward: bool):
        """Judge the surname by the one or two words on one side of it."""
        if not words:
            return "surname"
        (first, gap), second = words[0], (words[1] if len(words) > 1 else None)
        if _is_initial(doc.text, first):
            return self._by_initials(doc, watched, hit, first, second, forward)
        if gap.strip(" \t\r\n-‐‑'’"):
            return "surname"  # punctuation between: not one name (Gul'nara-Askarova is)
        if self._is_given(doc, hit, first):
            return self._full(doc, watched, hit, _span(hit, first, forward), forward)
        word = doc.text[first[0] : first[1]]
        if doc.upper(first[0]) and self._is_fuzzy_given(watched, word):
            return (*_span(hit, first, forward), 0.7, "fuzzy")
        middle = second and not second[1].strip(" \t\r\n") and doc.upper(first[0])
        if middle and self._is_given(doc, hit, second[0]):
            base = patronymic(key(word))
            if base and watched.patronymics and base not in watched.patronymics:
                return None  # same name, another father: another person
            return self._full(doc, watched, hit, _span(hit, second[0], forward), forward)
        if doc.upper(first[0]) and self._is_other_given(watched, word):
            return None
        return "surname"

    def _by_initials(self, doc: _Doc, watched: _Watched, hit: _Hit, first, second, forward):
        """'A. Askarov', 'Askarov A.', 'С. И. Петров', 'Azimjan A. Askarov'."""
        letter = coarse(doc.text[first[0] : first[1]]).lower()
        if second and self._is_given(doc, hit, second[0]):
            return self._full(doc, watched, hit, _span(hit, second[0], forward), forward)
        if second and _is_initial(doc.text, second[0]) and not forward:
            outer = coarse(doc.text[second[0][0] : second[0][1]]).lower()
            if outer in watched.initials and (
                not watched.patronymics or f"~{letter}" in watched.initials
            ):
                return (*_span(hit, second[0], forward), 0.8, "initial")
            return None
        if letter in watched.initials:
            end = first[1] + 1 if forward and doc.text[first[1] : first[1] + 1] == "." else None
            span = _span(hit, first, forward)
            return (span[0], end or span[1], 0.8, "initial")
        return None  # another initial: another person

    def _full(self, doc: _Doc, watched: _Watched, hit: _Hit, span, forward: bool):
        """A name in full: as listed (1.0), respelt (0.95) or inflected (0.9)."""
        if forward:  # 'Петров Сергей Иванович': take the patronymic along
            after = _words_after(doc, span[1])
            if after and not after[0][1].strip() and doc.upper(after[0][0][0]):
                word = doc.text[after[0][0][0] : after[0][0][1]]
                if patronymic(key(word)) in watched.patronymics:
                    span = (span[0], after[0][0][1])
        if _as_written(doc.text[span[0] : span[1]]) in watched.written:
            return (*span, 1.0, "alias")
        if hit.ending not in ("", "a" if hit.female else ""):
            return (*span, 0.9, "inflection")
        return (*span, 0.95, "transliteration")

    def _is_given(self, doc: _Doc, hit: _Hit, span: tuple[int, int]) -> bool:
        """Whether the word at `span` is one of this person's given names, in any form."""
        if span not in doc.givens:
            doc.givens[span] = self._given_of(doc.folded[span[0] : span[1]])
        return hit.who in doc.givens[span]

    def _given_of(self, word: str) -> set[int]:
        """Everyone whose given name (stem + an ending it allows) this folded word is."""
        word = word.replace(SOFT, "")
        if "'" in word and not word.startswith(("g'", "o'")):
            word = word.split("'")[0]  # Azimjan's
        word = word.replace("'", "")
        found: set[int] = set()
        for i in range(1, len(word) + 1):
            for who, endings in self._given_index.get(word[:i], ()):
                if word[i:] in endings:
                    found.add(who)
        return found

    def _is_fuzzy_given(self, watched: _Watched, word: str) -> bool:
        """A misspelt given name ('Vladmir', 'Azimjon')."""
        k = key(word)
        return len(k) >= 4 and any(close(k, g) for g in watched.given_keys)

    def _is_other_given(self, watched: _Watched, word: str) -> bool:
        k = key(word)
        bases = {k} | {
            k[: -len(e)] for e in ("a", "i", "u", "e", "om", "oi", "ei") if k.endswith(e)
        }
        bases |= {b + "a" for b in list(bases)}
        return bool(bases & self._known_given) and not (bases & watched.given_keys)

    def _worth_aligning(self, doc: _Doc, hit: _Hit, verdict) -> bool:
        """Whether aligning the run could change the verdict: skipped where it cannot."""
        if verdict is None and not self._watched[hit.who].initial_given:
            return False  # a namesake, unless a listed name gives only an initial
        run, _ = doc.run(hit.start, hit.end)
        if len(run) < 2:
            return False
        if verdict is None:
            return True
        if verdict == "surname":
            return True
        start, end = verdict[0], verdict[1]
        return len(run) > 2 or any(s < start or e > end for (s, e), _ in run)  # a swap?

    def _surname_near(self, doc: _Doc, hit: _Hit) -> bool:
        """Cheap test before aligning: a capitalised word beside the given name (or one
        further, past a middle name) starts like one of the person's surnames."""
        firsts = self._watched[hit.who].surname_firsts
        folded = doc.folded
        for m in _NEAR.finditer(folded, max(0, hit.start - 40), hit.end + 40):
            if folded[m.start()] in firsts and doc.upper(m.start()):
                return True
        return False

    # --- the run of capitalised words around a hit, aligned with each listed name

    def _aligned(self, doc: _Doc, hit: _Hit):
        """(start, end, score, how) if the run names the person; SWAP; or None."""
        run, words = doc.run(hit.start, hit.end)
        if len(run) < 2:
            return None
        verdicts = [align(words, name) for name in self._watched[hit.who].names]
        found = [v for v in verdicts if v and v != SWAP]
        if not found and self.min_score < 0.5:
            loose = [align(words, name, loose=True) for name in self._watched[hit.who].names]
            found = [v for v in loose if v and v != SWAP]
        if not found:
            return SWAP if SWAP in verdicts else None
        first, last, how = min(found, key=lambda v: v[1] - v[0])
        start, end = run[first][0][0], run[last][0][1]
        if how == "exact":
            return self._full(doc, self._watched[hit.who], hit, (start, end), False)
        return (start, end, {"initial": 0.8, "fuzzy": 0.7}.get(how, 0.45), how)

    def _surname_only(self, doc: _Doc, hit: _Hit, named: set[int], namesakes: set[int]):
        """A bare surname counts when the text also names the person or their context."""
        watched = self._watched[hit.who]
        maybe_female = not hit.female and hit.ending.startswith("a")
        if hit.who in named and not (maybe_female and hit.who in namesakes):
            return self._mention(doc, hit.who, hit.start, hit.end, 0.75, "surname+mention")
        if maybe_female or hit.who in namesakes:
            return None
        if hit.who not in doc.in_context:  # once per person and text
            doc.in_context[hit.who] = any(c in doc.words for c in watched.context)
        if doc.in_context[hit.who]:
            return self._mention(doc, hit.who, hit.start, hit.end, 0.7, "surname+context")
        return None


def _automaton(patterns: dict[str, set]):
    if not patterns:
        return None
    auto = ahocorasick.Automaton()
    for text, entries in patterns.items():
        auto.add_word(text, (len(text), tuple(entries)))
    auto.make_automaton()
    return auto


def _check(people: list[Person]) -> None:
    """Every person needs at least one name with letters in it; ids must be unique."""
    problems = []
    seen: set[str] = set()
    for n, person in enumerate(people, 1):
        if not isinstance(person, Person):
            raise TypeError(f"Matcher wants watch.records.Person, got {type(person)} at #{n}")
        if not any(_A_LETTER.search(name) for name in person.names):
            where = f"person {person.id!r} (#{n})"
            problems.append(f"{where}: no name or alias with letters to match: {person.names!r}")
        if person.id in seen:
            problems.append(f"person {person.id!r} (#{n}): the same id twice")
        seen.add(person.id)
    if problems:
        raise WatchlistError([WatchlistProblem("watchlist", None, p) for p in problems])


def _name_automaton(surnames: dict[str, set], givens: dict[str, set]):
    """One automaton for surname and given-name stems: the text is scanned once.

    Each stem is stored after a space, and the folded text (where whatever is not a
    letter is a space) is scanned after one: hits come only where a word starts.
    """
    auto = ahocorasick.Automaton()
    interned: dict[frozenset[str], frozenset[str]] = {}  # a few distinct sets, shared
    for text in surnames.keys() | givens.keys():
        entries = (tuple(surnames.get(text, ())), tuple(givens.get(text, ())))
        endings = frozenset().union(*(e[1] for group in entries for e in group))
        endings = interned.setdefault(endings, endings)
        auto.add_word(" " + text, (len(text), *entries, endings))
    if len(auto):
        auto.make_automaton()
    return auto


def _hits(auto, doc: _Doc) -> tuple[list[_Hit], list[_Hit]]:
    """Surname and given-name stems that start a word and are followed, inside it, by an
    ending they allow. Given names count only capitalised, where the script has case."""
    surnames: list[_Hit] = []
    givens: list[_Hit] = []
    if not len(auto):
        return surnames, givens
    folded, text = doc.folded, doc.text
    for last, (length, surname_entries, given_entries, endings) in auto.iter(" " + folded):
        end = _WORD_RUN.match(folded, last).end()
        if end - last > _LONGEST_ENDING or folded[last:end] not in endings:
            continue  # the word goes on past any ending these names take: another word
        start = last - length  # in `folded`: the scanned string has one space more
        ending = folded[last:end]
        for who, endings, female in surname_entries:
            if ending in endings:
                surnames.append(_Hit(who, start, end, ending, female))
        if given_entries and (text[start].isupper() or text[start].lower() == text[start].upper()):
            for who, endings, _ in given_entries:
                if ending in endings:
                    givens.append(_Hit(who, start, end, ending))
    return surnames, givens


def _words_before(doc: _Doc, start: int) -> list[tuple[tuple[int, int], str]]:
    """Up to two words before `start`, nearest first, each with the (original) gap after it."""
    folded = doc.folded
    spans = [m.span() for m in _WORD_RE.finditer(folded, max(0, start - _WINDOW), start)][-2:]
    out = []
    right = start
    for s, e in reversed(spans):
        gap = doc.text[e:right]
        if len(gap) > 3:
            break
        out.append(((s, e), gap))
        right = s
    return out


def _words_after(doc: _Doc, end: int) -> list[tuple[tuple[int, int], str]]:
    folded = doc.folded
    out = []
    left = end
    for m in itertools.islice(_WORD_RE.finditer(folded, end, end + _WINDOW), 2):
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


def _run(doc: _Doc, start: int, end: int) -> list[tuple[tuple[int, int], bool]]:
    """The capitalised words joined to [start, end) by spaces or hyphens: one name's extent.

    Each word comes with whether it is an initial. A full stop joins only after an initial.
    """
    text, folded = doc.text, doc.folded
    inner = [m.span() for m in _WORD_RE.finditer(folded, start, end)]
    before = [m.span() for m in _WORD_RE.finditer(folded, max(0, start - _WINDOW), start)]
    after = [m.span() for m in itertools.islice(_WORD_RE.finditer(folded, end, end + _WINDOW), 8)]
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
    return [(span, _is_initial(text, span)) for span in spans]


def _joins(text: str, word: tuple[int, int], next_start: int, after_word, next_word=None) -> bool:
    """Whether `word` and the word at `next_start` belong to one name."""
    gap = text[word[1] : next_start]
    if not _RUN_GAP.fullmatch(gap):
        return False
    if gap.startswith(".") and not _is_initial(text, word):
        return False
    candidate = next_word or word
    first = text[candidate[0]]
    if key(text[candidate[0] : candidate[1]]) in PARTICLES:
        return True
    hyphen = "-" in gap or "‐" in gap or "‑" in gap
    return first.isupper() or hyphen or first.lower() == first.upper()


def _cased_name(doc: _Doc, hit: _Hit, verdict) -> bool:
    """A name in lower case ('amat amat', 'ein E-Health') is taken only when it is long:
    'azimjan askarov' in a list of tags, not common words that look like a name."""
    ch = doc.text[hit.start]
    if ch.isupper() or ch.lower() == ch.upper():
        return True
    words = _WORD_RE.findall(doc.folded, verdict[0], verdict[1])
    return verdict[3] != "initial" and len(words) >= 2 and all(len(w) >= 5 for w in words)


def _is_initial(text: str, span: tuple[int, int]) -> bool:
    word = text[span[0] : span[1]]
    if not word[:1].isupper() or len(word) > 3 or (len(word) > 1 and not word[1:].islower()):
        return False
    after = text[span[1] : span[1] + 1]
    if (after == "." and text[span[1] + 1 : span[1] + 2].isalpha()) or (
        span[0] >= 2 and text[span[0] - 1] == "." and text[span[0] - 2].isalpha()
    ):
        return _initials_chain(text, span[0])  # 'А.А.' yes, 'C.A.R.E', 'U.S.' no
    return after == "." or (len(word) == 1 and after not in "-‐‑'’")


_CHAIN = re.compile(r"(?:[^\W\d_]\.){2,3}(?=\s|$)")


def _initials_chain(text: str, pos: int) -> bool:
    """Whether the dotted letters around `pos` are two or three initials, then a space."""
    start = pos
    while start >= 2 and text[start - 1] == "." and text[start - 2].isalpha():
        start -= 2
    if start and text[start - 1].isalnum():
        return False
    return bool(_CHAIN.match(text, start))


def _span(hit: _Hit, other: tuple[int, int], forward: bool) -> tuple[int, int]:
    return (hit.start, other[1]) if forward else (other[0], hit.end)


# Aliases in other scripts are matched as written: only case and the separators
# between the parts of a name (· ・ • ‧ - and spaces) are let go.
_ALIAS_FOLD = {ord(c): " " for c in SEPARATORS + "\t\n\r\u00a0\u3000"}
_ALIAS_FOLD |= {c: chr(c).lower() for c in range(0x41, 0x5B)}


def _alias_forms(name: str) -> set[str]:
    """An alias as written: folded, with its separators as a space or as nothing."""
    form = " ".join(name.translate(_ALIAS_FOLD).lower().split())
    return {form, form.replace(" ", "")} - {""}


def _unspaced(ch: str) -> bool:
    """Scripts written without spaces between words: a name may touch other letters."""
    return "\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" or "\u0e00" <= ch <= "\u0eff"


_LETTER_RUN = re.compile(r"[^\W_]+")
_A_LETTER = re.compile(r"[^\W\d_]")


def _as_written(name: str) -> str:
    """A name's words as written, case aside: 'ASKAROV, Azimjan' -> 'askarov azimjan'."""
    return " ".join(_LETTER_RUN.findall(name.casefold()))


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


def _load_given_names() -> set[str]:
    raw = resources.files("watch.match").joinpath("given_names.txt").read_text(encoding="utf-8")
    lines = (line for line in raw.splitlines() if not line.startswith("#"))
    return {key(word) for line in lines for word in line.split()}
