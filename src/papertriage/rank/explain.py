"""One paper's score, part by part: what matched, where, and which kept papers it resembles.

Every number comes from the same functions as the score (ranker.Ranker), run over a
scratch copy of the paper, so the contributions add up to the score `rank` shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..find.textindex import Scratch
from ..models import paper_day
from ..store.userdata import state
from . import learned
from .ranker import PARTS, Ranker, paper_pks, surface_words


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
    decided: str | None = None  # its triage decision in force: `rank` leaves it out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SIMILAR = 3  # kept papers shown
WORDS = 6  # words shown per similar paper and for the learned part


def explain_paper(ranker: Ranker, paper: dict[str, Any]) -> Explanation:
    conn = ranker.conn
    out = Explanation(id=paper["id"], title=paper.get("title") or "", score=0.0)
    out.kept = sum(1 for f in ranker.feedback if f.kept)
    out.decided = state(conn, paper["id"])
    out.skipped = len(ranker.feedback) - out.kept
    found = paper_pks(conn, [paper["id"]]).get(paper["id"])
    text = None
    shares: dict[str, float] = {}
    words = surface_words(conn, f"{paper.get('title') or ''} {paper.get('abstract') or ''}")
    if found is not None:
        pk, length = found
        text = ranker.text_scores({pk: length})[pk]  # as when ranking many papers
        with Scratch(conn) as s:
            s.add_papers([pk])
            _keywords(ranker, s, out)
            if ranker.model:
                shares = learned.term_shares(s, ranker.model, pk, length)
                out.similar = _similar(ranker, s, pk, words)
    own = found is not None and ranker.model is not None and found[0] in ranker.model.own
    values = ranker.parts(paper, text)
    for name, value in zip(PARTS[1:], values[1:], strict=True):
        out.contributions += _lines(ranker, paper, name, value, shares, words, own)
    out.score = ranker.total(paper, text)
    return out


def _keywords(ranker: Ranker, s: Scratch, out: Explanation) -> None:
    tw = ranker.profile.title_weight
    for kw in ranker.keywords:
        for column, factor in (("title", tw), ("abstract", 1.0)):
            if not s.hits(kw.match(column)):
                continue
            found = [a.strip('"') for a in kw.alternatives if s.hits(f"{column} : {a}")]
            shown = found[0] if found else kw.text
            via = "" if shown.lower() == kw.text.lower() else f" (as '{shown}')"
            why = f"'{kw.text}' in the {column}{via}: {kw.weight:g}"
            why += f" x {factor:g}" if factor != 1 else ""
            out.contributions.append(Contribution("keywords", kw.weight * factor, why))
            break


def _lines(
    ranker: Ranker,
    paper: dict[str, Any],
    part: str,
    value: float,
    terms: dict[str, float],
    words: dict[str, str],
    own: bool,
) -> list[Contribution]:
    """The contributions of one part; ``own``: the paper is one the model learns from."""
    p = ranker.profile
    if part == "authors":
        return [
            Contribution("authors", w, f"follows {name}{_as(author, name)}: {w:g}")
            for name, author, w in ranker.authors.matches(list(paper.get("authors") or []))
        ]
    if part == "categories":
        return [
            Contribution("categories", pts, f"{pattern}: {pts:g}")
            for pattern, pts in ranker.category_points(paper)
        ]
    if part == "upvotes" and value:
        n = paper["hf_upvotes"]
        why = f"{n} upvotes: {p.upvotes:g} x log10(1 + {n}){_tiebreak(ranker)}"
        return [Contribution(part, value, why)]
    if part == "stars" and value:
        n = paper["github_stars"]
        why = f"{n} GitHub stars: {p.stars:g} x log10(1 + {n}){_tiebreak(ranker)}"
        return [Contribution(part, value, why)]
    if part == "recency" and p.recency:
        day = paper_day(paper)
        if not day:
            return [Contribution(part, 0.0, "no date")]
        age = (ranker.today - _date(day)).days if _date(day) else 0
        why = f"{day}, {max(0, age)} days old: {p.recency:g} x 0.5^({max(0, age)}/{p.half_life:g})"
        return [Contribution(part, value, why)]
    if part == "learned":
        return [Contribution(part, value, _learned_why(ranker, value, terms, words, own))]
    return []


def _tiebreak(ranker: Ranker) -> str:
    """How popularity is damped once there are kept papers (a tie-breaker then)."""
    if ranker.popularity == 1.0 or ranker.model is None:
        return ""
    tagged = sum(1 for f in ranker.model.kept if f.strength != 1.0)
    kept = f"{ranker.kept:g} kept"
    if tagged:  # a tag alone counts a fraction of a kept paper
        kept += f": {tagged} tagged count {learned.TAGGED:g} each"
    return (
        f" x 1/(1 + {ranker.profile.tiebreak:g} x {kept}) (a tie-breaker once you have kept papers)"
    )


def _as(written: str, name: str) -> str:
    return "" if written == name else f" (as {written})"


def _learned_why(
    ranker: Ranker, value: float, terms: dict[str, float], words: dict[str, str], own: bool
) -> str:
    p, model = ranker.profile, ranker.model
    if not p.learned:
        return "off (rank.learned is 0)"
    if model is None:
        return "no kept papers yet: tag papers, or keep/read them in `papertriage triage`"
    like = value / p.learned if p.learned else 0.0
    points = {t: v / model.scale * p.learned for t, v in terms.items()}
    top = sorted(points.items(), key=lambda tv: -abs(tv[1]))[:WORDS]
    shown = ", ".join(f"{words.get(t, t)} {v:+.2f}" for t, v in top)
    if like >= 0:
        what = f"{like:.0%} as close to your taste as a typical kept paper"
    else:
        what = "more like the papers you skipped than those you kept"
    # The two sides of the model: words of kept papers add, words of skipped ones take off.
    plus = sum(v for v in points.values() if v > 0)
    sides = f"words of your {len(model.kept)} kept papers {plus:+.2f}"
    if model.skipped:
        minus = sum(v for v in points.values() if v < 0)
        sides += f", of your {len(model.skipped)} skipped {minus:+.2f}"
    why = f"{like:.2f} x {p.learned:g}: {what}; {sides}" + (f"; words: {shown}" if shown else "")
    return why + ("; its own words left out (the model learns from this paper)" if own else "")


def _similar(ranker: Ranker, s: Scratch, pk: int, words: dict[str, str]) -> list[Similar]:
    model = ranker.model
    assert model is not None
    tf: dict[str, float] = {}
    for _pk, col, term, n in s.terms():
        if col in ("title", "abstract"):
            tf[term] = tf.get(term, 0.0) + (learned.TITLE if col == "title" else 1.0) * n
    vec = learned.vector(tf, model.idf)
    out = []
    for f in [*model.kept, *model.skipped]:
        other = model.vectors.get(f.pk)
        if f.pk == pk or not other:
            continue
        shared = {t: x * other[t] for t, x in vec.items() if t in other}
        sim = sum(shared.values())
        if sim <= 0:
            continue
        top = sorted(shared, key=lambda t: -shared[t])[:WORDS]
        out.append(Similar(f.id, f.title, sim, [words.get(t, t) for t in top], f.kept))
    out.sort(key=lambda s: -s.similarity)
    kept = [s for s in out if s.kept][:SIMILAR]
    skipped = [s for s in out if not s.kept][:1]
    if skipped and kept and skipped[0].similarity < kept[-1].similarity * 0.8:
        skipped = []
    return kept + skipped


def _date(day: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(day)
    except ValueError:
        return None
