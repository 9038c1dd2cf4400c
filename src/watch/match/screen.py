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

from watch.match.align import ARTICLES, PARTICLES, SUN_ARTICLES, NameWord, TextWord, pairs
from watch.match.doc import WORD_RE, Doc
from watch.match.fold import key
from watch.match.index import Watched
from watch.match.names import is_alphabetic
from watch.match.sound import MIN_SOUND, sound, sounds_alike

_ANY_ARTICLE = PARTICLES | SUN_ARTICLES
LOOSE_BELOW = 0.5  # a person's min_score below this turns screening on
ANCHOR_SIMILARITY = 0.7  # a text word this close to a name word is judged with its run
SUBSET_WORDS = 3  # a short form names at most this many words of a long name
JOINED_EDITS = 2  # at most, between the joined skeletons of text and name
JOINED_SHARE = 0.2  # ... and at most one edit in five letters
BLOB_SIMILARITY = 90  # partial ratio of a one-word name inside an unspaced word

# Letters the fold reads as blanks: Hebrew .. Ethiopic, Khmer, kana, Han, Hangul
# (with their combining vowel signs, so that a Devanagari or Thai word stays whole).
_OTHER = "\u0590-\u10ff\u1200-\u139f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
_UNSPACED = re.compile("[\u0e00-\u0eff\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff]")
_OTHER_RUN = re.compile(f"[{_OTHER}]+(?:[ \t·・•‧\\-‐‑]+[{_OTHER}]+)*")


def screen_run(words: list[TextWord], name: tuple[NameWord, ...]):
    """(first, last, 'near') over the run's words if it is this name screened loosely."""
    if _other_initials(words, name):
        return None
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
        if _middle_reordered(full, own):
            return 0, len(words) - 1, "near"  # 'Reinaldo Lenin Gregorio' for 'Gregorio Lenin'
        edits = 0  # the same count by chance: only the very same letters, joined otherwise
    else:
        edits = JOINED_EDITS
    texts, names = _joined_forms([w.key for w in full]), _joined_forms([w.key for w in own])
    # one side whole: the other may drop its middle names, not both (a middle name swapped)
    pairs_ = [(texts[0], n) for n in names] + [(t, names[0]) for t in texts[1:]]
    bare = [w.key for w in full if w.key not in ARTICLES]
    if len(bare) < len(full):  # 'Abd el-Fattah es-Sisi' for Abdul Fattah al-Sisi
        pairs_.append(("".join(bare), "".join(w.key for w in own if w.key not in ARTICLES)))
    if any(_joined_close(t, n, edits) for t, n in pairs_):
        return 0, len(words) - 1, "near"  # joined or split: 'JanDaniel', 'Patr ushev'
    return None


def _other_initials(words: list[TextWord], name: tuple[NameWord, ...]) -> bool:
    """Initials on both sides and none in common: 'William W Frost' is not William G.
    Frost, however near the rest."""
    text = {w.key[:1] for w in words if w.initial}
    listed = {w.key[:1] for w in name if w.initial}
    return bool(text and listed and not text & listed)


def _middle_reordered(full: list[TextWord], own: list[NameWord]) -> bool:
    """First and last word in place, the middle names all there in another order."""
    if len(own) < 4 or not (_near_word(full[0], own[0]) and _near_word(full[-1], own[-1])):
        return False
    left = list(own[1:-1])
    for word in full[1:-1]:
        match = next((n for n in left if _near_word(word, n)), None)
        if match is None:
            return False
        left.remove(match)
    return True


def _near_word(word: TextWord, name: NameWord) -> bool:
    if word.key in _ANY_ARTICLE and name.key in _ANY_ARTICLE:
        return True  # el-Assad, al-Assad, as-Sisi
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


def anchors(watched: list[Watched], loose: list[bool]) -> dict[str, set[tuple[int, str]]]:
    """The first and last three letters of each screened person's name words ->
    (who, the word's skeleton): a text word sharing either is worth a closer look."""
    out: dict[str, set[tuple[int, str]]] = {}
    for who, entry in enumerate(watched):
        if not loose[who]:
            continue
        for name in entry.names:
            own = [w.key for w in name if not w.initial and w.key not in PARTICLES]
            if len(own) > 1:  # the name written as one word ('PolPot'): no stem finds it
                joined = "".join(own)
                out.setdefault(JOINED + joined[:3], set()).add((who, joined))
                out.setdefault(JOINED + joined[-3:], set()).add((who, joined))
            for k in (w.key for w in name if len(w.key) >= 4 and w.key not in PARTICLES):
                out.setdefault(k[:3], set()).add((who, k))
                out.setdefault(k[-3:], set()).add((who, k))
    return out


