"""Generate a realistic arXiv corpus in the Kaggle snapshot JSONL format, of any size.

    uv run python benchmarks/generate.py 1000000 -o benchmarks/data/kaggle-1m.jsonl

Deterministic: the same size and --seed give the same bytes, whatever the number of
worker processes. Vocabulary, lengths and field shapes come from the recorded real
fixtures (/work/shared/fixtures): titles and abstracts are walks over word bigrams of
the real titles and abstracts; a small share of words are invented ones drawn from a
long-tailed (log-uniform) distribution, as real corpora are full of rare terms
(names, formulas, acronyms); authors are the fixtures' author names; lengths, author
counts, categories, comments, journal refs, licenses and version counts are drawn
from the fixtures' own distributions. Ids are new-style YYMM.NNNNN, unique, in order.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import corpus  # noqa: E402

CHUNK = 5000
FIRST_MONTH = (2015, 1)
MONTHS = 132  # 2015-01 .. 2025-12
RARE_RATE = 0.02  # share of abstract words that are invented, long-tailed terms
RARE_SPACE = 2_000_000
_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"][:40]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def rare_word(k: int) -> str:
    """The k-th invented word (k >= 1); smaller k are more frequent (P ~ 1/k)."""
    parts = []
    while True:
        k, digit = divmod(k, len(_SYLLABLES))
        parts.append(_SYLLABLES[digit])
        if not k:
            break
    return "q" + "".join(parts) + "x"


def rare_word_for(size: int, matches: int = 20) -> str:
    """An invented word expected in about `matches` abstracts of a corpus of `size`."""
    words = size * 140 * RARE_RATE  # abstracts average ~140 words
    k = max(1, round(words / (matches * math.log(RARE_SPACE))))
    return rare_word(k)


@dataclass
class Model:
    title_next: dict[str, tuple[str, ...]]
    title_starts: tuple[str, ...]
    text_next: dict[str, tuple[str, ...]]
    text_starts: tuple[str, ...]
    title_lengths: tuple[int, ...]
    abstract_lengths: tuple[int, ...]
    author_counts: tuple[int, ...]
    names: tuple[str, ...]
    samples: corpus.Samples


def _chain(texts: list[str]) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    follow: dict[str, list[str]] = {}
    starts: list[str] = []
    for text in texts:
        words = text.split()
        starts.append(words[0])
        for a, b in zip(words, words[1:], strict=False):
            follow.setdefault(a, []).append(b)
            if a.endswith("."):
                starts.append(b)
    return {k: tuple(v) for k, v in follow.items()}, tuple(starts)


def build_model(fixtures: Path = corpus.FIXTURES) -> Model:
    s = corpus.load(fixtures)
    title_next, title_starts = _chain(s.titles)
    text_next, text_starts = _chain(s.abstracts)
    names = sorted({n for authors in s.author_lists for n in authors})
    return Model(
        title_next,
        title_starts,
        text_next,
        text_starts,
        tuple(len(t.split()) for t in s.titles),
        tuple(len(a.split()) for a in s.abstracts),
        tuple(max(1, len(a)) for a in s.author_lists),
        tuple(names),
        s,
    )


def _walk(rnd: random.Random, follow: dict, starts: tuple, n: int, rare: float) -> list[str]:
    r = rnd.random
    w = starts[int(r() * len(starts))]
    out = [w]
    for _ in range(n - 1):
        if rare and r() < rare:
            out.append(rare_word(int(RARE_SPACE ** r())))
            continue
        nxt = follow.get(w)
        w = nxt[int(r() * len(nxt))] if nxt else starts[int(r() * len(starts))]
        out.append(w)
    return out


def _wrap(words: list[str], width: int, indent: str) -> str:
    """arXiv's hard-wrapped text: lines of at most `width` characters."""
    lines, line, size = [], [], 0
    for w in words:
        if line and size + 1 + len(w) > width:
            lines.append(" ".join(line))
            line, size = [], 0
        size += len(w) + (1 if line else 0)
        line.append(w)
    if line:
        lines.append(" ".join(line))
    return ("\n" + indent).join(lines)


def _rfc2822(dt: datetime) -> str:
    return dt.strftime("%a, ") + f"{dt.day} " + dt.strftime("%b %Y %H:%M:%S GMT")


