"""extract_page and parse_sitemap on pages and sitemaps built here."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import pytest

from watch.errors import FetchError
from watch.extract import Page, extract_page, parse_sitemap

PARAGRAPHS = [
    "Azimjan Askarov, the Kyrgyz human rights defender who documented police abuse in "
    "Bazar-Korgon for the group Vozdukh, has died in prison, his lawyer said on Saturday.",
    "Askarov, 69, was serving a life sentence handed down in 2010 after a trial that "
    "international observers said was marred by torture allegations and intimidation.",
    "His wife, Khadicha Askarova, said she had not been allowed to see him for months and "
    "that the prison authorities had ignored repeated requests for medical care.",
    "Rights groups had called for his release for a decade, and the UN Human Rights "
    "Committee found in 2016 that he had been arbitrarily detained and tortured.",
]

ARTICLE = """<!DOCTYPE html>
<html lang="en-GB"><head>
<meta charset="utf-8">
<title>Jailed rights defender dies in prison | Example News</title>
<link rel="canonical" href="/world/2020/07/25/askarov-dies-in-prison?utm_source=rss&amp;id=7">
<link rel="alternate" type="application/rss+xml" href="/feeds/world.rss" title="World">
<link rel="alternate" type="application/atom+xml" href="https://example.org/atom.xml">
<link rel="alternate" type="application/json+oembed" href="/oembed?url=x">
<link rel="alternate" hreflang="ru" href="/ru/world/askarov">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "Example News"},
  {"@type": "NewsArticle", "headline": "Jailed rights defender dies in prison",
   "datePublished": "2020-07-25T14:30:00+06:00"}]}
