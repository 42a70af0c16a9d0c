"""Variants of the learned part, measured in seconds instead of minutes (issue 15).

bench_rank_feedback.py runs the real `rank` command for every topic and seed. This
script scores the same trials (the same stores, labels and seeded marks: the stores of
``bench_rank_feedback.py --dir DIR``) in Python instead: every paper's stems as the
store's FTS5 index makes them (a scratch table's fts5vocab), the store sample of
rank/learned.py, and a variant of the fit and the scoring given as JSON options. With no
options it reproduces the learned part alone (hf2000-masked, k = 5: 0.347, as the real
benchmark); see benchmarks/README.md (third round) for what was tried. Options: ``title``
(TITLE), ``skipped``, ``common`` (COMMON), ``min_df`` (least document count in the
sample), ``pos`` / ``neg`` (terms kept), ``bigram_w`` (with ``--bigrams``), ``idf_pow`` (the weights
times idf to this power), ``nn`` / ``nn_w`` (each kept paper's nearest sample papers
added as kept ones of this strength), ``fit``
("mean" or "svm": liblinear's squared-hinge dual coordinate descent over the sample and
the feedback, ``C``, ``epochs``), ``score`` (presence as the product scores, "tf_len",
"pres_norm", "pres_sqrtlen", "pres_bm25b", "dot"; ``all_terms``), ``svm_ref`` (the
benchmark's SVM instead). SEEDS in the environment: seeds (3).

    uv run --with scikit-learn python benchmarks/bench_learned_variants.py DIR \
        hf2000-masked --bigrams --ks 3,5 '[{}, {"title": 1.0}]'
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).parent))
import bench_rank_feedback as bf  # noqa: E402

from papertriage.find.textindex import Scratch, Stemmer  # noqa: E402
from papertriage.rank import learned as L  # noqa: E402
from papertriage.store.db import open_db  # noqa: E402
from papertriage.store.queries import list_papers  # noqa: E402


def load(name: str, d: Path):
    path = d / f"{name}.db"
    conn = open_db(path)
    rows = list_papers(conn, limit=None)
    if name == "arxiv":
        labels = bf.category_labels(rows)
    else:
        tmp = Path(tempfile.mkdtemp())
        files = bf.hf_files(tmp)
        chosen = files if name.startswith("hf2000") else bf.first_days(files, 1000)
        originals = bf.original_titles(chosen)
        ids = {r["id"] for r in rows}
        labels = {t: s & ids for t, s in bf.topic_labels(originals).items()}
    papers = conn.execute("SELECT pk, id, title, abstract FROM papers").fetchall()
    # token sequences per pk per column
    seqs: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"title": [], "abstract": []})
    with Scratch(conn) as s:
        s.add_papers([p[0] for p in papers])
        vocab = s._vocab("instance")
        for doc, col, term in conn.execute(
            f"SELECT doc, col, term FROM {vocab} WHERE col IN ('title','abstract') ORDER BY doc, col, offset"
        ):
            seqs[doc][col].append(term)
    allpk = {p[0] for p in papers}
    sample = [pk for pk in L.sample_keys(conn) if pk in allpk]
    stop = {t for terms in Stemmer(conn).tokens(L.STOP_WORDS).values() for t in terms[:1]}
    info = {p[0]: (p[1], len(p[2] or "") + len(p[3] or "")) for p in papers}
    return conn, rows, labels, seqs, sample, stop, info


def feats(seq: dict[str, list[str]], bigrams: bool, stop: set[str]):
    """column -> {feature: count}"""
    out = {}
    for col, toks in seq.items():
        c: dict[str, int] = defaultdict(int)
        for t in toks:
            c[t] += 1
        if bigrams:
            for a, b in zip(toks, toks[1:], strict=False):
                if a in stop or b in stop or a.isdigit() or b.isdigit() or len(a) < 2 or len(b) < 2:
                    continue
                c[a + " " + b] += 1
        out[col] = c
    return out


class Exp:
    def __init__(self, name, d, bigrams=False):
        self.name = name
        (self.conn, self.rows, self.labels, seqs, self.sample, self.stop, self.info) = load(name, d)
        self.F = {pk: feats(s, bigrams, self.stop) for pk, s in seqs.items()}
        self.total = len(self.sample)
        df: dict[str, int] = defaultdict(int)
        for pk in self.sample:
            f = self.F[pk]
            for t in set(f["title"]) | set(f["abstract"]):
                df[t] += 1
        self.df = df
        self.id2pk = {v[0]: k for k, v in self.info.items()}

    def idf(self, t, opts):
        d = self.df.get(t, 0)
        if len(t) < 2 or t.isdigit() or t in self.stop or d > opts.get("common", 0.5) * self.total:
            return 0.0
        if d < opts.get("min_df", 0):
            return 0.0
        if opts.get("min_df_abs") and d == 0:
            return 0.0
        unseen = math.log(1 + self.total) + 1.0
        return math.log((1 + self.total) / (1 + d)) + 1.0 if d else unseen

    def counts(self, pk, opts):
        f = self.F[pk]
        tw = opts.get("title", L.TITLE)
        c: dict[str, float] = defaultdict(float)
        for col, w in (("title", tw), ("abstract", 1.0)):
            for t, n in f[col].items():
                c[t] += w * n
        return c

    def vec(self, pk, opts, cache, raw=False):
        if pk in cache:
            return cache[pk]
        v = {}
        for t, c in self.counts(pk, opts).items():
            x = self.idf(t, opts)
            if x:
                if " " in t:
                    x *= opts.get("bigram_w", 1.0)
                v[t] = (1.0 + math.log(c) if c >= 1 else c) * x
        nrm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        if raw:
            return nrm
        v = {t: x / nrm for t, x in v.items()}
        cache[pk] = v
        return v

    def weights(self, kept, skipped, opts, cache):
        fit = opts.get("fit", "mean")
        if fit == "mean":
            out: dict[str, float] = defaultdict(float)
            if opts.get("nn"):  # the kept papers' nearest sample papers, as weak kept ones
                m, strength = opts["nn"], opts.get("nn_w", 0.5)
                near: dict[int, float] = defaultdict(float)
                for pk in kept:
                    v = self.vec(pk, opts, cache)
                    sims = []
                    for q in self.sample:
                        if q in kept or q in skipped:
                            continue
                        u = self.vec(q, opts, cache)
                        sims.append((sum(x * u.get(t, 0.0) for t, x in v.items()), q))
                    for _sim, q in sorted(sims, reverse=True)[:m]:
                        near[q] += 1
                extra = sorted(near, key=lambda q: -near[q])[: m * len(kept)]
                n = len(kept) + strength * len(extra)
                for group, w in ((kept, 1.0), (extra, strength)):
                    for pk in group:
                        for t, x in self.vec(pk, opts, cache).items():
                            out[t] += w * x / n
                for pk in skipped:
                    for t, x in self.vec(pk, opts, cache).items():
                        out[t] -= opts.get("skipped", 0.5) * x / len(skipped)
                return {t: w * self.idf(t, opts) for t, w in out.items()}
            for group, sign in ((kept, 1.0), (skipped, -opts.get("skipped", 0.5))):
                for pk in group:
                    for t, x in self.vec(pk, opts, cache).items():
                        out[t] += sign * x / len(group)
            return {t: w * self.idf(t, opts) ** opts.get("idf_pow", 1.0) for t, w in out.items()}
        if fit == "svm":
            return self.svm(kept, skipped, opts, cache)
        raise ValueError(fit)

    def svm(self, kept, skipped, opts, cache):
        """liblinear dual CD, squared hinge (LinearSVC), balanced weights, bias feature."""
        neg = (
            [pk for pk in self.sample if pk not in set(kept)]
            if opts.get("neg_sample", True)
            else []
        )
        neg = list(dict.fromkeys(neg + list(skipped)))
        xs = [self.vec(pk, opts, cache) for pk in kept] + [self.vec(pk, opts, cache) for pk in neg]
        ys = [1.0] * len(kept) + [-1.0] * len(neg)
        n = len(xs)
        C = opts.get("C", 0.01)
        cp = C * n / (2 * len(kept))
        cn = C * n / (2 * len(neg))
        sw = opts.get("skip_w", 1.0)
        Cs = [cp] * len(kept) + [cn * (sw if pk in set(skipped) else 1.0) for pk in neg]
        D = [1 / (2 * c) for c in Cs]
        B = opts.get("bias", 1.0)
        Q = [sum(x * x for x in v.values()) + B * B + d for v, d in zip(xs, D, strict=False)]
        alpha = [0.0] * n
        w: dict[str, float] = defaultdict(float)
        b = 0.0
        order = list(range(n))
        rng = random.Random(0)
        for _ep in range(opts.get("epochs", 5)):
            rng.shuffle(order)
            for i in order:
                v, y = xs[i], ys[i]
                g = y * (sum(w.get(t, 0.0) * x for t, x in v.items()) + b * B) - 1 + D[i] * alpha[i]
                a_new = max(0.0, alpha[i] - g / Q[i])
                da = (a_new - alpha[i]) * y
                if da:
                    alpha[i] = a_new
                    for t, x in v.items():
                        w[t] += da * x
                    b += da * B
        return dict(w)

    def run(self, opts, ks=(5,), seeds=3, min_papers=30):
        res = defaultdict(list)
        topics = sorted(t for t, ids in self.labels.items() if len(ids) >= min_papers)
        all_ids = sorted(r["id"] for r in self.rows)
        secs = []
        for k in ks:
            for topic in topics:
                inside = sorted(self.labels[topic])
                outside = sorted(set(all_ids) - self.labels[topic])
                for seed in range(seeds):
                    rng = random.Random(f"{self.name}/{topic}/{k}/{seed}")
                    kept, skipped = rng.sample(inside, k), rng.sample(outside, k)
                    relevant = self.labels[topic] - set(kept)
                    if opts.get("svm_ref"):
                        if not hasattr(self, "_svm"):
                            from bench_rank_quality import SanityLite

                            self._svm = SanityLite(self.rows)
                        r = self._svm.rank(kept, skipped)
                        res[k].append(sum(1 for i in r[:20] if i in relevant) / 20)
                        secs.append(0)
                        continue
                    kp = [self.id2pk[i] for i in kept]
                    sp = [self.id2pk[i] for i in skipped]
                    cache: dict = {}
                    t0 = time.process_time()
                    w = self.weights(kp, sp, opts, cache)
                    secs.append(time.process_time() - t0)
                    w = self.cut(w, opts)
                    marked = set(kp) | set(sp)
                    sc = []
                    tw = opts.get("title", L.TITLE)
                    for pk, f in self.F.items():
                        if pk in marked:
                            continue
                        mode = opts.get("score")
                        if mode == "dot":
                            v = self.vec(pk, opts, {})
                            s = sum(w.get(t, 0.0) * x for t, x in v.items())
                        elif mode in (
                            "pres_norm",
                            "pres_sqrtlen",
                            "pres_len",
                            "pres_bm25b",
                            "tf_len",
                        ):
                            s = sum(w.get(t, 0.0) for t in f["title"]) * tw + sum(
                                w.get(t, 0.0) for t in f["abstract"]
                            )
                            n = self.info[pk][1]
                            if mode == "pres_norm":
                                v = self.vec(pk, opts, {}, raw=True)
                                s /= v
                            elif mode == "pres_sqrtlen":
                                s /= max(n, 200) ** opts.get("lp", 0.5)
                            elif mode == "tf_len":
                                s = sum(
                                    w.get(t, 0.0) * (1 + math.log(c)) for t, c in f["title"].items()
                                ) * tw + sum(
                                    w.get(t, 0.0) * (1 + math.log(c))
                                    for t, c in f["abstract"].items()
                                )
                                s *= L.length_factor(n)
                            elif mode == "pres_bm25b":
                                s *= (L.K1 + 1) / (
                                    1 + L.K1 * (1 - opts["b"] + opts["b"] * n / L.AVG_LENGTH)
                                )
                        else:
                            s = sum(w.get(t, 0.0) for t in f["title"]) * tw + sum(
                                w.get(t, 0.0) for t in f["abstract"]
                            )
                            s *= L.length_factor(self.info[pk][1])
                        sc.append((-s, self.info[pk][0]))
                    sc.sort()
                    top = [i for _s, i in sc[:20]]
                    res[k].append(sum(1 for i in top if i in relevant) / 20)
        return {k: mean(v) for k, v in res.items()}, mean(secs)

    def cut(self, w, opts):
        if opts.get("score") == "dot" and opts.get("all_terms"):
            return w
        P, N = opts.get("pos", 300), opts.get("neg", 50)
        ranked = sorted(w, key=lambda t: (-w[t], t))
        pos = [t for t in ranked if w[t] > 0][:P]
        neg = [t for t in ranked[::-1] if w[t] < 0][:N]
        return {t: w[t] for t in pos + neg}


if __name__ == "__main__":
    import argparse
    import json
    import os

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir", type=Path, help="stores built by bench_rank_feedback.py --dir")
    ap.add_argument("store")
    ap.add_argument("variants", help="JSON list of option dicts")
    ap.add_argument("--bigrams", action="store_true")
    ap.add_argument("--ks", default="3,5")
    args = ap.parse_args()
    name, bigrams = args.store, args.bigrams
    ks = tuple(int(k) for k in args.ks.split(","))
    variants = json.loads(args.variants)
    t = time.time()
    e = Exp(name, args.dir, bigrams)
    print(f"# {name} bigrams={bigrams} loaded in {time.time() - t:.1f}s", flush=True)
    for v in variants:
        r, s = e.run(v, ks, seeds=int(os.environ.get("SEEDS", "3")))
        print(
            name,
            "bi" if bigrams else "uni",
            json.dumps(v),
            {k: round(x, 3) for k, x in r.items()},
            f"fit {s * 1000:.0f}ms",
            flush=True,
        )
