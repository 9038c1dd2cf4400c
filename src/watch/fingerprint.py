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
Japanese, Thai...), where each character is a token. A shingle's hash is built
from its tokens' CRC-32s, and the 256 functions are a*h + b (mod 2^32): 32-bit
arithmetic, so numpy does twice as many at once as in 64-bit. First built with
blake2b per shingle and 64-bit arithmetic; this is 2.3 times faster (0.21
against 0.46 ms for a 400-word article) with the same rates on the set below.

Chosen by measurement (bench/extract, docs/readme-extract.md): on 100 corpus
articles with 4 republished copies each (other lead and footer, 3% words
edited, a paragraph dropped, ends trimmed), 64-bit SimHash missed 13% of copy
pairs at the threshold where it first grouped two different stories; this
scheme misses about 1.8% (4.2% with twice the edits) and grouped none.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Sequence

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
# The same tokens, for a text with no unspaced script in it: this simpler pattern runs
# faster, and a text with none of those characters is most of what is read.
_HAS_UNSPACED = re.compile(rf"[{_UNSPACED}]")
_WORD = re.compile(r"\w+")

# Everything below is fixed forever: stored fingerprints must stay comparable with new
# ones (a change needs a migration that recomputes them, as migration 4 did).
_RNG = np.random.default_rng(20201020)
# The 256 hash functions h -> a*h + b (mod 2^32), bijections of the shingle hashes.
_A = _RNG.integers(1, 1 << 32, BITS, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
_B = _RNG.integers(0, 1 << 32, BITS, dtype=np.uint64).astype(np.uint32)
# A shingle's hash: its tokens' hashes weighted by position (so word order counts), mixed.
_WEIGHTS = tuple(np.uint32(k) for k in (0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D)[:SHINGLE])
_CHUNK = 4096  # shingles per pass: a 10 MB page's text costs 4 MB at a time, not gigabytes
_MASK = (1 << BITS) - 1
_WORDS = BITS // 64


def tokens(text: str) -> list[str]:
    """Case-, width- and punctuation-insensitive tokens (NFKC, casefolded).

    Shortcuts with the same result: ASCII text is its own NFKC form and its casefold is
    lower(). On 150 corpus articles (14 languages) 317 -> 281 us a text; on bench/poll's
    ASCII articles 111 -> 58 us (best of 7, /tmp timing script)."""
    if text.isascii():
        return _WORD.findall(text.lower())
    folded = unicodedata.normalize("NFKC", text).casefold()
    if _HAS_UNSPACED.search(folded) is None:
        return _WORD.findall(folded)
    return _TOKEN.findall(folded)


_WORD_BYTES = re.compile(rb"\w+")


def _token_bytes(text: str) -> list[bytes]:
    """tokens(), as the UTF-8 bytes the hashes read. ASCII text is tokenised as bytes at
    once (a bytes \\w is [a-zA-Z0-9_], as a str \\w is on ASCII): no encode per token.
    Bench articles: tokens and their CRCs 92 -> 66 us (best of 7, /tmp timing script)."""
    if text.isascii():
        return _WORD_BYTES.findall(text.lower().encode("ascii"))
    return [word.encode() for word in tokens(text)]


def _mix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, in place: every input bit reaches every output bit."""
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x85EBCA6B)
    x ^= x >> np.uint32(13)
    x *= np.uint32(0xC2B2AE35)
    x ^= x >> np.uint32(16)
    return x


def _shingle_hashes(words: list[bytes]) -> np.ndarray:
    """A 32-bit hash of each run of SHINGLE tokens (repeats are harmless: only minima count).

    CRC-32 of each token, not hash() (it changes with every process) nor a cryptographic
    hash per shingle (blake2b: 0.27 ms for an article's ~400 shingles, this 0.06 ms)."""
    crcs = np.fromiter(map(zlib.crc32, words), np.uint32, len(words))
    token = _mix(crcs)
    if token.size < SHINGLE:  # a text shorter than one shingle is one shingle
        token = np.concatenate([token, np.zeros(SHINGLE - token.size, np.uint32)])
    n = token.size - SHINGLE + 1
    shingle = token[:n] * _WEIGHTS[0]
    for k in range(1, SHINGLE):
        shingle += token[k : k + n] * _WEIGHTS[k]
    return _mix(shingle)


def fingerprint(text: str) -> int:
    """256-bit fingerprint of a text; 0 for a text with no words."""
    if not isinstance(text, str):
        raise TypeError(f"fingerprint() wants str, got {type(text).__name__}")
    words = _token_bytes(text)
    if not words:
        return 0
    hashes = _shingle_hashes(words)
    minima = np.full(BITS, np.iinfo(np.uint32).max, np.uint32)
    for start in range(0, hashes.size, _CHUNK):
        products = np.multiply.outer(hashes[start : start + _CHUNK], _A)
        products += _B  # in place; wraps mod 2^32, as intended
        np.minimum(minima, products.min(axis=0), out=minima)
    # One bit per function: the top bit of its mixed minimum, a fair coin for each shingle.
    bits = (_mix(minima) >> np.uint32(31)).astype(np.uint8)
    value = int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little")
    return value or 1  # all bits zero (odds 2^-256) must not read as "no words"


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
