"""Plain RSS 2.0 feeds read with lxml, into the entries feedparser would give.

feedparser reads a feed through Python callbacks on every tag: 2.9 ms for a 20-item
feed, most of what a poll spends on its feeds (bench/poll: ~3 of the poller's ~24
CPU-seconds). lxml reads the same feed in 0.05 ms. So feeds.parse_feed tries this
first, and this takes a feed only when it is plain: well-formed XML with no DTD and
no xml:base, an <rss> root, and items made only of the elements in _ITEM_ELEMENTS,
each at most once and holding text only. For those it applies feedparser's own rules
(its quirks included: a permalink GUID is the link when there is no <link>, a link's
`&amp;` is undone, text that is UTF-8 read as Latin-1 is repaired, C1 controls are
read as windows-1252, author e-mails are cut out) and its own date parser. Any other
feed gets None and goes to feedparser. tests/test_rssxml.py holds the two to the
same items on every feed in ../shared/corpus that this takes.
"""

from __future__ import annotations

import re
import urllib.parse
from contextlib import suppress

from lxml import etree

try:  # feedparser's own date parser, and the elements it has handlers for
    from feedparser.datetimes import _parse_date
    from feedparser.mixin import _FeedParserMixin

    _HANDLED = {
        n.split("_", 2)[2].lower() for n in dir(_FeedParserMixin) if n.startswith("_start_")
    }
except ImportError:  # pragma: no cover - another feedparser: it reads every feed
    _parse_date, _HANDLED = None, set()

_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_MEDIA = "{http://search.yahoo.com/mrss/}"
_SLASH = "{http://purl.org/rss/1.0/modules/slash/}"
_WFW = "{http://wellformedweb.org/CommentAPI/}"

# An item's elements, and what feedparser makes of them; None: nothing we read.
_ITEM_ELEMENTS = {
    "title": "title",
    "link": "link",
    "description": "summary",
    "guid": "id",
    "pubDate": "published",
    "author": "author",
    _CONTENT + "encoded": "content",
    _DC + "creator": "author",
    _DC + "date": "updated",
    "category": None,
    "comments": None,
    "enclosure": None,
    "source": None,
    _DC + "subject": None,
    _MEDIA + "content": None,
    _MEDIA + "thumbnail": None,
    _MEDIA + "credit": None,
    _MEDIA + "keywords": None,
    _SLASH + "comments": None,
    _WFW + "commentRss": None,
}
_REPEATABLE = {"author", "category", _DC + "creator", _DC + "subject", _MEDIA + "content",
               _MEDIA + "thumbnail", _MEDIA + "credit", "enclosure"}  # fmt: skip

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, remove_comments=True, remove_pis=True
)


class _NotPlain(Exception):
    """The feed uses something this module leaves to feedparser."""


def rss_entries(body: bytes) -> tuple[str, list[dict]] | None:
    """(channel title, entries) of a plain RSS 2.0 feed in UTF-8, else None.

    Each entry is a dict with feedparser's keys for what feeds.parse_feed reads: title,
    link, id, summary, content ([{"value": ...}]), authors ([{"name": ...}]),
    published_parsed and updated_parsed."""
    if _parse_date is None or b"<!DOCTYPE" in body[:4096] or b"xml:base" in body:
        return None
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.tag != "rss" or any(e.tag != "item" for e in root.iter("{*}item", "{*}entry")):
        return None  # not RSS 2.0, or items feedparser would take and iter("item") not
    try:
        title = _channel_title(root)
        entries = [_entry(item) for item in root.iter("item")]
    except _NotPlain:
        return None
    return title, entries


def _channel_title(root) -> str:
    channels = root.findall("channel")
    if len(channels) != 1:
        raise _NotPlain
    # feedparser reads element names in any case, and dc:title or itunes:title as a title
    titles = [c for c in channels[0] if c.tag.rpartition("}")[2].lower() == "title"]
    if len(titles) > 1 or any(c.tag != "title" for c in titles):
        raise _NotPlain
    return _text(titles[0]) if titles else ""


def _entry(item) -> dict:
    parent = item.getparent()
    if parent is None or parent.tag not in ("channel", "rss") or item.attrib:
        raise _NotPlain
    entry: dict = {}
    seen: set[str] = set()
    guid_is_link = False
    for child in item:
        tag = child.tag
        if tag not in _ITEM_ELEMENTS:
            _check_extension(child)
            continue
        if tag in seen and tag not in _REPEATABLE:
            raise _NotPlain
        seen.add(tag)
        key = _ITEM_ELEMENTS[tag]
        if key is None:
            if len(child):
                raise _NotPlain  # nested elements (media:title...) would count
            continue
        if len(child) or (child.attrib and tag != "guid"):
            raise _NotPlain
        if key == "id":
            guid_is_link = _is_permalink(child)
            entry["id"] = _text(child, uri=guid_is_link)
        elif key == "link":
            entry["link"] = _link(_text(child, uri=True))
        elif key == "content":
            entry["content"] = [{"value": _text(child)}]
        elif key == "author":
            entry.setdefault("authors", []).append(_author(_text(child)))
        elif key in ("published", "updated"):
            entry[key + "_parsed"] = _parse_date(_text(child))
        else:
            entry[key] = _text(child)
    if guid_is_link and "link" not in entry:
        entry["link"] = entry["id"]
    if "content" in entry and "summary" not in entry:
        entry["summary"] = entry["content"][0]["value"]
    return entry


def _check_extension(element) -> None:
    """Another namespace's element (wp:post-id, dj:articletype) counts for nothing when
    feedparser has no handler for its name: it keeps it under that name, which nobody
    reads. One with a handler (media:description is a summary), or with elements inside
    it, or in no namespace at all, leaves the feed to feedparser."""
    tag = element.tag
    if not tag.startswith("{") or len(element):
        raise _NotPlain
    name = tag.rpartition("}")[2].lower()
    prefixed = f"{element.prefix or ''}_{name}".lower()
    if name in _HANDLED or prefixed in _HANDLED:
        raise _NotPlain


def _is_permalink(guid) -> bool:
    if any(name.lower() != "ispermalink" for name in guid.attrib):
        raise _NotPlain
    values = list(guid.attrib.values())
    return (values[0] if values else "true") == "true"


_URI_SLASHES = re.compile("^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
_CP1252 = {c: bytes([c]).decode("cp1252") for c in range(128, 160) if c not in (129, 141, 143, 144, 157)}  # fmt: skip


def _text(element, *, uri: bool = False) -> str:
    """The element's text as feedparser gives it."""
    text = (element.text or "").strip()
    if uri and text:
        try:
            text = urllib.parse.urljoin("", _URI_SLASHES.sub(r"\1\3", text))
        except ValueError:
            text = ""
    with suppress(UnicodeEncodeError, UnicodeDecodeError):  # UTF-8 once read as Latin-1
        text = text.encode("iso-8859-1").decode("utf-8")
    return text.translate(_CP1252)


_ENTITY_LEFT = re.compile("&([A-Za-z0-9_]+);")


def _link(text: str) -> str:
    return _ENTITY_LEFT.sub(r"&\g<1>", text.replace("&amp;", "&"))


_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


def _author(text: str) -> dict:
    """An <author> or <dc:creator>: the name, with any e-mail address cut out."""
    found = _EMAIL.search(text)
    if found:
        text = text.replace(found.group(0), "").replace("()", "").replace("<>", "")
        text = text.replace("&lt;&gt;", "").strip()
        if text.startswith("("):
            text = text[1:]
        if text.endswith(")"):
            text = text[:-1]
        text = text.strip()
    return {"name": text} if text else {}
