"""watch.xpathguard: trafilatura's expressions, guarded, select exactly what they did."""

from __future__ import annotations

import json

import lxml.html
from lxml.etree import XPath
from trafilatura import xpaths
from trafilatura.utils import load_html

import watch.extract  # noqa: F401  (installs the guards, as every poll does)
from watch import xpathguard
from watch.xpathguard import REGEXP_NS, guarded


def _select(path: str, html: str) -> list[str]:
    tree = lxml.html.fromstring(html)
    return [e.get("title") for e in XPath(path, namespaces={"re": REGEXP_NS})(tree)]


def test_an_attribute_test_is_guarded_by_the_attribute():
    path = ".//div[re:test(@class, 'footer|comments')]"
    assert guarded(path) == ".//div[((@class) and re:test(@class, 'footer|comments'))]"
    page = '<div title="a" class="page-footer"></div><div title="b"></div><div title="c" class="x">'
    assert _select(guarded(path), page) == _select(path, page) == ["a"]


def test_unions_and_flags_keep_their_meaning():
    path = ".//div[re:test(@id|@class, '^NAV', 'i')]"
    assert guarded(path) == ".//div[((@id|@class) and re:test(@id|@class, '^NAV', 'i'))]"
    page = '<div title="a" id="nav-top"></div><div title="b" class="Navbar"></div><div title="c">'
    assert _select(guarded(path), page) == _select(path, page) == ["a", "b"]


def test_a_pattern_that_matches_the_empty_string_is_left_unguarded():
    # re:test on an absent attribute tests the empty string, which these patterns match:
    # a guard would turn those elements from selected into not selected.
    for path in (
        ".//div[re:test(@class, 'x*')]",
        ".//div[re:test(@class, '^$|footer')]",
        ".//div[re:test(@class, '(')]",  # not a regular expression: leave it to lxml
        ".//div[re:test(string(@class), 'footer')]",  # not a bare attribute
    ):
        assert guarded(path) == path
    page = '<div title="a"></div><div title="b" class="yy">'
    assert _select(".//div[re:test(@class, 'x*')]", page) == ["a", "b"]


def test_every_attribute_test_in_trafilatura_is_guarded_and_installing_twice_is_harmless():
    xpathguard.install()
    assert xpathguard.ORIGINALS, "trafilatura.xpaths has no lists of expressions any more"
    for name, originals in xpathguard.ORIGINALS.items():
        current = getattr(xpaths, name)
        assert len(current) == len(originals)
        for before, after in zip(originals, current, strict=True):
            assert after.path.count("re:test(") == before.path.count("re:test(")
            assert after.path.count(") and re:test(") == before.path.count("re:test(")


def test_guarded_expressions_select_the_same_elements_on_every_corpus_page(corpus):
    pages = [json.loads(line) for line in (corpus / "articles" / "index.jsonl").open()]
    assert len(pages) == 150
    compared = selected = 0
    for page in pages:
        tree = load_html((corpus / "articles" / page["html"]).read_bytes())
        for name, originals in xpathguard.ORIGINALS.items():
            for before, after in zip(originals, getattr(xpaths, name), strict=True):
                expected = before(tree)
                assert after(tree) == expected, f"{name} differs on {page['html']}"
                compared += 1
                selected += len(expected)
    assert compared > 150 * 30 and selected > 1000  # the comparison saw real selections
