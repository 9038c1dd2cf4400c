"""Building a watchlist's index: each person's folded names, and the automatons that
find their surname and given-name stems (and their names in other scripts) in a text.

Done once per watchlist, apart from matching, which runs once per document.
"""

from __future__ import annotations

import gc
import itertools
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources

import ahocorasick

from watch.errors import WatchlistError, WatchlistProblem
from watch.match.align import name_words
from watch.match.fold import SEPARATORS, SOFT, key
from watch.match.names import (
    NASAB,
    NameParts,
    Stem,
    given_stems,
    initials,
    is_alphabetic,
    name_variants,
    nicknames,
    patronymic,
    phrase_spellings,
    split_name,
    surname_stems,
)
from watch.records import Person


@dataclass
class Watched:
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
    nick_keys: set[str] = field(default_factory=set)  # short forms of given names ('Ben')
    middle_initials: set[str] = field(default_factory=set)  # of listed middle names
    fathers: set[str] = field(default_factory=set)  # keys listed after bin/ibn ('bin Hasan')


def index_person(who, person, surnames, givens, aliases, given_index, loose=False) -> Watched:
    """Fold one person's names: their Watched entry; their stems go into `surnames`,
    `givens` (the automaton's) and `given_index`, their other-script names into `aliases`.
    A `loose` (screened) person's short given names are scanned for too ('Xi', 'Tim')."""
    watched = Watched(person)
    own_surnames: set[tuple[str, frozenset[str], bool]] = set()  # one person's stems,
    own_givens: set[Stem] = set()  # gathered over all their names before indexing
    for name in (v for listed in person.names for v in name_variants(listed)):
        if not name.strip():
            continue
        if not is_alphabetic(name):
            for form in alias_forms(name):
                aliases[form].add((who, None, False))
            continue
        parts = split_name(name)
        _index_parts(watched, parts, own_surnames, own_givens)
        words = as_written(name).split()
        watched.written |= {" ".join(words), " ".join(words[::-1])}
    for phrase in person.context:
        watched.context |= {f" {form}" for form in phrase_spellings(phrase)}
    for text, endings, female in own_surnames:
        surnames[text].add((who, endings, female))
    for stem in own_givens:
        watched.given.append(stem)
        given_index[stem.text.replace(SOFT, "")].append((who, stem.endings))
        if len(stem.text) >= (2 if loose else 4):  # shorter ones start too many words
            givens[stem.text].add((who, stem.endings, False))
    return watched


def _index_parts(watched: Watched, parts: NameParts, surnames, givens) -> None:
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
    for word in parts.middle:
        watched.middle_initials |= initials(word)
    if len(parts.middle) > 1:  # a given name, then 'bin', then the father's
        own = parts.given + parts.middle
        watched.fathers |= {key(b) for a, b in itertools.pairwise(own) if key(a) in _PARTICLE_OF}
    for word in parts.given + parts.middle:
        base = patronymic(key(word))
        if base and word not in parts.given:
            watched.patronymics.add(base)
            watched.initials |= {f"~{i}" for i in initials(word)}
            continue
        givens.update(given_stems(word))
        watched.given_keys.add(key(word))
        watched.nick_keys |= nicknames(word)
        watched.initials |= initials(word)


_PARTICLE_OF = NASAB | {"ben"}  # 'Isa Ben Tarif' in a listed name (Ben is a given name too)


@contextmanager
def gc_paused():
    """Hold the cyclic garbage collector while an index is built (a decorator too), then
    collect once.

    The index is about two million small tuples, sets and stems, all kept: each full
    collection during the build walks every one made so far and frees none (half the
    build time for 10,000 people). The one collection at the end settles them in the
    oldest generation, as the collections during the build did, so that they are not
    walked again in the middle of matching, nor in every forked backfill worker. A small
    index is left to the collector's usual rounds."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
            if gc.get_count()[0] > _BIG_INDEX:  # objects made (and kept) since held
                gc.collect()


_BIG_INDEX = 200_000  # a watchlist of a few hundred people: no need to collect at once


def automaton(patterns: dict[str, set]):
    if not patterns:
        return None
    auto = ahocorasick.Automaton()
    for text, entries in patterns.items():
        auto.add_word(text, (len(text), tuple(entries)))
    auto.make_automaton()
    return auto


def check(people: list[Person]) -> None:
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


def name_automaton(surnames: dict[str, set], givens: dict[str, set]):
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


# Aliases in other scripts are matched as written: only case and the separators
# between the parts of a name (· ・ • ‧ - and spaces) are let go.
ALIAS_FOLD = {ord(c): " " for c in SEPARATORS + "\t\n\r\u00a0\u3000"}
ALIAS_FOLD |= {c: chr(c).lower() for c in range(0x41, 0x5B)}


def alias_forms(name: str) -> set[str]:
    """An alias as written: folded, with its separators as a space or as nothing."""
    form = " ".join(name.translate(ALIAS_FOLD).lower().split())
    return {form, form.replace(" ", "")} - {""}


_LETTER_RUN = re.compile(r"[^\W_]+")
_A_LETTER = re.compile(r"[^\W\d_]")


def as_written(name: str) -> str:
    """A name's words as written, case aside: 'ASKAROV, Azimjan' -> 'askarov azimjan'."""
    return " ".join(_LETTER_RUN.findall(name.casefold()))


def load_given_names() -> set[str]:
    raw = resources.files("watch.match").joinpath("given_names.txt").read_text(encoding="utf-8")
    lines = (line for line in raw.splitlines() if not line.startswith("#"))
    return {key(word) for line in lines for word in line.split()}
