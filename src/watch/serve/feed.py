"""The Atom feed of open flags, for organisers' feed readers (RFC 4287)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from xml.etree import ElementTree as ET

from watch.serve.text import label, web_url

ATOM = "http://www.w3.org/2005/Atom"


def _iso(value: datetime | date | None) -> str:
    if value is None:  # an empty feed was last updated now
        value = datetime.now(UTC).replace(tzinfo=None)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def atom(flags: list[dict], *, base_url: str, self_url: str) -> bytes:
    """One entry per flag; an entry's id stays the same for as long as the flag exists."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    _text(root, "title", "appealwatch: flags waiting for review")
    _text(root, "id", "urn:appealwatch:open-flags")
    _text(root, "updated", _iso(max((f["created"] for f in flags), default=None)))
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=self_url)
    ET.SubElement(root, f"{{{ATOM}}}link", rel="alternate", href=base_url + "queue")
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", "appealwatch")
    for flag in flags:
        _entry(root, flag, base_url)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _entry(root: ET.Element, flag: dict, base_url: str) -> None:
    entry = ET.SubElement(root, f"{{{ATOM}}}entry")
    title = f"{flag['person_name'] or flag['person']}: {label(flag['event'])}"
    if flag["date"]:
        title += f" ({flag['date']:%d %b %Y})"
    _text(entry, "title", title)
    _text(entry, "id", f"urn:appealwatch:flag:{flag['id']}")
    _text(entry, "updated", _iso(flag["created"]))
    _text(entry, "published", _iso(flag["created"]))
    ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=f"{base_url}flags/{flag['id']}")
    article = web_url(flag["url"])
    if article:
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=article)
    source = flag["source"] or "an unknown source"
    # Plain text: a feed reader shows scraped words as words, never as markup.
    _text(entry, "summary", f"{flag['evidence']}\n\n— {source}: {flag['title'] or flag['url']}")


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}")
    element.text = _xml_safe(value)
    return element


def _xml_safe(value: str) -> str:
    """XML 1.0 cannot carry most control characters, which scraped text sometimes holds."""
    return "".join(c for c in value if c in "\t\n\r" or ord(c) >= 0x20)
