"""The store's full-text index, used by ranking as an inverted index and as a tokenizer.

Ranking asks one question many times: which papers have this word (or phrase) in their
title, or in their abstract? Over many papers the answer comes from the store's FTS5
index, restricted to a range of row keys (``MainView``). Over a few papers it comes from
a temp FTS5 table holding copies of them, built with the same tokenizer (``Scratch``), so
both give exactly the same answer for a paper, and a paper's score never depends on
which other papers are ranked with it. A scratch table also tokenizes text exactly as
the index does: porter stems, accents and case folded.
"""

from __future__ import annotations

import itertools
import re
import sqlite3
from collections.abc import Iterable, Sequence

from ..text import nfkc
from . import textcache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

DEFAULT_TOKENIZER = "porter unicode61 remove_diacritics 2"
_counter = itertools.count(1)


def quote(text: str) -> str:
    """An FTS5 string literal: the text is data, never query syntax; in the Unicode form
    papers are stored and indexed in (text.nfkc: "ﬁnite" finds "finite")."""
    return '"' + nfkc(text).replace('"', '""') + '"'


def tokenizer(conn: sqlite3.Connection) -> str:
    """The tokenize= option of the store's papers_fts table."""
    row = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'papers_fts'").fetchone()
    m = re.search(r"tokenize\s*=\s*'([^']*)'", row[0] if row else "")
    return m.group(1) if m else DEFAULT_TOKENIZER


MAX_UNION = 200  # queries summed by one SQL statement (SQLite allows 500 per compound)


def _weighted_sums(
    conn: sqlite3.Connection,
    table: str,
    where: str,
    args: list[object],
    pairs: list[tuple[str, float]],
) -> dict[int, float]:
    """pk -> sum of the weights of the (match, weight) pairs a paper matches, in SQLite."""
    out: dict[int, float] = {}
    cur = conn.cursor()
    cur.row_factory = None
    short = table.split(".")[-1]
    for start in range(0, len(pairs), MAX_UNION):
        chunk = pairs[start : start + MAX_UNION]
        one = f"SELECT rowid, ? AS w FROM {table} WHERE {short} MATCH ?{where}"
        sql = f"SELECT rowid, sum(w) FROM ({' UNION ALL '.join([one] * len(chunk))}) GROUP BY rowid"
        params: list[object] = []
        for match, weight in chunk:
            params += [weight, match, *args]
        for pk, total in cur.execute(sql, params):
            out[pk] = out.get(pk, 0.0) + total
    return out


class MainView:
    """The store's index, limited to papers with lo <= pk <= hi."""

    def __init__(self, conn: sqlite3.Connection, lo: int, hi: int) -> None:
        self.conn, self.lo, self.hi = conn, lo, hi
        self.cur = conn.cursor()
        self.cur.row_factory = None  # plain tuples: many rows

    def hits(self, match: str) -> list[int]:
        self.cur.execute(
            "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ? AND rowid BETWEEN ? AND ?",
            [match, self.lo, self.hi],
        )
        return [r[0] for r in self.cur.fetchall()]

    def weighted_sums(self, pairs: list[tuple[str, float]]) -> dict[int, float]:
        where = " AND rowid BETWEEN ? AND ?"
        return _weighted_sums(self.conn, "papers_fts", where, [self.lo, self.hi], pairs)


