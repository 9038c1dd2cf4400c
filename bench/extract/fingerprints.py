"""Syndication grouping: one-bit MinHash (watch.fingerprint) against a 64-bit SimHash baseline,
and against the same MinHash as first built (blake2b per shingle, 64-bit arithmetic), which
the faster hashing replaced (2.3x faster on bench/poll's articles, the same rates here)."""

from __future__ import annotations

import hashlib
import random
import time

import numpy as np
from syndication import SAME_EVENT, copy_of, pairs

from watch import fingerprint as fpmod


def _blake2b_shingles(words: list[str]) -> np.ndarray:
    """A 64-bit blake2b of each distinct 3-token shingle (one shingle for a shorter text)."""
    grams = {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}
    return np.frombuffer(
        b"".join(hashlib.blake2b(g.encode(), digest_size=8).digest() for g in grams), "<u8"
    )


def simhash64(text: str) -> int:
    """Baseline: Charikar SimHash over the same 3-token shingles."""
    hashes = _blake2b_shingles(fpmod.tokens(text))
    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    votes = bits.sum(axis=0) * 2 > len(hashes)
    return int.from_bytes(np.packbits(votes, bitorder="little").tobytes(), "little")


_RNG = np.random.default_rng(20201020)
_A64 = _RNG.integers(1, 1 << 63, 256, dtype=np.uint64) | np.uint64(1)
_B64 = _RNG.integers(0, 1 << 63, 256, dtype=np.uint64)


def minhash_blake2b(text: str) -> int:
    """The first watch.fingerprint: blake2b of each shingle, a*h + b (mod 2^64), bit 32."""
    words = fpmod.tokens(text)
    if not words:
        return 0
    hashes = _blake2b_shingles(words)
    minima = (np.multiply.outer(hashes, _A64) + _B64).min(axis=0)
    bits = ((minima >> np.uint64(32)) & np.uint64(1)).astype(np.uint8)
    return int.from_bytes(np.packbits(bits, bitorder="little").tobytes(), "little") or 1


def _rates(fp, pos, neg, thresholds):
    cache: dict[str, int] = {}

    def get(t: str) -> int:
        if t not in cache:
            cache[t] = fp(t)
        return cache[t]

    start = time.perf_counter()
    dp = np.array([(get(a) ^ get(b)).bit_count() for a, b in pos])
    dn = np.array([(get(a) ^ get(b)).bit_count() for a, b in neg])
    per_text = (time.perf_counter() - start) / len(cache) * 1000
    for th in thresholds:
        yield th, float(np.mean(dp > th)), float(np.mean(dn <= th)), int(np.sum(dn <= th)), per_text


def _groups(texts: list[str], strength: int) -> None:
    """Story level: are all five versions of a story in one group, and alone in it?"""
    rng = random.Random(11)
    versions = [[t] + [copy_of(t, rng, strength=strength) for _ in range(4)] for t in texts]
    versions += [list(pair) for pair in SAME_EVENT]  # each report is its own story
    flat = [v for story in versions for v in story]
    owner = [i for i, story in enumerate(versions) for _ in story]
    for name, fp, th in (
        ("simhash 64 (baseline)", simhash64, 16),
        ("1-bit minhash 256, blake2b", minhash_blake2b, fpmod.THRESHOLD),
        ("1-bit minhash 256 (chosen)", fpmod.fingerprint, fpmod.THRESHOLD),
    ):
        ids = fpmod.group([fp(t) for t in flat], threshold=th)
        split = sum(
            1
            for i, story in enumerate(versions[: len(texts)])
            if len({ids[k] for k, o in enumerate(owner) if o == i}) > 1
        )
        stories_in = {}
        for gid, o in zip(ids, owner, strict=True):
            stories_in.setdefault(gid, set()).add(o)
        merged = sum(1 for s in stories_in.values() if len(s) > 1)
        print(
            f"{name:28} threshold {th}: {split}/{len(texts)} stories split, "
            f"{merged} groups merging different stories"
        )


def report(texts: list[str]) -> None:
    for strength in (1, 2):
        pos, neg = pairs(texts, strength=strength)
        print(
            f"\nsyndication set, edit strength {strength}: {len(texts)} stories x 5 versions, "
            f"{len(pos)} copy pairs, {len(neg)} different-story pairs (same site boilerplate, "
            f"incl. 4 independent same-event reports)"
        )
        head = ("max dist", "missed", "false", "n false", "ms/text")
        print(f"{'scheme (pairs)':28} " + " ".join(f"{h:>8}" for h in head))
        rows = [
            ("simhash 64 (baseline)", simhash64, (8, 12, 16, 20)),
            ("1-bit minhash 256, blake2b", minhash_blake2b, (64, 72, fpmod.THRESHOLD, 88)),
            ("1-bit minhash 256 (chosen)", fpmod.fingerprint, (64, 72, fpmod.THRESHOLD, 88)),
        ]
        for name, fp, thresholds in rows:
            for th, missed, false, nfalse, ms in _rates(fp, pos, neg, thresholds):
                mark = " <-" if fp is fpmod.fingerprint and th == fpmod.THRESHOLD else ""
                print(f"{name:28} {th:8} {missed:8.4f} {false:8.5f} {nfalse:8} {ms:8.2f}{mark}")
        _groups(texts, strength)
    rng = np.random.default_rng(0)
    many = [int.from_bytes(rng.bytes(32), "big") for _ in range(20000)]
    start = time.perf_counter()
    fpmod.group(many)
    print(f"\ngroup() over 20,000 fingerprints: {time.perf_counter() - start:.1f} s")
