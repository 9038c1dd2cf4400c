"""urls.canonical / same_site / is_http."""

from __future__ import annotations

import pytest

from watch.urls import canonical, is_http, same_site


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("HTTPS://Example.COM:443/a?b=2&a=1#top", "https://example.com/a?a=1&b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/a%7eb/%7Ec", "https://example.com/a~b/~c"),
        ("https://example.com/%d0%b0%d0%b7", "https://example.com/%D0%B0%D0%B7"),
        ("https://example.com/аз", "https://example.com/%D0%B0%D0%B7"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a%2Fb", "https://example.com/a%2Fb"),
        ("https://example.com/100%25", "https://example.com/100%25"),
        (
            "https://kloop.kg/blog/2020/07/25/askarov/?utm_source=telegram&utm_medium=social",
            "https://kloop.kg/blog/2020/07/25/askarov/",
        ),
        ("https://x.org/n?id=7&fbclid=IwAR0abc&gclid=1&yclid=2", "https://x.org/n?id=7"),
        ("https://x.org/n?mc_cid=a&mc_eid=b&_ga=2.1&id=7", "https://x.org/n?id=7"),
        ("https://x.org/n?ref=rss&id=7", "https://x.org/n?id=7"),
        ("https://x.org/n?ref_src=twsrc%5Etfw", "https://x.org/n"),
        # "ref" naming a record, not a referrer, is part of the page's identity.
        ("https://x.org/n?ref=A-2020-113", "https://x.org/n?ref=A-2020-113"),
        (
            "https://x.org/search?q=Азат Исаков",
            "https://x.org/search?q=%D0%90%D0%B7%D0%B0%D1%82%20%D0%98%D1%81%D0%B0%D0%BA%D0%BE%D0%B2",
        ),
        ("https://x.org/search?q=a+b", "https://x.org/search?q=a%20b"),
        ("https://x.org/p?empty=&a=1", "https://x.org/p?a=1&empty="),
        (
            "https://пример.рф/новости",
            "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8",
        ),
        ("https://Bücher.example/", "https://xn--bcher-kva.example/"),
        ("https://example.com./a", "https://example.com/a"),
        # Latin-1 escapes are bytes the server expects: kept, not turned into U+FFFD.
        ("https://x.org/caf%e9?q=caf%e9", "https://x.org/caf%E9?q=caf%E9"),
        ("http://[::1]:8080/a", "http://[::1]:8080/a"),
        ("http://[2001:DB8::1]/", "http://[2001:db8::1]/"),
        ("  https://example.com/a  ", "https://example.com/a"),
    ],
)
def test_canonical(url, want):
    assert canonical(url) == want


def test_canonical_is_idempotent():
    for url in [
        "https://пример.рф/новости?b=я&a=1&utm_campaign=x#frag",
        "http://EXAMPLE.com:80/a/../b/%7e?x=%2F",
    ]:
        once = canonical(url)
        assert canonical(once) == once


@pytest.mark.parametrize(
    "url", ["mailto:a@b.c", "ftp://x.org/f", "/relative/path", "javascript:void(0)"]
)
def test_canonical_refuses_what_is_not_an_http_url(url):
    with pytest.raises(ValueError, match=r"http\(s\) URL"):
        canonical(url)


def test_canonical_says_what_is_wrong():
    with pytest.raises(ValueError, match="no host"):
        canonical("https:///path")
    with pytest.raises(ValueError, match="bad port"):
        canonical("https://x.org:99999/")


def test_is_http():
    assert is_http("https://kloop.kg/x")
    assert is_http("HTTP://kloop.kg")
    assert not is_http("kloop.kg/x")
    assert not is_http("mailto:x@kloop.kg")
    assert not is_http("http://")
    assert not is_http("http://[::1")


def test_same_site():
    assert same_site("https://www.bbc.co.uk/news/1", "http://bbc.co.uk/russian")
    assert same_site("https://m.kloop.kg/a", "https://kloop.kg/b")
    assert same_site("https://en.kloop.kg/a", "https://kloop.kg/b")
    assert same_site("https://Пример.рф/a", "https://xn--e1afmkfd.xn--p1ai/b")
    assert not same_site("https://kloop.kg/a", "https://akipress.org/b")
    assert not same_site("https://a.blogspot.com/", "https://b.blogspot.com/")
    assert not same_site("https://notkloop.kg/", "https://kloop.kg/")
    assert not same_site("/relative", "https://kloop.kg/")
