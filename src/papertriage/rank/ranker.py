"""The Ranker: a profile and the user's feedback, ready to score many papers fast.

Text parts (keywords and the learned part) are answered by the full-text index for a
batch of papers at a time (textindex): a range of the store's index when the batch is
dense, a scratch copy when it is small or sparse. The other parts read the row. The
same functions give the explanation, so its parts add up to the score.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from ..find.textindex import MainView, Scratch, Stemmer
from ..models import paper_day
from . import learned, matching
from .profile import Profile

Text = tuple[float, float, bool]  # keyword points, raw learned score, maybe a followed author
PARTS = ("keywords", "authors", "categories", "upvotes", "stars", "recency", "learned")
# Bytes of title and abstract, without reading them (a blob's length is in its header).
LENGTH = "coalesce(length(CAST(title AS BLOB)), 0) + coalesce(length(CAST(abstract AS BLOB)), 0)"
BATCH_SPAN = 100_000  # row keys per batch read from the store's index
STREAM_BATCH = 50_000  # rows of a streamed selection scored together
# Batches with fewer papers (or sparse ones) are copied to a scratch table: at 1M papers,
# the morning's 300 new ones score in 0.02 s there against 0.14 s on the store's index
# (whose doclists are long); the two cost the same at about 3,000 papers.
SCRATCH_BELOW = 2000


class Ranker:
    def __init__(
        self,
        conn: sqlite3.Connection,
        profile: Profile,
        today: date | None = None,
        feedback: list[learned.FeedbackPaper] | None = None,
    ) -> None:
        p = self.profile = profile
        self.conn = conn
        self.today = today or date.today()
        fb = learned.load_feedback(conn) if feedback is None and p.learned else feedback or []
        self.feedback = fb
        need = (p.learned and any(f.kept for f in fb)) or (p.keywords and p.fuzzy)
        sample = learned.store_sample(conn) if need else (0, {})
        self.keywords = matching.keywords(conn, p.keywords, p.fuzzy, p.fuzzy_threshold, sample[1])
        self.authors = matching.Authors(conn, p.authors)
        self.model = learned.fit(conn, fb, p.skipped, sample) if p.learned else None
        # Once there is taste to go by, popularity only breaks ties between papers.
        self.kept = sum(f.strength for f in self.model.kept) if self.model else 0.0
        self.popularity = 1.0 / (1.0 + p.tiebreak * self.kept)
        self._days: dict[tuple[Any, Any], tuple[float, int]] = {}
        self._categories: dict[tuple[Any, Any], list[tuple[str, float]]] = {}
        self._scratch: Scratch | None = None

    @classmethod
    def build(
        cls, conn: sqlite3.Connection, profile: Profile | None = None, today: date | None = None
    ) -> Ranker:
        from .profile import load_profile

        return cls(conn, profile if profile is not None else load_profile(), today)

    # -- many papers ----------------------------------------------------------------------

    def rank(self, rows: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
        """(score, row) for rows of papers, best first; ties: newer first, then id."""
        scored = self.score_rows(rows)
        scored.sort(key=lambda sr: (-sr[0], -self.day(sr[1])[1], sr[1]["id"]))
        return scored

    def score_rows(self, rows: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
        found = paper_pks(self.conn, [r["id"] for r in rows])
        text = self.text_scores(dict(found.values()))
        return [
            (self.total(r, text.get(found[r["id"]][0]) if r["id"] in found else None), r)
            for r in rows
        ]

    def text_scores(self, lengths: dict[int, int], streaming: bool = False) -> dict[int, Text]:
        """pk -> (keyword points, raw learned score, maybe a followed author) for papers
        given as pk -> length (bytes of title and abstract). ``streaming``: more batches
        follow (stream_where), so the scratch table is kept for them."""
        out: dict[int, Text] = {}
        if not (self.keywords or self.model or self.authors.match):
            return dict.fromkeys(lengths, (0.0, 0.0, False))
        for batch in _batches(sorted(lengths)):
            span = batch[-1] - batch[0] + 1
            scratch = len(batch) < SCRATCH_BELOW or len(batch) * 20 < span
            view: Any = (
                self.scratch_table() if scratch else MainView(self.conn, batch[0], batch[-1])
            )
            try:
                if scratch:
                    view.add_papers(batch)
                mine = {pk: lengths[pk] for pk in batch}
                kw = self.keyword_points(view, mine) if self.keywords else {}
                raw = learned.raw_scores(view, self.model, mine) if self.model else {}
                people = set(view.hits(self.authors.match)) if self.authors.match else set()
            finally:
                if scratch:
                    view.clear()
            for pk in batch:
                out[pk] = (kw.get(pk, 0.0), raw.get(pk, 0.0), pk in people)
        if not streaming:
            self.release()
        return out

    def scratch_table(self) -> Scratch:
        """The one scratch table of this ranker's batches, emptied after each. One per
        batch, dropped after it, failed once a streamed selection (stream_where) was
        still being read: SQLite refuses a DROP then ("database table is locked")."""
        if self._scratch is None:
            self._scratch = Scratch(self.conn, contentless=True)
        return self._scratch

    def release(self) -> None:
        """Drop the scratch table (when no statement of the connection is reading)."""
        if self._scratch is not None:
            try:
                self._scratch.drop()
            except sqlite3.OperationalError:  # a caller's statement is reading: the
                pass  # temp table goes with the connection
            self._scratch = None

    def keyword_points(self, view: Any, papers: dict[int, int]) -> dict[int, float]:
        out: dict[int, float] = {}
        tw = self.profile.title_weight
        for kw in self.keywords:
            in_title = set(view.hits(kw.match("title")))
            for pk in in_title:
                if pk in papers:
                    out[pk] = out.get(pk, 0.0) + kw.weight * tw
            for pk in view.hits(kw.match("abstract")):
                if pk in papers and pk not in in_title:
                    out[pk] = out.get(pk, 0.0) + kw.weight
        return out

    def total(self, row: dict[str, Any], text: Text | None) -> float:
        score = 0.0
        for value in self.parts(row, text):
            score += value
        return score

    def parts(self, row: dict[str, Any], text: Text | None) -> list[float]:
        """The points of each part, in PARTS order. ``text``: from text_scores, or None
        for a paper that is not in the store."""
        p = self.profile
        kw, raw, maybe_author = text or (0.0, 0.0, None)
        if maybe_author is None:
            maybe_author = self.authors.could_match(_text(row.get("authors")))
        authors = 0.0
        if maybe_author and self.authors.people:
            for _name, _author, weight in self.authors.matches(_list(row.get("authors"))):
                authors += weight
        cats = 0.0
        if p.categories:
            for _pattern, points in self.category_points(row):
                cats += points
        up, stars = row.get("hf_upvotes"), row.get("github_stars")
        return [
            kw,
            authors,
            cats,
            p.upvotes * self.popularity * math.log10(1 + up) if up and up > 0 else 0.0,
            p.stars * self.popularity * math.log10(1 + stars) if stars and stars > 0 else 0.0,
            self.recency(row),
            p.learned * raw / self.model.scale if self.model and raw else 0.0,
        ]

    def category_points(self, row: dict[str, Any]) -> list[tuple[str, float]]:
        raw = row.get("categories")
        key = (row.get("primary_category"), raw if isinstance(raw, str) else tuple(raw or ()))
        found = self._categories.get(key)
        if found is None:
            cats = _list(raw)
            primary = key[0] or (cats[0] if cats else None)
            found = []
            for pattern, weight in self.profile.categories.items():
                if primary and matching.category_matches(pattern, primary):
                    found.append((pattern, weight))
                elif any(matching.category_matches(pattern, c) for c in cats):
                    found.append((pattern, weight * self.profile.cross_list))
            self._categories[key] = found
        return found

    def recency(self, row: dict[str, Any]) -> float:
        return self.day(row)[0]

    def day(self, row: dict[str, Any]) -> tuple[float, int]:
        """(recency points, date as a number like 20261127 or 0) of a paper."""
        pub, hf = row.get("published"), row.get("hf_featured")
        key = (pub, hf) if pub or hf else (None, (row.get("first_seen") or "")[:10])
        found = self._days.get(key)
        if found is None:
            day = paper_day(row)
            digits = (day or "").replace("-", "")
            found = (self._recency_points(day), int(digits) if digits.isdigit() else 0)
            self._days[key] = found
        return found

    def _recency_points(self, day: str | None) -> float:
        if not day or not self.profile.recency:
            return 0.0
        try:
            age = max(0, (self.today - date.fromisoformat(day)).days)
        except ValueError:
            return 0.0
        return float(self.profile.recency * 0.5 ** (age / self.profile.half_life))


def paper_pks(conn: sqlite3.Connection, ids: list[str]) -> dict[str, tuple[int, int]]:
    """id -> (papers.pk, bytes of title and abstract) for the ids in the store."""
    if not ids:
        return {}
    rows = conn.execute(
        f"SELECT p.id, p.pk, {LENGTH} FROM json_each(?) j JOIN papers p ON p.id = j.value",
        [json.dumps(ids)],
    )
    return {pid: (pk, n) for pid, pk, n in rows}


def _batches(pks: list[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in pks:
        if batch and pk - batch[0] >= BATCH_SPAN:
            yield batch
            batch = []
        batch.append(pk)
    if batch:
        yield batch


def _list(value: Any) -> list[str]:
    if isinstance(value, str):
        return json.loads(value) if value else []
    return list(value or [])


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return " ".join(value or [])


def surface_words(conn: sqlite3.Connection, text: str) -> dict[str, str]:
    """Index term -> the word of the text it came from (for showing stems as words)."""
    import re

    from ..text import fold

    words = list(dict.fromkeys(re.findall(r"[^\W_]+", fold(text))))
    out: dict[str, str] = {}
    for word, terms in Stemmer(conn).tokens(words).items():
        if len(terms) == 1:
            out.setdefault(terms[0], word)
    return out


def iter_batches(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


_STREAM_COLUMNS = (
    "pk, id, authors, categories, primary_category, published, hf_featured, first_seen, "
    f"hf_upvotes, github_stars, {LENGTH}"
)
_KEYS = (
    "id",
    "authors",
    "categories",
    "primary_category",
    "published",
    "hf_featured",
    "first_seen",
    "hf_upvotes",
    "github_stars",
)


Scored = tuple[float, int, str, int]  # -score, -day, id, pk: ascending order is rank order


def stream_where(ranker: Ranker, where: list[str], params: list[Any]) -> Iterator[Scored]:
    """(-score, -day, id, pk) for every paper meeting SQL conditions on `papers` (built
    by callers, never from user text), a batch at a time: ascending order is rank order."""
    sql = f"SELECT {_STREAM_COLUMNS} FROM papers"
    if where:
        sql += " WHERE " + " AND ".join(f"({w})" for w in where)
    cur = ranker.conn.cursor()
    cur.row_factory = None
    cur.execute(sql, params)  # in the index's order; text_scores sorts each batch
    try:
        while batch := cur.fetchmany(STREAM_BATCH):
            yield from _score_batch(ranker, batch)
    finally:
        cur.close()
        ranker.release()


def _score_batch(ranker: Ranker, batch: list[tuple[Any, ...]]) -> Iterator[Scored]:
    text = ranker.text_scores({r[0]: r[-1] for r in batch}, streaming=True)
    for r in batch:
        row = dict(zip(_KEYS, r[1:-1], strict=True))
        score = ranker.total(row, text[r[0]])
        yield (-score, -ranker.day(row)[1], row["id"], r[0])
