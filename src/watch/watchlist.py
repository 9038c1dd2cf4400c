"""Read and check watchlist.yaml: whom to watch, and where.

Every problem is reported with file:line and what to do, all problems at once;
nothing is written anywhere until the whole file is valid.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from watch.errors import WatchlistError, WatchlistProblem
from watch.records import (
    CASE_STATES,
    CUSTODY_STATES,
    SOURCE_KINDS,
    Appeal,
    MailSettings,
    Person,
    Settings,
    Source,
    Status,
    Target,
    Watchlist,
    slugify,
)

DEFAULT_PATH = Path("watchlist.yaml")
ENV_VAR = "APPEALWATCH_WATCHLIST"

TOP_KEYS = ("settings", "people", "sources")
SETTINGS_KEYS = (
    "database", "user_agent", "poll_interval", "max_body_bytes", "connect_timeout",
    "read_timeout", "total_timeout", "max_redirects", "per_host_concurrency",
    "per_host_delay", "concurrency", "max_articles_per_source", "mail", "min_score",
)  # fmt: skip
MAIL_KEYS = ("smtp", "from", "to", "username", "password_env", "starttls")
PERSON_KEYS = ("id", "name", "aliases", "context", "country", "status", "appeals", "min_score")
STATUS_KEYS = ("custody", "case", "since")
APPEAL_KEYS = ("id", "url", "language", "opened", "targets")
TARGET_KEYS = ("name", "role", "address", "fax", "email", "phone", "salutation")
SOURCE_KEYS = ("name", "id", *SOURCE_KINDS, "language", "languages", "poll_interval")

_DURATION = re.compile(r"^\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$")


def default_path() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_PATH)


def parse_duration(text: str) -> timedelta | None:
    """'30m', '1h', '2h30m', '1d', '90s' -> timedelta; None when it is not one."""
    match = _DURATION.match(str(text))
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


class _Reader:
    """Turns YAML nodes into records, collecting every problem with its line."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[WatchlistProblem] = []

    def problem(self, node: yaml.Node | None, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        self.problems.append(WatchlistProblem(self.path, line, message))

    # -- shapes --------------------------------------------------------------------------

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of keys to values")
            return {}
        result: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in allowed:
                self.problem(key_node, f"unknown key {key!r} in {what}{_suggest(key, allowed)}")
            elif key in result:
                self.problem(key_node, f"{key!r} is given twice in {what}")
            else:
                result[key] = value_node
        return result

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None or _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return list(node.value)

    def text(self, node: yaml.Node | None, what: str, *, required: bool = False) -> str | None:
        if node is None or _is_null(node):
            return None
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem(node, f"{what} must be a non-empty text")
            return None
        return str(node.value).strip()

    def texts(self, node: yaml.Node | None, what: str) -> tuple[str, ...]:
        values = (self.text(item, f"each of {what}") for item in self.sequence(node, what))
        return tuple(v for v in values if v)

    def choice(self, node: yaml.Node | None, what: str, options: tuple[str, ...]) -> str | None:
        value = self.text(node, what)
        if value is not None and value not in options:
            self.problem(node, f"{what} {value!r} is not one of: {', '.join(options)}"
                         + _suggest(value, options))  # fmt: skip
            return None
        return value

    def date(self, node: yaml.Node | None, what: str) -> date | None:
        value = self.text(node, what)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.problem(node, f"{what} {value!r} is not a date: write it as YYYY-MM-DD")
            return None

    def duration(self, node: yaml.Node | None, what: str) -> timedelta | None:
        value = self.text(node, what)
        if value is None:
            return None
        parsed = parse_duration(value)
        if parsed is None or parsed <= timedelta(0):
            self.problem(node, f"{what} {value!r} is not a duration: write e.g. 90s, 30m, 2h, 1d")
        return parsed

    def score(self, node: yaml.Node | None, what: str) -> float | None:
        """A matching threshold: a number above 0, at most 1."""
        if node is None or _is_null(node):
            return None
        value = self.number(node, what, float)
        if value is not None and value > 1:
            self.problem(node, f"{what} must be at most 1 (scores run from 0 to 1), got {value:g}")
            return None
        return value

    def number(self, node: yaml.Node, what: str, kind: Callable[[str], Any]) -> Any:
        try:
            value = kind(str(node.value))
        except (TypeError, ValueError):
            self.problem(node, f"{what} must be a number")
            return None
        if value <= 0:
            self.problem(node, f"{what} must be more than 0")
            return None
        return value


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _suggest(word: str, options: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (allowed: {', '.join(options)})"


def load(path: Path | str | None = None) -> Watchlist:
    """Read, check and return the watchlist; raise WatchlistError listing every problem."""
    path = Path(path) if path is not None else default_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WatchlistError(
            [WatchlistProblem(path, None, f"no such file: pass --watchlist FILE or set {ENV_VAR}")]
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise WatchlistError([WatchlistProblem(path, None, f"cannot read it: {error}")]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(error, "problem", None) or str(error)
        raise WatchlistError([WatchlistProblem(path, line, f"not valid YAML: {reason}")]) from None
    reader = _Reader(path)
    watchlist = _watchlist(reader, root, path)
    if reader.problems:
        raise WatchlistError(reader.problems)
    return watchlist


def _watchlist(reader: _Reader, root: yaml.Node | None, path: Path) -> Watchlist:
    if root is None:
        reader.problem(None, "the file is empty: it needs at least a `people:` list")
        return Watchlist(path, Settings(), (), ())
    top = reader.mapping(root, "the watchlist", TOP_KEYS)
    if "people" not in top and isinstance(root, yaml.MappingNode):
        reader.problem(root, "no `people:` list: whom should appealwatch watch?")
    settings = _settings(reader, top.get("settings"), path)
    people = tuple(
        p
        for n in reader.sequence(top.get("people"), "people")
        if (p := _person(reader, n, settings.min_score))
    )
    sources = tuple(
        s for n in reader.sequence(top.get("sources"), "sources") if (s := _source(reader, n))
    )
    _unique(
        reader,
        [(p.id, n) for p, n in zip(people, _nodes(top.get("people")), strict=False)],
        "person id",
    )
    _unique(
        reader,
        [(s.id, n) for s, n in zip(sources, _nodes(top.get("sources")), strict=False)],
        "source id",
    )
    return Watchlist(path, settings, people, sources)


def _nodes(node: yaml.Node | None) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _unique(reader: _Reader, items: list[tuple[str, yaml.Node]], what: str) -> None:
    seen: set[str] = set()
    for value, node in items:
        if value in seen:
            reader.problem(node, f"{what} {value!r} is used twice: give each its own `id`")
        seen.add(value)


def _settings(reader: _Reader, node: yaml.Node | None, path: Path) -> Settings:
    defaults = Settings()
    if node is None or _is_null(node):
        return Settings(database=path.resolve().parent / defaults.database)
    keys = reader.mapping(node, "settings", SETTINGS_KEYS)
    values: dict[str, Any] = {}
    for key, value_node in keys.items():
        default = getattr(defaults, key)
        if key == "poll_interval":
            values[key] = reader.duration(value_node, "settings.poll_interval")
        elif key == "mail":
            values[key] = _mail(reader, value_node)
        elif key == "min_score":
            values[key] = reader.score(value_node, "settings.min_score")
        elif isinstance(default, bool | str | Path):
            values[key] = reader.text(value_node, f"settings.{key}")
        else:
            values[key] = reader.number(value_node, f"settings.{key}", type(default))
    values = {k: v for k, v in values.items() if v is not None}
    database = Path(values.pop("database", defaults.database)).expanduser()
    return Settings(database=path.resolve().parent / database, **values)


def _mail(reader: _Reader, node: yaml.Node) -> MailSettings | None:
    keys = reader.mapping(node, "settings.mail", MAIL_KEYS)
    smtp = reader.text(keys.get("smtp"), "settings.mail.smtp")
    sender = reader.text(keys.get("from"), "settings.mail.from")
    to = reader.texts(keys.get("to"), "settings.mail.to")
    for key, value in (("smtp", smtp), ("from", sender), ("to", to)):
        if not value and isinstance(node, yaml.MappingNode):
            reader.problem(node, f"settings.mail needs `{key}:`")
    if smtp and not re.match(r"^[\w.-]+(:\d+)?$", smtp):
        reader.problem(keys["smtp"], f"settings.mail.smtp {smtp!r} is not host or host:port")
        return None
    starttls = keys.get("starttls")
    if not (smtp and sender and to):
        return None
    return MailSettings(
        smtp=smtp,
        sender=sender,
        to=to,
        username=reader.text(keys.get("username"), "settings.mail.username"),
        password_env=reader.text(keys.get("password_env"), "settings.mail.password_env"),
        starttls=bool(starttls is not None and str(starttls.value).lower() in ("true", "yes", "1")),
    )


def _person(reader: _Reader, node: yaml.Node, min_score: float) -> Person | None:
    """One person; their `min_score` is their own, else the settings' (so every stage
    that builds a matcher from the people gets it)."""
    keys = reader.mapping(node, "a person", PERSON_KEYS)
    name = reader.text(keys.get("name"), "a person's name")
    if name is None:
        if "name" not in keys and isinstance(node, yaml.MappingNode):
            reader.problem(node, "this person has no `name:`")
        return None
    return Person(
        id=reader.text(keys.get("id"), "a person's id") or slugify(name),
        name=name,
        aliases=reader.texts(keys.get("aliases"), "aliases"),
        context=reader.texts(keys.get("context"), "context"),
        country=reader.text(keys.get("country"), "country") or "",
        status=_status(reader, keys.get("status")),
        appeals=tuple(
            a for n in reader.sequence(keys.get("appeals"), "appeals") if (a := _appeal(reader, n))
        ),
        min_score=reader.score(keys.get("min_score"), f"{name!r}: min_score") or min_score,
    )


def _status(reader: _Reader, node: yaml.Node | None) -> Status:
    if node is None or _is_null(node):
        return Status()
    keys = reader.mapping(node, "status", STATUS_KEYS)
    return Status(
        custody=reader.choice(keys.get("custody"), "status.custody", CUSTODY_STATES) or "unknown",
        case=reader.choice(keys.get("case"), "status.case", CASE_STATES) or "unknown",
        since=reader.date(keys.get("since"), "status.since"),
    )


def _appeal(reader: _Reader, node: yaml.Node) -> Appeal | None:
    keys = reader.mapping(node, "an appeal", APPEAL_KEYS)
    appeal_id = reader.text(keys.get("id"), "an appeal's id")
    url = reader.text(keys.get("url"), "an appeal's url") or ""
    targets = []
    for target_node in reader.sequence(keys.get("targets"), "targets"):
        fields = reader.mapping(target_node, "a target", TARGET_KEYS)
        if "name" not in fields:
            reader.problem(target_node, "this target has no `name:`")
            continue
        values = {k: reader.text(v, f"target {k}") or "" for k, v in fields.items()}
        targets.append(Target(**values))
    return Appeal(
        id=appeal_id or slugify(url or "appeal"),
        url=url,
        language=reader.text(keys.get("language"), "an appeal's language") or "",
        opened=reader.date(keys.get("opened"), "an appeal's opened date"),
        targets=tuple(targets),
    )


def _source(reader: _Reader, node: yaml.Node) -> Source | None:
    keys = reader.mapping(node, "a source", SOURCE_KEYS)
    kinds = [k for k in SOURCE_KINDS if k in keys]
    if len(kinds) != 1:
        found = ", ".join(kinds) or "none"
        reader.problem(node, f"a source needs exactly one of feed, page, search (found: {found})")
        return None
    kind = kinds[0]
    url = reader.text(keys[kind], f"the source's {kind} URL")
    if url is None:
        return None
    if not re.match(r"^https?://[^/\s]+", url):
        reader.problem(keys[kind], f"{url!r} is not an http(s) URL")
        return None
    if kind == "search" and "{query}" not in url:
        reader.problem(keys[kind], "a search URL needs a {query} placeholder for the names")
        return None
    name = reader.text(keys.get("name"), "the source's name") or url
    return Source(
        id=reader.text(keys.get("id"), "the source's id") or slugify(name),
        name=name,
        kind=kind,
        url=url,
        language=reader.text(keys.get("language"), "the source's language"),
        languages=reader.texts(keys.get("languages"), "languages"),
        poll_interval=reader.duration(keys.get("poll_interval"), "the source's poll_interval"),
    )
