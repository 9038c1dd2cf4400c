"""An organiser's decision on a flag.

confirm      the event happened: the person's status moves (kept in status_history)
dismiss      a false alarm: kept, so the same evidence never flags again
not_person   the text is about someone else: the flag is closed and the mention
             is taken off that person
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from watch.errors import ReviewError
from watch.records import Status
from watch.store import Store

DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed", "not_person": "not_person"}


@dataclass(frozen=True)
class Decision:
    flag_id: int
    person_id: str
    decision: str
    status: Status  # the person's status after the decision


def review(
    store: Store,
    flag_id: int,
    decision: str,
    *,
    note: str | None = None,
    reviewer: str | None = None,
) -> Decision:
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}: use one of {', '.join(DECISIONS)}")
    with store.transaction():
        row = store.flag_for_review(flag_id)
        if row is None:
            raise ReviewError(f"there is no flag {flag_id}: see `appealwatch flags --all`")
        _, person_id, state, custody, case, event_date, _kind = row
        if state != "open":
            raise ReviewError(f"flag {flag_id} was already reviewed: it is {state}")
        status = store.statuses()[person_id]
        if decision == "confirm" and (custody or case):
            status = Status(
                custody or status.custody, case or status.case, event_date or date.today()
            )
            store.set_status(person_id, status, origin="review", flag_id=flag_id)
        if decision == "not_person":
            store.reject_mentions(flag_id)
        store.record_review(flag_id, decision, DECISIONS[decision], note, reviewer)
    return Decision(flag_id, person_id, decision, status)
