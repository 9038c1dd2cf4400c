"""From a (news) sitemap or sitemap index, gzipped or not, to its URLs and their dates."""

from __future__ import annotations

import gzip
import zlib
from datetime import datetime

import lxml.etree

from watch.dates import parse_date
from watch.errors import FetchError
from watch.urls import is_http

__all__ = ["parse_sitemap"]

_MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file


def _gunzip(data: bytes) -> bytes:
    # Bounded, so that a small gzip bomb cannot eat the crawler's memory.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = inflater.decompress(data, _MAX_SITEMAP_BYTES + 1)
    if len(out) > _MAX_SITEMAP_BYTES:
        raise FetchError("sitemap_too_large", "sitemap is larger than 50 MB uncompressed")
    return out


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def parse_sitemap(xml: bytes) -> list[tuple[str, datetime | None]]:
    """(URL, date) for each <url> of a (news) sitemap or each <sitemap> of a sitemap index.

    The date is news:publication_date when the entry has one, else lastmod, else None.
    Gzipped sitemaps (.xml.gz) are accepted as they come. Raises FetchError
    ("bad_sitemap") when the bytes are not a sitemap.
    """
    if not isinstance(xml, bytes | bytearray):
        raise TypeError(f"parse_sitemap() wants bytes, got {type(xml).__name__}")
    data = bytes(xml)
    if data[:2] == b"\x1f\x8b":
        try:
            data = _gunzip(data)
        except (zlib.error, EOFError, gzip.BadGzipFile) as exc:
            raise FetchError("bad_sitemap", f"sitemap is not valid gzip: {exc}") from None
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True
    )
    try:
        root = lxml.etree.fromstring(data.lstrip(), parser=parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise FetchError("bad_sitemap", f"sitemap is not XML: {exc}") from None
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        got = _local(root.tag) if root is not None else "nothing"
        raise FetchError("bad_sitemap", f"not a sitemap: root element is <{got}>")
    entries: list[tuple[str, datetime | None]] = []
    for entry in root:
        if _local(entry.tag) not in ("url", "sitemap"):
            continue
        loc, when = _sitemap_entry(entry)
        if loc and is_http(loc):
            entries.append((loc, when))
    return entries


def _sitemap_entry(entry) -> tuple[str, datetime | None]:
    loc = ""
    lastmod = news = None
    for el in entry.iter():
        name = _local(el.tag)
        text = (el.text or "").strip()
        if name == "loc" and not loc and el.getparent() is entry:
            loc = text
        elif name == "lastmod":
            lastmod = parse_date(text)
        elif name == "publication_date":
            news = parse_date(text)
    return loc, news or lastmod
