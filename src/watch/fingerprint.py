"""Near-duplicate fingerprints, so that one agency story copied by twenty sites is one story.

fingerprint() is a 256-bit one-bit MinHash (Li and König, "b-bit minwise
hashing", 2010) over the set of overlapping 3-token shingles of a text: 256
min-wise hash functions, of whose minimum only one bit is kept. Two texts agree
on a bit with probability (1 + J) / 2, where J is the Jaccard similarity of
their shingle sets, so the Hamming distance d estimates J = 1 - 2d/256.
Why 256 and not 128 bits: two unrelated texts sit at distance 128 +- 8, so
the threshold (80) is 6 standard deviations away and 20,000 articles (200
million pairs) give well under one chance merge; with 128 bits they gave
thousands.

Tokens are words, except in scripts written without spaces (Chinese,
Japanese, Thai...), where each character is a token.

Chosen by measurement (bench/extract, docs/readme-extract.md): on 100 corpus
articles with 4 republished copies each (other lead and footer, 3% words
edited, a paragraph dropped, ends trimmed), 64-bit SimHash missed 13% of copy
pairs at the threshold where it first grouped two different stories; this
scheme misses about 1.5% and grouped none.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from functools import partial
from operator import methodcaller

import numpy as np

BITS = 256
SHINGLE = 3
# Max Hamming distance between copies of one story: J >= ~0.375 (bench/extract).
THRESHOLD = 80

# Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan: no spaces between words.
_UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u0f00-\u0fff"
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
)
_TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W{_UNSPACED}]+")

# The 128 hash functions h -> a*h + b (mod 2^64), fixed forever: stored
# fingerprints must stay comparable with new ones.
_RNG = np.random.default_rng(20201020)
_A = _RNG.integers(1, 1 << 63, BITS, dtype=np.uint64) | np.uint64(1)
_B = _RNG.integers(0, 1 << 63, BITS, dtype=np.uint64)
_BIT = np.uint64(32)  # which bit of the minimum is kept
_MASK = (1 << BITS) - 1
_WORDS = BITS // 64


def tokens(text: str) -> list[str]:
    """Case-, width- and punctuation-insensitive tokens (NFKC, casefolded)."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def _shingle_hashes(words: list[str]) -> np.ndarray:
    if len(words) < SHINGLE:
        grams = {" ".join(words)} if words else set()
    else:
        # overlapping runs of SHINGLE words; zip stops at the shortest, the last run
        grams = set(map(" ".join, zip(*(words[k:] for k in range(SHINGLE)), strict=False)))
    # blake2b, not hash(): fingerprints are stored, and hash() changes with every process.
    # Chained maps, not a generator expression: no Python frame per shingle (0.25 ->
    # 0.22 ms for an article's ~400 shingles, the same bytes).
    digests = b"".join(map(_DIGEST, map(_BLAKE2B_8, map(str.encode, grams))))
    return np.frombuffer(digests, dtype="<u8")


_BLAKE2B_8 = partial(hashlib.blake2b, digest_size=8)
_DIGEST = methodcaller("digest")


def fingerprint(text: str) -> int:
    """256-bit fingerprint of a text; 0 for a text with no words."""
    if not isinstance(text, str):
        raise TypeError(f"fingerprint() wants str, got {type(text).__name__}")
    hashes = _shingle_hashes(tokens(text))
    if hashes.size == 0:
        return 0
    products = np.multiply.outer(hashes, _A)
    products += _B  # in place: one (shingles x 256) array, not two; wraps mod 2^64, as intended
    minima = products.min(axis=0)
    bits = ((minima >> _BIT) & np.uint64(1)).astype(np.uint8)
    value = int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")
    return value or 1  # all bits zero (odds 2^-128) must not read as "no words"


def distance(a: int, b: int) -> int:
    """Hamming distance between two fingerprints."""
    return ((a ^ b) & _MASK).bit_count()


