"""The ranking score: how much this user will care about a paper, and why.

A score is a sum of parts, each in "points": the profile's keywords, followed authors,
categories, Hugging Face upvotes, GitHub stars and recency (from the ``rank:`` section of
the config), plus a learned part, "more like what I kept" (a TF-IDF model fitted on the
papers the user tagged or triaged keep/read, against those triaged skip).

Other commands call two functions:

- ``score_papers(conn, rows, profile=None)`` -> ``[(score, row), ...]``, best first;
- ``explain(conn, paper_id, profile=None)`` -> ``Explanation``, whose parts sum to the score.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from .profile import Profile


@dataclass
class Contribution:
    """One line of an explanation: a part of the profile and the points it gave."""

    part: str  # keywords | authors | categories | upvotes | stars | recency | learned
    points: float
    why: str  # e.g. "'quantization' in the title: 2 x 2.0"


@dataclass
class Similar:
    """A kept (or skipped) paper the explained paper resembles, and the words they share."""

    id: str
    title: str
    similarity: float
    words: list[str]
    kept: bool = True


@dataclass
class Explanation:
    id: str
    title: str
    score: float
    contributions: list[Contribution] = field(default_factory=list)
    similar: list[Similar] = field(default_factory=list)
    kept: int = 0  # how many feedback papers the learned part was fitted on
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return asdict(self)


def score_papers(
    conn: sqlite3.Connection,
    rows: list[dict[str, Any]],
    profile: Profile | None = None,
) -> list[tuple[float, dict[str, Any]]]:
    """Score rows (dicts from ``selection.select`` / ``queries.list_papers``) and sort them.

    Returns ``(score, row)`` pairs, best first (ties: newer first, then id). ``profile``
    defaults to the ``rank:`` section of the user's config (ConfigError if it is invalid).
    The rows are not changed. The score of a paper does not depend on which other rows
    are passed, so ``explain`` gives the same number.
    """
    ranker = Ranker.build(conn, profile)
    return ranker.rank(rows)


def explain(conn: sqlite3.Connection, paper_id: str, profile: Profile | None = None) -> Explanation:
    """Why a paper (any id form) gets its score: every part's points, which sum to it."""
    from .queries import get_paper

    paper = get_paper(conn, paper_id)
    return Ranker.build(conn, profile).explain(paper)


class Ranker:
    """A profile and the user's feedback, ready to score many papers.

    (First version: the cheap parts only; keywords, authors and the learned part follow.)
    """

    def __init__(self, conn: sqlite3.Connection, profile: Profile, today: Any = None) -> None:
        from datetime import date

        self.conn = conn
        self.profile = profile
        self.today = today or date.today()

    @classmethod
    def build(
        cls, conn: sqlite3.Connection, profile: Profile | None = None, today: Any = None
    ) -> Ranker:
        from .profile import load_profile

        return cls(conn, profile if profile is not None else load_profile(), today)

    def rank(self, rows: list[dict[str, Any]]) -> list[tuple[float, dict[str, Any]]]:
        scored = [(self.explain(row).score, row) for row in rows]
        scored.sort(key=lambda sr: (-sr[0], _neg_date(sr[1]), sr[1]["id"]))
        return scored

    def explain(self, row: dict[str, Any]) -> Explanation:
        import math
        from datetime import date

        p = self.profile
        out = Explanation(id=row["id"], title=row.get("title") or "", score=0.0)
        up = row.get("hf_upvotes")
        if up:
            out.contributions.append(
                Contribution("upvotes", p.upvotes * math.log10(1 + up), f"{up} upvotes")
            )
        day = row.get("hf_featured") or row.get("published")
        if day and p.recency:
            age = max(0, (self.today - date.fromisoformat(day[:10])).days)
            pts = p.recency * 0.5 ** (age / p.half_life)
            out.contributions.append(Contribution("recency", pts, f"{age} days old"))
        out.score = sum(c.points for c in out.contributions)
        return out


def _neg_date(row: dict[str, Any]) -> str:
    # Sort key making newer dates come first in an ascending sort.
    day = row.get("published") or ""
    return "".join(chr(0x10FFFF - ord(c)) for c in day)
