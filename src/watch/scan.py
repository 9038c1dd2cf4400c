"""`appealwatch scan`: read texts from files, URLs or stdin and analyse them without storing."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import httpx

from watch.analyse import Analyser
from watch.errors import WatchError
from watch.extract import extract_page
from watch.language import identify
from watch.records import Person, ScanResult, Settings

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@dataclass(frozen=True)
class Text:
    input: str
    text: str
    language: str | None = None
    published: date | None = None


def _looks_like_html(data: str) -> bool:
    head = data[:2000].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head


def _from_html(name: str, html: str | bytes, url: str, content_type: str | None = None) -> Text:
    page = extract_page(html, url, content_type)
    text = "\n".join(part for part in (page.title, page.text) if part)
    published = page.published.date() if page.published else None
    return Text(name, text, page.language, published)


def read_input(arg: str, settings: Settings) -> Text:
    if arg == "-":
        data = sys.stdin.read()
        return _from_html("-", data, "stdin:") if _looks_like_html(data) else Text("-", data)
    if arg.startswith(("http://", "https://")):
        return _fetch(arg, settings)
    path = Path(arg)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise WatchError(f"cannot read {arg}: {error.strerror or error}") from None
    if path.suffix.lower() in HTML_SUFFIXES:
        return _from_html(arg, raw, path.resolve().as_uri())
    text = raw.decode("utf-8", errors="replace")
    return (
        _from_html(arg, raw, path.resolve().as_uri()) if _looks_like_html(text) else Text(arg, text)
    )


def _fetch(url: str, settings: Settings) -> Text:
    timeout = httpx.Timeout(settings.total_timeout, connect=settings.connect_timeout)
    headers = {"User-Agent": settings.user_agent}
    try:
        with httpx.Client(timeout=timeout, headers=headers, follow_redirects=True) as client:
            response = client.get(url)
            response.raise_for_status()
    except httpx.HTTPError as error:
        raise WatchError(f"cannot fetch {url}: {error}") from None
    if len(response.content) > settings.max_body_bytes:
        raise WatchError(f"{url} is larger than {settings.max_body_bytes} bytes")
    return _from_html(
        url, response.content, str(response.url), response.headers.get("content-type")
    )


def scan(
    inputs: Sequence[str], people: Sequence[Person], settings: Settings
) -> Iterator[ScanResult]:
    analyser = Analyser(people)
    for arg in inputs:
        item = read_input(arg, settings)
        language = item.language or identify(item.text)
        yield analyser.analyse(
            item.text, input=item.input, language=language, published=item.published
        )


def as_json(result: ScanResult, people: dict[str, Person] | None = None) -> dict:
    return {
        "input": result.input,
        "language": result.language,
        "mentions": [
            {"person": m.person_id, "matched": m.matched, "start": m.start, "end": m.end,
             "score": round(m.score, 3), "how": m.how}
            for m in result.mentions
        ],
        "events": [
            {"person": e.person_id, "event": e.kind, "date": e.date.isoformat() if e.date else None,
             "date_how": e.date_how, "sentence": e.sentence, "cue": e.cue,
             "attribution": e.attribution}
            for e in result.events
        ],
    }  # fmt: skip
