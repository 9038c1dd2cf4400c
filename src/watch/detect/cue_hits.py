"""Which cue matches in a sentence stand: false friends and overlaps removed, the
clause each falls in, and the blockers (demands, fears, negation, future, denials)
that take one back."""

from __future__ import annotations

import bisect
import re

from watch.detect.cues import Cue, CueSet


def cue_hits(text: str, cueset: CueSet) -> list[tuple[re.Match[str], Cue]]:
    """Cue matches, longest first where they overlap, minus those inside a false friend."""
    if cueset.any_cue is not None and not cueset.any_cue.search(text):
        return []
    ghosts = [m.span() for m in cueset.false_friends.finditer(text)] if cueset.false_friends else []
    raw = []
    for cue in cueset.cues:
        for m in cue.regex.finditer(text):
            if m.end() > m.start() and not any(m.start() < e and s < m.end() for s, e in ghosts):
                raw.append((m, cue))
    raw.sort(key=lambda mc: (mc[0].start() - mc[0].end(), mc[0].start()))
    kept: list[tuple[re.Match[str], Cue]] = []
    for m, cue in raw:
        # A cue inside a longer one goes ("transferred" in "transferred to hospital"); two
        # kinds may share a span or overlap ("est détenu" / "détenu au secret").
        if not any(
            k.start() <= m.start() and m.end() <= k.end() and k.span() != m.span() for k, _ in kept
        ):
            kept.append((m, cue))
    return sorted(kept, key=lambda mc: mc[0].start())


def clause_span(breaks: list[int], start: int, end: int, length: int) -> tuple[int, int]:
    i = bisect.bisect_right(breaks, start)
    left = breaks[i - 1] if i else 0
    j = bisect.bisect_left(breaks, end + 1)
    right = breaks[j] if j < len(breaks) else length
    return left, right


def blocked(text: str, m: re.Match[str], cue: Cue, clause: tuple[int, int], cueset: CueSet) -> bool:
    left = clause[0]
    for blocker in cueset.blockers:
        if blocker.kinds and cue.kind not in blocker.kinds:
            continue
        if blocker.scope == "near":  # the cue itself too: "was not released"
            end = m.end() if cue.check_inside else m.start()
            span = text[max(left, m.start() - blocker.window) : end]
        elif blocker.scope == "clause":
            span = text[left : m.start()]
        elif blocker.scope == "sentence":
            span = text[: m.start()]
        else:  # after: past the clause too ("dropped one charge, but kept the other")
            span = text[m.end() : m.end() + blocker.window]
        if blocker.regex.search(span):
            return True
    return False
