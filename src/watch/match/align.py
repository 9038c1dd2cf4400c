"""Align the words of a name in the text with the words of a watched name.

Used where the exact lookup leaves a doubt: a name with a misspelt part, extra
or missing middle names, initials. Each text word is paired with a watched word
it could be (same skeleton, an inflected form, a vowel-level misspelling, an
initial); then the verdict:

- at least two words paired (one, for a one-word name), the surname among them;
- no *swap*: a watched word left unpaired where the text has an unpaired word of
  its own in the same place (Sergey Viktorovich / Borisovich Lavrov, Eric / Josh
  A. Wendt) — that is another person sharing some names.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from watch.match.fold import SOFT, coarse, key
from watch.match.names import Stem, given_stems, initials, nicknames, surname_stems

# Articles of names: never enough on their own to say a surname is there.
PARTICLES = {"de", "van", "von", "der", "den", "al", "el", "bin", "ben", "ibn", "bint", "ul", "ud"}
PARTICLES |= {"da", "dos", "du", "la", "le", "di", "ulu", "kizi", "ugli", "ogli", "abu", "abd"}
# al- before a sun letter takes its sound: ad-Din, as-Sisi, ash-Shami, az-Zawahiri
SUN_ARTICLES = {"ad", "ar", "as", "ash", "at", "ath", "az", "an", "ed", "er", "es", "esh", "ez"}
ARTICLES = SUN_ARTICLES | {"al", "el", "ul", "ud", "de", "van", "von", "der", "den", "la", "le"}
PARTICLES |= {"abou"}  # the sun forms are English words too ('as', 'at'): kept apart


@dataclass(frozen=True)
class NameWord:
    """One word of a watched name."""

    key: str
    stems: tuple[Stem, ...]
    initials: frozenset[str]
    initial: bool  # written as an initial in the watchlist ('Eric A. Wendt')
    surname: bool
    nicks: frozenset[str] = frozenset()  # keys of its short forms, or of what it is short for
    folded: str = ""  # its letters, coarse: a slip is counted on these as well as on keys


@dataclass(frozen=True)
class TextWord:
    folded: str  # coarse, without apostrophes or soft signs
    key: str
    initial: bool
    weak: bool = False  # capitalised only as a sentence's first word, and no known name


def name_words(given: list[str], middle: list[str], surname: str) -> tuple[NameWord, ...]:
    return _name_words(tuple(given), tuple(middle), surname)


@lru_cache(maxsize=65536)
def _name_words(given: tuple[str, ...], middle: tuple[str, ...], surname: str):
    out = []
    for word in [*given, *middle]:
        k = key(word)
        is_initial = len(k) <= 2 and (word.endswith(".") or len(k) == 1)
        stems = () if is_initial else tuple(given_stems(word))
        nicks = frozenset() if is_initial else nicknames(word)
        out.append(
            NameWord(k, stems, frozenset(initials(word)), is_initial, False, nicks, _letters(word))
        )
    parts = [w for w in coarse(surname).split() if w.strip("'")]
    if len(parts) > 1:  # 'Jong-un', 'Nurlan uulu', 'al-Assad': one word each
        for word in parts:
            stems = tuple(given_stems(word))
            out.append(NameWord(key(word), stems, frozenset(), False, True, folded=_letters(word)))
        return tuple(out)
    stems, _ = surname_stems(surname)
    out.append(
        NameWord(
            key(surname),
            tuple(stems),
            frozenset(initials(surname)),
            False,
            True,
            folded=_letters(surname),
        )
    )
    return tuple(out)


def _letters(word: str) -> str:
    return coarse(word).replace("'", "").replace(SOFT, "").replace(" ", "")


def pairs(word: TextWord, name: NameWord, loose: bool = False) -> str | None:
    """How a text word can be this word of the name: 'exact', 'fuzzy', 'initial',
    'near' (only when `loose`: any one- or two-letter slip) or None."""
    if word.initial or name.initial:
        if word.initial and name.initial:
            return "initial" if word.key[:1] == name.key[:1] else None
        if word.initial:
            return "initial" if word.folded in name.initials else None
        return "initial" if word.key[:1] == name.key[:1] else None
    if word.key == name.key or any(
        word.folded.startswith(s.text) and word.folded[len(s.text) :] in s.endings
        for s in name.stems
    ):
        return "exact"
    if close(word.key, name.key) or word.key in name.nicks:
        return "fuzzy"
    if loose and min(len(word.key), len(name.key)) >= 4 and near(word.key, name.key):
        return "near"
    if loose and min(len(word.folded), len(name.folded)) >= 4 and near(word.folded, name.folded):
        return "near"  # 'Baadar' for Baradar: keyed 'badar', one letter short as written
    if loose and "ou" in word.folded + name.folded and _near_ou(word.folded, name.folded):
        return "near"  # French ou for u: Youssef, Oussama, Mouammar
    return None


def _near_ou(a: str, b: str) -> bool:
    return near(key(a.replace("ou", "u")), key(b.replace("ou", "u")))


def near(a: str, b: str) -> bool:
    """Screening only: a slip of one letter in five (Pulin for Putin, Merkur for Merkel;
    two letters swapped count one: Toakyev for Tokayev)."""
    if not a or not b:
        return False
    return OSA.normalized_similarity(a, b) >= 0.75 or (
        len(a) == len(b) and Levenshtein.distance(a, b) <= 1
    )


SWAP = "swap"


def align(text_words: list[TextWord], name: tuple[NameWord, ...], loose: bool = False):
    """(first, last, how) over the text words naming this person; SWAP for another
    person sharing some of the names; None when too little of the name is there."""
    for order in (name, name[::-1]):
        used = _paired(text_words, order, loose)
        texts = [t for n, (t, _) in sorted(used.items())]
        if texts != sorted(texts) or not used:
            continue
        if _swapped(order, used, text_words):
            return SWAP  # 'Rayhan Asat' for Ekpar Asat: his sister
        if not _enough(order, used):
            continue
        hows = {h for _, h in used.values()}
        how = "near" if "near" in hows else "fuzzy" if "fuzzy" in hows else "exact"
        how = "initial" if hows == {"initial"} else how
        return min(texts), max(texts), how
    return None


# Who pairs first: initials with the name's initials, then whole words with any word,
# then the initials left with whole names. In 'Josh A. Wendt' the A. is Aaron A. Wendt's
# middle initial, not his given name's, which leaves Josh in Aaron's place (a swap);
# in 'William W Frost' for William G. Frost the W is no William, which is there.
_PASSES = ((True, True), (False, None), (True, False))


def _paired(text_words, order, loose: bool) -> dict[int, tuple[int, str]]:
    """name index -> (text index, how), each word paired once."""
    used: dict[int, tuple[int, str]] = {}
    taken: set[int] = set()
    for text_initial, name_initial in _PASSES:
        for t, word in enumerate(text_words):
            if word.initial != text_initial or t in taken:
                continue
            for n, part in enumerate(order):
                if n in used or (name_initial is not None and part.initial != name_initial):
                    continue
                how = pairs(word, part, loose)
                if how:
                    used[n] = (t, how)
                    taken.add(t)
                    break
    return used


def _enough(order: tuple[NameWord, ...], used: dict[int, tuple[int, str]]) -> bool:
    if len(order) == 1:
        return bool(used)
    surname = any(
        part.surname and part.key not in PARTICLES and used.get(n, (0, "initial"))[1] != "initial"
        for n, part in enumerate(order)
    )
    return surname and len(used) >= 2


def _swapped(order, used, text_words) -> bool:
    """A watched word missing where the text has an unknown word in its place."""
    matched_t = sorted(t for t, _ in used.values())
    matched_n = sorted(used)
    free_t = {
        sum(1 for m in matched_t if m < t)
        for t in range(matched_t[0], matched_t[-1] + 1)
        if t not in matched_t
    }
    if matched_t[0] > 0 and not text_words[matched_t[0] - 1].weak:
        free_t.add(0)  # a capitalised word right before the name: where a given name goes
    if matched_t[-1] < len(text_words) - 1:
        free_t.add(len(matched_t))  # ... or right after it
    free_n = {sum(1 for m in matched_n if m < n) for n in range(len(order)) if n not in used}
    return bool(free_t & free_n)


def text_word(raw_folded: str, is_initial: bool, weak: bool = False) -> TextWord:
    folded = raw_folded.replace("'", "").replace(SOFT, "")
    return TextWord(folded, key(folded), is_initial, weak)


_VOWEL_PAIRS = {frozenset("ao"), frozenset("ou"), frozenset("ei")}
_CONSONANT_FOLD = str.maketrans("g", "h")  # Russian г for h: Ibragimova / Ibrahimova


def close(a: str, b: str) -> bool:
    """Two skeleton keys that romanisations or a slip of the pen could make of one name.

    The consonants must agree, in order; vowels may differ by at most two edits of
    these kinds: a/o (Uzbek), o/u (Kyrgyz), e/i, one vowel more or less; or two
    neighbouring letters may be swapped. Isakov/Iskakov and Mamytov/Mamatov stay
    apart.
    """
    a, b = a.translate(_CONSONANT_FOLD), b.translate(_CONSONANT_FOLD)
    if a == b:
        return True
    if not a or not b or a[0] != b[0] or min(len(a), len(b)) < 4:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
            i = diffs[0]
            if a[i] == b[i + 1] and a[i + 1] == b[i]:
                return True  # Luakshenko
    return _vowel_edits(a, b, 2) is not None


def _vowel_edits(a: str, b: str, budget: int, indels: int = 1) -> int | None:
    """Edits needed when only vowels change (allowed pairs) or come and go (once); None: more."""
    if not a or not b:
        rest = a or b
        fits = len(rest) <= min(budget, indels) and all(c in "aeiou" for c in rest)
        return len(rest) if fits else None
    if a[0] == b[0]:
        return _vowel_edits(a[1:], b[1:], budget, indels)
    if budget == 0:
        return None
    options = []
    if frozenset((a[0], b[0])) in _VOWEL_PAIRS:
        options.append(_vowel_edits(a[1:], b[1:], budget - 1, indels))
    if indels and a[0] in "aeiou":
        options.append(_vowel_edits(a[1:], b, budget - 1, indels - 1))
    if indels and b[0] in "aeiou":
        options.append(_vowel_edits(a, b[1:], budget - 1, indels - 1))
    found = [o + 1 for o in options if o is not None]
    return min(found) if found else None
