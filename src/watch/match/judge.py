"""Judging a hit by the words beside it: a given name, initials or a patronymic make
it a mention in full; a bare surname counts only with the full name or a context word
elsewhere in the text; another given name or initial means a namesake.

`Judge` is mixed into Matcher (its methods use the matcher's `_watched`,
`_given_index`, `_known_given`, `_loose` and `_mention`), so the per-hit calls in
`Matcher.find` stay plain method calls.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from watch.match.align import SWAP, align, close, text_word
from watch.match.doc import WORD_RE, Doc, Hit, is_initial, words_after, words_before
from watch.match.fold import SOFT, WORD, coarse, key
from watch.match.index import Watched, as_written
from watch.match.names import NASAB, TITLE_WORDS, patronymic
from watch.match.screen import screen_run

SLIP_LENGTH = 5  # a given name this long may carry one slip of the pen beside an exact surname
_NEAR = re.compile(f"(?<![{WORD}])[{WORD}]")


class Judge:
    """The matcher's verdicts on single hits (see the module docstring)."""

    # --- a surname hit, judged by its neighbours

    def _verify(self, doc: Doc, hit: Hit):
        """(start, end, score, how) if named in full; "surname" if bare; None for a namesake."""
        watched = self._watched[hit.who]
        for side, forward in ((words_before, False), (words_after, True)):
            words = side(doc, hit.start if not forward else hit.end)
            verdict = self._beside(doc, watched, hit, words, forward)
            if verdict != "surname":
                return verdict
        if not doc.upper(hit.start) and doc.text[hit.start].lower() != doc.text[hit.start].upper():
            return None  # a lower-case word in a cased script is no name
        if watched.single and key(doc.folded[hit.start : hit.end]) in watched.single:
            return (hit.start, hit.end, 0.8, "alias")  # listed as one word: enough on its own
        return "surname"

    def _beside(self, doc: Doc, watched: Watched, hit: Hit, words, forward: bool):
        """Judge the surname by the one or two words on one side of it."""
        if not words:
            return "surname"
        (first, gap), second = words[0], (words[1] if len(words) > 1 else None)
        if not forward and doc.folded[first[0] : first[1]] in TITLE_WORDS:
            return "surname"  # 'Mr. Hamdan': a title, no initial of another person's
        if is_initial(doc.text, first):
            return self._by_initials(doc, watched, hit, first, second, forward)
        nickname = not forward and second and _nickname_between(doc, first, gap, second)
        if nickname and self._is_given(doc, hit, second[0]):  # 'Vladimir "Vova" Putin'
            return self._full(doc, watched, hit, _span(hit, second[0], forward), forward)
        if gap.strip(" \t\r\n-‐‑'’"):
            return "surname"  # punctuation between: not one name (Gul'nara-Askarova is)
        if self._is_given(doc, hit, first):
            if not forward and _son_of(doc, watched, first, second):
                return None  # 'Hasan bin Ahmad al-Ubaidi' for Ahmad (bin Hasan) al-Ubaidi
            if forward and second and _other_middle(doc, watched, second):
                return None  # 'Frost, William G.' for William W. Frost
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
        if doc.upper(first[0]) and key(word) in watched.nick_keys:
            return (*_span(hit, first, forward), 0.7, "nickname")  # 'Ben Netanyahu'
        if doc.upper(first[0]) and self._is_other_given(watched, word):
            return None
        return "surname"

    def _by_initials(self, doc: Doc, watched: Watched, hit: Hit, first, second, forward):
        """'A. Askarov', 'Askarov A.', 'С. И. Петров', 'Azimjan A. Askarov'."""
        letter = coarse(doc.text[first[0] : first[1]]).lower()
        if second and self._is_given(doc, hit, second[0]):
            if watched.middle_initials and letter not in watched.middle_initials:
                return None  # 'William W Frost' for William G. Frost: another middle name
            return self._full(doc, watched, hit, _span(hit, second[0], forward), forward)
        if second and is_initial(doc.text, second[0]) and not forward:
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

    def _full(self, doc: Doc, watched: Watched, hit: Hit, span, forward: bool):
        """A name in full: as listed (1.0), respelt (0.95) or inflected (0.9)."""
        if forward:  # 'Петров Сергей Иванович': take the patronymic along
            after = words_after(doc, span[1])
            if after and not after[0][1].strip() and doc.upper(after[0][0][0]):
                word = doc.text[after[0][0][0] : after[0][0][1]]
                if patronymic(key(word)) in watched.patronymics:
                    span = (span[0], after[0][0][1])
        if as_written(doc.text[span[0] : span[1]]) in watched.written:
            return (*span, 1.0, "alias")
        if hit.ending not in ("", "a" if hit.female else ""):
            return (*span, 0.9, "inflection")
        return (*span, 0.95, "transliteration")

    def _is_given(self, doc: Doc, hit: Hit, span: tuple[int, int]) -> bool:
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

    def _is_fuzzy_given(self, watched: Watched, word: str) -> bool:
        """A misspelt given name ('Vladmir', 'Azimjon'; 'Azimjn', 'Azimjam': a slip of
        one letter in a long given name that is no other known given name)."""
        k = key(word)
        if len(k) < 4:
            return False
        if any(close(k, g) for g in watched.given_keys):
            return True
        return (
            len(k) >= SLIP_LENGTH
            and k not in self._known_given
            and any(
                len(g) >= SLIP_LENGTH
                and g[0] == k[0]
                and Levenshtein.distance(k, g, score_cutoff=1) <= 1
                for g in watched.given_keys
            )
        )

    def _is_other_given(self, watched: Watched, word: str) -> bool:
        k = key(word)
        bases = {k} | {
            k[: -len(e)] for e in ("a", "i", "u", "e", "om", "oi", "ei") if k.endswith(e)
        }
        bases |= {b + "a" for b in list(bases)}
        return bool(bases & self._known_given) and not (bases & watched.given_keys)

    def _worth_aligning(self, doc: Doc, hit: Hit, verdict) -> bool:
        """Whether aligning the run could change the verdict: skipped where it cannot."""
        if verdict is None and not (self._watched[hit.who].initial_given or self._loose[hit.who]):
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

    def _surname_near(self, doc: Doc, hit: Hit) -> bool:
        """Cheap test before aligning: a capitalised word beside the given name (or one
        further, past a middle name) starts like one of the person's surnames."""
        firsts = self._watched[hit.who].surname_firsts
        folded = doc.folded
        for m in _NEAR.finditer(folded, max(0, hit.start - 40), hit.end + 40):
            if folded[m.start()] in firsts and doc.upper(m.start()):
                return True
        return False

    # --- the run of capitalised words around a hit, aligned with each listed name

    def _aligned(self, doc: Doc, hit: Hit):
        """(start, end, score, how) if the run names the person; SWAP; or None."""
        run, words = doc.run(hit.start, hit.end)
        if len(run) < 2:
            return None
        watched = self._watched[hit.who]
        verdicts = [align(words, name) for name in self._watched[hit.who].names]
        found = [v for v in verdicts if v and v != SWAP]
        spans = [span for span, _ in run]
        if not found and self._loose[hit.who]:
            loose = [align(words, name, loose=True) for name in self._watched[hit.who].names]
            found = [v for v in loose if v and v != SWAP]
            found = found or [v for v in (screen_run(words, n) for n in watched.names) if v]
            tail = [] if found else _lower_tail(doc, spans[-1][1])
            if tail:  # 'Nikolai Patr ushev': a word split by a stray space
                words = words + [text_word(doc.folded[s:e], False) for s, e in tail]
                spans = spans + tail
                found = [v for v in (screen_run(words, n) for n in watched.names) if v]
        if not found:
            return SWAP if SWAP in verdicts else None
        first, last, how = min(found, key=lambda v: v[1] - v[0])
        start, end = spans[first][0], spans[last][1]
        if how == "exact":
            return self._full(doc, self._watched[hit.who], hit, (start, end), False)
        return (start, end, {"initial": 0.8, "fuzzy": 0.7}.get(how, 0.45), how)

    def _screened_run(self, doc: Doc, hit: Hit):
        """Screening only: (start, end, 0.45, 'near') if the run around a word that looks
        like the person's names them loosely (one word counts, for a one-word run)."""
        run, words = doc.run(hit.start, hit.end)
        if len(run) >= 2:
            verdict = self._aligned(doc, hit)
            return verdict if verdict and verdict != SWAP else None
        for name in self._watched[hit.who].names:
            if screen_run(words, name):
                return (run[0][0][0], run[-1][0][1], 0.45, "near")
        return None

    def _surname_only(self, doc: Doc, hit: Hit, named: set[int], namesakes: set[int]):
        """A bare surname counts when the text also names the person or their context."""
        watched = self._watched[hit.who]
        maybe_female = not hit.female and hit.ending.startswith("a")
        if hit.who in named and not (maybe_female and hit.who in namesakes):
            return self._mention(doc, hit.who, hit.start, hit.end, 0.75, "surname+mention")
        if maybe_female or hit.who in namesakes:
            return None
        if self._loose[hit.who] and _titled(doc, hit):  # screening: 'President Erdoğan'
            return self._mention(doc, hit.who, hit.start, hit.end, 0.45, "near")
        if hit.who not in doc.in_context:  # once per person and text
            doc.in_context[hit.who] = any(c in doc.words for c in watched.context)
        if doc.in_context[hit.who]:
            return self._mention(doc, hit.who, hit.start, hit.end, 0.7, "surname+context")
        return None


