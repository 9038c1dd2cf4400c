"""One spelling per URL, so that one article fetched twice is stored once.

canonical() lowercases scheme and host, turns Unicode hosts into IDNA
(xn--...), drops the default port, the fragment and tracking parameters,
sorts what query is left and normalises percent-encoding, so that
"HTTPS://Example.COM:443/a%7eb?utm_source=x&b=2&a=1#top" and
"https://example.com/a~b?a=1&b=2" are the same string.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlencode, urlsplit, urlunsplit

import idna

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that say who sent the reader, never which page it is.
_TRACKING_EXACT = {
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "ysclid",
    "twclid", "ttclid", "li_fat_id", "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc",
    "_hsmi", "_openstat", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wt_mc", "wt.mc_id",
    "ncid", "cmpid", "ocid", "sr_share", "s_cid", "rss", "from_rss", "spm", "share",
    "ref_src", "ref_url", "src_ref", "at_medium", "at_campaign", "fb_action_ids",
    "fb_action_types", "fb_ref", "fb_source", "action_object_map", "action_type_map",
    "action_ref_map", "__twitter_impression", "amp_js_v", "usqp", "smid", "smtyp", "soc_src",
    "soc_trk", "guccounter", "guce_referrer", "guce_referrer_sig",
}  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hsa_", "at_", "__hs", "_hs", "trk_")
# "ref" and "source" are tracking only when they name a referrer, not a page or a record.
_REFERRER_VALUES = re.compile(
    r"^(rss|feed|feedly|twitter|facebook|fb|tw|t\.co|newsletter|email|mail|share|social|"
    r"homepage|home|hp|nav|menu|sidebar|footer|header|related|search|google|telegram|whatsapp|"
    r"vk|ok|copy|link|widget|push|app|amp|tg|ig|instagram|linkedin|reddit)\b",
    re.I,
)
_UNRESERVED = "-._~"
_PATH_SAFE = "/:@!$&'()*+,;=" + _UNRESERVED
_QUERY_SAFE = "/:@!$'()*+,;?" + _UNRESERVED


def is_http(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _host(hostname: str) -> str:
    host = hostname.rstrip(".").lower()
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError:
        return host.encode("idna").decode("ascii")


def _is_tracking(key: str, value: str) -> bool:
    k = key.lower()
    if k in _TRACKING_EXACT or k.startswith(_TRACKING_PREFIXES):
        return True
    return k in ("ref", "r", "source", "src", "from", "via", "cmp", "campaign", "utm") and bool(
        _REFERRER_VALUES.match(value)
    )


def _ascii(text: str) -> str:
    """Raw non-ASCII characters as UTF-8 percent-escapes; existing escapes untouched."""
    return text if text.isascii() else quote(text, safe="".join(map(chr, range(0x21, 0x7F))))


def _requote(text: str, safe: str) -> str:
    # Decode then encode, so that %7e and ~ and %7E all come out as "~", and
    # "é" and "%C3%A9" both as "%C3%A9". Bytes, not str: a Latin-1 "%E9" must
    # stay %E9, not become U+FFFD. %2F and %25 stay escaped: unescaping them
    # would change what the server sees.
    parts = re.split(r"(%2[fF]|%25)", _ascii(text))
    return "".join(
        p.upper() if re.fullmatch(r"%2[fF]|%25", p) else quote(unquote_to_bytes(p), safe=safe)
        for p in parts
    )


def _query(query: str) -> str:
    # latin-1 maps each escaped byte to one character and back, so no byte is lost.
    raw = parse_qsl(_ascii(query), keep_blank_values=True, encoding="latin-1")
    pairs = sorted(
        (k, v)
        for k, v in raw
        if not _is_tracking(k, v.encode("latin-1").decode("utf-8", errors="replace"))
    )
    return urlencode(pairs, quote_via=quote, safe=_QUERY_SAFE, encoding="latin-1")


def canonical(url: str) -> str:
    """The one spelling of an http(s) URL; raises ValueError saying why for anything else."""
    if not isinstance(url, str):
        raise TypeError(f"canonical() wants a str, got {type(url).__name__}")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not parts.hostname:
        raise ValueError(f"URL has no host: {url!r}")
    host = _host(parts.hostname)
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL {url!r}: {exc}") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _requote(_dot_segments(parts.path), _PATH_SAFE) or "/"
    return urlunsplit((scheme, netloc, path, _query(parts.query), ""))


def _dot_segments(path: str) -> str:
    """RFC 3986 5.2.4: /a/./b/../c -> /a/c."""
    if "." not in path:
        return path
    out: list[str] = []
    for seg in path.split("/"):
        if seg == "..":
            if len(out) > 1:
                out.pop()
        elif seg != ".":
            out.append(seg)
    result = "/".join(out)
    if path.endswith(("/.", "/..")):
        result += "/"
    return result


def site_of(url: str) -> str:
    """The registrable-ish host: lowercase, IDNA, without "www." and "m." / "amp."."""
    host = urlsplit(url.strip()).hostname or ""
    host = _host(host) if host else ""
    return re.sub(r"^(www\d?|m|mobile|amp)\.", "", host)


def same_site(a: str, b: str) -> bool:
    """True when two URLs are on the same site (www./m. variants and subdomains of it count)."""
    ha, hb = site_of(a), site_of(b)
    if not ha or not hb:
        return False
    return ha == hb or ha.endswith("." + hb) or hb.endswith("." + ha)


def canonical_or(url: str, fallback: str) -> str:
    """canonical(url), or `fallback` when canonical() rejects the URL."""
    try:
        return canonical(url)
    except ValueError:
        return fallback
