"""charset.decode: real bytes in many charsets, right and wrong labels, and feedparser's feeds."""

from __future__ import annotations

import codecs
import re

import pytest

from watch.charset import declared_charset, decode, header_charset, normalise_label

RUSSIAN = (
    "<html><head><title>Азимжан Аскаров</title></head><body><p>Правозащитник Азимжан "
    "Аскаров умер в колонии 25 июля 2020 года. Его адвокат Валерьян Вахитов сообщил, что "
    "ему не оказали медицинскую помощь.</p></body></html>"
)
KYRGYZ = (
    "<p>Укук коргоочу Азимжан Аскаров 2020-жылы 25-июлда түрмөдө каза болду. "
    "Анын жубайы Хадича Аскарова кайрылуу жазды.</p>"
)
CHINESE = (
    "<html><body><p>中國人權捍衛者今天在家中被警方帶走，他的律師說，警方沒有出示任何"
    "文件。這是他今年第三次被拘留，家屬至今不知道他被關押在哪裡。</p></body></html>"
)
FRENCH = (
    "<p>Le défenseur des droits humains a été arrêté à Bichkek. Sa fille déclare "
    "qu'il reste détenu « sans aucune explication » depuis vendredi.</p>"
)
GERMAN = "<p>Der Menschenrechtler wurde zu lebenslanger Haft verurteilt; Größe der Zelle: 6 m².</p>"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf8", "utf-8"),
        ("GB2312", "gb18030"),
        ("gbk", "gb18030"),
        ("ISO-8859-1", "cp1252"),
        ("latin1", "cp1252"),
        ("us-ascii", "cp1252"),
        ("Windows-1251", "cp1251"),
        ("KOI8-R", "koi8-r"),
        ("'big5'", "big5hkscs"),
        ("x-no-such-charset", None),
        ("", None),
    ],
)
def test_labels_normalise_as_browsers_do(label, codec):
    assert normalise_label(label) == codec


def test_header_charset_parses_quotes_and_spaces():
    assert header_charset('text/html; charset="KOI8-R"') == "koi8-r"
    assert header_charset("application/rss+xml;charset= 'us-ascii'") == "cp1252"
    assert header_charset("text/html") is None
    assert header_charset(None) is None


@pytest.mark.parametrize("codec", ["cp1251", "koi8_r", "utf-8", "utf-16"])
@pytest.mark.parametrize(
    "content_type", [None, "text/html", "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]
)
def test_cyrillic_decodes_whatever_the_label_says(codec, content_type):
    text, _ = decode(RUSSIAN.encode(codec), content_type)
    assert text == RUSSIAN


@pytest.mark.parametrize("content_type", [None, "text/html; charset=windows-1251"])
def test_kyrgyz_letters_survive_a_legacy_label(content_type):
    # ү, ө, ң are not in windows-1251, so a Kyrgyz page is UTF-8 whatever its label says.
    text, used = decode(KYRGYZ.encode("utf-8"), content_type)
    assert text == KYRGYZ
    assert used == "utf-8"


def test_c1_controls_become_windows_1252_punctuation():
    assert decode("<p>don\u0092t</p>".encode())[0] == "<p>don’t</p>"


@pytest.mark.parametrize("codec", ["gb18030", "big5", "utf-8"])
@pytest.mark.parametrize(
    "content_type", [None, "text/html; charset=utf-8", "text/html; charset=iso-8859-1"]
)
def test_chinese_decodes_without_or_despite_label(codec, content_type):
    text, _ = decode(CHINESE.encode(codec), content_type)
    assert text == CHINESE


def test_gb2312_label_decodes_gbk_only_characters():
    # 镕 (as in 朱镕基) is outside GB2312; pages labelled gb2312 use it anyway.
    page = "<meta charset=gb2312><p>朱镕基 人权</p>"
    text, used = decode(page.encode("gb18030"))
    assert used == "gb18030"
    assert "朱镕基" in text


@pytest.mark.parametrize(
    "content_type", [None, "text/html; charset=iso-8859-1", "text/html; charset=utf-8"]
)
@pytest.mark.parametrize("page", [FRENCH, GERMAN])
def test_western_pages_in_windows_1252(page, content_type):
    text, used = decode(page.encode("cp1252"), content_type)
    assert text == page
    assert used == "cp1252"


POLISH = (
    "<p>Obrońca praw człowieka został zatrzymany w Biszkeku. Jego żona powiedziała, że nie "
    "wie, gdzie jest przetrzymywany, i że może mu grozić piętnaście lat więzienia.</p>"
)


@pytest.mark.parametrize("content_type", [None, "text/html; charset=iso-8859-1"])
def test_polish_windows_1250_survives_a_western_label(content_type):
    text, used = decode(POLISH.encode("cp1250"), content_type)
    assert (text, used) == (POLISH, "cp1250")


def test_header_beats_meta_and_meta_beats_nothing():
    body = RUSSIAN.replace("<head>", '<head><meta charset="koi8-r">')
    assert decode(body.encode("koi8_r"))[1] == "koi8-r"
    http_equiv = RUSSIAN.replace(
        "<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    )
    assert decode(http_equiv.encode("cp1251")) == (http_equiv, "cp1251")
    # Both bytes decode under either label: the header wins.
    assert decode(body.encode("cp1251"), "text/html; charset=windows-1251")[1] == "cp1251"


def test_meta_charset_after_a_long_head_is_found():
    head = "<html><head><script>" + "var x = 1;\n" * 2000 + "</script><meta charset=koi8-r>"
    page = head + "</head><body>" + RUSSIAN + "</body></html>"
    assert decode(page.encode("koi8_r")) == (page, "koi8-r")


def test_bom_beats_a_wrong_header():
    data = codecs.BOM_UTF8 + RUSSIAN.encode("utf-8")
    assert decode(data, "text/html; charset=windows-1251") == (RUSSIAN, "utf-8")
    data16 = codecs.BOM_UTF16_LE + CHINESE.encode("utf-16-le")
    assert decode(data16, "text/html; charset=iso-8859-1") == (CHINESE, "utf-16-le")


def test_xml_declaration_is_read_for_feeds():
    feed = '<?xml version="1.0" encoding="windows-1251"?><rss><title>Аскаров</title></rss>'
    assert declared_charset(feed.encode("cp1251"), "xml") == "cp1251"
    assert decode(feed.encode("cp1251"), "application/rss+xml", kind="xml") == (feed, "cp1251")


def test_a_few_broken_bytes_in_utf8_stay_utf8():
    data = RUSSIAN.encode("utf-8").replace(b"</p>", b"\xff\xfe</p>")
    text, used = decode(data, "text/html; charset=utf-8")
    assert used == "utf-8"
    assert "Азимжан Аскаров умер" in text


def test_bad_input_is_refused_clearly():
    with pytest.raises(TypeError, match="wants bytes"):
        decode("already text")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="kind must be"):
        decode(b"<p>x</p>", kind="pdf")


def test_empty_input():
    assert decode(b"") == ("", "utf-8")


# --- feedparser's encoding test feeds -------------------------------------------------------

_HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.M)
_EXPECT_ENCODING = re.compile(r"encoding == '([^']+)'")
_EXPECT_TEXT = re.compile(r"(?:description'\]|title'\]) == '(.*?)'\s*$", re.M)
_NO_EXPECTATION = {  # bozo cases: the bytes are wrong on purpose, nothing right to compare with
    "bozo_bogus_encoding.xml",
    "bozo_linenoise.xml",
    "bozo_encoding_mismatch_crash.xml",
    "bozo_invalid-bytes-with-bom.xml",
    "bozo_http_text_plain.xml",
    "bozo_http_i18n.xml",
    "encoding_attribute_crash.xml",
    "encoding_attribute_crash_2.xml",
    "http_encoding_attribute_crash.xml",
    "demoronize-2.xml",  # "don&#146;t": an entity, which the parser resolves, not the decoder
}


