"""Does `rank`, as a new user gets it, put what they kept first? Real papers, few marks.

Stores (built once per run, in a temporary directory):

- ``hf1000`` / ``hf2000``: real Hugging Face daily listings of 2024
  (``../shared/fixtures/hf_daily_2024.tar.xz``: 144 days, 2,009 papers), imported with
  ``papertriage import``: the first days up to about 1,000 papers, and all of them;
- ``arxiv``: the 1,587 fixture papers with arXiv categories (bench_rank_quality's store
  and its 13 categories of at least 50 papers).

Labels, which no ranker is given:

- HF papers have no categories or other hand-assigned field, so a paper's topic is
  defined by a seed list of words matched in its **title** (``TOPICS``, e.g. video:
  ``\\bvideos?\\b``). The lists are never given to papertriage (no keywords in its
  profile) nor to the SVM; but both see the titles, so the labels are lexical and favour
  lexical rankers: read the numbers as "finds the papers of the kind I marked", not as
  true relevance.
- ``hf1000-masked`` / ``hf2000-masked``: the same papers and the same labels, but every
  word a topic's pattern matches (``video``, ``diffusion``, ``agents``...) is cut out of
  every title and abstract before the import: no ranker sees a word its labels came
  from, and each must find a topic from the other words of its papers. These are the
  labels that do not come from the rankers' features.
- arXiv papers: the category lists of the papers (assigned by authors and moderators).

For each store, topic (or category) with at least ``MIN_PAPERS`` papers, number k of
marks (3, 5, 10) and seed: k papers of the topic are marked read and k papers outside it
skipped, with ``papertriage mark``; then

- **rank as printed**: ``papertriage rank -n 20 -f ids`` with no config (the default
  profile), run through the real command (Typer's CliRunner, in this process), its
  output parsed; a paper marked in this run counts as not relevant (it is not news);
- **learned alone**: the same store and marks, the learned part only (no upvotes,
  stars or recency), over the papers not marked;
- **SVM**: arxiv-sanity-lite's recipe (bench_rank_quality.SanityLite: tf-idf over title
  and abstract, LinearSVC C=0.01, the read papers positive and every other negative) over
  the papers not marked.

Reported: precision@20 per store and k, averaged over topics and seeds; the share of
the printed top 20 that was marked in this run; and how much of the learned model rests
on terms seen in a single kept paper (issue 15's cause 3): the share of its positive
terms found in only one kept paper, the share of the positive weight they carry, the
share of the positive learned points of the learned part's top 20 that they give, and
the mean weight of such a term against that of a term found in every kept paper. Needs scikit-learn for the SVM:

    uv run --with scikit-learn python benchmarks/bench_rank_feedback.py [--seeds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from statistics import mean
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_rank_quality import SanityLite, categories  # noqa: E402
from bench_rank_quality import build_store as build_arxiv_store  # noqa: E402

from papertriage.rank.profile import Profile  # noqa: E402
from papertriage.rank.ranking import score_papers  # noqa: E402
from papertriage.store.db import open_db  # noqa: E402
from papertriage.store.queries import list_papers  # noqa: E402

HF_TAR = Path("/work/shared/fixtures/hf_daily_2024.tar.xz")
AT = 20
MIN_PAPERS = 30
KS = (3, 5, 10)
LEARNED_ONLY = Profile(upvotes=0, stars=0, recency=0)
# A topic: a paper whose title matches the pattern (case-insensitive).
TOPICS = {
    "3d": r"\b3d\b|gaussian splat|nerf|radiance field|\bmesh|point cloud|novel view",
    "video": r"\bvideos?\b",
    "audio": r"speech|audio|music|\btts\b|voice|sound|spoken",
    "robotics": r"robot|embodied|manipulation|driving|navigation",
    "code": r"\bcode\b|coding|programming|software",
    "agents": r"\bagent",
    "rl-alignment": r"preference|alignment|rlhf|reward|reinforcement",
    "multimodal": r"vision[- ]language|multimodal|multi-modal|\bvlms?\b|\bmllms?\b|\blmms?\b",
    "efficiency": r"quantiz|pruning|sparsit|compress|distill|low-bit|kv cache|efficient",
    "diffusion": r"diffusion|text-to-image|image generation|image editing",
    "retrieval": r"retrieval|\brag\b|long[- ]context",
    "bio-medical": r"medical|clinical|health|biomedical|molecul|protein",
}


class Cli:
    """The real command line, in this process, on one store, with no config file."""

    def __init__(self, db: Path, home: Path) -> None:
        from typer.testing import CliRunner

        from papertriage.cli.app import app

        self.app, self.runner, self.db = app, CliRunner(), db
        os.environ["PAPERTRIAGE_HOME"] = str(home)
        os.environ["PAPERTRIAGE_CONFIG"] = str(home / "no-config.yaml")

    def __call__(self, *args: str) -> str:
        result = self.runner.invoke(self.app, [*args, "--db", str(self.db)])
        if result.exit_code != 0:
            raise RuntimeError(f"papertriage {' '.join(args)}: {result.output}")
        return result.stdout


def hf_files(tmp: Path) -> list[Path]:
    """The HF daily listings, oldest day first."""
    with tarfile.open(HF_TAR) as tar:
        tar.extractall(tmp, filter="data")
    files = list((tmp / "hf_daily_2024").glob("*.json"))
    return sorted(files, key=lambda f: (f.name.split("__")[1], f.name))


def build_hf_store(path: Path, files: list[Path], home: Path) -> None:
    cli = Cli(path, home)
    for start in range(0, len(files), 50):
        cli("import", *(str(f) for f in files[start : start + 50]))


def first_days(files: list[Path], papers: int) -> list[Path]:
    """The first listings that together hold about ``papers`` distinct papers."""
    import json

    seen: set[str] = set()
    out = []
    for f in files:
        out.append(f)
        seen.update(item["paper"]["id"] for item in json.loads(f.read_text()))
        if len(seen) >= papers:
            break
    return out


def topic_labels(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    return {
        name: {r["id"] for r in rows if re.search(pattern, r["title"] or "", re.I)}
        for name, pattern in TOPICS.items()
    }


_TOPIC_WORDS = re.compile("|".join(rf"\w*(?:{p})\w*" for p in TOPICS.values()), re.I)


def masked_files(files: list[Path], out: Path) -> list[Path]:
    """Copies of the listings with every word a topic pattern matches cut out of the
    titles and abstracts (the labels are taken from the originals)."""
    import json

    out.mkdir(exist_ok=True)
    masked = []
    for f in files:
        items = json.loads(f.read_text())
        for item in items:
            paper = item.get("paper") or {}
            for holder, key in ((paper, "title"), (paper, "summary"), (item, "title")):
                if isinstance(holder.get(key), str):
                    holder[key] = _TOPIC_WORDS.sub(" ", holder[key])
        (out / f.name).write_text(json.dumps(items))
        masked.append(out / f.name)
    return masked


def original_titles(files: list[Path]) -> list[dict[str, Any]]:
    import json

    return [
        {"id": item["paper"]["id"], "title": item.get("title") or item["paper"].get("title") or ""}
        for f in files
        for item in json.loads(f.read_text())
    ]


def category_labels(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    """bench_rank_quality's categories: those with at least 50 papers, but math.MP."""
    return {c: {r["id"] for r in rows if c in r["categories"]} for c in categories(rows)}