def cased_name(doc: Doc, hit: Hit, verdict) -> bool:
    """A name in lower case ('amat amat', 'ein E-Health') is taken only when it is long:
    'azimjan askarov' in a list of tags, not common words that look like a name."""
    ch = doc.text[hit.start]
    if ch.isupper() or ch.lower() == ch.upper():
        return True
    words = WORD_RE.findall(doc.folded, verdict[0], verdict[1])
    return verdict[3] != "initial" and len(words) >= 2 and all(len(w) >= _LOWER_MIN for w in words)


_LOWER_MIN = 5  # letters in every word of a name written in lower case


def never_cased(doc: Doc, hit: Hit) -> bool:
    """Whether `cased_name` rejects every verdict on `hit`, whose span holds the hit:
    a lower-case hit in a cased script with a word too short ('year' for 'Eyar').
    Lets the matcher skip judging the most common kind of hit in running text."""
    ch = doc.text[hit.start]
    if ch.isupper() or ch.lower() == ch.upper():
        return False
    return any(len(w) < _LOWER_MIN for w in WORD_RE.findall(doc.folded, hit.start, hit.end))


def _titled(doc: Doc, hit: Hit) -> bool:
    """A title right before the surname: 'President Erdoğan', 'Mr. Askarov', 'Dr Hamdan'."""
    before = words_before(doc, hit.start)
    if not before or before[0][1].strip(" .") or not doc.text[hit.start].isupper():
        return False
    (start, end), _ = before[0]
    return doc.folded[start:end] in TITLE_WORDS


