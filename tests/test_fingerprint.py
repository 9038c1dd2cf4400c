"""fingerprint / similar / group: syndicated copies group, independent reports do not."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys

import pytest

from watch.fingerprint import (
    BITS,
    distance,
    fingerprint,
    from_bytes,
    group,
    similar,
    similar_to,
    to_bytes,
    tokens,
)

AGENCY = (
    "The Kyrgyz human rights defender Azimjan Askarov has died in a prison colony near Bishkek, "
    "his lawyer said on Saturday. Askarov, 69, was serving a life sentence on charges his "
    "supporters said were fabricated after the ethnic violence of 2010 in the south of the "
    "country. His lawyer said that Askarov had complained of a fever and difficulty breathing "
    "for several days, and that requests to move him to a hospital had been refused. "
    "The State Penitentiary Service confirmed the death and said an inquiry would be held. "
    "Askarov documented police abuse in Bazar-Korgon for the group Vozdukh before his arrest. "
    "In 2016 the UN Human Rights Committee found that he had been tortured and arbitrarily "
    "detained and called for his release. Kyrgyz courts upheld his sentence in 2017 and again "
    "in May this year, when his lawyers asked for it to be reviewed because of his age and the "
    "risk of the coronavirus in prisons. International organisations and foreign governments "
    "had repeatedly called for his release on humanitarian grounds."
)

# Written independently about the same death: shares names, places and facts, not wording.
INDEPENDENT = (
    "Azimjan Askarov is dead. The 69-year-old journalist, an ethnic Uzbek from Bazar-Korgon, "
    "spent the last ten years of his life behind bars after a trial that followed the clashes "
    "of June 2010. Prison officials told relatives on Saturday that he had died of pneumonia. "
    "His wife Khadicha said she had begged the authorities to let doctors see him. For years, "
    "Vozdukh and other groups campaigned for him; the United Nations called his detention "
    "arbitrary and said he had been tortured. Now his supporters want an independent "
    "investigation, and foreign embassies in Bishkek have asked for the same."
)

ANOTHER_STORY = (
    "Turkmen activist Azat Isakov, a member of the opposition movement Turkmenia, Unite!, has "
    "not been heard from since Russian police detained him in Moscow on 20 October. Friends say "
    "a court ordered his deportation within days and that he was put on a flight to Ashgabat. "
    "Relatives later learned that he was being held incommunicado in Turkmenabat, where critics "
    "of the government have been tortured. Rights groups urged Russia to stop sending activists "
    "back to Turkmenistan and asked the Turkmen authorities to disclose where he is held."
)


def republished(text: str, lead: str, footer: str, edits: dict[str, str]) -> str:
    for old, new in edits.items():
        text = text.replace(old, new)
    return lead + text + footer


COPIES = [
    republished(AGENCY, "BISHKEK, July 25 (Agency) - ", "", {}),
    republished(
        AGENCY,
        "Exclusive | Published 25.07.2020 14:05\n",
        "\nRead also: Parliament passes budget. Snow expected in the mountains this weekend.",
        {"said on Saturday": "told reporters on Saturday", "69": "sixty-nine"},
    ),
    republished(
        AGENCY,
        "",
        "\nThis story was first published by our partner agency. All rights reserved. "
        "Follow us on Telegram.",
        {"Kyrgyz ": "", "organisations": "organizations", "colony": "camp"},
    ),
    # A site that cut the last third of the story.
    AGENCY[: int(len(AGENCY) * 0.7)] + " Subscribe to our newsletter.",
]


def test_copies_of_one_agency_story_are_similar():
    fps = [fingerprint(AGENCY)] + [fingerprint(c) for c in COPIES]
    for i, a in enumerate(fps):
        for b in fps[i + 1 :]:
            assert similar(a, b), distance(a, b)


def test_independent_reports_of_the_same_event_are_not_similar():
    assert not similar(fingerprint(AGENCY), fingerprint(INDEPENDENT))
    for copy in COPIES:
        assert not similar(fingerprint(copy), fingerprint(INDEPENDENT))
    assert not similar(fingerprint(AGENCY), fingerprint(ANOTHER_STORY))


def test_distance_tracks_how_much_was_changed():
    base = fingerprint(AGENCY)
    light = fingerprint(COPIES[0])
    unrelated = fingerprint(ANOTHER_STORY)
    assert distance(base, light) < distance(base, unrelated)
    # Unrelated texts agree on about half the bits.
    assert BITS * 0.35 < distance(base, unrelated) < BITS * 0.65


CHINESE = (
    "吉尔吉斯斯坦人权捍卫者阿斯卡罗夫周六在比什凯克附近的监狱中去世，他的律师表示。"
    "阿斯卡罗夫现年六十九岁，因二零一零年南部民族冲突后的指控被判处终身监禁，其支持者称这些指控是捏造的。"
    "律师说，他数日来一直发烧、呼吸困难，但将他转往医院的请求遭到拒绝。"
    "国家监狱管理局证实了他的死讯，并表示将展开调查。联合国人权事务委员会曾于二零一六年认定他遭受酷刑和任意拘留。"
)
CHINESE_OTHER = (
    "土库曼斯坦活动人士伊萨科夫十月二十日在莫斯科被俄罗斯警方拘留后下落不明，他的朋友说。"
    "一家法院在数日内下令将他驱逐出境，亲属后来得知他在土库曼纳巴特被单独关押。"
    "人权组织敦促俄罗斯停止遣返活动人士，并要求土库曼当局公开他的关押地点。"
)


def test_chinese_without_spaces_is_tokenised_by_character():
    assert tokens("人权捍卫者 Askarov") == ["人", "权", "捍", "卫", "者", "askarov"]
    copy = "【新华社电】" + CHINESE.replace("表示", "说") + "（编辑：王明）"
    assert similar(fingerprint(CHINESE), fingerprint(copy))
    assert not similar(fingerprint(CHINESE), fingerprint(CHINESE_OTHER))


def test_case_width_and_punctuation_do_not_matter():
    shouting = re.sub(r"[.,]", " ;", AGENCY.upper())
    assert distance(fingerprint(AGENCY), fingerprint(shouting)) == 0
    assert fingerprint("ＡＳＫＡＲＯＶ died") == fingerprint("askarov DIED")


def test_empty_texts_are_never_copies_of_anything():
    assert fingerprint("") == 0
    assert fingerprint(" ... !!! ") == 0
    assert not similar(0, 0)
    assert not similar(0, fingerprint(AGENCY))
    with pytest.raises(TypeError, match="wants str"):
        fingerprint(AGENCY.encode())  # type: ignore[arg-type]


def test_fingerprints_are_stable_across_processes():
    # Stored fingerprints must compare with tomorrow's: no per-process hash seed.
    code = (
        "import json,sys; from watch.fingerprint import fingerprint; "
        "print(json.dumps([fingerprint(t) for t in json.load(sys.stdin)]))"
    )
    texts = [AGENCY, CHINESE, ANOTHER_STORY]
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": "src", "PYTHONHASHSEED": "123"},
    )
    assert json.loads(out.stdout) == [fingerprint(t) for t in texts]


def test_bytes_round_trip():
    fp = fingerprint(AGENCY)
    assert len(to_bytes(fp)) == BITS // 8
    assert from_bytes(to_bytes(fp)) == fp


def test_group_puts_copies_together_and_keeps_stories_apart():
    texts = [AGENCY, ANOTHER_STORY, *COPIES, INDEPENDENT, "", CHINESE, CHINESE_OTHER]
    ids = group([fingerprint(t) for t in texts])
    assert ids[0] == 0
    assert ids[2:6] == [0, 0, 0, 0]
    others = [ids[1], ids[6], ids[7], ids[8], ids[9]]
    assert len(set(others)) == 5 and 0 not in others
    assert ids[7] == 7  # an empty text is its own story, never merged


def test_similar_to_finds_the_stored_copies_nearest_first():
    stored = [fingerprint(t) for t in (ANOTHER_STORY, COPIES[2], "", INDEPENDENT, COPIES[0])]
    new = fingerprint(AGENCY)
    assert similar_to(new, stored) == [4, 1]  # COPIES[0] is the closer copy
    assert distance(new, stored[4]) < distance(new, stored[1])
    assert similar_to(0, stored) == []
    assert similar_to(new, []) == []


def test_corpus_articles_and_their_republished_copies(corpus):
    """Perturbed copies of real articles in 8 languages: copies group, different stories do not."""
    truth = json.loads((corpus / "articles/scrapinghub-aeb/ground-truth.json").read_text())
    texts = [v["articleBody"] for _, v in sorted(truth.items())][:40]
    rng = random.Random(5)
    leads = ["MOSCOW (AP) — ", "Exclusive: ", "By Staff Reporter\n", ""]
    footers = ["\nAll rights reserved. Follow us on Telegram.", "\nRead also: Budget passes.", ""]
    stories = []
    for text in texts:
        paragraphs = [p for p in text.split("\n") if p.strip()]
        if len(paragraphs) > 4:
            del paragraphs[rng.randrange(1, len(paragraphs) - 1)]
        body = "\n".join(paragraphs)
        stories.append([text, rng.choice(leads) + body + rng.choice(footers)])
    fps = [[fingerprint(t) for t in story] for story in stories]
    missed = sum(not similar(a, b) for a, b in fps)
    assert missed <= 1, missed
    flat = [fp for story in fps for fp in story]
    ids = group(flat)
    for i in range(len(stories)):
        for j in range(len(stories)):
            if i != j:
                assert ids[2 * i] != ids[2 * j], (i, j)


def test_story_index_groups_copies_and_keeps_stories_apart():
    from watch.fingerprint import StoryIndex

    story_a = " ".join(f"agency report line {i} about the verdict in Bishkek" for i in range(40))
    story_b = " ".join(f"a different report {i} on floods in Osh and aid" for i in range(40))
    copy_a = "Reposted by another site. " + story_a.replace("verdict", "ruling", 3) + " Share this."
    index = StoryIndex()
    assert index.assign(1, fingerprint(story_a)) == 1
    assert index.assign(2, fingerprint(story_b)) == 2
    assert index.assign(3, fingerprint(copy_a)) == 1
    assert index.assign(4, 0) == 4 and len(index) == 3  # empty texts are never a story's copy
    for i in range(5, 2100):  # grows past its first allocation
        index.add(i, fingerprint(f"unrelated text number {i} " * 5), i)
    assert index.nearest(fingerprint(copy_a)) == 1


def test_a_fingerprint_with_every_bit_different_is_not_a_copy():
    # Four per-word bit counts summed in uint8 once wrapped a distance of 256 to 0.
    from watch.fingerprint import StoryIndex

    index = StoryIndex()
    fp = (1 << 200) | (1 << 3)
    index.add(1, fp, 1)
    assert index.nearest(((1 << 256) - 1) ^ fp) is None
    assert index.assign(2, ((1 << 256) - 1) ^ fp) == 2


def test_fingerprints_stay_what_stored_ones_are():
    """Stored fingerprints are compared with new ones for ever: the value of a fixed text
    (Latin, Cyrillic, Han) is pinned, so a faster way of computing it cannot change it
    unnoticed. A deliberate change needs a migration that recomputes the stored ones, as
    migration 4 (story_fingerprints_crc32) did when the shingle hash went from blake2b to
    CRC-32."""
    text = (
        "Azimjan Askarov, a Kyrgyz human rights defender, died in prison on 25 July 2020. "
        "Аскаров умер в колонии. 阿斯卡罗夫在狱中去世。"
    )
    assert fingerprint(text) == 0x138051F61CB239F8D031AF0670E5A85A4E3A2DC92962DCC21B74A6F80633621C
    ascii_only = (  # ASCII text takes a shortcut of its own
        "Azimjan Askarov, a Kyrgyz human rights defender, died in prison on 25 July 2020; "
        "his lawyer_team said the Penitentiary Service (GSIN) had refused to move him."
    )
    assert (
        fingerprint(ascii_only)
        == 0x4660D1C78D16B8FAC167AF85682D04C2AA6C374B27095CC31FF6DEF01333EA34
    )


@pytest.mark.parametrize(
    "text",
    [
        "Azimjan Askarov, 69, died in prison on 25 July 2020 - his lawyer said so.",
        "snake_case, CamelCase, x86_64; ~`!@#$%^&*()[]{}<>?/\\|+=_- \t\n\x7f",
        "Азимжан Аскаров умер в колонии; «Воздух» сообщил об этом 25 июля.",
        "Straße, İstanbul, ﬁnal, ＡＳＫＡＲＯＶ, café au lait — l'avocat a dit",
        "人权捍卫者 Askarov 在狱中去世，享年69岁。",
        "ภาษาไทย ไม่มีช่องว่าง and たなか さん",
        "",
    ],
)
def test_the_shortcuts_give_the_tokens_of_the_full_rule(text):
    import unicodedata

    from watch.fingerprint import _TOKEN, _token_bytes

    full_rule = _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())
    assert tokens(text) == full_rule
    assert _token_bytes(text) == [word.encode() for word in full_rule]
