"""How fast the matcher is, beside the naive way and the exact-scan floor, in one run.

    python bench/match_speed.py [--mb 50] [--people 10000] [--backfill-mb 100] [--repeat 3]

Generates (never commits) a watchlist of PEOPLE people with 5 aliases each, in
Latin and Cyrillic, and MB of news-like text in English and Russian with mentions
in many forms. Prints:
  - index build time, throughput (MB of text per second on one core, best of
    --repeat runs), peak RSS;
  - the naive approach (rapidfuzz partial_ratio of every alias against every
    document) timed on a sample and scaled to the corpus, and its recall on the
    labelled set beside ours;
  - the floor: an exact multi-pattern scan of every alias, lower-cased, over the
    lower-cased text (pyahocorasick), timed in turn with ours, and how many mentions
    it finds beside ours;
  - backfill: documents read from a DuckDB archive and matched on 2 processes,
    scaled to 1 GB.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

import ahocorasick  # noqa: E402
import duckdb  # noqa: E402
from anyascii import anyascii  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from watch.match import Matcher, fold  # noqa: E402
from watch.records import Person  # noqa: E402

# Syllables of Kyrgyz, Kazakh, Uzbek, Turkmen and Tajik names, in Cyrillic.
ONSETS = ["", "Б", "Д", "Ж", "З", "К", "Қ", "Л", "М", "Н", "Р", "С", "Т", "Ш", "Х", "Ч", "Ғ", "Й"]
VOWELS = ["а", "о", "у", "ы", "и", "е", "ө", "ү", "ә"]
CODAS = ["", "н", "р", "л", "м", "т", "к", "ш", "з", "с", "й", "нг", "ж", "рд", "лт"]
GIVEN_ENDS = ["бек", "жан", "гуль", "бай", "нур", "мурат", "али", "хон", "ой", "ан", "ат", "ар"]
SURNAME_ENDS = ["ов", "ев", "ова", "ева", "ин", "бекова", "баев", " уулу", " кызы", "заде"]


def syllable(rng: random.Random) -> str:
    return rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS)


def name_part(rng: random.Random, syllables: int, end: str) -> str:
    word = "".join(syllable(rng) for _ in range(syllables)) + end
    return word[:1].upper() + word[1:].lower()


WORDS_EN = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "by",
    "at",
    "from",
    "court",
    "said",
    "police",
    "rights",
    "government",
    "report",
    "activist",
    "prison",
    "sentence",
    "appeal",
    "human",
    "minister",
    "year",
    "week",
    "told",
    "press",
    "detained",
    "released",
    "charged",
    "trial",
    "lawyer",
    "family",
    "official",
    "statement",
    "border",
    "water",
    "protest",
    "election",
    "parliament",
    "journalist",
    "region",
    "district",
    "city",
    "village",
    "economy",
    "price",
    "gas",
    "cotton",
]
WORDS_RU = [
    "и",
    "в",
    "не",
    "на",
    "что",
    "по",
    "с",
    "из",
    "за",
    "к",
    "о",
    "от",
    "суд",
    "полиция",
    "права",
    "правительство",
    "доклад",
    "активист",
    "тюрьма",
    "приговор",
    "апелляция",
    "министр",
    "год",
    "неделя",
    "заявил",
    "пресса",
    "задержан",
    "освобожден",
    "обвинение",
    "процесс",
    "адвокат",
    "семья",
    "заявление",
    "граница",
    "вода",
    "протест",
    "выборы",
    "парламент",
]


def make_people(n: int, rng: random.Random) -> list[Person]:
    """n people, each with a Cyrillic name and four other forms of it."""
    people = []
    seen = set()
    while len(people) < n:
        given_cyr = name_part(rng, rng.randint(1, 2), rng.choice(GIVEN_ENDS))
        surname_cyr = name_part(rng, rng.randint(1, 3), rng.choice(SURNAME_ENDS))
        surname_cyr = " ".join(
            w.capitalize() if i == 0 else w for i, w in enumerate(surname_cyr.split())
        )
        cyr = f"{given_cyr} {surname_cyr}"
        if cyr in seen or len(given_cyr) < 4:
            continue
        seen.add(cyr)
        latin = anyascii(cyr)
        alt = latin.replace("Zh", "J").replace("zh", "j").replace("Kh", "H").replace("kh", "h")
        given, surname = anyascii(given_cyr), anyascii(surname_cyr)
        aliases = (
            cyr,
            alt if alt != latin else latin.replace("y", "i"),
            f"{surname.upper()} {given}",
            f"{given} {anyascii(name_part(rng, 2, ''))}ovich {surname}",
            f"{surname_cyr} {given_cyr}",
        )
        people.append(Person(f"p{len(people)}", latin, aliases=aliases))
    return people


RU_FORMS = ["{g} {s}", "{g}а {s}а", "{g}у {s}у", "{g}ом {s}ым", "{s} {g}", "{i}. {s}"]
EN_FORMS = ["{g} {s}", "{S} {g}", "{i}. {s}", "{g} {s}'s", "{g}-{s}"]


def mention(person: Person, rng: random.Random, russian: bool) -> str:
    cyr = person.aliases[0]
    g, s = cyr.split(" ", 1)
    if not russian:
        g, s = anyascii(g), anyascii(s)
    # Russian case endings only where the bench knows them: a consonant-final given name
    plain = g[-1] in "аяйиеоуыьюәө" or not s.endswith(("ов", "ев", "ин"))
    if (russian and plain) or (not russian and rng.random() < 0.5):
        return f"{g} {s}"
    form = rng.choice(RU_FORMS if russian else EN_FORMS)
    return form.format(g=g, s=s, S=s.upper(), i=g[0])


TRUTH: list[tuple[int, str]] = []


def recall(found: list[set[str]]) -> float:
    """Share of the injected mentions whose person was found in their document."""
    return sum(1 for doc, pid in TRUTH if pid in found[doc]) / max(1, len(TRUTH))


def make_corpus(
    mb: float, people: list[Person], rng: random.Random, density: float = 0.01
) -> list[str]:
    """News-like documents; `density` of the sentences name a watched person.
    The people named in each document are kept in TRUTH, for recall."""
    docs, size = [], 0
    TRUTH.clear()
    while size < mb * 1_000_000:
        russian = rng.random() < 0.5
        words = WORDS_RU if russian else WORDS_EN
        sentences = []
        for _ in range(rng.randint(15, 40)):
            sentence = [rng.choice(words) for _ in range(rng.randint(8, 20))]
            if rng.random() < density:
                person = rng.choice(people)
                sentence.insert(rng.randint(0, len(sentence)), mention(person, rng, russian))
                TRUTH.append((len(docs), person.id))
            text = " ".join(sentence)
            sentences.append(text[:1].upper() + text[1:] + ".")
        doc = " ".join(sentences)
        docs.append(doc)
        size += len(doc.encode("utf-8"))
    return docs


def mb_of(docs: list[str]) -> float:
    return sum(len(d.encode("utf-8")) for d in docs) / 1e6


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def naive_find(aliases: list[tuple[str, str]], text: str, threshold: float = 90) -> set[str]:
    folded = fold(text)
    return {pid for pid, alias in aliases if fuzz.partial_ratio(alias, folded) >= threshold}


def labelled_recall(naive: bool) -> tuple[float, float]:
    from tests.test_match_labelled import load_cases, load_people

    people = load_people()
    cases = load_cases()
    aliases = [(p.id, fold(n)) for p in people for n in p.names]
    matcher = Matcher(people)
    tp = fp = fn = 0
    for _, want, text in cases:
        got = naive_find(aliases, text) if naive else {m.person_id for m in matcher.find(text)}
        tp += len(got & set(want))
        fp += len(got - set(want))
        fn += len(set(want) - got)
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


_worker_matcher: Matcher | None = None


def _match_range(db: str, lo: int, hi: int) -> tuple[int, float]:
    """One worker: read its own slice of the archive (no text crosses a pipe) and match it."""
    con = duckdb.connect(db, read_only=True)
    cursor = con.execute("SELECT text FROM documents WHERE id >= ? AND id < ?", [lo, hi])
    found = 0
    size = 0
    while rows := cursor.fetchmany(500):
        for (text,) in rows:
            found += len(_worker_matcher.find(text))
            size += len(text)
    con.close()
    return found, size


def backfill(db: Path, people: list[Person], workers: int = 2) -> tuple[float, float, int]:
    """Build the index once, fork `workers` processes that share it, and let each read and
    match slices of documents(id, text). Returns (build seconds, match seconds, mentions)."""
    global _worker_matcher
    started = time.perf_counter()
    _worker_matcher = Matcher(people)  # forked children share it: built once
    built = time.perf_counter() - started
    con = duckdb.connect(str(db), read_only=True)
    (count,) = con.execute("SELECT count(*) FROM documents").fetchone()
    con.close()
    step = 1000
    sys.stdout.flush()  # children must not inherit (and write again) what is buffered
    with mp.get_context("fork").Pool(workers) as pool:
        jobs = [
            pool.apply_async(_match_range, (str(db), lo, lo + step)) for lo in range(0, count, step)
        ]
        total = sum(job.get()[0] for job in jobs)
    return built, time.perf_counter() - started - built, total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--backfill-mb", type=float, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs; the best is printed")
    ap.add_argument("--density", type=float, default=0.01, help="sentences naming someone")
    args = ap.parse_args()
    rng = random.Random(args.seed)

    people = make_people(args.people, rng)
    docs = make_corpus(args.mb, people, rng, args.density)
    size = mb_of(docs)
    print(
        f"watchlist: {len(people)} people x {1 + len(people[0].aliases)} names; "
        f"corpus: {len(docs)} documents, {size:.1f} MB"
    )

    # CPU seconds of this process (one core) beside wall seconds: the machine is shared
    started, cpu = time.perf_counter(), time.process_time()
    matcher = Matcher(people)
    build, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"index build: {build_cpu:.2f} s CPU ({build:.2f} s wall)")

    # the floor: every alias as written, lower-cased like the text, in one Aho-Corasick pass
    auto = ahocorasick.Automaton()
    for p in people:
        for name in p.names:
            auto.add_word(name.lower(), p.id)
    auto.make_automaton()

    # Both sides from the raw text to the names found (our folding and their lower-casing
    # counted), turn about, best of --repeat: the machine is shared and CPU time still
    # varies with what runs beside.
    elapsed = wall = floor = float("inf")
    for _ in range(args.repeat):
        started, cpu = time.perf_counter(), time.process_time()
        found = [matcher.find(d) for d in docs]
        wall = min(wall, time.perf_counter() - started)
        elapsed = min(elapsed, time.process_time() - cpu)
        cpu = time.process_time()
        exact_found = [{pid for _, pid in auto.iter(d.lower())} for d in docs]
        floor = min(floor, time.process_time() - cpu)
    ours = sum(map(len, found))
    print(
        f"appealwatch: {elapsed:.2f} s CPU ({wall:.2f} s wall), {size / elapsed:.1f} MB/s "
        f"per core, {ours} mentions ({ours / size:.0f} per MB); recall of the "
        f"{len(TRUTH)} names put in: {recall([{m.person_id for m in f} for f in found]):.3f}"
    )

    exact = sum(map(len, exact_found))
    print(
        f"exact scan (pyahocorasick, the floor): {floor:.2f} s, {size / floor:.1f} MB/s, "
        f"{exact} hits; appealwatch is {elapsed / floor:.1f}x the floor "
        f"and finds {ours - exact:+d} mentions more; its recall of the names put in: "
        f"{recall(exact_found):.3f}"
    )

    # the naive way: partial_ratio of every alias against every document, on a sample
    aliases = [(p.id, fold(n)) for p in people for n in p.names]
    sample_aliases = aliases[:2000]
    sample_docs = docs[:3]
    cpu = time.process_time()
    for d in sample_docs:
        naive_find(sample_aliases, d)
    per_pair = (time.process_time() - cpu) / (len(sample_aliases) * len(sample_docs))
    naive_total = per_pair * len(aliases) * len(docs)
    print(
        f"naive partial_ratio: {per_pair * 1e6:.1f} us per alias x document; "
        f"scaled to the corpus {naive_total:.0f} s ({naive_total / 3600:.1f} h); "
        f"appealwatch is {naive_total / elapsed:.0f}x faster"
    )
    for label, naive in (("appealwatch", False), ("naive", True)):
        p, r = labelled_recall(naive)
        print(f"labelled set, {label}: precision {p:.3f} recall {r:.3f}")
    print(f"peak RSS so far: {peak_rss_mb():.0f} MB")

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "archive.duckdb"
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE documents(id BIGINT, text VARCHAR)")
        archive = docs if args.backfill_mb <= size else docs * int(args.backfill_mb // size + 1)
        archive = archive[: int(len(archive) * min(1.0, args.backfill_mb / mb_of(archive)))]
        con.executemany("INSERT INTO documents VALUES (?, ?)", list(enumerate(archive)))
        con.close()
        archive_mb = mb_of(archive)
        built, seconds, found = backfill(db, people)
        per_gb = built + seconds * 1000 / archive_mb
        print(
            f"backfill: {archive_mb:.0f} MB archive, 2 processes: index {built:.1f} s + "
            f"reading and matching {seconds:.1f} s wall ({found} mentions); 1 GB = index + "
            f"matching scaled by size: {per_gb:.0f} s ({per_gb / 60:.1f} min)"
        )


if __name__ == "__main__":
    main()
