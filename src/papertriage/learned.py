"""The learned part of the score: "more like what I kept".

Feedback: papers with any tag, or whose latest (not undone) triage decision is keep or
read, are kept; papers whose latest decision is skip (and that have no tag) are skipped.

Model (relevance feedback, Rocchio style): each feedback paper becomes a TF-IDF vector
of the index's terms (porter stems) over its title and abstract, title words counting
``title_weight`` times, sublinear term frequency, idf from an evenly spread sample of the
store, unit length. The profile vector is the mean kept vector minus ``skipped`` times
the mean skipped vector; its strongest terms (``POSITIVE`` most positive, ``NEGATIVE``
most negative) are kept with their weights.

Scoring a paper: each of those terms found in it adds weight x a BM25-style saturation
of how it was found (title counts ``title_weight``, abstract 1, both add) against the
paper's length. The sum is divided by the median sum of the kept papers, so a paper
scores 1.0 when it is as close to the profile as a typical kept paper, and the profile's
``learned`` weight turns that into points.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .textindex import Scratch, surface_queries

POSITIVE = 150  # strongest kept-side terms used for scoring
NEGATIVE = 50  # strongest skipped-side terms
MAX_FEEDBACK = 300  # most recent kept (and skipped) papers the model is fitted on
SAMPLE = 2000  # papers spread over the store for document frequencies
K1, B = 1.2, 0.75  # BM25 saturation and length normalisation
AVG_LENGTH = 1100.0  # characters of title + abstract of a typical arXiv paper


@dataclass
class FeedbackPaper:
    pk: int
    id: str
    title: str
    abstract: str
    kept: bool


@dataclass
class Term:
    stem: str
    query: str  # an FTS5 string whose stem is `stem`
    weight: float


@dataclass
class Model:
    terms: list[Term]
    scale: float  # the median raw score of the kept papers
    kept: list[FeedbackPaper]
    skipped: list[FeedbackPaper]
    vectors: dict[int, dict[str, float]] = field(default_factory=dict)  # pk -> unit vector
    idf: dict[str, float] = field(default_factory=dict)
    title_weight: float = 2.0


def load_feedback(conn: sqlite3.Connection, limit: int = MAX_FEEDBACK) -> list[FeedbackPaper]:
    """The kept and skipped papers, most recent first (at most ``limit`` of each)."""
    latest = """
        SELECT paper_id, decision, id FROM decisions d
        WHERE undone = 0 AND id = (
            SELECT max(id) FROM decisions WHERE paper_id = d.paper_id AND undone = 0)
    """
    tagged = {
        r[0]: r[1]
        for r in conn.execute("SELECT paper_id, max(created) FROM tags GROUP BY paper_id")
    }
    decided = {r[0]: (r[1], r[2]) for r in conn.execute(latest)}
    order: dict[str, tuple[bool, str]] = {}
    for pid, created in tagged.items():
        order[pid] = (True, f"t{created or ''}")
    for pid, (decision, did) in decided.items():
        if decision in ("keep", "read"):
            order.setdefault(pid, (True, f"d{did:012d}"))
        elif decision == "skip" and pid not in tagged:
            order[pid] = (False, f"d{did:012d}")
    out: list[FeedbackPaper] = []
    for kept in (True, False):
        pids = sorted((p for p, (k, _) in order.items() if k == kept), key=lambda p: order[p][1])
        rows = _papers(conn, pids[::-1][:limit])
        out += [FeedbackPaper(r[0], r[1], r[2] or "", r[3] or "", kept) for r in rows]
    return out


def _papers(conn: sqlite3.Connection, pids: list[str]) -> list[tuple[Any, ...]]:
    import json

    return conn.execute(
        "SELECT p.pk, p.id, p.title, p.abstract FROM json_each(?) j JOIN papers p ON p.id = j.value "
        "ORDER BY j.key",
        [json.dumps(pids)],
    ).fetchall()


def fit(
    conn: sqlite3.Connection,
    feedback: list[FeedbackPaper],
    title_weight: float = 2.0,
    skipped: float = 0.5,
) -> Model | None:
    """The model for this feedback; None without kept papers."""
    kept = [f for f in feedback if f.kept]
    if not kept:
        return None
    skip = [f for f in feedback if not f.kept]
    idf = _idf(conn)
    with Scratch(conn) as s:
        s.add((f.pk, f.title, f.abstract) for f in feedback)
        counts: dict[int, dict[str, float]] = defaultdict(dict)
        for pk, col, term, n in s.terms():
            weight = title_weight if col == "title" else 1.0
            counts[pk][term] = counts[pk].get(term, 0.0) + weight * n
    vectors = {pk: vector(tf, idf) for pk, tf in counts.items()}
    profile: dict[str, float] = defaultdict(float)
    for group, factor in ((kept, 1.0), (skip, -skipped)):
        for f in group:
            for term, x in vectors.get(f.pk, {}).items():
                profile[term] += factor * x / len(group)
    terms = _strongest(conn, profile, POSITIVE, NEGATIVE if skip else 0)
    model = Model(terms, 1.0, kept, skip, vectors, idf, title_weight)
    raw = feedback_scores(conn, model, [(f.pk, len(f.title) + len(f.abstract)) for f in kept])
    values = sorted(raw.get(f.pk, 0.0) for f in kept)
    median = values[len(values) // 2] if values else 0.0
    model.scale = median if median > 0 else 1.0
    return model


def _idf(conn: sqlite3.Connection) -> dict[str, float]:
    """Smoothed idf of the terms of an evenly spread sample of the store.

    Terms in more than half of the sample are left out (they say nothing); the key ""
    holds the idf of a term the sample never saw."""
    lo, hi = conn.execute("SELECT min(pk), max(pk) FROM papers").fetchone()
    if lo is None:
        return {"": 1.0}
    stride = max(1, (hi - lo + 1) // SAMPLE)
    with Scratch(conn) as s:
        s.add_papers(range(lo, hi + 1, stride))
        total = conn.execute(f"SELECT count(*) FROM {s.name}").fetchone()[0] or 1
        df = s.doc_counts()
    idf = {t: math.log((1 + total) / (1 + d)) + 1.0 for t, d in df.items() if d * 2 <= total}
    idf[""] = math.log(1 + total) + 1.0
    common = {t for t, d in df.items() if d * 2 > total}
    for t in common:
        idf[t] = 0.0
    return idf


def vector(tf: dict[str, float], idf: dict[str, float]) -> dict[str, float]:
    """A unit TF-IDF vector from weighted term counts (digits and 1-letter terms left out)."""
    unseen = idf[""]
    vec = {}
    for t, n in tf.items():
        x = idf.get(t, unseen)
        if x and n > 0 and len(t) > 1 and not t.isdigit():
            vec[t] = (1.0 + math.log(n)) * x if n >= 1 else n * x
    norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
    return {t: x / norm for t, x in vec.items()}


def _strongest(
    conn: sqlite3.Connection, profile: dict[str, float], pos: int, neg: int
) -> list[Term]:
    ranked = sorted(profile.items(), key=lambda tw: (-tw[1], tw[0]))
    chosen = [tw for tw in ranked[: pos * 2] if tw[1] > 0]
    chosen += [tw for tw in ranked[::-1][: neg * 2] if tw[1] < 0] if neg else []
    queries = surface_queries(conn, [t for t, _ in chosen])
    out, n_pos, n_neg = [], 0, 0
    for term, weight in chosen:
        if term not in queries:
            continue
        if weight > 0 and n_pos < pos:
            n_pos += 1
        elif weight < 0 and n_neg < neg:
            n_neg += 1
        else:
            continue
        out.append(Term(term, queries[term], weight))
    return out


def feedback_scores(
    conn: sqlite3.Connection, model: Model, papers: list[tuple[int, int]]
) -> dict[int, float]:
    """Raw learned scores of a few papers (pk, length), computed on a scratch copy."""
    with Scratch(conn) as s:
        s.add_papers([pk for pk, _ in papers])
        return raw_scores(s, model, dict(papers))


def raw_scores(
    view: Any, model: Model, lengths: dict[int, int], detail: dict[str, float] | None = None
) -> dict[int, float]:
    """Sum of term weight x saturation over the papers of a view (those in ``lengths``).

    ``detail`` (for one paper) receives each term's share."""
    out: dict[int, float] = {}
    tw = model.title_weight
    norm = {pk: K1 * (1 - B + B * n / AVG_LENGTH) for pk, n in lengths.items()}
    for term in model.terms:
        in_title = set(view.hits(f"title : {term.query}"))
        in_abstract = set(view.hits(f"abstract : {term.query}"))
        for pk in in_title | in_abstract:
            k = norm.get(pk)
            if k is None:
                continue
            x = (tw if pk in in_title else 0.0) + (1.0 if pk in in_abstract else 0.0)
            value = term.weight * x * (K1 + 1) / (x + k)
            out[pk] = out.get(pk, 0.0) + value
            if detail is not None:
                detail[term.stem] = value
    return out
