"""A syndication set: corpus articles copied with other leads, footers, edits and cuts.

Positive pairs: two copies of one story (or the story and a copy).
Negative pairs: two different stories, each carrying the SAME site boilerplate,
plus hand-written independent reports of one event about one person.
"""

from __future__ import annotations

import random
import re

LEADS = [
    "BISHKEK, July 25 (Agency) - ",
    "MOSCOW (AP) — ",
    "By Staff Reporter | Published 14:05 | Updated 16:40\n",
    "Exclusive: ",
    "Listen to this article. 4 min\n",
    "",
]
FOOTERS = [
    "\nThis story was first published by our partner agency and is republished with "
    "permission. All rights reserved. Follow us on Telegram and Facebook.",
    "\nRead also:\nParliament passes new budget after long debate\n"
    "Weather: heavy snow expected in the mountains this weekend\n"
    "Football: national team wins friendly match",
    "\nReporting by staff correspondents; editing by the night desk.",
    "\nSubscribe to our newsletter to get the day's top stories in your inbox every morning.",
    "",
]
EDITS = {"said": "stated", "the": "the", "will": "would", "has": "had", "on": "on", "a": "one"}


def _edit_words(text: str, rng: random.Random, rate: float) -> str:
    words = text.split(" ")
    for i, word in enumerate(words):
        if rng.random() < rate:
            if word in EDITS:
                words[i] = EDITS[word]
            elif len(word) > 5:
                words[i] = word[:-1]  # a typo or an inflection
    return " ".join(words)


def copy_of(text: str, rng: random.Random, *, strength: int = 1) -> str:
    """One republished copy: another lead and footer, light edits, maybe a cut."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if len(paragraphs) > 4 and rng.random() < 0.5:
        del paragraphs[rng.randrange(1, len(paragraphs) - 1)]  # an editor drops a paragraph
    if len(paragraphs) > 5 and rng.random() < 0.3 * strength:
        paragraphs = paragraphs[: max(3, int(len(paragraphs) * 0.7))]  # trimmed ending
    body = "\n".join(_edit_words(p, rng, 0.03 * strength) for p in paragraphs)
    return rng.choice(LEADS) + body + rng.choice(FOOTERS)


def site_boilerplate(text: str, site: int) -> str:
    """A story as one site publishes it: the site's lead and footer, nothing else changed."""
    return LEADS[site % len(LEADS)] + text + FOOTERS[site % len(FOOTERS)]


# Independent reports of one event about one person: must NOT group.
SAME_EVENT = [
    (
        "Azimjan Askarov, a human rights defender from Bazar-Korgon who was serving a life "
        "sentence, died in a prison colony near Bishkek on Saturday, his lawyer Valerian Vakhitov "
        "told reporters. Askarov, 69, had complained of breathing problems for a week. The lawyer "
        "said the prison doctors had refused to take him to a hospital despite a fever. Human "
        "rights groups have called for an independent investigation into his death.",
        "Kyrgyz authorities confirmed on Saturday the death in custody of Azimjan Askarov, the "
        "ethnic Uzbek journalist jailed for life after the 2010 unrest in the south. The State "
        "Penitentiary Service said in a statement that he died of pneumonia. His supporters, who "
        "had campaigned for his release for ten years, blamed the authorities for denying him "
        "treatment. The UN had called his detention arbitrary in 2016.",
    ),
    (
        "Turkmen activist Azat Isakov has disappeared after being detained by police in Moscow, "
        "his friends say. Isakov, a member of the opposition movement Turkmenia, Unite!, was "
        "taken from his flat on 20 October and has not been heard from since. Activists fear he "
        "has been deported to Turkmenistan, where critics of the government face torture.",
        "Friends of Azat Isakov, an outspoken critic of the Turkmen government living in Russia, "
        "fear he has been secretly handed over to Turkmenistan. Russian police detained him on "
        "October 20 and a court ordered his deportation within days, rights groups said. Relatives "
        "later learned that he was being held incommunicado in Turkmenabat.",
    ),
    (
        "Rita Karasartova, a civic activist, was charged on Tuesday with attempting to seize power "
        "over her opposition to the Kempir-Abad border deal and faces up to 15 years in prison. "
        "She denies the charges. A petition for her release has gathered 405,000 signatures.",
        "Prosecutors in Bishkek have charged activist Rita Karasartova in the Kempir-Abad case, "
        "accusing her of plotting mass unrest. Karasartova, who campaigned against handing the "
        "reservoir to Uzbekistan, could be jailed for fifteen years if convicted, her lawyer said. "
        "Supporters have collected more than 405,000 signatures calling for her release.",
    ),
    (
        "Азимжан Аскаров скончался в исправительной колонии, сообщил его адвокат. Правозащитник "
        "отбывал пожизненное заключение с 2010 года. По словам адвоката, в последние дни у него "
        "была высокая температура, но врачи колонии не оказали ему помощь.",
        "Государственная служба исполнения наказаний подтвердила смерть осуждённого Азимжана "
        "Аскарова. В ведомстве заявили, что причиной смерти стала пневмония. Международные "
        "правозащитные организации потребовали расследования обстоятельств гибели журналиста.",
    ),
]


def pairs(texts: list[str], copies: int = 4, seed: int = 7, strength: int = 1):
    """(positive pairs, negative pairs) of texts."""
    rng = random.Random(seed)
    positives = []
    groups = []
    for text in texts:
        group = [text] + [copy_of(text, rng, strength=strength) for _ in range(copies)]
        groups.append(group)
        positives += [(a, b) for i, a in enumerate(group) for b in group[i + 1 :]]
    negatives = []
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            site = rng.randrange(100)
            negatives.append((site_boilerplate(texts[i], site), site_boilerplate(texts[j], site)))
    negatives += SAME_EVENT
    return positives, negatives


def clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