def _id_for(i: int, size: int) -> tuple[str, int, int]:
    """The i-th id of a corpus: records spread evenly over MONTHS, numbered within each."""
    month = i * MONTHS // size
    first = -(-month * size // MONTHS)  # the first record of that month
    year, mon = divmod(FIRST_MONTH[0] * 12 + FIRST_MONTH[1] - 1 + month, 12)
    return f"{year % 100:02d}{mon + 1:02d}.{i - first + 1:05d}", year, mon + 1


def _record(m: Model, rnd: random.Random, i: int, size: int) -> dict:
    r = rnd.random
    s = m.samples
    pick = lambda seq: seq[int(r() * len(seq))]  # noqa: E731
    pid, year, month = _id_for(i, size)
    title = _walk(rnd, m.title_next, m.title_starts, max(2, pick(m.title_lengths)), 0.0)
    abstract = _walk(rnd, m.text_next, m.text_starts, max(5, pick(m.abstract_lengths)), RARE_RATE)
    authors = [pick(m.names) for _ in range(pick(m.author_counts))]
    j = int(r() * len(s.categories))
    created = datetime(year, month, 1, tzinfo=UTC) + timedelta(seconds=int(r() * 27 * 86400))
    versions = [{"version": "v1", "created": _rfc2822(created)}]
    for v in range(2, pick(s.version_counts) + 1):
        created += timedelta(seconds=int(r() * 200 * 86400) + 3600)
        versions.append({"version": f"v{v}", "created": _rfc2822(created)})
    doi = s.dois[j] and f"10.{1000 + int(r() * 9000)}/{pid.replace('.', '')}.{int(r() * 1e4)}"
    parsed = [[*(a.rsplit(" ", 1)[::-1] if " " in a else [a, ""]), ""] for a in authors]
    return {
        "id": pid,
        "submitter": authors[0] if r() < 0.8 else pick(m.names),
        "authors": ", ".join(authors[:-1]) + (" and " if len(authors) > 1 else "") + authors[-1],
        "title": _wrap(title, 72, "  "),
        "comments": s.comments[j],
        "journal-ref": s.journal_refs[j],
        "doi": doi,
        "report-no": f"PREPRINT-{year}-{int(r() * 999):03d}" if r() < 0.05 else None,
        "categories": " ".join(s.categories[j]),
        "license": s.licenses[j],
        "abstract": "  " + _wrap(abstract, 80, "") + "\n",
        "versions": versions,
        "update_date": (created + timedelta(days=int(r() * 30))).date().isoformat(),
        "authors_parsed": parsed,
    }


_MODEL: Model | None = None


def _chunk(args: tuple[int, int, int]) -> bytes:
    seed, index, size = args
    assert _MODEL is not None
    rnd = random.Random(f"{seed}:{index}")
    start, stop = index * CHUNK, min(size, (index + 1) * CHUNK)
    lines = [
        json.dumps(_record(_MODEL, rnd, i, size), separators=(",", ":")) for i in range(start, stop)
    ]
    return ("\n".join(lines) + "\n").encode()


def generate(
    size: int,
    out: Path,
    seed: int = 8,
    workers: int | None = None,
    fixtures: Path = corpus.FIXTURES,
) -> None:
    """Write `size` records to `out` (through a temporary file, renamed when complete)."""
    global _MODEL
    _MODEL = build_model(fixtures)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    jobs = [(seed, k, size) for k in range(-(-size // CHUNK))]
    workers = workers or os.cpu_count() or 1
    started = time.monotonic()
    with tmp.open("wb") as fh:
        if workers == 1 or len(jobs) == 1:
            for job in jobs:
                fh.write(_chunk(job))
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for n, data in enumerate(pool.imap(_chunk, jobs), 1):
                    fh.write(data)
                    if n % 20 == 0:
                        print(f"\r{n * CHUNK:,} records", end="", file=sys.stderr, flush=True)
    tmp.replace(out)
    secs = time.monotonic() - started
    print(f"\rwrote {size:,} records to {out} in {secs:.0f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", type=int, help="number of records")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--fixtures", type=Path, default=corpus.FIXTURES)
    args = parser.parse_args()
    generate(args.size, args.output, args.seed, args.workers, args.fixtures)


if __name__ == "__main__":
    main()
