"""A synthetic store for the rank benchmarks, made by varying real fixture records.

Each synthetic paper takes the title of one real record with a word or two from another,
an abstract made of sentences from three real records (mostly of the same category),
authors, categories and optionally Hugging Face upvotes, and a date: papers are spread
evenly over the last ``days`` days and inserted oldest first, as a real store grows.
The store is built once per (size, days) and cached under $TMPDIR.

    uv run python benchmarks/rank_corpus.py 30000     # prints the store path
"""

from __future__ import annotations

import random
import re
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from papertriage.models import Paper, make_paper
from papertriage.sources.formats import parse_bytes
from papertriage.store.db import open_db, transaction
from papertriage.store.ingest import Ingest
from papertriage.store.runs import finish_run, start_run

FIXTURES = Path("/work/shared/fixtures")
SOURCES = [
    ("arxiv_oai/ListRecords_arXiv_resumption_436115-95001_2013-05-24.xml", "arxiv-oai"),
    ("arxiv_oai/ListRecords_arXivRaw_from2016-10-20_page1.xml", "arxiv-oai"),
    ("arxiv_kaggle/arxiv-metadata-oai-snapshot_head200.jsonl", "kaggle"),
    *((f"hf_daily/{p.name}", "hf-daily") for p in sorted((FIXTURES / "hf_daily").glob("*.json"))),
]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def real_papers() -> list[Paper]:
    """Every distinct fixture paper with a title, an abstract and categories."""
    seen: dict[str, Paper] = {}
    for rel, fmt in SOURCES:
        data = (FIXTURES / rel).read_bytes()
        for p in parse_bytes(data, rel, fmt):
            if p.title and p.abstract and p.id not in seen:
                seen[p.id] = p
    return list(seen.values())


def synthetic(base: list[Paper], start: int, count: int, n: int, days: int) -> list[Paper]:
    """Papers ``start`` .. ``start + count`` of a corpus of ``n`` over ``days`` days."""
    rng = random.Random(start)
    by_cat: dict[str, list[Paper]] = {}
    for p in base:
        by_cat.setdefault(p.primary_category or "?", []).append(p)
    sentences = {p.id: _SENTENCE.split(p.abstract or "") for p in base}
    names = sorted({a for p in base for a in p.authors})
    today = date.today()
    out = []
    for i in range(start, start + count):
        day = today - timedelta(days=days - 1 - (i * days) // n)
        main = rng.choice(base)
        pool = by_cat.get(main.primary_category or "?", base)
        others = [rng.choice(pool), rng.choice(pool if rng.random() < 0.8 else base)]
        abstract = []
        for p in (main, *others):
            ss = sentences[p.id]
            k = rng.randint(1, max(1, len(ss) // 2))
            start = rng.randint(0, len(ss) - k)
            abstract.extend(ss[start : start + k])
        words = main.title.split()
        donor = rng.choice(pool).title.split()
        for _ in range(rng.randint(0, 2)):
            words[rng.randrange(len(words))] = rng.choice(donor)
        authors = list(main.authors[:3]) + rng.sample(names, rng.randint(0, 3))
        upvotes = rng.choice([None] * 9 + [rng.randint(0, 300)])
        out.append(
            make_paper(
                id=f"{day:%y%m}.{_serial(i, day, n, days):05d}",
                title=" ".join(words),
                abstract=" ".join(abstract),
                authors=authors,
                categories=main.categories,
                published=day.isoformat(),
                hf_upvotes=upvotes,
                github_stars=rng.choice([None] * 19 + [rng.randint(0, 5000)]),
                source="synthetic",
            )
        )
    return out


def _serial(i: int, day: date, n: int, days: int) -> int:
    """A number unique within the paper's month: papers before it in the same month."""
    first = day.replace(day=1)
    today = date.today()
    first_i = -(-(days - 1 - (today - first).days) * n // days)  # first index on that day
    return max(0, i - max(0, first_i)) + 1


def build(n: int, days: int | None = None, path: Path | None = None) -> Path:
    """A store of ``n`` synthetic papers over ``days`` days (default n/1000)."""
    days = days or max(1, n // 1000)
    path = path or Path(tempfile.gettempdir()) / f"papertriage-rank-{n}-{days}.db"
    if path.exists():
        return path
    tmp = path.with_suffix(".part")
    tmp.unlink(missing_ok=True)
    conn = open_db(tmp)
    base = real_papers()
    chunk = 20000
    for start in range(0, n, chunk):
        papers = synthetic(base, start, min(chunk, n - start), n, days)
        with transaction(conn):
            run = start_run(conn, "import", "synthetic")
            ingest = Ingest(conn, run, keep_raw=False)
            ingest.add(papers)
            finish_run(conn, run, "ok", ingest.counts)
    conn.close()
    tmp.rename(path)
    return path


if __name__ == "__main__":
    print(build(int(sys.argv[1]) if len(sys.argv) > 1 else 30000))
