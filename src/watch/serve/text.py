"""Showing scraped text safely: escaped, highlighted, links only to the web."""

from __future__ import annotations

from urllib.parse import urlsplit

from markupsafe import Markup, escape

from watch.match import fold

CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def highlight(text: str, names: list[str], cue: str | None = None) -> Markup:
    """The text, escaped, with each matched name and the cue wrapped in <mark>.

    Matching is case- and diacritics-blind (match.fold keeps one character per
    character, so positions carry over to the original text).
    """
    text = text or ""
    folded = fold(text)
    spans: list[tuple[int, int, str]] = []
    for needle, kind in [(n, "name") for n in names if n] + ([(cue, "cue")] if cue else []):
        target = fold(needle)
        start = folded.find(target)
        while start >= 0 and target:
            spans.append((start, start + len(target), kind))
            start = folded.find(target, start + len(target))
    out, pos = [], 0
    for start, end, kind in sorted(spans):
        if start < pos:
            continue  # overlaps a span already marked
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="{}">{}</mark>').format(kind, text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def web_url(url: str | None) -> str | None:
    """The URL if it is an http(s) link, else None: no javascript:, data: or file: links."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def domain(url: str | None) -> str:
    try:
        return urlsplit(url or "").hostname or ""
    except ValueError:
        return ""


def csv_cell(value) -> object:
    """Keep a spreadsheet from running scraped text as a formula (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(CSV_TRIGGERS):
        return "'" + value
    return value


def label(value: str | None) -> str:
    """'house_arrest' -> 'house arrest'."""
    return (value or "").replace("_", " ")
