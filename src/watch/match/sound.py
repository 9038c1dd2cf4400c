"""How a name sounds, as far as any script writes it: its consonants, by class.

A name written in an abjad (Arabic, Hebrew) loses its short vowels and writes long
ones as consonant letters (و w/v, ي y); Korean and Japanese add vowels between
consonants and read l as r; Devanagari and Hebrew have no v/w or p/f contrast the
way Latin has. anyascii romanises each letter faithfully, so 'فلاديمير بوتين' comes
out 'fldymyr bwtyn' and 'ברק אובמה' 'vrk 'vvmh': far from 'Vladimir Putin' and
'Barack Obama' letter by letter, the same consonants by class (PRTNR PTN).

`sound(key)` keeps a word's consonants, each as its class (b p f v w: P; d t: T;
g k q: K; c s z j: S; l r: R; m n: N), drops vowels, h, y and apostrophes, and
merges a class written twice in a row. Used only when screening (a low min_score),
for names written in one of those scripts on one side and in Latin on the other.
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_CLASSES = str.maketrans(
    {
        **dict.fromkeys("bpfvw", "P"),
        **dict.fromkeys("dt", "T"),
        **dict.fromkeys("gkq", "K"),
        **dict.fromkeys("csjz", "S"),
        **dict.fromkeys("lr", "R"),
        **dict.fromkeys("mn", "N"),
        **dict.fromkeys("aeiouyh'ь", None),
    }
)
MIN_SOUND = 4  # consonants in a whole name, at least: fewer say too little
SLIP_SOUND = 4  # consonants in a word that may then differ in one


@lru_cache(maxsize=65536)
def sound(word_key: str) -> str:
    """'vladimir' -> 'PRTNR'; 'fldimir' (فلاديمير, keyed) -> 'PRTNR'."""
    classes = word_key.translate(_CLASSES)
    out = []
    for c in classes:
        if c.isupper() and (not out or out[-1] != c):
            out.append(c)
    return "".join(out)


def sounds_alike(a: str, b: str) -> bool:
    """Two word keys with the same consonants by class; one slip in four or more
    ('Yusuf' and the Korean 수채화 both sound SP: a short word must sound the same)."""
    sa, sb = sound(a), sound(b)
    if not sa or not sb:
        return False
    if min(len(sa), len(sb)) < SLIP_SOUND:
        return sa == sb
    return Levenshtein.distance(sa, sb, score_cutoff=1) <= 1
