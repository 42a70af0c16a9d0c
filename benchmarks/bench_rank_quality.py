"""How well "more like what I kept" finds what the user wants, on real papers.

The store holds every fixture paper with arXiv categories (OAI-PMH arXiv and arXivRaw
harvests, the Kaggle snapshot head: about 1,600 papers, 2007-2016). For a category C
and a seed, 20 papers listing C are marked kept (triage decision `keep`) and 20 papers
not listing C skipped; the model sees titles and abstracts only (the profile has no
categories, keywords, popularity or recency). The other papers are ranked, and a paper
counts as relevant when it lists C. Reported: precision@20 and nDCG@20, averaged over
every category with at least 50 papers and several seeds.

In the same run, arxiv-sanity-lite's recipe on the same papers and the same feedback:
TF-IDF over title + abstract (unigrams and bigrams, sublinear tf, English stop words,
20,000 features, min_df 5, max_df 0.1) and a linear SVM (LinearSVC, C=0.01, balanced
class weights) trained with the kept papers as positives and every other paper as a
negative, ranking by decision function. It needs scikit-learn, which papertriage does
not depend on:

    uv run --with scikit-learn python benchmarks/bench_rank_quality.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).parent))

from rank_corpus import real_papers  # noqa: E402

from papertriage.rank.profile import Profile  # noqa: E402
from papertriage.rank.ranking import score_papers  # noqa: E402
from papertriage.store.db import open_db, transaction  # noqa: E402
from papertriage.store.ingest import Ingest  # noqa: E402
from papertriage.store.queries import list_papers  # noqa: E402

N_KEPT = N_SKIPPED = 20
AT = 20
MIN_PAPERS = 50
LEARNED_ONLY = Profile(upvotes=0, stars=0, recency=0, learned=1)


def build_store(path: Path) -> list[dict]:
    conn = open_db(path)
    papers = [p for p in real_papers() if p.categories]
    with transaction(conn):
        Ingest(conn, None, keep_raw=False).add(papers)
    rows = list_papers(conn, limit=None)
    conn.close()
    return rows


def categories(rows: list[dict]) -> list[str]:
    counts: dict[str, int] = {}
    for r in rows:
        for c in set(r["categories"]):
            counts[c] = counts.get(c, 0) + 1
    # math.MP is always cross-listed with math-ph: the same set of papers
    return sorted(c for c, n in counts.items() if n >= MIN_PAPERS and c != "math.MP")


def metrics(ranked_ids: list[str], relevant: set[str]) -> tuple[float, float]:
    top = ranked_ids[:AT]
    hits = [1.0 if pid in relevant else 0.0 for pid in top]
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(AT, len(relevant))))
    return sum(hits) / AT, dcg / ideal if ideal else 0.0


def feedback(rows: list[dict], cat: str, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(f"{cat}/{seed}")
    inside = sorted(r["id"] for r in rows if cat in r["categories"])
    outside = sorted(r["id"] for r in rows if cat not in r["categories"])
    return rng.sample(inside, N_KEPT), rng.sample(outside, N_SKIPPED)


def ours(conn, rows: list[dict], kept: list[str], skipped: list[str]) -> list[str]:
    conn.execute("DELETE FROM decisions")
    conn.executemany(
        "INSERT INTO decisions (paper_id, decision, created) VALUES (?, ?, '2026-01-01')",
        [(pid, "keep") for pid in kept] + [(pid, "skip") for pid in skipped],
    )
    fb = set(kept) | set(skipped)
    candidates = [r for r in rows if r["id"] not in fb]
    return [r["id"] for _s, r in score_papers(conn, candidates, LEARNED_ONLY)]


class SanityLite:
    """arxiv-sanity-lite's features and SVM (compute.py and serve.py's svm_rank)."""

    def __init__(self, rows: list[dict]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids = [r["id"] for r in rows]
        vectorizer = TfidfVectorizer(
            input="content",
            encoding="utf-8",
            decode_error="replace",
            strip_accents="unicode",
            lowercase=True,
            analyzer="word",
            stop_words="english",
            token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b",
            ngram_range=(1, 2),
            max_features=20000,
            norm="l2",
            use_idf=True,
            smooth_idf=True,
            sublinear_tf=True,
            max_df=0.1,
            min_df=5,
        )
        self.x = vectorizer.fit_transform(f"{r['title']} {r['abstract'] or ''}" for r in rows)

    def rank(self, kept: list[str], skipped: list[str]) -> list[str]:
        import numpy as np
        from sklearn import svm

        y = np.array([1.0 if pid in set(kept) else 0.0 for pid in self.ids])
        clf = svm.LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01)
        clf.fit(self.x, y)
        s = clf.decision_function(self.x)
        fb = set(kept) | set(skipped)
        order = sorted(range(len(self.ids)), key=lambda i: -s[i])
        return [self.ids[i] for i in order if self.ids[i] not in fb]


def _show(results: list[tuple[float, float]]) -> str:
    if not results:
        return f"{'-':>22}"
    p, n = mean(x[0] for x in results), mean(x[1] for x in results)
    return f"{p:>13.3f}{n:>9.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "quality.db"
        rows = build_store(path)
        conn = open_db(path)
        cats = categories(rows)
        try:
            sanity = SanityLite(rows)
        except ImportError:
            sanity = None
            print("scikit-learn not installed: run with `uv run --with scikit-learn ...`")
        print(f"{len(rows)} papers, {len(cats)} categories x {args.seeds} seeds")
        print(
            f"{'category':<20}{'n':>5}{'random':>8}  {'papertriage p@20 nDCG':>22}  {'sanity-lite p@20 nDCG':>22}"
        )
        results: dict[str, list[tuple[float, float]]] = {"ours": [], "svm": [], "random": []}
        seconds = []
        for cat in cats:
            relevant_all = {r["id"] for r in rows if cat in r["categories"]}
            per: dict[str, list[tuple[float, float]]] = {"ours": [], "svm": []}
            for seed in range(args.seeds):
                kept, skipped = feedback(rows, cat, seed)
                relevant = relevant_all - set(kept)
                t = time.perf_counter()
                per["ours"].append(metrics(ours(conn, rows, kept, skipped), relevant))
                seconds.append(time.perf_counter() - t)
                if sanity:
                    per["svm"].append(metrics(sanity.rank(kept, skipped), relevant))
            base = len(relevant_all - set(kept)) / (len(rows) - N_KEPT - N_SKIPPED)
            results["random"].append((base, base))
            for k in per:
                results[k] += per[k]

            print(
                f"{cat:<20}{len(relevant_all):>5}{base:>8.3f}  {_show(per['ours'])}  {_show(per['svm'])}"
            )
        print("-" * 80)
        for k, label in (
            ("ours", "papertriage"),
            ("svm", "arxiv-sanity-lite SVM"),
            ("random", "random order"),
        ):
            if results[k]:
                p, n = mean(x[0] for x in results[k]), mean(x[1] for x in results[k])
                print(f"{label:<24} precision@20 {p:.3f}   nDCG@20 {n:.3f}")
        print(f"papertriage: {mean(seconds) * 1000:.0f} ms per ranking (fit + score) on average")


if __name__ == "__main__":
    main()
