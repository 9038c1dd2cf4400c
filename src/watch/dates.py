"""Dates as pages and sitemaps declare them: ISO 8601 or RFC 2822 text to an aware datetime.

Shared by extract (page metadata) and sitemaps (lastmod, news:publication_date).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["parse_date"]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def parse_date(value: object) -> datetime | None:
    """An ISO 8601 or RFC 2822 date, timezone-aware (naive ones are taken as UTC).

    An offset the page gives is kept, so that .date() is the day the newsroom
    printed, not the UTC day, which can differ by one.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    when = None
    if _ISO_DATE.match(text):
        iso = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.replace(" ", "T", 1))
        try:
            when = datetime.fromisoformat(iso)
        except ValueError:
            try:
                when = datetime.fromisoformat(text[:10])
            except ValueError:
                return None
    else:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if not 1990 <= when.year <= 2100:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when
