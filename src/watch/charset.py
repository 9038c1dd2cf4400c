"""Turn fetched bytes into text: feeds and pages in any charset, even mislabelled ones.

Order of trust (WHATWG "encoding sniffing", RFC 7303 for XML):
1. a byte-order mark: it cannot be there by accident;
2. the charset in the HTTP Content-Type header;
3. the document's own declaration: <?xml encoding=...?> for feeds,
   <meta charset> / <meta http-equiv="Content-Type"> for pages
   (and the XML declaration for XHTML pages that have no meta);
4. a guess from the bytes (uchardet, via faust-cchardet), else windows-1252.

A label is only believed when the bytes decode under it. Servers often send
"utf-8" or "iso-8859-1" for pages that are really windows-1251 or KOI8-R; a
label that fails to decode, or that decodes Cyrillic/CJK bytes into Latin-1
mojibake, is overruled by the detector. Valid UTF-8 beats any legacy label:
legacy text is valid UTF-8 by accident almost never.
"""

from __future__ import annotations

import codecs
import functools
import re
from email.message import Message

import cchardet

# Labels that browsers (WHATWG Encoding Standard) decode with a wider codec:
# a page labelled GB2312 routinely contains GBK/GB18030-only characters, and
# "iso-8859-1" pages use the 0x80-0x9F range as windows-1252 punctuation.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb18030": "gb18030",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "big5": "big5hkscs",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "tis-620": "cp874",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# An XML declaration written in UTF-16/32 without a BOM shows up as "<?xm" with
# NUL bytes between the letters (XML 1.0 appendix F).
_NUL_PATTERNS = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
)

_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_WESTERN = ("cp1252", "iso8859-15")
# How far to look for <meta charset>: WHATWG says 1024 bytes, but 7 of the 158 corpus
# pages declare it after 4 KB of inline script and style (one after 69 KB), so the
# whole <head>, up to 128 KB.
_SNIFF_BYTES = 131072
_BODY = re.compile(rb"<body[\s>]", re.I)


def normalise_label(label: str | None) -> str | None:
    """A charset label as Python's codec name, widened as browsers do; None if unknown."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'").lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


@functools.lru_cache(maxsize=256)
def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, as a codec name.

    Cached: a poll sees the same few headers thousands of times, and email.message's
    parser cost ~10 us each."""
    if not content_type:
        return None
    msg = Message()
    msg["content-type"] = content_type
    return normalise_label(msg.get_param("charset"))  # type: ignore[arg-type]


def bom_charset(content: bytes) -> tuple[str | None, int]:
    """(codec, BOM length) when the bytes start with a byte-order mark."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name, len(bom)
    return None, 0


def declared_charset(content: bytes, kind: str = "html") -> str | None:
    """What the document says about itself: XML declaration, then (for HTML) <meta>."""
    for prefix, name in _NUL_PATTERNS:
        if content.startswith(prefix):
            return name
    head = content[:_SNIFF_BYTES]
    body = _BODY.search(head)
    head = head[: body.start()] if body else head
    xml = _XML_DECL.match(head)
    if kind != "html":
        return normalise_label(xml.group(1).decode("ascii")) if xml else None
    meta = _META_CHARSET.search(head)
    if meta:
        return normalise_label(meta.group(1).decode("ascii"))
    return normalise_label(xml.group(1).decode("ascii")) if xml else None


def _decodes(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


_HIGH_RUN = re.compile(r"[^\x00-\x7f]{3,}")


# ł ą ż ľ Ľ Ą Ż ź in windows-1250 are ³ ¹ ¿ ¾ ¼ ¥ ¯ Ÿ in windows-1252: never inside a word.
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W\d_])[³¹¿¾¼¥¯Ÿ](?=[^\W\d_])")


def _looks_wrong(text: str, codec: str) -> bool:
    """A Western single-byte label whose text looks like mojibake of another script.

    windows-1251, KOI8-R or GB bytes read as windows-1252 come out as long runs of
    accented letters ("Ïðèâåò"); real French or German has its accents alone
    among ASCII letters ("été", "Größe"). Central European windows-1250 read as
    windows-1252 puts symbols inside words ("by³o" for "było", "ma¿e" for "może").
    """
    if codec not in _WESTERN:
        return False
    if len(_SYMBOL_IN_WORD.findall(text)) >= 3:
        return True
    high = sum(1 for c in text if ord(c) > 0x7F)
    if high < 8:
        return False
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(text))
    return in_runs / high > 0.5


def _mostly_utf8(content: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a truncated copy-paste) rather than another charset."""
    text = content.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    high = sum(1 for c in text if ord(c) > 0x7F)
    return text if high and bad / high < 0.02 else None


