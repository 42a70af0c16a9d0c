"""The learned part of the score: "more like what I kept".

Feedback (``opinions``): a paper's latest triage decision in force wins: keep or read
is kept, skip is skipped, whatever its tags; a tagged paper without a decision is a weak
kept one (it counts ``TAGGED`` of a kept paper).

Model: a linear one over unit TF-IDF vectors, as arxiv-sanity-lite's SVM learns (kept
papers against all others), in its closed form: with its strong regularisation (C=0.01)
every paper is inside the margin and the SVM's weights are the kept papers' mean vector
minus the others'. Each feedback paper's vector: for each index term (a porter stem),
(1 + log tf) x idf (the idf from an evenly spread sample of ``SAMPLE`` papers of the
store), scaled to length 1. A term's weight: the mean of the kept papers' vectors minus
``skipped`` times the mean of the skipped papers', times its idf (a paper's own vector
has the idf in it too). The store's other papers, spread over thousands of terms, are
left out: as a background they cost the masked benchmark a few points (issue 15).
Function words and the stock words of abstracts (``STOP_WORDS``) and terms in more than
``COMMON`` of the store's papers are left out. The ``POSITIVE`` terms with the highest
weight and the ``NEGATIVE`` with the lowest are used: a word all 5 kept papers share
weighs about 5 times one of a single kept paper of the same rarity, so the words a
user's papers share lead, not the rare words of one paper (a name, a dataset). Scoring
a paper: the weights of those terms found in its title
(times ``TITLE``) and its abstract are summed, and the sum multiplied by BM25's
saturation of one occurrence for the paper's length. The result is divided by the median
of the kept papers', so a paper scores 1.0 when it is as close to them as a typical kept
paper; the profile's ``learned`` weight turns that into points. A feedback paper itself
is scored leaving itself out (``Model.own``): its side's mean is taken over the other
papers of that side, so a paper just tagged does not top the ranking by matching itself.

The TF-IDF vectors of the feedback papers are kept too, to show in an explanation which
kept papers a paper is most like.
"""

from __future__ import annotations

import math
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..find import textcache
from ..find.textindex import Scratch, Stemmer, paper_terms, surface_queries, tokenizer

POSITIVE = 300  # terms of kept papers used for scoring
NEGATIVE = 50  # terms of skipped papers
COMMON = 0.5  # terms in more than this share of papers are not used (slow, say little)
TAGGED = 0.5  # a tagged paper without a decision counts as this much of a kept one
MAX_FEEDBACK = 300  # most recent kept (and skipped) papers the model is fitted on
SAMPLE = 1000  # papers spread over the store for document frequencies
K1, B = 2.0, 0.75  # BM25 saturation and length normalisation
# A term in the title counts this many times one in the abstract. Below 1: a title's
# words are mostly in its abstract too (so such a word counts 1.8 in all), and on the
# benchmarks whose labels no ranker sees (arXiv categories, the masked HF stores) a
# heavier title loses (benchmarks/README.md, issue 15).
TITLE = 0.8
AVG_LENGTH = 1100.0  # characters of title + abstract of a typical arXiv paper
# Words that say nothing about a paper's kind: function words, and the verbiage of any
# abstract ("we propose a novel method that outperforms..."). Left out of the model.
STOP_WORDS = """
a about above across after afterwards again against all almost alone along already
also although always am among amongst an and another any anyhow anyone anything
anyway anywhere are around as at be became because become becomes becoming been
before beforehand behind being below beside besides between beyond both but by can
cannot could did do does doing done down due during each either else elsewhere
enough especially etc even ever every everything everywhere except few for former
formerly from further furthermore had has have having he hence her here hereby
herein hers herself him himself his how however i ie if in indeed into is it its
itself just last latter least less many may me meanwhile might more moreover most
mostly much must my myself namely neither never nevertheless next no nobody none nor
not nothing now nowhere of off often on once one only onto or other others otherwise
our ours ourselves out over own per perhaps rather same seem seemed seeming seems
several she should since so some somehow something sometimes somewhat still such
than that the their theirs them themselves then thence there thereafter thereby
therefore therein thereof these they this those though through throughout thus to
together too toward towards under unless until up upon us very via was we well were
what whatever when whenever where whereas whereby wherein whether which while
whither who whoever whole whom whose why will with within without would yet you your
yours yourself yourselves
propose proposed proposes method methods approach approaches novel result results
show shows shown paper work works existing performance demonstrate demonstrates
achieve achieves achieving significantly significant various based using use used
new task tasks experiments experiment extensive state art introduce introduces
present presents study address effectiveness effective superior outperform
outperforms outperforming compared comparable previous prior recent recently
furthermore framework including include includes first two three different current
key data however challenge challenges enable enables improve improves improved
improvement improvements
""".split()


