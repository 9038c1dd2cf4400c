"""Identify a document's language when its source does not say.

py3langid was chosen over lingua-language-detector by measurement (bench/detect
--langid): on the shared corpus articles and the event evaluation sentences it
was as accurate on our six languages, about 20x faster, and its model ships inside
the wheel (no download at run time).
"""

from __future__ import annotations

from functools import lru_cache

# The model also knows some languages by ISO 639-3 codes; fold the ones that are
# varieties of a language we have cues for, so a Shanghainese-looking headline still
# gets the Chinese cues.
FOLD = {"wuu": "zh", "yue": "zh", "pcm": "en", "uzs": "uz", "arz": "ar", "ary": "ar", "nn": "no"}

# Enough text to decide; identifying a whole long article costs time and adds nothing.
SAMPLE_CHARS = 2000


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def identify(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None when there is no text to judge."""
    sample = text[:SAMPLE_CHARS]
    if not any(ch.isalpha() for ch in sample):
        return None
    code, _score = _identifier().classify(sample)
    return FOLD.get(code, code) or None
