"""Screening: the looser comparisons made only for people watched below LOOSE_BELOW.

An organiser who screens a person (a low `min_score`) asks for near-misses as well,
scored 0.45, as sanctions screening does:

- `screen_run`: a capitalised run that spells the name with its words joined, split,
  reordered or slightly misspelt (the words' skeletons, joined, one letter in five
  apart), or that gives at least two of its words, the first among them, as written
  ('FAZL RABI' for FAZL RABI ABDUL HAMID);
- `screen_other_scripts`: a name written in a script the fold does not read (Arabic,
  Hebrew, Devanagari, Thai, Khmer, Ethiopic, kana...), romanised by anyascii and
  compared with every listed name, romanised the same way.

None of this runs for people at the default threshold: there a near-miss is another
person (Isakov is not Iskakov).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from watch.match.align import PARTICLES, NameWord, TextWord, pairs
from watch.match.fold import key
from watch.match.index import Watched
from watch.match.names import is_alphabetic

LOOSE_BELOW = 0.5  # a person's min_score below this turns screening on
SUBSET_WORDS = 3  # a short form names at most this many words of a long name
JOINED_EDITS = 2  # at most, between the joined skeletons of text and name
JOINED_SHARE = 0.2  # ... and at most one edit in five letters
SCRIPT_SIMILARITY = 0.8  # of a romanised other-script name (partial ratio / 100)

# Letters the fold reads as blanks: Hebrew .. Ethiopic, Khmer, kana, Han, Hangul
# (with their combining vowel signs, so that a Devanagari or Thai word stays whole).
_OTHER = "\u0590-\u10ff\u1200-\u139f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_OTHER_RUN = re.compile(f"[{_OTHER}]+(?:[ \t·・•‧\\-‐‑]+[{_OTHER}]+)*")


def screen_run(words: list[TextWord], name: tuple[NameWord, ...]):
    """(first, last, 'near') over the run's words if it is this name screened loosely."""
    subset = _leading_subset(words, name)
    if subset:
        return subset
    full = [w for w in words if not w.initial]
    own = [w for w in name if not w.initial]
    if not full or not own:
        return None
    if len(full) == len(own):  # word for word, each a slip apart (Usama bin Ladin)
        if all(_near_word(t, n) for t, n in zip(full, own, strict=True)):
            return 0, len(words) - 1, "near"
        edits = 0  # the same count by chance: only the very same letters, joined otherwise
    else:
        edits = JOINED_EDITS
    texts, names = _joined_forms([w.key for w in full]), _joined_forms([w.key for w in own])
    # one side whole: the other may drop its middle names, not both (a middle name swapped)
    pairs_ = [(texts[0], n) for n in names] + [(t, names[0]) for t in texts[1:]]
    if any(_joined_close(t, n, edits) for t, n in pairs_):
        return 0, len(words) - 1, "near"  # joined or split: 'JanDaniel', 'Patr ushev'
    return None


def _near_word(word: TextWord, name: NameWord) -> bool:
    if word.key in PARTICLES and name.key in PARTICLES:
        return True  # el-Assad, al-Assad
    return pairs(word, name, loose=True) is not None


def _joined_close(a: str, b: str, most: int) -> bool:
    """Joined skeletons at most `most` slips apart, and no more than one letter in five."""
    edits = Levenshtein.distance(a, b, score_cutoff=most)
    return edits <= most and edits <= JOINED_SHARE * max(len(a), len(b))


def _joined_forms(words: list[str]) -> list[str]:
    """Skeletons joined: all words (first), in the other order, and without middle names."""
    forms = ["".join(words), "".join(words[1:] + words[:1])]
    return forms + (["".join([words[0], words[-1]])] if len(words) > 2 else [])


def _leading_subset(words: list[TextWord], name: tuple[NameWord, ...]):
    """Two or more of the name's words, its first among them, as written and in order."""
    if len(name) < 3 or len(words) > SUBSET_WORDS:
        return None
    used: list[int] = []
    n = 0
    for t, word in enumerate(words):
        while n < len(name) and pairs(word, name[n]) not in ("exact", "fuzzy"):
            n += 1
        if n == len(name):
            break
        used.append(t)
        n += 1
    while used and words[used[-1]].key in PARTICLES:
        used.pop()  # 'AL-' before a word the run lost: no pairing of its own
    real = [t for t in used if words[t].key not in PARTICLES]
    if len(real) < 2 or len(used) < len(words) or pairs(words[used[0]], name[0]) is None:
        return None  # a text word the name lacks: another person ('ABDUL LATIF MANSUR')
    return used[0], used[-1], "near"


def anchors(watched: list[Watched], loose: list[bool]) -> dict[str, set[int]]:
    """The first and last three letters of each screened person's name words -> who:
    a text word sharing either is worth comparing though no stem of it is there."""
    out: dict[str, set[int]] = {}
    for who, entry in enumerate(watched):
        if not loose[who]:
            continue
        for name in entry.names:
            for word in name:
                if len(word.key) >= 4 and word.key not in PARTICLES:
                    out.setdefault(word.key[:3], set()).add(who)
                    out.setdefault(word.key[-3:], set()).add(who)
    return out


@dataclass(frozen=True)
class Screened:
    who: int
    forms: tuple[str, ...]  # romanised skeletons of the person's names, words joined


def screened_names(watched: list[Watched], loose: list[bool]) -> list[Screened]:
    """The names of the people screened loosely, romanised, for other-script text."""
    out = []
    for who, entry in enumerate(watched):
        if not loose[who]:
            continue
        forms = {_romanised(name) for name in entry.person.names if name.strip()}
        forms = {f for f in forms if len(f) >= 4}
        if forms:
            out.append(Screened(who, tuple(sorted(forms))))
    return out


def _romanised(name: str) -> str:
    """'Barack Obama' -> 'barakobama'; 'ባራክ ኦባማ' the same way, through anyascii."""
    return key(name if is_alphabetic(name) else anyascii(name))


def screen_other_scripts(text: str, screened: list[Screened]):
    """(who, start, end, matched) for each name written in a script the fold blanks."""
    for run in _OTHER_RUN.finditer(text):
        roman, offsets = _romanise_run(run.group(), run.start())
        if len(roman) < 3:
            continue
        for person in screened:
            found = _best(roman, person.forms)
            if found:
                start, end = offsets[found[0]], offsets[found[1] - 1] + 1
                yield person.who, start, end, text[start:end]


def _best(roman: str, forms: tuple[str, ...]) -> tuple[int, int] | None:
    for form in forms:
        if len(roman) <= len(form) + 2:
            if Levenshtein.normalized_similarity(roman, form) >= SCRIPT_SIMILARITY:
                return 0, len(roman)
            continue
        hit = fuzz.partial_ratio_alignment(form, roman, score_cutoff=SCRIPT_SIMILARITY * 100)
        if hit and hit.dest_end - hit.dest_start >= 3:
            return hit.dest_start, hit.dest_end
    return None


def _romanise_run(run: str, at: int) -> tuple[str, list[int]]:
    """The run's skeleton letters, each with the offset in the text of its source letter."""
    letters: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(run):
        for c in key(anyascii(ch)):
            letters.append(c)
            offsets.append(at + i)
    return "".join(letters), offsets
