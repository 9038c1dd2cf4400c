"""Charset detection: corpus article texts re-encoded in legacy charsets, decoded back.

Each sample is an article's ground-truth text (first 300 or 3,000 characters)
wrapped in <p>, encoded in a charset its language used on the web, with no
label. A detector is right when its guess decodes the bytes to the same text.
watch.charset.decode is also run with wrong labels (utf-8, iso-8859-1).
"""

from __future__ import annotations

import time

from watch.charset import decode

LEGACY = {
    "ru": ["cp1251", "koi8_r"],
    "zh": ["gb18030", "big5"],
    "ja": ["shift_jis", "euc_jp"],
    "ko": ["euc_kr"],
    "de": ["cp1252"],
    "fr": ["cp1252"],
    "es": ["cp1252"],
    "pt": ["cp1252"],
    "it": ["cp1252"],
    "fi": ["cp1252"],
    "pl": ["cp1250"],
    "ar": ["cp1256"],
}


def samples(pages) -> list[tuple[str, str, bytes, str]]:
    out = []
    for page in pages:
        if page.lang not in LEGACY:
            continue
        text = page.truth.get("articleBody") or " ".join(page.truth.get("with", []))
        for codec in LEGACY[page.lang]:
            for n in (300, 3000):
                html = f"<html><body><p>{text[:n]}</p></body></html>"
                if html.isascii():
                    continue
                try:
                    out.append((page.lang, codec, html.encode(codec), html))
                except UnicodeEncodeError:
                    continue
    return out


def _detectors():
    found = {}
    try:
        from charset_normalizer import from_bytes

        def normalizer(data: bytes) -> str | None:
            best = from_bytes(data).best()
            return best.encoding if best else None

        found["charset-normalizer"] = normalizer
    except ImportError:
        pass
    try:
        import chardet

        found["chardet"] = lambda data: chardet.detect(data)["encoding"]
    except ImportError:
        pass
    try:
        import cchardet

        found["faust-cchardet (uchardet)"] = lambda data: cchardet.detect(data)["encoding"]
    except ImportError:
        pass
    for label in (None, "text/html; charset=utf-8", "text/html; charset=iso-8859-1"):
        name = f"watch.charset.decode, label {label.split('=')[1] if label else 'none'}"
        found[name] = lambda data, label=label: ("decoded", decode(data, label)[0])
    return found


def report(pages) -> None:
    cases = samples(pages)
    print(f"\ncharset detection: {len(cases)} legacy-encoded samples from the corpus, no label")
    print(f"{'detector':40} {'right':>6} {'of':>4} {'ms/sample':>10}  wrong (lang, codec -> guess)")
    for name, detect in _detectors().items():
        right = 0
        wrong = []
        start = time.perf_counter()
        for lang, codec, data, html in cases:
            guess = detect(data)
            if isinstance(guess, tuple):
                ok = guess[1] == html
                guess = "?"
            else:
                try:
                    ok = bool(guess) and data.decode(guess) == html
                except (LookupError, UnicodeDecodeError):
                    ok = False
            right += ok
            if not ok:
                wrong.append(f"{lang},{codec}->{guess}")
        ms = (time.perf_counter() - start) / len(cases) * 1000
        shown = " ".join(sorted(set(wrong))[:4])
        print(f"{name:40} {right:6} {len(cases):4} {ms:10.2f}  {shown}")