# Latin code pages a detector confuses with windows-1252 on short Western texts;
# on the web they are rare, windows-1252 is not.
_RARE_LATIN = {
    "iso8859-3", "iso8859-4", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-16",
    "cp1257", "hp-roman8", "cp775", "mac-roman", "mac-latin2", "iso8859-15",
}  # fmt: skip


def _detect(content: bytes) -> str | None:
    """Guess the charset from the bytes (uchardet via faust-cchardet: see bench/extract)."""
    guess = normalise_label(cchardet.detect(content[:65536]).get("encoding"))
    if guess in _RARE_LATIN and _decodes(content, "cp1252") is not None:
        return "cp1252"
    return guess


def _ascii_compatible(codec: str) -> bool:
    try:
        return "<a>".encode(codec) == b"<a>"
    except (LookupError, UnicodeEncodeError):
        return False


_C1 = re.compile("[\x80-\x9f]")


def _c1_to_cp1252(match: re.Match[str]) -> str:
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:
        return match.group()


def _clean(text: str) -> str:
    """Drop a leading BOM; read C1 control characters as the windows-1252 punctuation they were.

    U+0080-U+009F never appear in real text; when they do, a windows-1252 "don’t"
    went through a Latin-1 -> UTF-8 conversion (feedparser calls the fix "demoronize").
    """
    text = text[1:] if text.startswith("\ufeff") else text
    return _C1.sub(_c1_to_cp1252, text) if _C1.search(text) else text


def decode(
    content: bytes, content_type: str | None = None, *, kind: str = "html"
) -> tuple[str, str]:
    """Decode a fetched page (kind="html") or feed (kind="xml") into (text, codec used)."""
    if not isinstance(content, bytes | bytearray | memoryview):
        raise TypeError(f"decode() wants bytes, got {type(content).__name__}")
    if kind not in ("html", "xml"):
        raise ValueError(f"decode(kind={kind!r}): kind must be 'html' or 'xml'")
    content = bytes(content)
    bom, skip = bom_charset(content)
    if bom:
        return _clean(content[skip:].decode(bom, errors="replace")), bom
    labels = [c for c in (header_charset(content_type), declared_charset(content, kind)) if c]
    if labels and labels[0].startswith(("utf-16", "utf-32")):
        text = _decodes(content, labels[0])
        if text is not None:
            return _clean(text), labels[0]
    if content.isascii():
        codec = next((c for c in labels if _ascii_compatible(c)), "utf-8")
        return content.decode("ascii"), codec
    # Valid UTF-8 with non-ASCII in it is almost never anything else, whatever the label says.
    text = _decodes(content, "utf-8")
    if text is not None:
        return _clean(text), "utf-8"
    for label in labels:
        text = _decodes(content, label)
        if text is not None and not _looks_wrong(text, label):
            return _clean(text), label
    text = _mostly_utf8(content)
    if text is not None:
        return _clean(text), "utf-8"
    for codec in (_detect(content), "cp1252"):
        text = _decodes(content, codec) if codec else None
        if text is not None:
            return _clean(text), codec  # type: ignore[return-value]
    return content.decode("utf-8", errors="replace"), "utf-8"