class Scratch:
    """A temp FTS5 table like the store's (title, abstract, authors_text, same tokenizer);
    rowid = papers.pk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.name = f"temp.rank_scratch_{next(_counter)}"
        spec = tokenizer(conn).replace("'", "''")
        conn.execute(
            f"CREATE VIRTUAL TABLE {self.name} "
            f"USING fts5(title, abstract, authors_text, tokenize='{spec}')"
        )

    def add(self, rows: Iterable[Sequence[object]]) -> None:
        """Rows of (pk, title, abstract)."""
        with _savepoint(self.conn):  # one FTS5 flush, not one per row
            self.conn.executemany(
                f"INSERT INTO {self.name} (rowid, title, abstract) VALUES (?, ?, ?)", rows
            )

    def add_papers(self, pks: Sequence[int]) -> None:
        """Copy papers from the store by pk."""
        import json

        with _savepoint(self.conn):
            self.conn.execute(
                f"INSERT INTO {self.name} (rowid, title, abstract, authors_text) "
                "SELECT pk, title, abstract, authors_text "
                "FROM papers WHERE pk IN (SELECT value FROM json_each(?))",
                [json.dumps(list(pks))],
            )

    def hits(self, match: str) -> list[int]:
        cur = self.conn.cursor()
        cur.row_factory = None
        cur.execute(
            f"SELECT rowid FROM {self.name} WHERE {self.name.split('.')[1]} MATCH ?", [match]
        )
        return [r[0] for r in cur.fetchall()]

    def weighted_sums(self, pairs: list[tuple[str, float]]) -> dict[int, float]:
        return _weighted_sums(self.conn, self.name, "", [], pairs)

    def terms(self) -> Iterable[tuple[int, str, str, int]]:
        """(pk, column, term, count) for every term of every paper in the table."""
        vocab = self._vocab("instance")
        return self.conn.execute(
            f"SELECT doc, col, term, count(*) FROM {vocab} GROUP BY doc, col, term"
        )

    def doc_counts(self) -> dict[str, int]:
        """term -> how many papers in the table have it."""
        vocab = self._vocab("row")
        return dict(self.conn.execute(f"SELECT term, doc FROM {vocab}").fetchall())

    def _vocab(self, kind: str) -> str:
        name = f"{self.name}_{kind}"
        table = self.name.split(".")[1]
        self.conn.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5vocab(temp, {table}, {kind})"
        )
        return name

    def drop(self) -> None:
        for kind in ("instance", "row"):
            self.conn.execute(f"DROP TABLE IF EXISTS {self.name}_{kind}")
        self.conn.execute(f"DROP TABLE IF EXISTS {self.name}")

    def __enter__(self) -> Scratch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()


def paper_terms(
    conn: sqlite3.Connection, papers: list[tuple[int, str, str]]
) -> list[tuple[int, str, str, int]]:
    """(pk, column, term, count) for every term of the papers (pk, title, abstract), in
    the order of a scratch table's ``terms`` (pk, column, term): what Scratch gives, the
    papers seen before (by their text, per store) from the cache."""
    path = textcache.store_file(conn, "terms")
    key = [tokenizer(conn)]
    cached = textcache.load(path, key, {"papers": dict})
    known: dict[str, Any] = cached["papers"] if cached else {}
    digests = {pk: textcache.digest(title, abstract) for pk, title, abstract in papers}
    rows: dict[int, list[Any]] = {}
    for pk, digest in digests.items():
        entry = known.get(str(pk))
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == digest:
            rows[pk] = entry[1]
    todo = [p for p in papers if p[0] not in rows]
    if todo:
        with Scratch(conn) as s:
            s.add(todo)
            for pk, col, term, n in s.terms():
                rows.setdefault(pk, []).append([col, term, n])
        if path:
            kept = {str(pk): [digests[pk], rows.get(pk, [])] for pk in digests}
            textcache.save(path, {"key": key, "papers": kept})
    return [(pk, col, term, n) for pk in sorted(rows) for col, term, n in rows[pk]]


class _savepoint:  # noqa: N801 (used as a function: `with _savepoint(conn):`)
    """A savepoint released at the end, rolled back to first on an error (a class, not
    @contextmanager: `filter` starts without contextlib)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("SAVEPOINT rank_scratch")

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
            self.conn.execute("ROLLBACK TO rank_scratch")
        self.conn.execute("RELEASE rank_scratch")


