"""The plain typed records that the stages hand to each other.

watchlist -> sources -> fetch -> extract -> match -> detect -> store -> flag -> review
Each stage takes and returns these; none of them knows about SQL or HTTP.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

CUSTODY_STATES = (
    "free",
    "detained",
    "house_arrest",
    "imprisoned",
    "disappeared",
    "deported",
    "deceased",
    "unknown",
)
CASE_STATES = ("none", "charged", "convicted", "acquitted", "charges_dropped", "unknown")

EVENT_KINDS = (
    "detained",
    "charged",
    "sentenced",
    "conviction_upheld",
    "released",
    "charges_dropped",
    "acquitted",
    "disappeared",
    "ill_treatment",
    "health_risk",
    "transferred",
    "hunger_strike",
    "deported",
    "died",
)
# Alerts change no state but always deserve a flag when new.
ALERT_KINDS = ("ill_treatment", "health_risk", "transferred", "hunger_strike")

SOURCE_KINDS = ("feed", "page", "search")


def slugify(text: str) -> str:
    """'Azimjan Askarov' -> 'azimjan-askarov'; keeps non-Latin letters rather than dropping them."""
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^\w]+", "-", folded).strip("-_") or "x"


@dataclass(frozen=True)
class Status:
    custody: str = "unknown"
    case: str = "unknown"
    since: date | None = None


@dataclass(frozen=True)
class Target:
    """An official an appeal is addressed to."""

    name: str
    role: str = ""
    address: str = ""
    fax: str = ""
    email: str = ""
    phone: str = ""
    salutation: str = ""


@dataclass(frozen=True)
class Appeal:
    id: str
    url: str = ""
    language: str = ""
    opened: date | None = None
    targets: tuple[Target, ...] = ()


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    country: str = ""
    status: Status = field(default_factory=Status)
    appeals: tuple[Appeal, ...] = ()
    # None: the matcher's own threshold (settings.min_score); lower screens harder
    min_score: float | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The name first, then every alias: what a search source queries and a matcher seeds from."""
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str  # one of SOURCE_KINDS
    url: str  # for kind == "search", a template with {query}
    language: str | None = None
    languages: tuple[str, ...] = ()
    poll_interval: timedelta | None = None  # None: settings.poll_interval


@dataclass(frozen=True)
class MailSettings:
    """Where poll reports are mailed, besides being printed (for when cron's mail is not read)."""

    smtp: str  # host or host:port
    sender: str
    to: tuple[str, ...]
    username: str | None = None
    password_env: str | None = None  # the name of an environment variable holding the password
    starttls: bool = False

    @property
    def host(self) -> str:
        return self.smtp.rsplit(":", 1)[0] if ":" in self.smtp else self.smtp

    @property
    def port(self) -> int:
        return int(self.smtp.rsplit(":", 1)[1]) if ":" in self.smtp else 25


@dataclass(frozen=True)
class Settings:
    database: Path = Path("watch.duckdb")
    user_agent: str = "appealwatch/0.1 (+https://github.com/appealwatch/appealwatch)"
    poll_interval: timedelta = timedelta(minutes=30)
    max_body_bytes: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_redirects: int = 5
    per_host_concurrency: int = 2
    per_host_delay: float = 1.0  # seconds between two requests to one host
    concurrency: int = 50  # requests in flight over all hosts
    max_articles_per_source: int = 50  # article pages followed per source per poll
    mail: MailSettings | None = None
    min_score: float = 0.6  # mentions scored below it are dropped; below 0.5 also screens


@dataclass(frozen=True)
class Watchlist:
    path: Path
    settings: Settings
    people: tuple[Person, ...]
    sources: tuple[Source, ...]

    def person(self, person_id: str) -> Person | None:
        return next((p for p in self.people if p.id == person_id), None)


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer, body read (within the size cap)."""

    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, sitemap or listing page, before its article is read."""

    guid: str | None
    url: str
    title: str
    text: str  # plain text of the content or summary
    full: bool  # whether `text` is the article itself rather than a teaser
    published: datetime | None = None
    linked: bool = True  # False when the item had no link of its own (nothing to follow)
    language: str | None = None  # primary subtag the feed declares for the item, if any
    authors: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """What identifies the item across polls: its GUID, else its link."""
        return self.guid or self.url

    @property
    def digest(self) -> str:
        """Changes when the item is edited, so an edit is fetched and updated in place."""
        raw = "\x1f".join((self.title, self.text, self.url))
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def full_text(title: str | None, text: str | None) -> str:
    """What is stored, matched and analysed: the title, a blank line, the text (the title
    only once: a text that already starts with it is kept as it is). Mention spans index it."""
    title = (title or "").strip()
    text = text or ""
    if not title or text.lstrip().startswith(title):
        return text
    return f"{title}\n\n{text}" if text else title


@dataclass
class Document:
    """One article or page, as extracted; what the archive stores in `documents`."""

    url: str
    text: str
    title: str = ""
    canonical_url: str = ""
    language: str | None = None
    published: datetime | None = None
    fetched: datetime | None = None
    source_id: str | None = None
    guid: str | None = None

    @property
    def full_text(self) -> str:
        return full_text(self.title, self.text)


@dataclass(frozen=True)
class Mention:
    """A watched person named in a text: the exact span, and how sure we are."""

    person_id: str
    start: int
    end: int
    matched: str
    score: float  # 0..1
    how: str = ""  # e.g. "alias", "transliteration", "inflection", "surname+context"


@dataclass(frozen=True)
class Event:
    """Something the text asserts happened to a watched person."""

    person_id: str
    kind: str  # one of EVENT_KINDS
    sentence: str
    cue: str
    date: date | None = None
    date_how: str = "published"  # "text" when the sentence dates it, else "published"
    start: int = 0  # span of the sentence in the document text
    end: int = 0
    custody: str | None = None  # the custody state the event implies, if any
    case: str | None = None  # the case state the event implies, if any
    attribution: str = ""  # who says so, when the text attributes it ("his lawyer said")


@dataclass(frozen=True)
class ScanResult:
    """What matching and detection find in one text, without storing anything."""

    input: str
    mentions: tuple[Mention, ...]
    events: tuple[Event, ...]
    language: str | None = None


@dataclass(frozen=True)
class PollSummary:
    sources_due: int = 0
    sources_ok: int = 0
    sources_failed: int = 0
    documents_new: int = 0
    mentions_new: int = 0
    events_new: int = 0
    flags_new: int = 0
    failures: tuple[tuple[str, str], ...] = ()  # (source name, error message)
    dark_sources: tuple[str, ...] = ()  # sources failing for days