</script>
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a>
<a href="/world/2020/07/24/some-nav-story-about-elections">Some nav story about elections</a></nav>
<article>
<h1>Jailed rights defender dies in prison</h1>
PARAS
</article>
<aside class="related"><h2>Related articles</h2><ul>
<li><a href="/world/2020/07/20/unrelated-story-about-the-weather-in-osh">Unrelated story about the
weather in Osh</a></li></ul></aside>
<section id="comments" class="comments"><h3>Comments</h3>
<div class="comment"><p>Commenter: this is a disgrace and nobody will answer for it.</p></div>
</section>
<footer><a href="/about">About us</a> <a href="/privacy">Privacy</a></footer>
</body></html>
""".replace("PARAS", "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS))

URL = "https://Example.org/world/2020/07/25/askarov-dies-in-prison?fbclid=abc"


def test_article_main_text_title_and_metadata():
    page = extract_page(ARTICLE, URL)
    assert isinstance(page, Page)
    for paragraph in PARAGRAPHS:
        assert paragraph in page.text
    assert "Related articles" not in page.text
    assert "weather in Osh" not in page.text
    assert "disgrace" not in page.text
    assert "Privacy" not in page.text
    assert page.text.count("\n") >= 3  # paragraphs stay apart
    assert page.title == "Jailed rights defender dies in prison"
    assert page.canonical_url == "https://example.org/world/2020/07/25/askarov-dies-in-prison?id=7"
    assert page.published == datetime(2020, 7, 25, 8, 30, tzinfo=UTC)
    assert page.published.utcoffset() == timedelta(hours=6)  # the newsroom's own day is kept
    assert page.language == "en"
    assert page.feed_links == [
        "https://example.org/feeds/world.rss",
        "https://example.org/atom.xml",
    ]
    assert page.encoding is None


def test_bytes_are_decoded_with_the_header_or_meta_charset():
    russian = ARTICLE.replace('<meta charset="utf-8">', '<meta charset="windows-1251">').replace(
        PARAGRAPHS[0], "Правозащитник Азимжан Аскаров умер в колонии, сообщил его адвокат."
    )
    page = extract_page(russian.encode("cp1251"), URL, "text/html; charset=iso-8859-1")
    assert page.encoding == "cp1251"
    assert "Правозащитник Азимжан Аскаров умер в колонии" in page.text


@pytest.mark.parametrize(
    ("head", "want"),
    [
        ('<meta property="article:published_time" content="2020-10-20T09:00:00Z">', "2020-10-20"),
        ('<meta name="pubdate" content="2020-10-20">', "2020-10-20"),
        ('<meta itemprop="datePublished" content="2020-10-20T23:30:00-05:00">', "2020-10-20"),
        ('<meta name="dc.date.issued" content="Tue, 20 Oct 2020 09:00:00 +0300">', "2020-10-20"),
    ],
)
def test_published_from_meta_tags(head, want):
    html = f"<html><head>{head}</head><body><p>{PARAGRAPHS[0]}</p></body></html>"
    page = extract_page(html, "https://example.org/a")
    assert page.published is not None
    assert page.published.date().isoformat() == want
    assert page.published.tzinfo is not None


def test_published_from_time_element_and_none_when_absent():
    html = (
        '<html><body><article><time datetime="2020-10-20T12:00">20 Oct</time>'
        f"<p>{PARAGRAPHS[1]}</p></article></body></html>"
    )
    assert extract_page(html, "https://example.org/a").published == datetime(
        2020, 10, 20, 12, tzinfo=UTC
    )
    bare = f"<html><body><p>{PARAGRAPHS[1]}</p></body></html>"
    assert extract_page(bare, "https://example.org/a").published is None


def test_language_from_content_language_and_og_locale():
    html = '<html><head><meta http-equiv="Content-Language" content="ru-RU"></head></html>'
    assert extract_page(html, "https://example.org/").language == "ru"
    html = '<html><head><meta property="og:locale" content="ky_KG"></head><body></body></html>'
    assert extract_page(html, "https://example.org/").language == "ky"
    assert extract_page("<html><body>x</body></html>", "https://example.org/").language is None


def test_canonical_falls_back_to_og_url_then_to_the_fetch_url():
    html = '<html><head><meta property="og:url" content="https://example.org/a/b#x"></head></html>'
    assert extract_page(html, "https://example.org/zz").canonical_url == "https://example.org/a/b"
    # A canonical on another site (syndication credit) does not replace ours.
    html = '<html><head><link rel="canonical" href="https://agency.example.com/a"></head></html>'
    page = extract_page(html, "https://example.org/z?utm_medium=x")
    assert page.canonical_url == "https://example.org/z"


def test_base_href_resolves_feed_and_article_links():
    html = (
        '<html><head><base href="https://example.org/ky/">'
        '<link rel="alternate" type="application/rss+xml" href="rss.xml"></head><body>'
        '<a href="news/2020/10/21/isakov-held-in-turkmenabat">Azat Isakov held in Turkmenabat</a>'
        "</body></html>"
    )
    page = extract_page(html, "https://example.org/")
    assert page.feed_links == ["https://example.org/ky/rss.xml"]
    assert page.article_links == [
        "https://example.org/ky/news/2020/10/21/isakov-held-in-turkmenabat"
    ]


FRONT = """<html><body>
<nav><a href="/politics">Politics</a>
<a href="/2020/10/01/nav-menu-story-link-here">Nav menu story</a></nav>
<header><a href="/"><img src="logo.png"></a></header>
<main>
<h2><a href="/2020/10/21/isakov-vanished-in-russia?utm_source=home">
Turkmen activist vanished in Russia</a></h2>
<a href="https://www.example.org/news/123456">Karasartova charged over Kempir-Abad</a>
<a href="/2020/10/21/isakov-vanished-in-russia#comments">12 comments</a>
<a href="/tag/kyrgyzstan">Kyrgyzstan</a>
<a href="/category/world/">World</a>
<a href="/author/jane-doe">Jane Doe</a>
<a href="https://other.example.com/2020/10/21/story-elsewhere">Story elsewhere on the web</a>
<a href="/world/askarov-appeal-rejected-by-supreme-court">Askarov appeal rejected</a>
<a href="/uploads/2020/10/report-on-prison-conditions.pdf">Report on prison conditions (PDF)</a>
<a href="/page/2">Next page</a>
<a href="mailto:desk@example.org">Write to us</a>
<a href="/news/20201022/%D0%B0%D1%80%D0%B5%D1%81%D1%82">Арест правозащитника в Бишкеке</a>
<a href="/zh/2020/10/22/81234.html">人权活动人士在比什凯克被拘留</a>
</main>
<footer><a href="/2020/09/30/footer-link-story-about-us">Footer story about us</a></footer>
</body></html>"""


def test_article_links_from_a_front_page():
    page = extract_page(FRONT, "https://example.org/")
    assert page.article_links == [
        "https://example.org/2020/10/21/isakov-vanished-in-russia",
        "https://www.example.org/news/123456",
        "https://example.org/world/askarov-appeal-rejected-by-supreme-court",
        "https://example.org/news/20201022/%D0%B0%D1%80%D0%B5%D1%81%D1%82",
        "https://example.org/zh/2020/10/22/81234.html",
    ]


def test_empty_and_junk_pages_give_an_empty_page_not_an_error():
    for junk in ("", "   ", b"", b"\x00\x01\x02", "<html>", "just some words"):
        page = extract_page(junk, "https://example.org/x")
        assert page.text in ("", "just some words")
        assert page.article_links == []
        assert page.canonical_url == "https://example.org/x"


def test_bad_arguments_say_what_is_wrong():
    with pytest.raises(ValueError, match="absolute http"):
        extract_page("<p>x</p>", "/relative")
    with pytest.raises(TypeError, match="str or bytes"):
        extract_page(None, "https://example.org/")  # type: ignore[arg-type]


# --- sitemaps --------------------------------------------------------------------------------

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://example.org/2020/07/25/askarov</loc>
       <lastmod>2020-07-26T08:00:00+06:00</lastmod>
       <news:news><news:publication><news:name>Example</news:name><news:language>en</news:language>
       </news:publication><news:publication_date>2020-07-25T14:30:00+06:00</news:publication_date>
       <news:title>Askarov dies</news:title></news:news></url>
  <url><loc> https://example.org/about </loc><lastmod>2019-01-01</lastmod></url>
  <url><loc>https://example.org/no-date</loc></url>
  <url><loc>not a url</loc></url>
</urlset>"""


