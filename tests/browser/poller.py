"""A stand-in for the cron poll: a separate process that writes the archive in short batches.

    python -m tests.browser.poller DB BATCHES HOLD_SECONDS

Each batch opens the archive read-write (waiting while the dashboard reads it), files
one new document with a mention, keeps the file for HOLD_SECONDS as a real batch
would while it works, and closes it. Prints "wrote N" at the end.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.browser.archive import PEOPLE
from watch.flag import file_document
from watch.match import Matcher
from watch.records import Document
from watch.store import open_store


def main(db: Path, batches: int, hold: float) -> int:
    matcher = Matcher(PEOPLE)
    written = 0
    for i in range(batches):
        text = f"Poll batch {i}: supporters of Rita Karasartova gathered again."
        doc = Document(
            url=f"https://kloop.example/poll/{i}",
            title=f"Poll {i}",
            text=text,
            language="ru",
            published=datetime.now(UTC),
            source_id="kloop",
        )
        with open_store(db) as store:
            file_document(store, doc, matcher.find(text), [])
            time.sleep(hold)
        written += 1
        time.sleep(0.01)
    print(f"wrote {written}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