def precision(ranked: list[str], relevant: set[str]) -> float:
    return sum(1 for pid in ranked[:AT] if pid in relevant) / AT


def single_paper_terms(conn: Any, top: list[str]) -> dict[str, float]:
    """How much of the fitted model rests on terms of a single kept paper (cause 3); ``top``:
    the learned part's top 20, whose positive learned points are split the same way."""
    from papertriage.find.textindex import Scratch
    from papertriage.rank import learned
    from papertriage.rank.ranker import paper_pks

    model = learned.fit(conn, learned.load_feedback(conn))
    if model is None:
        return {}
    kept = [model.vectors.get(f.pk, {}) for f in model.kept]
    r = {t.stem: sum(1 for v in kept if t.stem in v) for t in model.terms}
    pos = [(t.weight, r[t.stem]) for t in model.terms if t.weight > 0]
    if not pos:
        return {}
    single = [w for w, n in pos if n <= 1]
    every = [w for w, n in pos if n == len(kept)]
    out = {
        "single-paper terms": len(single) / len(pos),
        "single-paper weight": sum(single) / sum(w for w, _n in pos),
    }
    found = paper_pks(conn, top[:AT])
    one = total = 0.0
    with Scratch(conn) as s:
        s.add_papers([pk for pk, _n in found.values()])
        for pk, length in found.values():
            for stem, points in learned.term_shares(s, model, pk, length).items():
                if points > 0:
                    total += points
                    one += points if r[stem] <= 1 else 0.0
    if total:
        out["top 20 points"] = one / total
    if single and every:  # the mean weights, where both kinds are there
        out["w single"], out["w every"] = mean(single), mean(every)
    return out