@dataclass
class FeedbackPaper:
    pk: int
    id: str
    title: str
    abstract: str
    kept: bool
    strength: float = 1.0  # a tag alone: TAGGED


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
    counts: dict[int, dict[str, float]] = field(default_factory=dict)  # pk -> term counts
    idf: dict[str, float] = field(default_factory=dict)
    # Leave one out: each feedback paper's own part of the weights (pk -> term -> weight)
    # and of its raw score before the length factor, taken off its own score.
    own: dict[int, dict[str, float]] = field(default_factory=dict)
    own_raw: dict[int, float] = field(default_factory=dict)
    _vectors: dict[int, dict[str, float]] | None = None

    @property
    def vectors(self) -> dict[int, dict[str, float]]:
        """pk -> unit TF-IDF vector of each feedback paper (made when first asked: only
        explanations need them)."""
        if self._vectors is None:
            self._vectors = {pk: vector(tf, self.idf) for pk, tf in self.counts.items()}
        return self._vectors


# A tag a watch gave its match (watch/watches.py) is the watch's, not the user's judgement.
_NOT_BY_A_WATCH = """
    WHERE NOT EXISTS (SELECT 1 FROM watch_matches m JOIN watches w ON w.name = m.watch
                      WHERE m.paper_id = t.paper_id AND w.tag = t.tag)
    GROUP BY paper_id"""


def opinions(conn: sqlite3.Connection) -> dict[str, tuple[bool, float, str]]:
    """What the user said about each paper: id -> (kept, strength, when).

    The one rule for "kept" and "skipped": a paper's latest decision in force wins
    (keep or read: kept, strength 1; skip: skipped, strength 1), whatever its tags; a
    tag alone, with no decision in force, is a weak "kept" (strength ``TAGGED``).
    ``when``: the decision's (or latest tag's) time, for "most recent first"."""
    latest = """
        SELECT paper_id, decision, created, id FROM decisions d
        WHERE undone = 0 AND id = (
            SELECT max(id) FROM decisions WHERE paper_id = d.paper_id AND undone = 0)
    """
    out: dict[str, tuple[bool, float, str]] = {}
    for pid, created in conn.execute(f"SELECT paper_id, max(created) FROM tags t{_NOT_BY_A_WATCH}"):
        out[pid] = (True, TAGGED, created or "")
    for pid, decision, created, did in conn.execute(latest):
        when = f"{created or ''}#{did:012d}"
        if decision in ("keep", "read"):
            out[pid] = (True, 1.0, when)
        elif decision == "skip":
            out[pid] = (False, 1.0, when)
    return out