def test_news_sitemap_prefers_publication_date():
    assert parse_sitemap(URLSET) == [
        (
            "https://example.org/2020/07/25/askarov",
            datetime(2020, 7, 25, 14, 30, tzinfo=timezone(timedelta(hours=6))),
        ),
        ("https://example.org/about", datetime(2019, 1, 1, tzinfo=UTC)),
        ("https://example.org/no-date", None),
    ]


def test_sitemap_index_and_gzip():
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://example.org/sitemap-news.xml.gz</loc><lastmod>2020-10-21</lastmod></sitemap>
    <sitemap><loc>https://example.org/sitemap-2.xml</loc></sitemap></sitemapindex>"""
    want = [
        ("https://example.org/sitemap-news.xml.gz", datetime(2020, 10, 21, tzinfo=UTC)),
        ("https://example.org/sitemap-2.xml", None),
    ]
    assert parse_sitemap(index) == want
    assert parse_sitemap(gzip.compress(index)) == want


def test_sitemap_does_not_resolve_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    xxe = f"""<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>
    <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://example.org/&x;</loc></url></urlset>"""
    for loc, _ in parse_sitemap(xxe.encode()):
        assert "TOPSECRET" not in loc


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"<html><body>Not found</body></html>", "root element is <html>"),
        (b"", "not XML"),
        (b"\x1f\x8b\x08garbage", "not valid gzip"),
    ],
)
def test_bad_sitemaps_raise_fetch_error(data, why):
    with pytest.raises(FetchError, match=why) as caught:
        parse_sitemap(data)
    assert caught.value.key == "bad_sitemap"


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * (51 * 1024 * 1024) + b"</urlset>", compresslevel=1)
    with pytest.raises(FetchError) as caught:
        parse_sitemap(bomb)
    assert caught.value.key == "sitemap_too_large"


def test_a_page_without_an_article_body_still_gives_its_text():
    # A listing page: trafilatura finds no article; its headlines must not vanish.
    items = "".join(
        f'<div class="teaser"><h3><a href="/2020/10/2{i}/story-{i}">{h}</a></h3></div>'
        for i, h in enumerate(
            ["Azat Isakov held in Turkmenabat", "Rita Karasartova charged", "Askarov dies"]
        )
    )
    page = extract_page(f"<html><body><div>{items}</div></body></html>", "https://example.org/")
    assert "Azat Isakov held in Turkmenabat" in page.text
    assert "Rita Karasartova charged" in page.text


def test_links_false_skips_only_the_links():
    html = FRONT.replace("<main>", '<main><article><h1>Isakov held</h1><p>' + "Azat Isakov is held in Turkmenabat. " * 30 + "</p></article>")  # fmt: skip
    full = extract_page(html, "https://example.org/")
    bare = extract_page(html, "https://example.org/", links=False)
    assert full.article_links and bare.article_links == [] and bare.feed_links == []
    assert (bare.text, bare.title, bare.canonical_url) == (
        full.text,
        full.title,
        full.canonical_url,
    )
    assert "Azat Isakov is held in Turkmenabat." in bare.text
