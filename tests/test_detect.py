"""Status-event detection: the labelled evaluation set, the seed cases, and the parts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from tests.events_eval import Runner, evaluate, load_cases
from watch.detect import CueFileError, Detector, detect, sentence_spans
from watch.errors import WatchError
from watch.language import identify
from watch.match import Matcher
from watch.records import ALERT_KINDS, CUSTODY_STATES, EVENT_KINDS, Mention, Person

SEED = [
    Person("askarov", "Azimjan Askarov", aliases=("Азимжан Аскаров", "Askarov")),
    Person("isakov", "Azat Isakov", aliases=("Азат Исаков",)),
    Person("karasartova", "Rita Karasartova", aliases=("Рита Карасартова", "Karasartova")),
]


@pytest.fixture(scope="module")
def runner() -> Runner:
    return Runner()


@pytest.fixture(scope="module")
def detector(runner) -> Detector:
    return runner.detector


def events_for(text: str, language: str | None = "en", published=date(2024, 3, 15)):
    return detect(text, Matcher(SEED).find(text), language=language, published=published)


# --- the evaluation set -----------------------------------------------------------------


def test_evaluation_set_meets_the_targets(runner):
    cases = load_cases()
    report = evaluate(runner, cases)
    print("\n" + report.table())
    for line in report.errors:
        print(line)
    assert len(cases) >= 300
    assert report.hard_negatives / len(cases) >= 0.40
    assert sum(1 for c in cases if c.tag == "two_people") >= 6
    assert set(report.by_language) >= {"en", "ru", "fr", "es", "zh", "de"}
    assert report.overall.precision >= 0.95, report.errors
    assert report.overall.recall >= 0.85, report.errors
    for lang, score in report.by_language.items():
        assert score.precision >= 0.90, (lang, report.errors)
    assert report.dates_right >= 0.9 * report.dates_checked


def test_evaluation_set_without_a_language_given(runner):
    """The language comes from py3langid when the source does not give it."""
    report = evaluate(runner, load_cases(), with_language=False)
    assert report.overall.precision >= 0.95
    assert report.overall.recall >= 0.85


def test_every_case_file_is_well_formed():
    for case in load_cases():
        for person, kind, when in case.expected:
            assert person in {"askarov", "isakov", "karasartova"}, case.id
            assert kind in EVENT_KINDS, case.id
            assert not when or when[:4].isdigit(), case.id


# --- the seed cases of the issue --------------------------------------------------------


def test_seed_died_with_its_date():
    [event] = events_for("Azimjan Askarov died in prison on 25 July 2020.")
    assert (event.person_id, event.kind) == ("askarov", "died")
    assert event.date == date(2020, 7, 25) and event.date_how == "text"
    assert event.custody == "deceased" and event.case is None
    assert event.cue == "died"


def test_seed_petition_is_not_an_event():
    text = (
        "Amnesty collected 405,000 signatures under a petition demanding that charges "
        "against Rita Karasartova be dropped."
    )
    assert events_for(text) == []


def test_seed_serving_a_life_sentence_asserts_sentenced():
    text = "Askarov insists he is innocent. He is serving a life sentence."
    events = events_for(text, published=date(2019, 5, 1))
    assert [(e.person_id, e.kind) for e in events] == [("askarov", "sentenced")]
    assert events[0].custody == "imprisoned" and events[0].case == "convicted"
    assert events[0].date == date(2019, 5, 1) and events[0].date_how == "published"


def test_seed_french_disappearance_dated_from_the_text():
    text = "Azat Isakov a été porté disparu en Russie le 20 octobre 2020."
    [event] = events_for(text, language="fr", published=date(2020, 11, 2))
    assert (event.person_id, event.kind, event.date) == (
        "isakov",
        "disappeared",
        date(2020, 10, 20),
    )
    assert event.custody == "disappeared"


# --- evidence, states, dates, attribution -----------------------------------------------


def test_event_keeps_its_sentence_and_span_in_the_document():
    text = (
        "The court sat for two hours. Rita Karasartova was detained on Monday. "
        "Supporters gathered outside."
    )
    [event] = events_for(text)
    assert event.sentence == "Rita Karasartova was detained on Monday."
    assert text[event.start : event.end].strip() == event.sentence
    assert event.date == date(2024, 3, 11) and event.date_how == "relative"
    assert event.custody == "detained"


def test_release_to_house_arrest_says_so():
    text = "Rita Karasartova was released from pre-trial detention and placed under house arrest."
    [event] = events_for(text)
    assert event.kind == "released" and event.custody == "house_arrest"


def test_alerts_change_no_state():
    text = "Azimjan Askarov was taken to the prison hospital. He was beaten by guards in May."
    events = events_for(text)
    assert {e.kind for e in events} == {"health_risk", "ill_treatment"}
    for event in events:
        assert event.kind in ALERT_KINDS
        assert event.custody is None and event.case is None


def test_attribution_is_kept():
    text = "Askarov's lawyer said he had been beaten by guards."
    [event] = events_for(text)
    assert event.kind == "ill_treatment"
    assert "lawyer said" in event.attribution


def test_old_event_retold_keeps_its_old_date():
    text = "Azimjan Askarov was sentenced to life imprisonment in September 2010."
    [event] = events_for(text, published=date(2024, 3, 15))
    assert event.date == date(2010, 9, 1) and event.date_how == "text-month"


def test_a_date_after_publication_is_not_the_event_date():
    text = "Rita Karasartova was detained; her trial opens on 3 June 2024."
    [event] = events_for(text, published=date(2024, 3, 15))
    assert event.date == date(2024, 3, 15) and event.date_how == "published"


def test_without_a_publication_date_only_full_dates_count():
    text = "Rita Karasartova was detained on Monday, 23 October 2022. She was beaten yesterday."
    events = {e.kind: e for e in events_for(text, published=None)}
    assert (events["detained"].date, events["detained"].date_how) == (date(2022, 10, 23), "text")
    assert (events["ill_treatment"].date, events["ill_treatment"].date_how) == (None, "published")


def test_published_may_be_a_datetime():
    [event] = events_for("Rita Karasartova was detained.", published=datetime(2024, 3, 15, 9, 30))
    assert event.date == date(2024, 3, 15)


@pytest.mark.parametrize(
    ("language", "text", "when"),
    [
        ("ru", "Рита Карасартова задержана вчера.", date(2024, 3, 14)),
        ("de", "Rita Karasartova wurde am 2. März 2024 festgenommen.", date(2024, 3, 2)),
        ("es", "Rita Karasartova fue detenida el 2 de marzo de 2024.", date(2024, 3, 2)),
        ("zh", "丽塔·卡拉萨尔托娃于2024年3月2日被捕。", date(2024, 3, 2)),
    ],
)
def test_dates_in_other_languages(language, text, when):
    mentions = Matcher(SEED).find(text)
    if not mentions:  # the interim matcher needs spaces around a name; Chinese has none
        start = text.index("丽塔")
        mentions = [Mention("karasartova", start, start + 9, text[start : start + 9], 1.0)]
    events = detect(text, mentions, language=language, published=date(2024, 3, 15))
    assert [(e.kind, e.date) for e in events] == [("detained", when)]


# --- who the event happens to -----------------------------------------------------------


def test_two_people_in_one_sentence_each_get_their_own_event():
    text = "Rita Karasartova was arrested yesterday, while Azat Isakov was freed by Russian police."
    got = {(e.person_id, e.kind) for e in events_for(text)}
    assert got == {("karasartova", "detained"), ("isakov", "released")}


def test_coordinated_names_share_the_event():
    text = "Rita Karasartova and Azat Isakov were detained at the border."
    got = {(e.person_id, e.kind) for e in events_for(text)}
    assert got == {("karasartova", "detained"), ("isakov", "detained")}


def test_a_pronoun_in_the_next_sentence_refers_back():
    text = "Azat Isakov travelled to Moscow in 2020. He was abducted there in October."
    [event] = events_for(text, published=date(2021, 1, 5))
    assert (event.person_id, event.kind, event.date) == ("isakov", "disappeared", date(2020, 10, 1))


def test_a_pronoun_far_from_any_name_is_not_attributed():
    text = (
        "Azat Isakov travelled to Moscow. The city was cold. Trains were late. "
        "Shops closed early. He was arrested."
    )
    assert events_for(text) == []


def test_the_agent_is_not_the_patient():
    assert events_for("Investigator Isakov detained three men on Friday.") == []


def test_an_event_of_a_relative_is_not_the_persons():
    assert events_for("Karasartova's brother was arrested in Osh on Wednesday.") == []


def test_overlapping_mentions_of_one_person_count_once(detector):
    text = "Rita Karasartova was detained on Monday."
    mentions = [
        Mention("karasartova", 0, 16, "Rita Karasartova", 1.0, "alias"),
        Mention("karasartova", 5, 16, "Karasartova", 0.8, "surname+context"),
    ]
    events = detector.detect(text, mentions, language="en", published=date(2024, 3, 15))
    assert [(e.person_id, e.kind) for e in events] == [("karasartova", "detained")]


def test_without_mentions_nothing_is_analysed(detector):
    assert detector.detect("Rita Karasartova was detained.", [], language="en") == []


def test_an_unsupported_language_gives_no_events(detector):
    text = "Rita Karasartova was detained."
    assert detector.detect(text, Matcher(SEED).find(text), language="pt") == []


@pytest.mark.parametrize("tag", ["en", "EN", "en-GB", "en_US"])
def test_language_tags_with_regions_use_the_language(detector, tag):
    text = "Rita Karasartova was detained."
    events = detector.detect(text, Matcher(SEED).find(text), language=tag)
    assert [e.kind for e in events] == ["detained"]


def test_language_is_identified_when_not_given():
    text = "Азимжан Аскаров скончался в колонии 25 июля 2020 года."
    events = events_for(text, language=None, published=date(2020, 7, 27))
    assert [(e.kind, e.date) for e in events] == [("died", date(2020, 7, 25))]


# --- language identification ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Rights defender Azimjan Askarov died in a prison colony, his lawyer said.", "en"),
        ("Правозащитник скончался в колонии, сообщил его адвокат.", "ru"),
        ("Le défenseur des droits humains est mort en prison, selon son avocat.", "fr"),
        ("El defensor de derechos humanos murió en prisión, según su abogado.", "es"),
        ("Der Menschenrechtler ist in der Haft gestorben, sagte sein Anwalt.", "de"),
        ("人权捍卫者在狱中去世，他的律师说。", "zh"),
    ],
)
def test_identify(text, code):
    assert identify(text) == code


def test_identify_needs_letters():
    assert identify("") is None
    assert identify("2020-07-25 12:00") is None


def test_identify_among_our_languages_does_not_force_others():
    portuguese = "O ativista foi preso pela polícia em Bishkek na segunda-feira, disse o advogado."
    assert identify(portuguese, among={"en", "es", "fr"}) == "pt"


# --- sentences --------------------------------------------------------------------------


def test_sentences_do_not_end_at_initials_abbreviations_or_ordinals():
    text = "A. Askarov met Dr. Smith. Er wurde am 25. Juli verhaftet. 他被捕了。她也是。"
    pieces = [text[s:e].strip() for s, e in sentence_spans(text)]
    assert pieces == [
        "A. Askarov met Dr. Smith.",
        "Er wurde am 25. Juli verhaftet.",
        "他被捕了。",
        "她也是。",
    ]


# --- cue files --------------------------------------------------------------------------


def test_every_language_of_the_issue_has_a_cue_file(detector):
    assert set(detector.languages) >= {"en", "ru", "fr", "es", "zh", "de"}
    for cueset in detector.cuesets.values():
        for cue in cueset.cues:
            assert cue.custody in (None, *CUSTODY_STATES)


def test_adding_a_language_is_adding_a_file(tmp_path: Path):
    (tmp_path / "ky.yaml").write_text(
        "language: ky\n"
        "events:\n"
        "  detained: ['кармалды']\n"
        "blockers:\n"
        "  negation: [{re: '\\bэмес\\b', scope: after, window: 10}]\n"
        "dates:\n"
        "  relative: {кечээ: -1}\n"
        "  patterns: ['(?P<rel>RELATIVE)']\n",
        encoding="utf-8",
    )
    detector = Detector(cue_dir=tmp_path)
    people = [Person("karasartova", "Рита Карасартова")]
    text = "Рита Карасартова кечээ кармалды."
    [event] = detector.detect(
        text, Matcher(people).find(text), language="ky", published=date(2024, 3, 15)
    )
    assert (event.kind, event.date, event.custody) == ("detained", date(2024, 3, 14), "detained")
    negated = "Рита Карасартова кармалды эмес."
    assert detector.detect(negated, Matcher(people).find(negated), language="ky") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("events:\n  detained: ['(unclosed']\n", "events.detained[0]: bad pattern"),
        ("events:\n  jailed: ['x']\n", "unknown kind 'jailed'"),
        ("blockers:\n  fear: [{re: 'x', scope: everywhere}]\n", "blockers.fear[0]: scope"),
        ("events:\n  released: [{re: 'x', custody: home}]\n", "unknown custody 'home'"),
        ("- just a list\n", "a cue file is a mapping"),
        ("events: [unclosed\n", "cannot read cue file"),
        ("events:\n  died: [{custody: deceased}]\n", "events.died[0]: an entry is a pattern"),
        ("events:\n  charged: [{re: 'x', case: pending}]\n", "unknown case 'pending'"),
        ("events:\n  died: [{re: 'x', role: subject}]\n", "role 'subject'"),
    ],
)
def test_a_bad_cue_file_says_what_and_where(tmp_path: Path, body, message):
    path = tmp_path / "xx.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CueFileError) as caught:
        Detector(cue_dir=tmp_path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert isinstance(caught.value, WatchError)


def test_an_empty_cue_folder_is_an_error(tmp_path: Path):
    with pytest.raises(CueFileError, match="no cue files"):
        Detector(cue_dir=tmp_path)
