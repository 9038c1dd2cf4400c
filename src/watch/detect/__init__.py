"""Find what a text asserts happened to a watched person: status-change events.

    detector = Detector()                       # loads src/watch/cues/<lang>.yaml once
    detector.detect(text, mentions, language="ru", published=date(2024, 3, 1))

Rules, not a model: each language's cue file lists the words that carry an event
(cues), the words that take it back (blockers: demands, fears, negation, future,
denials, questions), look-alikes that are no event at all (false friends), and how
that language writes dates. The code here is the same for every language, so that
adding Kyrgyz or Arabic is adding a file.

Only sentences that name a watched person, or refer back to one ("he", "the
activist") just after, are analysed: that keeps detection cheap on long articles.

cues.py loads and checks the cue files, sentences.py splits text into sentences,
cue_hits.py finds the cue matches that stand, patients.py finds whom each happens to,
dates.py dates it, and detector.py puts them together.
"""

from watch.detect.cues import CUES_DIR, Blocker, Cue, CueSet, DateRules, load_cue_file
from watch.detect.detector import Detector, default_detector, detect
from watch.detect.sentences import sentence_spans
from watch.errors import CueFileError

__all__ = [
    "CUES_DIR",
    "Blocker",
    "Cue",
    "CueFileError",
    "CueSet",
    "DateRules",
    "Detector",
    "default_detector",
    "detect",
    "load_cue_file",
    "sentence_spans",
]
