"""Find mentions of watched people in a text, in any script, spelling and grammatical case.

    matcher = Matcher(people)      # build the index once per watchlist
    matcher.find(text)             # -> [Mention], spans index `text` exactly

See matcher.py for the method (index.py, doc.py and judge.py for its steps), fold.py
for the folding, names.py for endings and screen.py for the looser comparisons made
for people screened below min_score 0.5.
"""

from watch.match.fold import coarse, fold, key, spellings
from watch.match.matcher import Matcher

__all__ = ["Matcher", "coarse", "fold", "key", "spellings"]