JOINED = "+"  # before a name's words joined, among the anchors: looked up whole


def candidates(anchors: dict[str, set[tuple[int, str]]], word_key: str) -> set[int]:
    """The screened people one of whose name words this text word may be, slipped,
    joined to another or split ('Gaddafi' for Qaddafi, 'YusufHamdan', 'Rami' for
    'Ramimakhlouf'); not the word itself
    (its stem was found and judged already)."""
    found: set[int] = set()
    if len(word_key) >= 4:  # 'PolPot', the name's words as one, a slip from it or a part
        for who, own in anchors.get(JOINED + word_key[:3], _NONE) | anchors.get(
            JOINED + word_key[-3:], _NONE
        ):
            if who not in found and _joined_candidate(word_key, own):
                found.add(who)
    for who, own in anchors.get(word_key[:3], _NONE) | anchors.get(word_key[-3:], _NONE):
        if who in found or own == word_key:
            continue
        short, long = sorted((word_key, own), key=len)
        joined = len(short) >= 4 and (long.startswith(short) or long.endswith(short))
        if joined or Levenshtein.normalized_similarity(word_key, own) >= ANCHOR_SIMILARITY:
            found.add(who)
    return found


def _joined_candidate(word_key: str, joined: str) -> bool:
    """The same test as for one word, the dearest part (the similarity) only where the
    lengths allow it: most words are far shorter than a name's words joined."""
    if word_key == joined:
        return True
    short, long = (word_key, joined) if len(word_key) <= len(joined) else (joined, word_key)
    if len(short) >= 4 and (long.startswith(short) or long.endswith(short)):
        return True
    return len(long) - len(short) <= (1 - ANCHOR_SIMILARITY) * len(long) and (
        Levenshtein.normalized_similarity(word_key, joined) >= ANCHOR_SIMILARITY
    )


_NONE: frozenset = frozenset()


@dataclass(frozen=True)
class Screened:
    who: int
    names: tuple[tuple[str, ...], ...]  # romanised skeletons of each name's words


def screened_names(watched: list[Watched], loose: list[bool]) -> list[Screened]:
    """The names of the people screened loosely, romanised, for other-script text."""
    out = []
    for who, entry in enumerate(watched):
        if not loose[who]:
            continue
        names = {_romanised(name) for name in entry.person.names if name.strip()}
        names = {n for n in names if n and sum(map(len, n)) >= 4}
        if names:
            out.append(Screened(who, tuple(sorted(names))))
    return out


def _romanised(name: str) -> tuple[str, ...]:
    """'Barack Obama' -> ('barak', 'obama'); 'ባራክ ኦባማ' the same way, through anyascii."""
    words = _SPLIT.split(name if is_alphabetic(name) else anyascii(name))
    return tuple(k for k in map(key, words) if k)


_SPLIT = re.compile(r"[\s·・•‧\-‐‑]+")


def sounded_names(watched: list[Watched], loose: list[bool]) -> dict[str, list]:
    """A screened person's names listed only in a script the fold does not read
    ('ប៉ុល ពត', 'محمد بن سلمان'), romanised, by how their first word sounds: the sound
    of their first word -> [(who, the words' keys)], to be found in Latin text."""
    out: dict[str, list] = {}
    for who, entry in enumerate(watched):
        if not loose[who]:
            continue
        for name in entry.person.names:
            if not name.strip() or is_alphabetic(name):
                continue
            words = _romanised(name)
            if words and sum(len(sound(k)) for k in words) >= MIN_SOUND and sound(words[0]):
                out.setdefault(sound(words[0]), []).append((who, words))
    return out


def screen_sounded(doc: Doc, sounded: dict[str, list]):
    """(who, start, end) for each capitalised run that sounds like a name in `sounded`:
    'Pol Pot' for ប៉ុល ពត (anyascii: 'bol pt')."""
    spans = [m.span() for m in WORD_RE.finditer(doc.folded)]
    for i, (start, end) in enumerate(spans):
        if not doc.upper(start):
            continue
        for who, words in sounded.get(sound(key(doc.folded[start:end])), ()):
            last = i + len(words) - 1
            if last < len(spans) and _sounds_on(doc, spans[i : last + 1], words):
                yield who, start, spans[last][1]


def _sounds_on(doc: Doc, spans: list[tuple[int, int]], words: tuple[str, ...]) -> bool:
    """The text words at `spans`, capitalised, one name (a space or hyphen between)."""
    for (s, e), prev, name_key in zip(spans, [None, *spans], words, strict=False):
        if prev and (doc.text[prev[1] : s] not in _NAME_GAPS or not doc.upper(s)):
            return False
        if not _sound_like(key(doc.folded[s:e]), name_key):
            return False
    return True