def similar(a: int, b: int, threshold: int = THRESHOLD) -> bool:
    """True when two fingerprints are copies of one story (empty texts are never similar)."""
    if a == 0 or b == 0:
        return False
    return distance(a, b) <= threshold


def _words(fingerprints: Sequence[int]) -> np.ndarray:
    return np.array(
        [[(f >> (64 * k)) & (2**64 - 1) for k in range(_WORDS)] for f in fingerprints], np.uint64
    ).reshape(len(fingerprints), _WORDS)


def similar_to(fp: int, others: Sequence[int], threshold: int = THRESHOLD) -> list[int]:
    """Indices of the fingerprints in `others` that are copies of `fp`, nearest first.

    For checking one new article against the stories already stored (vectorised).
    """
    if fp == 0 or not others:
        return []
    d = np.bitwise_count(_words(others) ^ _words([fp])).sum(axis=1)
    hits = np.nonzero((d <= threshold) & (np.array(others, dtype=object) != 0))[0]
    return [int(i) for i in hits[np.argsort(d[hits], kind="stable")]]


def group(fingerprints: Sequence[int], threshold: int = THRESHOLD) -> list[int]:
    """A story number per fingerprint: copies (transitively similar) share one.

    The number is the index of the story's first member. Vectorised: 20,000
    fingerprints take seconds, not the minutes a Python double loop would.
    """
    n = len(fingerprints)
    words = _words(fingerprints)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    empty = np.array([f == 0 for f in fingerprints], dtype=bool)
    for i in range(n):
        if empty[i]:
            continue
        d = np.bitwise_count(words[i + 1 :] ^ words[i]).sum(axis=1)
        for j in np.nonzero((d <= threshold) & ~empty[i + 1 :])[0]:
            a, b = root(i), root(i + 1 + int(j))
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(n)]


def to_bytes(fp: int) -> bytes:
    """The fingerprint as 32 bytes (for a BLOB column); from_bytes() reverses it."""
    return fp.to_bytes(BITS // 8, "big")


def from_bytes(data: bytes) -> int:
    return int.from_bytes(data, "big")


class StoryIndex:
    """The fingerprints of recent documents, to find which story a new copy belongs to.

    An exact scan, vectorised: the fingerprints are kept as four columns of 64-bit
    words, XORed with the new one and bit-counted column by column (ten times faster
    than row by row). 20,000 documents take about 0.06 ms a query, so no approximate
    banding, and none of its misses, is needed.
    """

    def __init__(self, threshold: int = THRESHOLD):
        self.threshold = threshold
        self._cols = np.zeros((_WORDS, 1024), dtype=np.uint64)
        self._ids: list[int] = []
        self._stories: list[int] = []

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, doc_id: int, fp: int, story: int) -> None:
        """Index a stored document (fp != 0) as a member of `story`."""
        if fp == 0:
            return
        n = len(self._ids)
        if n == self._cols.shape[1]:
            self._cols = np.concatenate([self._cols, np.zeros_like(self._cols)], axis=1)
        self._cols[:, n] = _words([fp])[0]
        self._ids.append(doc_id)
        self._stories.append(story)

    def nearest(self, fp: int) -> int | None:
        """The story of the nearest indexed copy of `fp`, if any is within the threshold."""
        n = len(self._ids)
        if fp == 0 or n == 0:
            return None
        query = _words([fp])[0]
        # uint16: each word's count is uint8, and four of them summed in uint8 wrapped a
        # distance of 256 (every bit different) to 0, a perfect copy.
        d = np.bitwise_count(self._cols[0, :n] ^ query[0]).astype(np.uint16)
        for k in range(1, _WORDS):
            d += np.bitwise_count(self._cols[k, :n] ^ query[k])
        best = int(np.argmin(d))
        return self._stories[best] if d[best] <= self.threshold else None

    def assign(self, doc_id: int, fp: int) -> int:
        """The story the document belongs to (its own id when it is the first copy); indexes it."""
        story = self.nearest(fp)
        if story is None:
            story = doc_id
        self.add(doc_id, fp, story)
        return story