def run_store(
    name: str, path: Path, labels: dict[str, set[str]], home: Path, seeds: int, ks: tuple[int, ...]
) -> dict[tuple[str, int], list[float]]:
    conn = open_db(path)
    rows = list_papers(conn, limit=None)
    cli = Cli(path, home)
    try:
        svm: SanityLite | None = SanityLite(rows)
    except ImportError:
        svm = None
        print("scikit-learn not installed: no SVM (run with `uv run --with scikit-learn ...`)")
    topics = sorted(t for t, ids in labels.items() if len(ids) >= MIN_PAPERS)
    print(f"\n{name}: {len(rows)} papers, {len(topics)} topics x {seeds} seeds x k in {ks}")
    out: dict[tuple[str, int], list[float]] = defaultdict(list)
    all_ids = sorted(r["id"] for r in rows)
    seconds = []
    for k in ks:
        for topic in topics:
            inside = sorted(labels[topic])
            outside = sorted(set(all_ids) - labels[topic])
            for seed in range(seeds):
                rng = random.Random(f"{name}/{topic}/{k}/{seed}")
                kept, skipped = rng.sample(inside, k), rng.sample(outside, k)
                relevant = labels[topic] - set(kept)
                conn.execute("DELETE FROM decisions")
                conn.commit()
                cli("mark", *kept, "read")
                cli("mark", *skipped, "skip")
                t = time.perf_counter()
                printed = cli("rank", "-n", str(AT), "-f", "ids").split()
                seconds.append(time.perf_counter() - t)
                marked = set(kept) | set(skipped)
                out["printed", k].append(precision(printed, relevant))
                out["marked in top 20", k].append(sum(1 for p in printed if p in marked) / AT)
                candidates = [r for r in rows if r["id"] not in marked]
                alone = [r["id"] for _s, r in score_papers(conn, candidates, LEARNED_ONLY)]
                for key, value in single_paper_terms(conn, alone).items():
                    out[key, k].append(value)
                out["learned", k].append(precision(alone, relevant))
                if svm:
                    out["svm", k].append(precision(svm.rank(kept, skipped), relevant))
                out["random", k].append(len(relevant) / (len(rows) - 2 * k))
    conn.execute("DELETE FROM decisions")
    conn.commit()
    conn.close()
    print(
        f"{'k':>3}  {'rank printed':>12}  {'learned':>8}  {'SVM':>6}  {'printed/SVM':>11}"
        f"  {'random':>6}  {'marked in top 20':>16}"
        "  single-paper terms, their weight, top 20 points, w1 vs wk"
    )
    for k in ks:
        printed = mean(out["printed", k])
        svm_p = f"{mean(out['svm', k]):>6.3f}" if out["svm", k] else f"{'-':>6}"
        ratio = f"{printed / mean(out['svm', k]):>11.2f}" if out["svm", k] else f"{'-':>11}"
        terms = "  ".join(
            f"{mean(out[key, k]):.2f}"
            for key in (
                "single-paper terms",
                "single-paper weight",
                "top 20 points",
                "w single",
                "w every",
            )
            if out[key, k]
        )
        print(
            f"{k:>3}  {printed:>12.3f}  {mean(out['learned', k]):>8.3f}  {svm_p}  {ratio}"
            f"  {mean(out['random', k]):>6.3f}  {mean(out['marked in top 20', k]):>16.2f}  {terms}"
        )
    print(f"`rank` command: {mean(seconds) * 1000:.0f} ms on average (in process)")
    return out


def labelled_stores(
    names: list[str], keep: Path | None, tmp: Path, home: Path
) -> Iterator[tuple[str, Path, dict[str, set[str]]]]:
    """Each named store (built in ``keep``, or ``tmp``, unless already there) with its
    labels: topic or category -> the ids of its papers. ``home``: papertriage's home
    for the imports (made here)."""
    stores = keep or tmp
    stores.mkdir(parents=True, exist_ok=True)
    home.mkdir(exist_ok=True)
    files = hf_files(tmp)
    for name in names:
        path = stores / f"{name}.db"
        if name == "arxiv":
            rows = list_papers(open_db(path), limit=None) if path.exists() else []
            rows = rows or build_arxiv_store(path)
            yield name, path, category_labels(rows)
            continue
        chosen = files if name.startswith("hf2000") else first_days(files, 1000)
        originals = original_titles(chosen)
        if name.endswith("-masked"):
            chosen = masked_files(chosen, tmp / name)
        if not path.exists():
            build_hf_store(path, chosen, home)
        conn = open_db(path)
        in_store = {r["id"] for r in list_papers(conn, limit=None)}
        conn.close()
        yield name, path, {t: ids & in_store for t, ids in topic_labels(originals).items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument(
        "--stores", default="hf1000,hf2000,arxiv", help="also: hf1000-masked, hf2000-masked"
    )
    ap.add_argument("--ks", default=",".join(map(str, KS)))
    ap.add_argument("--dir", type=Path, help="keep the stores here and reuse them")
    args = ap.parse_args()
    ks = tuple(int(k) for k in args.ks.split(","))
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        for name, path, labels in labelled_stores(args.stores.split(","), args.dir, tmp, home):
            run_store(name, path, labels, home, args.seeds, ks)


if __name__ == "__main__":
    main()