def _cases(folder):
    for path in sorted(folder.glob("*.xml")):
        raw = path.read_bytes()
        head = raw.decode("latin-1")
        for bom, codec in ((b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe\x00\x00", "utf-32-le")):
            if raw.startswith(bom):
                head = raw[4:].decode(codec)
        if raw[:2] in (b"\xfe\xff", b"\xff\xfe") and not raw.startswith(b"\xff\xfe\x00\x00"):
            head = raw.decode("utf-16")
        elif b"\x00" in raw[:4]:
            for codec in ("utf-32-be", "utf-32-le", "utf-16-be", "utf-16-le"):
                try:
                    head = raw.decode(codec)
                except UnicodeDecodeError:
                    continue
                if head.lstrip("\ufeff").startswith("<?xml"):
                    break
        headers = dict((k.strip().lower(), v.strip()) for k, v in _HEADER.findall(head))
        yield path.name, raw, headers.get("content-type"), head


def test_feedparser_encoding_feeds(corpus):
    folder = corpus / "feeds" / "encoding"
    checked = 0
    failures = []
    for name, raw, content_type, head in _cases(folder):
        if name in _NO_EXPECTATION:
            decode(raw, content_type, kind="xml")  # must not raise
            continue
        text, used = decode(raw, content_type, kind="xml")
        expected_encoding = _EXPECT_ENCODING.search(head)
        expected_text = _EXPECT_TEXT.search(head)
        if expected_encoding:
            # Compare text, not labels: us-ascii and utf-8 read ASCII bytes alike.
            want = raw.decode(normalise_label(expected_encoding.group(1)) or "utf-8")
            ok = text.lstrip("\ufeff") == want.lstrip("\ufeff")
        elif expected_text:
            want = expected_text.group(1).encode("ascii").decode("unicode_escape")
            want = want.split('"')[1] if want.startswith("<img") else want
            ok = want in text
        else:  # utf-16/32 feeds without an Expect line we can read: the declaration must come out
            ok = text.lstrip("\ufeff").startswith("<?xml")
        if not ok:
            failures.append((name, used))
        checked += 1
    assert checked >= 60
    assert not failures, failures


def test_feedparser_undeclared_legacy_feeds_are_guessed(corpus):
    """illformed/chardet: Big5, EUC-JP, EUC-KR, GB2312, KOI8-R, Shift_JIS, TIS-620, windows-1255
    feeds with no charset anywhere; the guess must give the text the expected codec gives."""
    folder = corpus / "feeds" / "illformed" / "chardet"
    checked = 0
    for path in sorted(folder.glob("*.xml")):
        raw = path.read_bytes()
        expected = _EXPECT_ENCODING.search(raw.decode("latin-1")).group(1)
        text, _ = decode(raw, kind="xml")
        assert text == raw.decode(normalise_label(expected)), path.name
        checked += 1
    assert checked == 8