def _lower_tail(doc: Doc, end: int) -> list[tuple[int, int]]:
    """The lower-case words right after a capitalised run, one space apart: what is
    left of a name's word that a stray space split (text from PDFs often has them)."""
    tail = []
    for span, gap in words_after(doc, end):
        if gap != " " or doc.upper(span[0]) or not doc.text[span[0]].isalpha():
            break
        tail.append(span)
    return tail[:1]


_OPENERS = {"'": "'’", "‘": "’", "’": "’", '"': '"”', "“": "”", "«": "»", "(": ")", "„": "“”"}


def _nickname_between(doc: Doc, word, gap: str, before) -> bool:
    """A word in quotes or brackets between given name and surname: a nickname
    ('Joaquín "El Chapo" Guzmán' has two words: only one is read past)."""
    (start, _), after = word, gap.strip(" ")
    opener = doc.text[start - 1 : start]
    return (
        bool(after)
        and opener in _OPENERS
        and after[0] in _OPENERS[opener]
        and not before[1].replace(opener, "", 1).strip(" ")
    )


def _other_middle(doc: Doc, watched: Watched, word) -> bool:
    """An initial after the given name that none of the person's middle names has."""
    (start, end), gap = word
    if gap.strip(" ") or not is_initial(doc.text, (start, end)) or not watched.middle_initials:
        return False
    return coarse(doc.text[start:end]).lower() not in watched.middle_initials


def _son_of(doc: Doc, watched: Watched, word, before) -> bool:
    """Whether `word` follows bin/ibn: a father's name, where the person's lists none."""
    if before is None or before[1].strip(" \t-‐‑"):
        return False
    particle = doc.folded[before[0][0] : before[0][1]]
    return particle in NASAB and key(doc.text[word[0] : word[1]]) not in watched.fathers


def _span(hit: Hit, other: tuple[int, int], forward: bool) -> tuple[int, int]:
    return (hit.start, other[1]) if forward else (other[0], hit.end)
