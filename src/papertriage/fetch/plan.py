"""Turning the command line and the config into the listings a fetch requests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from ..errors import ConfigError, PlanError
from .listings import ArxivQuery, ArxivRss, HfDaily, HfSearch, Listing
from .settings import FetchSettings, SourceSpec

if TYPE_CHECKING:
    from .run import FollowUp

MAX_DAYS = 92
_WEEK = re.compile(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class Wanted:
    """What the command line asked for, on top of the config."""

    specs: list[SourceSpec]
    periods: list[tuple[str, str]] = field(default_factory=list)  # hf: (date|week|month, value)
    categories: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    since: str | None = None  # arxiv-query: submittedDate range
    until: str | None = None
    max_results: int | None = None
    complete: bool | None = None  # --complete / --no-complete; None: the config's


def hf_period(text: str) -> tuple[str, str]:
    """--date YYYY-MM-DD, YYYY-Www or YYYY-MM as the daily_papers parameter it becomes."""
    text = text.strip()
    if _WEEK.match(text):
        return "week", text
    if _MONTH.match(text):
        return "month", text
    try:
        return "date", date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError(
            f"{text!r} is not a day, week or month (2025-02-24, 2025-W09, 2025-02)"
        ) from None


def day_range(since: str, until: str) -> list[tuple[str, str]]:
    first, last = date.fromisoformat(since), date.fromisoformat(until)
    if first > last:
        raise PlanError(f"--since {since} is after {until}")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise PlanError(
            f"{days} days is too many to fetch day by day; use --date YYYY-MM (a month)"
        )
    return [("date", (first + timedelta(n)).isoformat()) for n in range(days)]


def plan(settings: FetchSettings, wanted: Wanted, today: date | None = None) -> list[Listing]:
    today = today or date.today()
    out: list[Listing] = []
    for spec in wanted.specs:
        if spec.name == "hf":
            periods = wanted.periods or [("date", today.isoformat())]
            out += [
                HfDaily(settings.urls["hf"], key, value, settings.page_size, settings.max_pages)
                for key, value in periods
            ]
        elif spec.name == "hf-search":
            if not spec.query:
                raise PlanError("hf-search needs a QUERY: papertriage fetch hf-search 'diffusion'")
            limit = wanted.max_results or settings.max_results
            out.append(HfSearch(settings.urls["hf"], spec.query, limit))
        elif spec.name == "arxiv":
            out.append(ArxivRss(settings.urls["arxiv_rss"], _categories(settings, wanted)))
        elif spec.name == "arxiv-query":
            out.append(_arxiv_query(settings, spec, wanted))
        else:
            raise PlanError(f"unknown source {spec.name!r} (hf, hf-search, arxiv, arxiv-query)")
    return out


def follow_ups(settings: FetchSettings, wanted: Wanted) -> list[FollowUp]:
    """What runs after the listings: the arXiv completion, unless switched off."""
    from .complete import after_fetch

    on = settings.complete if wanted.complete is None else wanted.complete
    if not on:
        return []
    return [after_fetch(settings.urls["arxiv_api"])]


def _categories(settings: FetchSettings, wanted: Wanted) -> list[str]:
    cats = wanted.categories or settings.categories
    if not cats:
        where = settings.path or "the config file (papertriage config init)"
        raise ConfigError(
            f"the arxiv source needs categories: add 'categories: [cs.LG]' to {where}, or pass --category"
        )
    return list(dict.fromkeys(cats))


def _arxiv_query(settings: FetchSettings, spec: SourceSpec, wanted: Wanted) -> ArxivQuery:
    terms = [spec.query] if spec.query else []
    if wanted.since or wanted.until:
        if terms and " " in terms[0].strip():
            terms = [f"({terms[0]})"]
        lo = (wanted.since or "1991-01-01").replace("-", "")
        hi = (wanted.until or date.today().isoformat()).replace("-", "")
        terms.append(f"submittedDate:[{lo}0000 TO {hi}2359]")
    search = " AND ".join(t for t in terms if t) or None
    if not search and not wanted.ids:
        raise PlanError(
            "arxiv-query needs a QUERY, --id or --since: "
            "papertriage fetch arxiv-query 'cat:cs.LG AND abs:agents'"
        )
    limit = wanted.max_results or settings.max_results
    return ArxivQuery(settings.urls["arxiv_api"], search, wanted.ids, settings.page_size, limit)
