"""The matcher's fast paths give what the slow ones would: the fold, and the hits it
skips judging."""

from __future__ import annotations

import random

import pytest

from watch.match import Matcher, coarse
from watch.match.fold import COARSE
from watch.records import Person

SAMPLES = [
    "",
    "Azimjan Askarov",
    "Азимжан Аскаров, Жалал-Абад",
    "Қазақстан · Өзбекстан",
    "Ａｓｋａｒｏｖ",
    "阿齐姆江·阿斯卡罗夫 and عظیم‌جان",
    "emoji 😀 beside Аскаров",  # beyond U+FFFF: no UTF-16 shortcut
    "lone \ud800 surrogate",
    "\ud800\udc00 two lone surrogates that would pair up",
    "Ёлка\u0301 с ударением",
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("times", [1, 40])  # short text and long take different paths
def test_coarse_is_the_translate_table_and_keeps_length(text, times):
    text *= times
    assert coarse(text) == text.translate(COARSE)
    assert len(coarse(text)) == len(text)


def test_coarse_agrees_with_the_table_on_random_text_from_every_plane():
    rng = random.Random(4)
    for _ in range(3000):
        top = rng.choice([0x80, 0x600, 0x2000, 0x10000, 0x110000])
        size = rng.choice([16, 200])
        text = "".join(chr(rng.randrange(top)) for _ in range(rng.randrange(size)))
        assert coarse(text) == text.translate(COARSE), repr(text)


@pytest.fixture(scope="module")
def matcher():
    eyar = Person("eyar", "Eyar Sherotzhasev", aliases=("SHEROTZHASEV Eyar",))
    return Matcher([eyar, Person("askarov", "Azimjan Askarov")])


def found(matcher, text):
    return [(m.person_id, m.matched) for m in matcher.find(text)]


def test_a_common_word_that_is_a_surname_is_no_mention_but_the_name_is(matcher):
    # 'year' folds to the surname stem of 'SHEROTZHASEV Eyar'
    assert found(matcher, "Last year the court met.") == []
    assert found(matcher, "Last year Eyar Sherotzhasev said.") == [("eyar", "Eyar Sherotzhasev")]
    assert found(matcher, "Sherotzhasev Eyar spoke") == [("eyar", "Sherotzhasev Eyar")]


def test_a_long_name_in_lower_case_is_still_found(matcher):
    assert found(matcher, "tags: azimjan askarov, prison") == [("askarov", "azimjan askarov")]
    assert found(matcher, "the askarov year") == []


def test_the_index_is_built_with_the_collector_held_and_it_is_restored():
    import gc

    seen = []

    class Spy(Person):
        @property
        def names(self):
            seen.append(gc.isenabled())
            return super().names

    assert gc.isenabled()
    Matcher([Spy("a", "Azimjan Askarov")])
    assert seen and not any(seen)  # held while building
    assert gc.isenabled()
    gc.disable()
    try:
        Matcher([Person("a", "Azimjan Askarov")])
        assert not gc.isenabled()  # a caller's choice is left as it was
    finally:
        gc.enable()


def test_setting_lower_case_hits_aside_changes_no_result(monkeypatch):
    """never_cased() stands for what judging would conclude; judged in full instead, every
    labelled text, as written and in lower case, gives the same mentions."""
    from tests.test_match_labelled import load_cases, load_people
    from watch.match import matcher as matcher_module

    short = [
        Person("li", "Ivan Li", aliases=("Иван Ли",)),
        Person("khan", "Ali Khan", aliases=("A. Khan",), context=("Karachi",)),
        Person("eyar", "Eyar Sherotzhasev", aliases=("SHEROTZHASEV Eyar", "E. Sherotzhasev")),
        Person("bek", "Rita Bek", aliases=("Рита Бек",)),
    ]
    matcher = Matcher(load_people() + short)
    texts = [text for _, _, text in load_cases()]
    texts += [
        "Ivan li met ali khan in Karachi last year; Khan said ivan Li and Ivan Li agreed.",
        "иван ли и Иван Ли, рита бек и Рита Бек: бек, Бек, ли, Ли. A. khan, a. Khan, E. year.",
        "year Eyar, Eyar year, eyar Sherotzhasev, the year Sherotzhasev Eyar left Karachi.",
    ]
    texts += [text.lower() for text in texts]
    fast = [matcher.find(text) for text in texts]
    monkeypatch.setattr(matcher_module, "never_cased", lambda doc, hit: False)
    slow = [matcher.find(text) for text in texts]
    assert fast == slow
    assert sum(map(len, fast)) > len(texts) // 4  # the texts do name people