_NAME_GAPS = frozenset({" ", "-", "‐", "‑"})


def screen_other_scripts(text: str, screened: list[Screened]):
    """(who, start, end, matched) for each name written in a script the fold blanks:
    word for word, each a slip apart, or one unspaced word holding the name."""
    for run in _OTHER_RUN.finditer(text):
        words = [
            (m.start() + run.start(), m.end() + run.start(), key(anyascii(m.group())), m.group())
            for m in re.finditer(r"[^\s·・•‧\-‐‑]+", run.group())
        ]
        words = [w for w in words if w[2]]
        kana = (
            [(*w[:2], key(_romaji(w[3])), w[3]) for w in words] if _KANA.search(run.group()) else []
        )
        for person in screened:
            found = _in_words(words, person.names) or _in_blob(words, person.names)
            found = found or (kana and _in_words(kana, person.names))
            if found:
                yield person.who, found[0], found[1], text[found[0] : found[1]]


_KANA = re.compile("[\u30a0-\u30ff]")
# Katakana for the foreign names it spells: チ, ジ, ツ stand for ti, di, tu as often
# as for chi, ji, tsu (ウラジーミル・プーチン: Vladimir Putin)
_ROMAJI = [("chi", "ti"), ("ji", "di"), ("tsu", "tu")]


def _romaji(word: str) -> str:
    out = anyascii(word).lower()
    for written, spoken in _ROMAJI:
        out = out.replace(written, spoken)
    return out


def _in_words(words, names) -> tuple[int, int] | None:
    """The name word for word, each a slip apart or sounding alike (its consonants by
    class, for a name long enough: see sound.py); in an unspaced script the first and
    last of them may be part of a longer word ('ハムダン氏が')."""
    for name in names:
        n = len(name)
        like = _sound_like if sum(len(sound(k)) for k in name) >= MIN_SOUND else _slip
        for i in range(len(words) - n + 1):
            window = words[i : i + n]
            start = _edge(window[0], name[0], False, like) if n > 1 else window[0][0]
            end = _edge(window[-1], name[-1], True, like)
            middle = zip(window[1:-1], name[1:-1], strict=True)
            if start is not None and end is not None and all(like(w[2], k) for w, k in middle):
                return start, end
    return None


def _sound_like(a: str, b: str) -> bool:
    return _slip(a, b) or sounds_alike(a, b)


def _edge(word, name_key: str, from_end: bool, like=None) -> int | None:
    if (like or _slip)(word[2], name_key):
        return word[1] if from_end else word[0]
    return _trim(word, name_key, from_end) if _unspaced(word[3]) else None


def _unspaced(word: str) -> bool:
    return bool(_UNSPACED.search(word))


def _trim(word, name_key: str, from_end: bool) -> int | None:
    """Where the name's word ends inside an unspaced word ('ハムダン氏が...'), or starts."""
    start, _, _, raw = word
    cuts = range(1, len(raw)) if from_end else range(len(raw) - 1, 0, -1)
    for cut in cuts:
        part = raw[:cut] if from_end else raw[cut:]
        if _slip(key(anyascii(part)), name_key):
            return start + cut  # the end of the part kept, or its start
    return None


def _in_blob(words, names) -> tuple[int, int] | None:
    """A script written without spaces (Thai, Khmer, kana): the name inside one word."""
    for start, end, roman, raw in words:
        for name in names:
            joined = "".join(name)
            if len(roman) <= len(joined) + 2:
                if _joined_close(roman, joined, JOINED_EDITS):
                    return start, end
            elif len(name) == 1:
                hit = fuzz.partial_ratio_alignment(joined, roman, score_cutoff=BLOB_SIMILARITY)
                if hit and hit.dest_end - hit.dest_start >= 4:
                    return start, end  # the whole word: its letters and the romanised differ
            if _HANGUL.search(raw) and _same_sound(roman, joined):
                return start, end  # 김정은 (GimJeongEun) for Kim Jong-un: KNSNKN both
    return None


_HANGUL = re.compile("[\uac00-\ud7af]")
BLOB_SOUND = 5  # consonant classes a name in one Hangul word must share, all in order


def _same_sound(roman: str, joined: str) -> bool:
    heard = sound(roman)
    return len(heard) >= BLOB_SOUND and heard == sound(joined)


def _slip(a: str, b: str) -> bool:
    return Levenshtein.normalized_similarity(a, b) >= 0.75 or (
        len(a) == len(b) and Levenshtein.distance(a, b) <= 1
    )