class Stemmer:
    """The index's own tokenizer run over any words or phrases (through a temp FTS5
    table with the store's tokenize= option), cached, in memory and between runs
    (textcache): "Layer-wise models" -> ["layer", "wise", "model"]."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.cache: dict[str, list[str]] = {}
        self.spec: str | None = None  # the tokenize= option, when first needed

    def tokens(self, words: Iterable[str]) -> dict[str, list[str]]:
        words = list(dict.fromkeys(words))
        todo = [w for w in words if w not in self.cache]
        if not todo:
            return {w: self.cache[w] for w in words}
        if self.spec is None:
            self.spec = tokenizer(self.conn)
        spec = self.spec
        known = textcache.known_tokens(spec)
        for w in todo:
            if w in known:
                self.cache[w] = known[w]
        todo = [w for w in todo if w not in self.cache]
        if todo:
            with Scratch(self.conn) as s:
                s.add((n, w, None) for n, w in enumerate(todo, 1))
                for word in todo:
                    self.cache[word] = []
                vocab = s._vocab("instance")
                found = self.conn.execute(f"SELECT doc, term FROM {vocab} ORDER BY doc, offset")
                for doc, term in found:
                    self.cache[todo[doc - 1]].append(term)
            textcache.add_tokens(spec, {w: self.cache[w] for w in todo})
        return {w: self.cache[w] for w in words}

    def stem(self, word: str) -> str | None:
        """The one term a word becomes, or None (no term, or several)."""
        toks = self.tokens([word])[word]
        return toks[0] if len(toks) == 1 else None


# British/American spellings, as stems: quantis/quantiz, analys/analyz, colour/color.
SPELLINGS = (("is", "iz"), ("iz", "is"), ("ys", "yz"), ("yz", "ys"), ("our", "or"), ("or", "our"))


def spelling_variants(stem: str) -> set[str]:
    """The other spellings of a stem (quantiz -> quantis), itself left out."""
    return {stem.replace(a, b) for a, b in SPELLINGS if a in stem} - {stem}


# Endings tried to find a word that the tokenizer turns into a given term.
_SUFFIXES = ("", "e", "s", "y", "ing", "ed", "ion", "ation", "ate", "al", "ity", "er", "ic", "es")


def surfaces(stemmer: Stemmer, terms: Iterable[str]) -> dict[str, str]:
    """For each index term, a word that the tokenizer turns into exactly that term (a
    porter stem is not always its own stem: "quantiz" -> "quantize"); terms without one
    are left out."""
    tries = {t: [t + s for s in _SUFFIXES] for t in dict.fromkeys(terms)}
    found = stemmer.tokens(w for ws in tries.values() for w in ws)
    out: dict[str, str] = {}
    for term, words in tries.items():
        for w in words:
            if found[w] == [term]:
                out[term] = w
                break
    return out


# Endings that make a porter stem back into the words it comes from (reinforc:
# reinforcement, gener: generation, diffus: diffusion), to compare a typo with words.
_ENDINGS = (
    "", "e", "s", "es", "ed", "ing", "er", "ers", "or", "ors", "ion", "ions", "ation",
    "ations", "ate", "ated", "al", "ally", "ity", "ities", "ment", "ments", "ement",
    "ements", "ence", "ance", "ent", "ant", "ive", "ic", "ical", "ization", "ize", "ized",
    "ness", "ous", "able", "ly",
)  # fmt: skip


def typo_terms(stemmer: Stemmer, word: str, pool: Iterable[str], limit: int) -> dict[str, int]:
    """The terms of `pool` that a word within `limit` edits of `word` turns into, with
    the edits (optimal string alignment): the typed word is compared with the words a
    term stands for (quantizaton: quantization, of the term quantiz), not with the term
    itself, which a typo near the end of a word is far from (quantizaton is 4 edits
    from quantiz). A term must share the word's first two letters and be close to its
    start (rapidfuzz passes over the pool by term length), then a term plus an ending
    close to the whole word, and that word must turn into the term."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    word = word.lower()
    n = len(word)
    by_length: dict[int, list[str]] = {}
    for term in pool:  # starting as the word does: typos in the first two letters are not
        if 3 <= len(term) <= n + limit and term[:2] == word[:2]:  # looked for here
            by_length.setdefault(len(term), []).append(term)
    starts: set[str] = set()
    for length, terms in by_length.items():
        most = 0 if length <= 4 else limit  # a short stem starts the word as it is
        for cut in range(max(3, length - most), min(n, length + most) + 1):
            found = process.extract(
                word[:cut], terms, scorer=OSA.distance, score_cutoff=most, limit=None
            )
            starts.update(t for t, _d, _i in found)
    forms = [
        (term + e, term)
        for term in starts
        for e in (*_ENDINGS, *(("-y",) if term[-1] == "i" else ()))
    ]
    words = [t[:-1] + "y" if w.endswith("-y") else w for w, t in forms]
    close = process.extract(word, words, scorer=OSA.distance, score_cutoff=limit, limit=None)
    pairs = {(w, forms[i][1]): int(d) for w, d, i in close}  # quant+ization, quantiz+ation
    stems = stemmer.tokens(w for w, _t in pairs)
    out: dict[str, int] = {}
    for (w, term), d in pairs.items():
        if stems[w] == [term] and d < out.get(term, limit + 1):
            out[term] = d
    return out


def surface_queries(conn: sqlite3.Connection, terms: list[str]) -> dict[str, str]:
    """``surfaces`` as FTS5 strings: each matches exactly its term."""
    return {t: quote(w) for t, w in surfaces(Stemmer(conn), terms).items()}


class Vocabulary:
    """The terms of the store's index with their document counts (a temp fts5vocab
    table over papers_fts), cached.

    Reading the whole vocabulary costs time in proportion to the whole index (about
    50 ms per 2,000 papers), so reads are by term or by prefix range."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._counts: dict[str, int] = {}
        self._ranges: dict[str, dict[str, int]] = {}
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.papers_vocab "
            "USING fts5vocab(main, papers_fts, row)"
        )

    def count(self, term: str) -> int:
        """How many papers have the term."""
        return self.counts([term]).get(term, 0)

    def counts(self, terms: Iterable[str]) -> dict[str, int]:
        """term -> papers, for the terms that are in the index."""
        out: dict[str, int] = {}
        for t in sorted(set(terms)):
            if t not in self._counts:
                row = self.conn.execute(
                    "SELECT doc FROM temp.papers_vocab WHERE term = ?", [t]
                ).fetchone()
                self._counts[t] = row[0] if row else 0
            if self._counts[t]:
                out[t] = self._counts[t]
        return out

    def near(self, stem: str) -> dict[str, int]:
        """Terms that could be close to stem: those starting with its first two letters,
        or those swapped, or its first and third (tarnsform, rtansform: transform).
        Other typos in the first letters are not found."""
        out: dict[str, int] = {}
        for lo in dict.fromkeys((stem[:2], stem[1::-1], stem[0] + stem[2:3])):
            if lo not in self._ranges:
                hi = lo[:-1] + chr(ord(lo[-1]) + 1)
                rows = self.conn.execute(
                    "SELECT term, doc FROM temp.papers_vocab WHERE term >= ? AND term < ?",
                    [lo, hi],
                )
                self._ranges[lo] = dict(rows.fetchall())
            out.update(self._ranges[lo])
        return out
