"""--author: which papers have an author matching a name typed by a person.

Names compare part by part after LaTeX, accents and case are folded away, in any
order: "Y. LeCun" matches "Yann LeCun" (an initial matches a name starting with it,
either way round), "lecun, yann" and "Yann Le Cun" match too, and one typo in a name
part of 7 letters or more is forgiven ("Silveirnha"; but Maria is not Mario). The
full-text index's author column narrows the candidates first (by the surname, with
--fuzzy-style vocabulary variants when the exact word is not indexed); the comparison
itself runs in Python.
"""

from __future__ import annotations

import json
import re
import sqlite3
from itertools import permutations

from .text import delatex, fold

_SPLIT = re.compile(r"[^\w]+")
FUZZY_MIN = 7  # name parts this long may differ by one typo


def tokens(name: str) -> list[str]:
    """Folded name parts: "Jean-Pierre L\\'{e}vy" -> ["jean", "pierre", "levy"]."""
    return [t for t in _SPLIT.split(fold(delatex(name))) if t]


def _close(q: str, n: str) -> bool:
    if q == n:
        return True
    if len(q) == 1 or len(n) == 1:
        return q[0] == n[0]
    if min(len(q), len(n)) < FUZZY_MIN:  # Maria is not Mario
        return False
    from rapidfuzz.distance import OSA

    return OSA.distance(q, n, score_cutoff=1) <= 1


def matches(query: list[str], name: list[str]) -> bool:
    """Every query part pairs with its own part of the name, and one full word agrees."""
    if not query or not name:
        return False
    parts = name + [a + b for a, b in zip(name, name[1:], strict=False)]  # le cun == lecun
    if len(query) > len(parts):
        return False
    full = [q for q in query if len(q) > 1]
    for chosen in permutations(range(len(parts)), len(query)):
        if len({p for i in chosen for p in _covers(i, len(name))}) < len(query):
            continue  # a joined pair and one of its halves both used
        if all(_close(q, parts[i]) for q, i in zip(query, chosen, strict=True)):
            if not full or any(
                len(parts[i]) > 1 and _close(q, parts[i])
                for q, i in zip(query, chosen, strict=True)
                if len(q) > 1
            ):
                return True
    return False


def _covers(i: int, n: int) -> tuple[int, ...]:
    """The name parts a position in `parts` stands for (joined pairs come after n)."""
    return (i,) if i < n else (i - n, i - n + 1)


def surname(query: list[str], raw: str) -> str | None:
    """The part most likely to be indexed in full: the last word, or the first before a comma."""
    full = [t for t in query if len(t) > 1]
    if not full:
        return None
    return full[0] if "," in raw else full[-1]


def author_pks(conn: sqlite3.Connection, names: list[str]) -> set[int]:
    """Row keys (papers.pk) of papers with an author matching any of the names."""
    from .fuzzy import Expander
    from .query import fts_string

    found: set[int] = set()
    for raw in names:
        query = tokens(raw)
        key = surname(query, raw)
        if key is None:
            continue
        expander = Expander(conn, commoner=1)  # a rare name is still a name
        expander.prepare([key])
        alts = (expander.variants.get(key) or [fts_string(key)]) + expander.typos.get(key, [])
        match = "authors_text : (" + " OR ".join(alts) + ")"
        rows = conn.execute(
            "SELECT pk, authors FROM papers WHERE pk IN "
            "(SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)",
            [match],
        )
        hint = key[:3]
        for pk, authors in rows:
            for author in json.loads(authors) if authors else []:
                low = author.lower() if author.isascii() else fold(author)
                if hint in low and matches(query, tokens(author)):
                    found.add(pk)
                    break
    return found
