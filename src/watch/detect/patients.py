"""Who an event happens to (its patient, in grammar's word): the person the clause
is about, not whoever it names.

A name before or after the cue, a pronoun or "the activist" referring back, names
joined by "and", a possessor ("Askarov's lawyer") who is not the subject, someone
else standing between name and cue, a clause with no subject at all (pro-drop).
"""

from __future__ import annotations

import re

from watch.detect.cues import Cue, CueSet
from watch.detect.sentences import Found, Sentence


def patients(sentence: Sentence, m: re.Match[str], cue: Cue, clause, cueset: CueSet) -> list[str]:
    """Who the event happens to: the person the clause is about, not whoever it names."""
    text, found = sentence.text, sentence.found
    left, right = clause
    subjects = [f for f in found if not f.possessor]
    inside = [f.person_id for f in subjects if m.start() <= f.start and f.end <= m.end()]
    if inside:  # "upheld Askarov's sentence"
        return list(dict.fromkeys(inside))
    before = [f for f in subjects if left <= f.start and f.end <= m.start()]
    after = [f for f in subjects if m.end() <= f.start < right]
    # a pronoun inside the cue counts too: "learned of his death"
    anaphors = list(cueset.anaphora.finditer(text, left, m.end())) if cueset.anaphora else []
    if cue.role == "object":
        if after and not _other_between(text, m.end(), after[0].start, cueset):
            return _with_coordinated(text, after[0], subjects, cueset)
        gap = len(text[m.end() :]) - len(text[m.end() :].lstrip())
        if cueset.others and cueset.others.match(text, m.end() + gap):  # "arrested her colleagues"
            return []
        pronoun = cueset.object_pronoun and cueset.object_pronoun.match(text, m.end())
        focus = _focus(sentence, m.start(), cueset)
        return [focus] if pronoun and focus else []
    if before:
        pick = before[-1]
        if _other_between(text, pick.end, m.start(), cueset, names=False):
            # "Askarov's lawyers said he had been beaten": a pronoun after the other
            # person takes the event back to the one named
            last_other = list(cueset.others.finditer(text, pick.end, m.start()))[-1]
            if not any(a.start() >= last_other.end() for a in anaphors):
                return []
            focus = _focus(sentence, m.start(), cueset)
            return [focus] if focus else []
        return _with_coordinated(text, pick, subjects, cueset)
    if anaphors:
        # "she said her lawyer was beaten", "the journalist Bakyt Asanov was detained":
        # someone else stands between the pronoun and the cue
        if _other_between(text, anaphors[-1].start(), m.start(), cueset):
            return []
        focus = _focus(sentence, anaphors[-1].end(), cueset)
        return [focus] if focus else []
    if after:
        return _with_coordinated(text, after[0], subjects, cueset)
    earlier = [f for f in subjects if f.end <= m.start()]
    if earlier and not _other_between(text, earlier[-1].end, m.start(), cueset):
        return _with_coordinated(text, earlier[-1], subjects, cueset)
    named = any(left <= f.start < m.start() for f in found)
    stranger = cueset.capitalised_names and any(
        not any(f.start < n.end() and n.start() < f.end for f in found)
        for n in _CAPITALISED_NAME.finditer(text, 0, m.start())
    )
    if not earlier and not named and not stranger and _subjectless(text[left : m.start()], cueset):
        # Pro-drop ("Según su abogado, está en huelga de hambre"): the clause names
        # no one, so it goes on about the person in focus.
        focus = _focus(sentence, m.start(), cueset)
        return [focus] if focus else []
    return []


def _subjectless(prefix: str, cueset: CueSet) -> bool:
    words = prefix.split()
    if _CJK.search(prefix):  # no spaces to count words by: a short run of characters
        words = [prefix] if len(prefix.strip()) <= 6 else ["", "", ""]
    if len(words) > 2 or (cueset.others and cueset.others.search(prefix)):
        return False
    return not any(w[:1].isupper() for w in words[1:])


def _focus(sentence: Sentence, position: int, cueset: CueSet) -> str | None:
    """Whom a pronoun at `position` refers to: the nearest name before it, else the carried one.

    A possessor ("Askarov's son", "сын Аскарова") is the subject's owner, not the
    subject: a pronoun goes back to it only across a verb of saying ("Askarov's lawyer
    said he was beaten"), not in "Askarov's son was arrested but released".
    """
    earlier = [f for f in sentence.found if f.end <= position]
    if not earlier:
        return sentence.carried
    subjects = [f for f in earlier if not f.possessor]
    if subjects:
        return subjects[-1].person_id
    owner = earlier[-1]
    said = bool(cueset.speech and cueset.speech.search(sentence.text, owner.end, position))
    return owner.person_id if said else None


def _other_between(text: str, start: int, end: int, cueset: CueSet, names: bool = True) -> bool:
    """Someone else stands between the name and the cue ('his brother', 'Bakyt Asanov')."""
    if start >= end:
        return False
    span = text[start:end]
    if cueset.others and cueset.others.search(span):
        return True
    return bool(names and cueset.capitalised_names and _CAPITALISED_NAME.search(span))


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_CAPITALISED_NAME = re.compile(r"(?<!\w)[A-ZА-ЯЁ][a-zа-яё'’\-]+\s+[A-ZА-ЯЁ][a-zа-яё'’\-]{2,}")


def _with_coordinated(text: str, pick: Found, subjects: list[Found], cueset: CueSet) -> list[str]:
    """'Askarov and Isakov were detained': both, when names are joined by 'and', commas."""
    people = [pick.person_id]
    if cueset.coordination is None:
        return people
    i = subjects.index(pick)
    for step in (-1, 1):
        j, current = i + step, pick
        while 0 <= j < len(subjects):
            other = subjects[j]
            gap = text[other.end : current.start] if step < 0 else text[current.end : other.start]
            if not cueset.coordination.fullmatch(gap):
                break
            people.append(other.person_id)
            current, j = other, j + step
    return list(dict.fromkeys(people))
