"""Main-text extractors compared by the bench: each is html str + url -> text."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import lxml.html
from bs4 import BeautifulSoup

Extractor = Callable[[str, str], str]

_BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote", "pre"}


def visible_text(html: str, url: str) -> str:
    """Baseline: every visible string on the page (what html-text scores upstream)."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template", "head"]):
        tag.decompose()
    return soup.get_text("\n", strip=True)


def readability(html: str, url: str) -> str:
    from readability import Document

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        summary = Document(html, url=url).summary(html_partial=True)
    if not summary.strip():
        return ""
    root = lxml.html.fromstring(summary)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())


def trafilatura_default(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False) or ""


def trafilatura_recall(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, favor_recall=True) or ""


def trafilatura_precision(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, favor_precision=True) or ""


def trafilatura_fast(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, include_comments=False, fast=True) or ""


def resiliparse_main(html: str, url: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text

    return extract_plain_text(html, main_content=True)


def justext_main(html: str, url: str) -> str:
    import justext

    paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist("English"))
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


CANDIDATES: dict[str, Extractor] = {
    "bs4 visible text": visible_text,
    "readability-lxml": readability,
    "resiliparse main": resiliparse_main,
    "trafilatura": trafilatura_default,
    "trafilatura fast": trafilatura_fast,
    "trafilatura recall": trafilatura_recall,
    "trafilatura precision": trafilatura_precision,
}


def trafilatura_precision_fast(html: str, url: str) -> str:
    import trafilatura

    return (
        trafilatura.extract(html, url=url, include_comments=False, favor_precision=True, fast=True)
        or ""
    )


CANDIDATES["trafilatura precision fast"] = trafilatura_precision_fast
