"""What a watched name looks like in running text: its parts, spellings and endings.

A person's name and aliases are split into given names, middle names
(patronymics) and a surname. Each part gets every coarse spelling (see
fold.spellings) as a *stem* plus the *endings* the stem may carry in text:
Russian/Ukrainian case endings and Kyrgyz, Kazakh, Uzbek case suffixes, all in
the coarse alphabet (ы, и, і -> i; у, ү, ұ -> u; о, ө -> o).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from functools import lru_cache

from nicknames import NickNamer

from watch.match.fold import WORD, coarse, key, spellings

# Kyrgyz, Kazakh and Uzbek case suffixes after a name, in the coarse alphabet,
# all vowel-harmony variants folded together.
_CASES = (
    "dun din tun tin nun nin ning nig",  # genitive
    "du di tu ti nu ni",  # accusative
    "ga ge ka ke go ko",  # dative
    "da de ta te do to",  # locative
    "dan den tan ten don ton nan nen",  # ablative
    "men ben pen menen benen penen",  # with
    "dagi degi tagi tegi daki",  # the one at
    "lar ler dar der tar ter",  # plural: 'the Askarovs'
)
TURKIC = frozenset(word for case in _CASES for word in case.split())
# Latvian and Lithuanian nominatives of a Slavic name: Lavrovs/Lavrovas, Sergejs/Sergejus.
BALTIC = frozenset({"s", "as"})
# Russian masculine -ov/-ev/-in surnames: а, у, ым, е (об Аскарове), ы/ых/ым (plural); Ukr. ові, і.
MALE_SURNAME = frozenset({"", "a", "u", "im", "om", "e", "i", "ih", "imi", "ovi"} | TURKIC | BALTIC)
# Russian feminine -ova/-eva/-ina on the stem without its -a: а, ой, у, ою; and Turkic after -a.
FEMALE_SURNAME = frozenset({"a", "oi", "u", "oiu", "ou"} | {"a" + t for t in TURKIC})
# Nouns ending in a consonant (most given names, other surnames): а, у, ом, ем, е, и.
CONSONANT_NOUN = frozenset({"", "a", "u", "om", "em", "e", "i", "ia", "iu"} | TURKIC)
# Nouns in -a on the stem without it (Rita, Aziza, Gulnara): а, ы/и, е, у, ой, ей.
A_NOUN = frozenset({"a", "i", "e", "u", "oi", "ei", "ou", "oiu"} | {"a" + t for t in TURKIC})
# Nouns in -й on the stem without it (Sergei: Сергея, Сергею, Сергеем).
Y_NOUN = frozenset({"i", "a", "u", "em", "e", "ia", "iu", "js", "jus"} | {"i" + t for t in TURKIC})
# Anything else (ending in i, o, u...): unchanged, or a Turkic suffix.
OTHER = frozenset({""} | TURKIC)

PATRONYMIC = re.compile(r"(ovic|evic|ovn|evn|ic|icn)(a|u|om|em|e|oi|i)?$|(uli|ulu|kizi|ugli|ogli)$")
JOINED_SURNAME_TAIL = {"ulu", "kizi", "ugli", "ogli", "uli", "zoda", "zade"}
# 'son/daughter of' before a father's name: 'Hasan bin Ahmad' is Ahmad's son, not Ahmad.
NASAB = frozenset({"bin", "ibn", "bint", "binti"})
_MALE_SURNAME_END = re.compile(r"(ov|ev|in|off|ev)$")
# Latin, Greek, Cyrillic, Armenian, Georgian: any other letter makes a name an alias.
_ANY_LETTER = re.compile(r"[^\W\d_]")
_OTHER_LETTER = re.compile(r"(?![A-Za-zÀ-ɏͰ-ӿԀ-֏Ⴀ-ჿḀ-ỿ])[^\W\d_]")


_HYPHEN = re.compile(r"[-‐‑]")
_CAMEL = re.compile(r"[A-ZА-ЯЁ][a-zа-яё']{2,}")


@dataclass(frozen=True)
class Stem:
    """One coarse spelling to look for, and what may follow it inside the word."""

    text: str
    endings: frozenset[str]


@dataclass
class NameParts:
    given: list[str] = field(default_factory=list)
    middle: list[str] = field(default_factory=list)
    surname: str = ""


def is_alphabetic(name: str) -> bool:
    """An alphabet anyascii romanises letter by letter: a name we spell and inflect.

    Anything else (Han, Arabic, Hebrew, Devanagari...) is an alias, matched as written.
    """
    return bool(_ANY_LETTER.search(name)) and not _OTHER_LETTER.search(name)


def split_name(name: str) -> NameParts:
    """'Azimjan Askarov', 'ASKAROV Azimjan', 'Askarov, Azimjan', 'Kanybek Nurlan uulu'."""
    if "," in name:
        last, _, first = name.partition(",")
        words = first.split() + last.split()
        surname_at = len(first.split())
    else:
        words = name.replace("·", " ").split()
        if len(words) == 1 and len(_CAMEL.findall(name)) > 1:
            words = _CAMEL.findall(name)  # 'AlisherUsmanov', a name typed without its space
        caps = [i for i, w in enumerate(words) if len(w.strip(".")) > 1 and w.isupper()]
        if 1 < len(caps) < len(words) and caps == list(range(caps[0], caps[-1] + 1)):
            # 'NURLAN UULU Kanybek': the surname in capitals, in more than one word
            surname = " ".join(words[caps[0] : caps[-1] + 1])
            rest = words[: caps[0]] + words[caps[-1] + 1 :]
            words = [*rest, surname]
            caps = [len(words) - 1]
        surname_at = caps[0] if len(caps) == 1 and len(words) > 1 else len(words) - 1
    if not words:
        return NameParts()
    if surname_at == len(words) - 1 and len(words) > 2 and key(words[-1]) in JOINED_SURNAME_TAIL:
        surname_at -= 1
        surname = " ".join(words[surname_at:])
        rest = words[:surname_at]
    else:
        surname = words[surname_at]
        rest = words[:surname_at] + words[surname_at + 1 :]
    if not rest and len(_HYPHEN.split(surname)) == 2 and " " not in surname:
        rest, surname = _HYPHEN.split(surname)[:1], _HYPHEN.split(surname)[1]  # Alisher-Usmanov
    rest = [part for word in rest for part in _HYPHEN.split(word) if part]  # Kassym-Jomart
    if not rest:
        return NameParts(surname=surname)
    return NameParts(given=[rest[0]], middle=rest[1:], surname=surname)


# Words around a name that are no part of it: a title before it, a legal form after it.
TITLES = {"president", "dr", "mr", "mrs", "ms", "prof", "sir", "sheikh", "general", "gen"}
TITLES |= {"colonel", "col", "judge", "imam", "mullah", "prime", "minister", "senator"}
# Titles before a bare surname, folded, in the languages of the news read
TITLE_WORDS = frozenset(
    {w for t in TITLES for w in (t, coarse(t))}
    | {"mrs", "ms", "miss", "madame", "mme", "monsieur", "herr", "frau", "presidente"}
    | {"prezident", "president", "gospodin", "senor", "senora", "shaikh", "shaykh"}
)
LEGAL_FORMS = {"sa", "llc", "ltd", "inc", "gmbh", "plc", "llp", "ag", "corp", "ooo", "jsc"}
_VARIANT_HINT = re.compile(
    rf"\d|^\s*(?:{'|'.join(TITLES)})\b|\b(?:{'|'.join(LEGAL_FORMS)})\.?\s*$", re.IGNORECASE
)
_LEET = str.maketrans("0134579@$", "oieastgas")
_LEET_WORD = re.compile(r"\b(?=\w*[^\W\d_])(?=\w*\d)[\w@$]+\b")


def name_variants(name: str) -> list[str]:
    """The name as listed, then as meant where they differ: digits for letters read back
    ('Ig0r Sech1n'), titles and legal forms dropped ('President Erdoğan', 'Maduro SA')."""
    if not _VARIANT_HINT.search(name):
        return [name]  # the usual case, decided by one search
    words = _LEET_WORD.sub(lambda m: m.group().translate(_LEET), name).split()
    while len(words) > 1 and words[0].strip(".").casefold() in TITLES:
        words = words[1:]
    if len(words) == 1 and len(words[0]) < 5:
        return [name]  # 'Dr. Who': a short word alone would be found everywhere
    while len(words) > 2 and words[-1].strip(".").casefold() in LEGAL_FORMS:
        words = words[:-1]
    meant = " ".join(words)
    return [name] if meant == " ".join(name.split()) else [name, meant]


@lru_cache(maxsize=65536)
def surname_stems(surname: str) -> tuple[tuple[Stem, ...], bool]:
    """Stems and endings of a surname; True when it is a feminine -ova/-eva/-ina form."""
    stems: list[Stem] = []
    k = key(surname)
    female = k.endswith(("ova", "eva", "ina", "aia")) and len(k) > 4
    for form in _spellings_of_words(surname) | _baltic_base(surname, _BALTIC_SURNAME):
        if female:
            stems.append(Stem(form[:-1], FEMALE_SURNAME))
        elif _MALE_SURNAME_END.search(form):
            stems.append(Stem(form, MALE_SURNAME))
        else:
            stems.append(Stem(*_noun_endings(form)))
    return tuple(stems), female


@lru_cache(maxsize=65536)
def given_stems(given: str) -> tuple[Stem, ...]:
    forms = _spellings_of_words(given) | _baltic_base(given, _BALTIC_GIVEN)
    return tuple(Stem(*_noun_endings(form)) for form in forms)


# A Slavic name in its Latvian or Lithuanian nominative, and the part before the ending.
_BALTIC_SURNAME = re.compile(r"^(\w{2,}(?:ov|ev|in))(?:s|as)$")
_BALTIC_GIVEN = re.compile(r"^(\w{2,}[aeiou]j)(?:s|us)$")


def _baltic_base(word: str, pattern: re.Pattern) -> frozenset[str]:
    """'Lavrovs', 'Lavrovas' -> the spellings of Lavrov; 'Sergejs' -> of Sergej."""
    if not word.endswith(("s", "S")) or " " in word.strip():
        return _NO_NAMES  # most names: decided without folding
    m = pattern.match(coarse(word).strip().lower())
    return spellings(m.group(1)) if m else _NO_NAMES


def patronymic(word_key: str) -> str | None:
    """'ivanovica' (Ивановича) -> 'ivanovic'; None when the word is no patronymic."""
    m = PATRONYMIC.search(word_key)
    if not m:
        return None
    return word_key[: m.end(1)] if m.group(1) else word_key


def _noun_endings(form: str) -> tuple[str, frozenset[str]]:
    if form.endswith("a") and len(form) > 2:
        return form[:-1], A_NOUN
    if form.endswith(("ei", "ai", "ii", "oi")) and len(form) > 3:
        return form[:-1], Y_NOUN
    if form[-1:] in "aeiou":
        return form, OTHER
    return form, CONSONANT_NOUN


@lru_cache(maxsize=65536)
def _spellings_of_words(name: str) -> set[str]:
    """Spellings of a one- or two-word part ('Nurlan uulu', 'Jong-un'), joined by one space."""
    words = re.findall(f"[{WORD}']+", coarse(name))
    if not words:
        return set()
    if len(words) == 1:
        return spellings(name)
    raw = re.split(r"[\s\-‐‑·・•‧_]+", name.strip())
    if len(raw) != len(words):
        return {" ".join(words)}
    # sorted: a frozenset's order follows PYTHONHASHSEED, and the cut must not
    heads = {
        " ".join(c)
        for c in itertools.islice(itertools.product(*(sorted(spellings(w)) for w in raw[:-1])), 32)
    }
    return {f"{h} {t}" for h in heads for t in spellings(raw[-1])}


@lru_cache(maxsize=65536)
def phrase_spellings(phrase: str) -> set[str]:
    """Spellings of a phrase of any length, words joined by one space ('kempir abad')."""
    words = [w for w in re.findall(f"[{WORD}]+", coarse(phrase))]
    options = [sorted(spellings(w)) for w in words]
    out = set()
    for combo in itertools.product(*options):
        out.add(" ".join(combo))
        if len(out) >= 64:
            break
    # an inflected last word still starts with its stem: 'Фергане' for 'Fergana'
    out |= {s[:-1] for s in out if len(s) > 4 and s[-1] in "aeiou"}
    return {s for s in out if len(s) >= 3}


@lru_cache(maxsize=65536)
def initials(given: str) -> set[str]:
    """'Zhanar' -> {'j', 'zh', 'dj', 'dzh', ...}: the initial as any romanisation writes it."""
    out = set()
    for form in spellings(given):
        out.add(form[:1])
        if form[:3] == "dzh":
            out.add("dzh")
        if form[:2] in {"zh", "kh", "sh", "ch", "ts", "dj", "iu", "ia", "ie"}:
            out.add(form[:2])
    return frozenset(i for i in out if i and not i.strip(WORD))


@lru_cache(maxsize=1)
def _nickname_table() -> dict[str, set[str]]:
    """name -> its short forms and the names it is short for, from the `nicknames`
    package's hand-curated English table (read once, on the first lookup)."""
    table = NickNamer()
    both: dict[str, set[str]] = {}
    for lookup in (table.nickname_lookup, table.canonical_lookup):
        for name, others in lookup.items():
            both.setdefault(name, set()).update(others)
    return both


def nicknames(given: str) -> frozenset[str]:
    """'Benjamin' -> ben, beni, ...; 'Ted' -> teodore, edvard, ... (keys)."""
    others = _nickname_table().get(given.casefold())
    return _nickname_keys(given.casefold()) if others else _NO_NAMES


@lru_cache(maxsize=4096)
def _nickname_keys(name: str) -> frozenset[str]:
    others = _nickname_table()[name]
    return frozenset(key(o) for o in others if len(o) >= 2) - {key(name)}


_NO_NAMES: frozenset[str] = frozenset()
