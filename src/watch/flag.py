"""Decide which events deserve an organiser's attention, and file a document with its findings.

A flag is raised for an event that would change a person's recorded status (and is
dated no earlier than that status), or for an alert (ill-treatment, health risk,
transfer, hunger strike) that is new. Evidence already flagged, whether still open,
confirmed or dismissed, never flags again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from watch.records import ALERT_KINDS, Document, Event, Mention, Status
from watch.store import Store, evidence_key


@dataclass(frozen=True)
class Filed:
    document_id: int
    changed: bool
    mentions_new: int = 0
    events_new: int = 0
    flags_new: int = 0


def would_change(event: Event, status: Status) -> bool:
    """Whether the event, if true, moves the person's recorded state."""
    if event.kind in ALERT_KINDS:
        return True
    moves_custody = event.custody is not None and event.custody != status.custody
    moves_case = event.case is not None and event.case != status.case
    return moves_custody or moves_case


def is_news(event: Event, status: Status) -> bool:
    """Not older than what we already know: a retold 2010 sentence is history, not news."""
    if status.since is None or event.date is None:
        return True
    return event.date >= status.since


def deserves_flag(
    event: Event,
    status: Status,
    already: Sequence[tuple[str, date | None]] = (),
) -> bool:
    """`already` holds (kind, date) of the person's open or confirmed flags."""
    if (event.kind, event.date) in already:
        return False
    return would_change(event, status) and is_news(event, status)


def file_document(
    store: Store, doc: Document, mentions: Sequence[Mention], events: Sequence[Event]
) -> Filed:
    """Store one document with what was found in its full_text, and raise its flags: one transaction."""
    with store.transaction():
        doc_id, changed = store.save_document(doc)
        if not changed:
            return Filed(doc_id, False)
        return file_findings(store, doc_id, doc.full_text, mentions, events)


def file_findings(
    store: Store, doc_id: int, text: str, mentions: Sequence[Mention], events: Sequence[Event]
) -> Filed:
    """Store what was found in a stored document and raise its flags (inside a transaction)."""
    mentions_new = store.add_mentions(doc_id, text, mentions)
    new_events = store.add_events(doc_id, events)
    flags_new = raise_flags(store, new_events)
    return Filed(doc_id, True, mentions_new, len(new_events), flags_new)


def raise_flags(store: Store, new_events: Sequence[tuple[int, Event]]) -> int:
    """Flag what deserves it among one document's new events."""
    if not new_events:
        return 0
    return Flagger(store, [e for _, e in new_events]).raise_flags(new_events)


class Flagger:
    """Raises the flags of many documents filed in one transaction, document by document.

    Statuses and the flags already raised are read once, not once per event: a poll files
    thousands of events a batch. Only this object raises flags while it lives, so what it
    raises is all that changes."""

    def __init__(self, store: Store, events: Sequence[Event]):
        self.store = store
        self.statuses = store.statuses()
        self.seen = store.flagged([evidence_key(e) for e in events])
        self.open: dict[str, list[tuple[str, date | None]]] = {}

    def raise_flags(self, new_events: Sequence[tuple[int, Event]]) -> int:
        """Flag what deserves it among one document's new events."""
        raised = 0
        for event_id, event in best_dated(new_events):
            key = evidence_key(event)
            status = self.statuses.get(event.person_id, Status())
            already = self._open_flags(event.person_id)
            if key in self.seen or not deserves_flag(event, status, already):
                continue
            if self.store.add_flag(event_id, event) is not None:
                self.seen.add(key)
                already.append((event.kind, event.date))
                raised += 1
        return raised

    def _open_flags(self, person_id: str) -> list[tuple[str, date | None]]:
        if person_id not in self.open:
            self.open[person_id] = list(self.store.open_flag_events(person_id))
        return self.open[person_id]


def best_dated(events: Sequence[tuple[int, Event]]) -> list[tuple[int, Event]]:
    """One event per person and kind in a document: a headline ("X dies in prison") and
    the sentence that dates it are one event, and the dated one is the better evidence."""
    best: dict[tuple[str, str], tuple[int, Event]] = {}
    for event_id, event in events:
        key = (event.person_id, event.kind)
        if key not in best or (best[key][1].date_how == "published" != event.date_how):
            best[key] = (event_id, event)
    return list(best.values())