def load_feedback(conn: sqlite3.Connection, limit: int = MAX_FEEDBACK) -> list[FeedbackPaper]:
    """The kept and skipped papers (``opinions``), most recent first (at most ``limit``
    of each)."""
    said = opinions(conn)
    out: list[FeedbackPaper] = []
    for kept in (True, False):
        pids = sorted((p for p, o in said.items() if o[0] == kept), key=lambda p: said[p][2])
        rows = _papers(conn, pids[::-1][:limit])
        out += [
            FeedbackPaper(r[0], r[1], r[2] or "", r[3] or "", kept, said[r[1]][1]) for r in rows
        ]
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
    skipped: float = 0.5,
    sample: tuple[int, dict[str, int]] | None = None,
) -> Model | None:
    """The model for this feedback; None without kept papers. ``sample``: from
    ``store_sample`` (computed here if not given)."""
    kept = [f for f in feedback if f.kept]
    if not kept:
        return None
    skip = [f for f in feedback if not f.kept]
    total, df = sample or store_sample(conn)
    counts: dict[int, dict[str, float]] = defaultdict(dict)
    columns: dict[tuple[int, str], set[str]] = defaultdict(set)  # (pk, column) -> terms
    papers = [(f.pk, f.title, f.abstract) for f in feedback]
    for pk, col, term, n in paper_terms(conn, papers):  # as a Scratch's terms()
        weight = TITLE if col == "title" else 1.0
        counts[pk][term] = counts[pk].get(term, 0.0) + weight * n
        columns[pk, col].add(term)
    stop = {t for terms in Stemmer(conn).tokens(STOP_WORDS).values() for t in terms[:1]}
    weights, fitted = _weights(counts, kept, skip, skipped, total, df, stop)
    terms = _strongest(conn, weights)
    idf = {t: math.log((1 + total) / (1 + d)) + 1.0 for t, d in df.items() if d * 2 <= total}
    idf.update({t: 0.0 for t, d in df.items() if d * 2 > total})  # says nothing
    idf[""] = math.log(1 + total) + 1.0  # a term the sample never saw
    idf.update(dict.fromkeys(stop, 0.0))
    model = Model(terms, 1.0, kept, skip, counts, idf)
    # What raw_scores would give the kept papers (the same terms, found the same way),
    # their own part included: the scale of the model as it is.
    values = sorted(_raw_from_terms(model, f, columns) for f in kept)
    _leave_one_out(model, fitted, columns)
    median = values[len(values) // 2] if values else 0.0
    model.scale = median if median > 0 else 1.0
    return model


def _leave_one_out(model: Model, fitted: _Fitted, columns: dict[tuple[int, str], set[str]]) -> None:
    """Fill ``model.own``: what each feedback paper's score loses when its side of the
    model (the kept or the skipped papers' mean) is taken over the others of that side
    only, as if the model had been fitted without it (the terms and the scale stay)."""
    chosen = {t.stem for t in model.terms}
    idf = fitted.idf
    for group, side in ((model.kept, fitted.kept), (model.skipped, fitted.skipped)):
        n = sum(f.strength for f in group)
        for f in group:
            coef, vec = fitted.papers[f.pk]
            rest = n - f.strength
            stretch = n / rest if rest > 1e-9 else 0.0  # nobody else on its side: 0
            own = {}
            for t in chosen.intersection(vec):  # in weight space: x idf
                whole = side[t] * idf[t]
                own[t] = whole - (whole - coef * vec[t] * idf[t]) * stretch
            model.own[f.pk] = own
            model.own_raw[f.pk] = _found_sum(own.items(), f.pk, columns)


def sample_keys(conn: sqlite3.Connection) -> range:
    """The row keys the store sample reads: every stride-th from the smallest, the
    stride making about ``SAMPLE`` of them (empty for an empty store)."""
    # Two subqueries: min and max in one SELECT scan the table (0.14 s at 1M papers),
    # each alone is one look-up at an end of the primary key.
    lo, hi = conn.execute(
        "SELECT (SELECT min(pk) FROM papers), (SELECT max(pk) FROM papers)"
    ).fetchone()
    if lo is None:
        return range(0)
    return range(lo, hi + 1, max(1, (hi - lo + 1) // SAMPLE))


def store_sample(conn: sqlite3.Connection) -> tuple[int, dict[str, int]]:
    """(papers, term -> document count) over an evenly spread sample of the store.

    Kept between runs (find.textcache: checked against the sampled papers' text, and
    brought up to date with the papers sampled since)."""
    keys = sample_keys(conn)
    if not keys:
        return 0, {}
    lo, hi, stride = keys.start, keys.stop - 1, keys.step
    path = textcache.store_file(conn)
    key = [tokenizer(conn), lo, stride]
    cached = textcache.load(path, key, {"hi": int, "crc": str, "total": int, "df": dict})
    done, crc, total, df = lo - 1, "", 0, {}
    if cached is not None and cached["hi"] <= hi:
        crc, n = textcache.checksum(conn, range(lo, cached["hi"] + 1, stride))
        if crc == cached["crc"] and n == cached["total"]:
            done, total, df = cached["hi"], n, cached["df"]
        else:
            crc = ""
    todo = range(done + 1 + (lo - done - 1) % stride, hi + 1, stride)  # the same multiples
    if todo or cached is None:
        with Scratch(conn) as s:
            s.add_papers(todo)
            total += conn.execute(f"SELECT count(*) FROM {s.name}").fetchone()[0]
            new = s.doc_counts()
        if df:
            for t, d in new.items():
                df[t] = df.get(t, 0) + d
            df = dict(sorted(df.items()))  # in the index's order, as a fresh sample is
        else:
            df = new
        if path:
            crc = textcache.checksum(conn, todo, crc)[0]
            data = {"key": key, "hi": hi, "crc": crc, "total": total, "df": df}
            textcache.save(path, data)
    return total, df


@dataclass
class _Fitted:
    """What _weights summed, kept for leaving a paper out: each side's sums (before
    the last idf), and each feedback paper's coefficient and TF-IDF vector."""

    idf: dict[str, float]
    kept: dict[str, float]
    skipped: dict[str, float]
    papers: dict[int, tuple[float, dict[str, float]]]


def _weights(
    counts: dict[int, dict[str, float]],
    kept: list[FeedbackPaper],
    skip: list[FeedbackPaper],
    skipped: float,
    total: int,
    df: dict[str, int],
    stop: set[str],
) -> tuple[dict[str, float], _Fitted]:
    """Term -> weight: (kept papers' mean unit vector - ``skipped`` x the skipped
    papers') x idf; and the sums it was made of."""
    unseen = math.log(1 + total) + 1.0
    idf: dict[str, float] = {}  # term -> idf, 0 for a term left out (filled as met)
    for f in kept + skip:
        for t in counts.get(f.pk, {}):
            if t not in idf:
                d = df.get(t, 0)
                left_out = len(t) < 2 or t.isdigit() or t in stop or d > COMMON * total
                idf[t] = (
                    0.0 if left_out else (math.log((1 + total) / (1 + d)) + 1.0 if d else unseen)
                )

    sides: list[dict[str, float]] = []
    papers: dict[int, tuple[float, dict[str, float]]] = {}
    for group, sign in ((kept, 1.0), (skip, -skipped)):
        n = sum(f.strength for f in group)
        side: dict[str, float] = defaultdict(float)
        for f in group:
            vec = {
                t: (1.0 + math.log(c) if c >= 1 else c) * idf[t]
                for t, c in counts.get(f.pk, {}).items()
                if idf[t]
            }
            norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
            coef = sign * f.strength / norm / n
            papers[f.pk] = (coef, vec)
            for t, x in vec.items():
                side[t] += coef * x
        sides.append(side)
    plus, minus = sides
    out = {t: (w + minus.get(t, 0.0)) * idf[t] for t, w in plus.items()}
    out.update((t, w * idf[t]) for t, w in minus.items() if t not in plus)
    return out, _Fitted(idf, plus, minus, papers)


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


def _strongest(conn: sqlite3.Connection, weights: dict[str, float]) -> list[Term]:
    """The POSITIVE best and NEGATIVE worst terms by weight, that FTS5 can find."""
    ranked = sorted(weights, key=lambda t: (-weights[t], t))
    pos = [t for t in ranked[: POSITIVE * 2] if weights[t] > 0]
    neg = [t for t in ranked[::-1][: NEGATIVE * 2] if weights[t] < 0]
    queries = surface_queries(conn, pos + neg)
    chosen = [t for t in pos if t in queries][:POSITIVE]
    chosen += [t for t in neg if t in queries][:NEGATIVE]
    return [Term(t, queries[t], weights[t]) for t in chosen]


def _raw_from_terms(
    model: Model, paper: FeedbackPaper, columns: dict[tuple[int, str], set[str]]
) -> float:
    n = len(paper.title) + len(paper.abstract)
    terms = ((t.stem, t.weight) for t in model.terms)
    return _found_sum(terms, paper.pk, columns) * length_factor(n)


def _found_sum(
    weights: Iterable[tuple[str, float]], pk: int, columns: dict[tuple[int, str], set[str]]
) -> float:
    """What a feedback paper's title and abstract hits of these (stem, weight) give
    before the length factor: as raw_scores' queries find them (``queries``)."""
    title, abstract = columns[pk, "title"], columns[pk, "abstract"]
    total = 0.0
    for stem, weight in weights:
        if stem in title:
            total += weight * TITLE
        if stem in abstract:
            total += weight
    return total


def length_factor(length: int) -> float:
    """BM25's saturation of one occurrence, normalised for the paper's length."""
    return (K1 + 1) / (1 + K1 * (1 - B + B * length / AVG_LENGTH))


def queries(model: Model) -> list[tuple[str, float]]:
    """(FTS5 query, weight) pairs whose weighted hits sum to a paper's raw score, before
    its length factor: each term in the title, and in the abstract."""
    out = []
    for term in model.terms:
        out.append((f"title : {term.query}", term.weight * TITLE))
        out.append((f"abstract : {term.query}", term.weight))
    return out


def raw_scores(view: Any, model: Model, lengths: dict[int, int]) -> dict[int, float]:
    """Raw learned scores of the papers of a view that are in ``lengths`` (pk -> length).

    The sums run in SQLite (view.weighted_sums): a 1M-paper store is many postings.
    A feedback paper's own part of the model is taken off its score (``Model.own``)."""
    sums = view.weighted_sums(queries(model))
    own = model.own_raw
    return {
        pk: _less(x, own.get(pk)) * length_factor(lengths[pk])
        for pk, x in sums.items()
        if pk in lengths
    }


def _less(x: float, own: float | None) -> float:
    """x without a feedback paper's own part (0 where only that part was left: no
    rounding crumbs to sort on)."""
    if own is None:
        return x
    rest = x - own
    return 0.0 if abs(rest) <= 1e-9 * max(abs(x), 1.0) else rest


def term_shares(view: Any, model: Model, pk: int, length: int) -> dict[str, float]:
    """For one paper: each term's part of its raw score (for explanations)."""
    out: dict[str, float] = {}
    factor = length_factor(length)
    own = model.own.get(pk, {})
    for term in model.terms:
        x = (TITLE if pk in view.hits(f"title : {term.query}") else 0.0) + (
            1.0 if pk in view.hits(f"abstract : {term.query}") else 0.0
        )
        weight = _less(term.weight, own.get(term.stem))
        if x and weight:
            out[term.stem] = weight * x * factor
    return out
