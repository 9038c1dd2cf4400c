"""A small real archive for the dashboard's tests, built with the real store and flag code.

Three watched people, four sources, documents found by the real matcher, events as
the detector would hand them over, and the flags the real flag rules raise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from watch.flag import file_document
from watch.match import Matcher
from watch.records import (
    Appeal,
    Document,
    Event,
    Person,
    Settings,
    Source,
    Status,
    Target,
    Watchlist,
)
from watch.store import open_store

ASKAROV = Person(
    id="azimjan-askarov",
    name="Azimjan Askarov",
    aliases=("Азимжан Аскаров", "Askarov"),
    context=("Vozdukh", "Bazar-Korgon", "Jalal-Abad"),
    country="Kyrgyzstan",
    status=Status("imprisoned", "convicted", date(2010, 9, 15)),
    appeals=(
        Appeal(
            id="askarov-release-2016",
            url="https://example.org/appeals/askarov",
            language="en",
            opened=date(2016, 1, 20),
            targets=(
                Target(
                    name="President of the Kyrgyz Republic",
                    role="Head of state",
                    address="Bishkek 720003, Kyrgyzstan",
                    salutation="Dear President",
                ),
            ),
        ),
    ),
)
ISAKOV = Person(
    id="azat-isakov",
    name="Azat Isakov",
    context=("Turkmenia, Unite!", "Turkmenabat"),
    country="Turkmenistan",
    status=Status("disappeared", "unknown", date(2020, 10, 20)),
    appeals=(Appeal(id="isakov-whereabouts", opened=date(2021, 3, 1)),),
)
KARASARTOVA = Person(
    id="rita-karasartova",
    name="Rita Karasartova",
    context=("Kempir-Abad",),
    country="Kyrgyzstan",
    status=Status("house_arrest", "charged", date(2022, 10, 24)),
    appeals=(Appeal(id="karasartova-drop-charges", opened=date(2023, 1, 10)),),
)
PEOPLE = (ASKAROV, ISAKOV, KARASARTOVA)
SOURCES = (
    Source(id="kloop", name="Kloop", kind="feed", url="https://kloop.example/rss", language="ru"),
    Source(id="eurasianet", name="Eurasianet", kind="feed", url="https://eurasianet.example/feed"),
    Source(id="rferl", name="RFE/RL", kind="feed", url="https://rferl.example/feed"),
    Source(id="sport", name="Sports Daily", kind="page", url="https://sport.example/news"),
)


def watchlist(path: Path) -> Watchlist:
    return Watchlist(
        path=path / "watchlist.yaml",
        settings=Settings(database=path / "watch.duckdb"),
        people=PEOPLE,
        sources=SOURCES,
    )


def event(person: Person, kind: str, sentence: str, cue: str, when: date | None, **states):
    return Event(
        person_id=person.id,
        kind=kind,
        sentence=sentence,
        cue=cue,
        date=when,
        date_how="text" if when else "published",
        **states,
    )


def file(store, matcher: Matcher, doc: Document, events: list[Event]):
    return file_document(store, doc, matcher.find(doc.text), events)


DIED = (
    "Kyrgyz human rights defender Azimjan Askarov died in prison on 25 July 2020, his lawyer said."
)
XSS_TITLE = (
    '<script>window.__pwned = "title"</script>Askarov <img src="https://tracker.example/x.png">'
)
XSS_TEXT = (
    "Azimjan Askarov <img src=x onerror=\"window.__pwned='img'\"> was moved to another colony. "
    "<a href=\"javascript:window.__pwned='link'\" onclick=\"window.__pwned='click'\">read</a> "
    "<script>window.__pwned = 'text'</script><iframe src=\"https://evil.example/\"></iframe>"
)


def build(path: Path, *, extra_docs: int = 0) -> Path:
    """Write the archive to path/watch.duckdb and return the file."""
    wl = watchlist(path)
    db = wl.settings.database
    matcher = Matcher(PEOPLE)
    published = datetime(2020, 7, 25, 12, tzinfo=UTC)
    with open_store(db) as store:
        store.sync_watchlist(wl)
        died = event(
            ASKAROV,
            "died",
            DIED,
            "died in prison",
            date(2020, 7, 25),
            custody="deceased",
            attribution="his lawyer",
        )
        file(
            store,
            matcher,
            Document(
                url="https://eurasianet.example/askarov-dies",
                title="Askarov dies in prison",
                text="Bishkek. " + DIED + " He was jailed in 2010.",
                language="en",
                published=published,
                source_id="eurasianet",
            ),
            [died],
        )
        # A syndicated copy of the same story: the same evidence, so no second flag.
        file(
            store,
            matcher,
            Document(
                url="https://rferl.example/a/askarov",
                title="Rights defender dies",
                text=DIED,
                language="en",
                published=published + timedelta(hours=3),
                source_id="rferl",
            ),
            [died],
        )
        sentence = "Azat Isakov is held incommunicado in a pre-trial prison in Turkmenabat."
        file(
            store,
            matcher,
            Document(
                url="https://kloop.example/isakov",
                title="Isakov found",
                text="Ashgabat. " + sentence,
                language="en",
                published=datetime(2021, 2, 1, tzinfo=UTC),
                source_id="kloop",
            ),
            [
                event(
                    ISAKOV,
                    "detained",
                    sentence,
                    "held incommunicado",
                    date(2021, 2, 1),
                    custody="detained",
                )
            ],
        )
        sentence = "Rita Karasartova was sentenced to 15 years in the Kempir-Abad case."
        file(
            store,
            matcher,
            Document(
                url="https://kloop.example/karasartova",
                title="Kempir-Abad",
                text=sentence + " Supporters collected 405,000 signatures.",
                language="ru",
                published=datetime(2024, 6, 14, tzinfo=UTC),
                source_id="kloop",
            ),
            [
                event(
                    KARASARTOVA,
                    "sentenced",
                    sentence,
                    "was sentenced",
                    date(2024, 6, 14),
                    custody="imprisoned",
                    case="convicted",
                )
            ],
        )
        sentence = (
            "Midfielder Azat Isakov was detained by the referee's decision for the next match."
        )
        file(
            store,
            matcher,
            Document(
                url="https://sport.example/isakov-football",
                title="Football",
                text=sentence,
                language="en",
                published=datetime(2024, 5, 2, tzinfo=UTC),
                source_id="sport",
            ),
            [
                event(
                    ISAKOV,
                    "detained",
                    sentence,
                    "was detained",
                    date(2024, 5, 2),
                    custody="detained",
                )
            ],
        )
        file(
            store,
            matcher,
            Document(
                url="javascript:window.__pwned='href'",
                title=XSS_TITLE,
                text=XSS_TEXT,
                language="en",
                published=datetime(2024, 7, 1, tzinfo=UTC),
                source_id="rferl",
            ),
            [event(ASKAROV, "transferred", XSS_TEXT[:80], "was moved", date(2024, 7, 1))],
        )
        for i in range(extra_docs):
            file(
                store,
                matcher,
                Document(
                    url=f"https://kloop.example/n/{i}",
                    title=f"Note {i}",
                    text=f"Kempir-Abad case, day {i}: Rita Karasartova's supporters gathered.",
                    language="ru",
                    published=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=i),
                    source_id="kloop",
                ),
                [],
            )
    return db
