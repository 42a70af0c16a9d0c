"""Hugging Face papers JSON: daily_papers, papers search, and a single paper.

Daily and search items wrap the paper: ``{paper: {...}, publishedAt, title, ...}``;
``item.publishedAt`` is when it was put on Daily Papers, ``paper.publishedAt`` the
arXiv date. The single-paper endpoint returns the bare paper object.

The day a paper was featured is the listing's day when the request (a live fetch of
``date=D``) or the file says which day that is: a file name holding one date
(``2024-03-05.json``), or items submitted on two days in a row (the day HF lists runs
from the evening before, UTC). Otherwise it is the item's own date (2024 items have no
``submittedOnDailyAt``, and their ``publishedAt`` is the UTC time of submission, which
may be the evening before). A name's date is taken only if the items agree with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from .. import ids
from ..errors import InputError
from ..models import Paper, make_paper
from ..text import parse_date
from .lines import loads


def sniff_json(value: Any) -> str | None:
    """Which HF shape a decoded JSON value is: hf-daily, hf-search, hf-paper, or None."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:5]):
        first = value[0]
        if isinstance(first.get("paper"), dict):
            search = any(k in first for k in ("highlightedTitle", "highlightedSummary", "upvoted"))
            return "hf-search" if search else "hf-daily"
        return None
    if (
        isinstance(value, dict)
        and "id" in value
        and "authors" in value
        and ("upvotes" in value or "submittedOnDailyAt" in value or "discussionId" in value)
    ):
        return "hf-paper"
    return None


def parse(data: bytes, origin: str, kind: str | None = None) -> Iterator[Paper]:
    yield from parse_value(loads(data, origin), origin, kind)


_DAY = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


def _day(value: Any) -> date | None:
    day = parse_date(value) if isinstance(value, str) else None
    return date.fromisoformat(day) if day else None


def _submitted(item: dict[str, Any]) -> tuple[date | None, bool]:
    """The day an item was put on Daily Papers, and whether HF says so exactly
    (submittedOnDailyAt) or only as the UTC time of its submission (2024 items)."""
    paper = item.get("paper")
    paper = paper if isinstance(paper, dict) else {}
    exact = _day(paper.get("submittedOnDailyAt"))
    return (exact, True) if exact else (_day(item.get("publishedAt")), False)


def _fits(day: date, items: list[Any]) -> bool:
    """Every item can be in the listing of `day`: submitted that day exactly, or for an
    item dated by its submission time, that day or the evening before."""
    for item in items:
        when, exact = _submitted(item) if isinstance(item, dict) else (None, False)
        if when is not None and not (when == day or (not exact and when == day - timedelta(1))):
            return False
    return True


def listing_day(items: list[Any], origin: str) -> str | None:
    """The day of a daily listing, when its file name or content says it; else None."""
    name = re.split(r"[/\\]", origin)[-1]
    named = set(_DAY.findall(name))
    given = _day(named.pop()) if len(named) == 1 else None
    if given is not None and _fits(given, items):
        return given.isoformat()
    days: set[date] = {w for w, _ in (_submitted(i) for i in items if isinstance(i, dict)) if w}
    last = max(days, default=None)
    if len(days) == 2 and last and last - min(days) == timedelta(1) and _fits(last, items):
        return last.isoformat()
    if len(days) == 1 and all(_submitted(i)[1] for i in items if isinstance(i, dict)):
        return days.pop().isoformat()
    return None


def parse_value(
    value: Any,
    origin: str,
    kind: str | None = None,
    day: str | None = None,
    read_at: str | None = None,
) -> Iterator[Paper]:
    """Papers from a decoded HF JSON value. `day`: the listing's day when the request
    said it; `read_at`: when a live fetch read it (files are dated by their listing)."""
    if isinstance(value, dict) and "error" in value and len(value) <= 3:
        raise InputError(origin, f"Hugging Face answered with an error: {value['error']}")
    kind = kind or sniff_json(value) or ("hf-daily" if value == [] else None)
    if kind is None:
        raise InputError(origin, "JSON is not a Hugging Face papers listing")
    if kind == "hf-paper":
        if not isinstance(value, dict):
            raise InputError(origin, "expected a paper object")
        yield paper_record(value, {}, "hf-paper", origin, value)
        return
    if not isinstance(value, list):
        raise InputError(origin, "expected a JSON array of papers")
    if kind == "hf-daily" and day is None:
        day = listing_day(value, origin)
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
            raise InputError(origin, "item has no 'paper' object", where=f"item {n}")
        yield paper_record(item["paper"], item, kind, origin, item, day, read_at)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def paper_record(
    paper: dict[str, Any],
    item: dict[str, Any],
    source: str,
    origin: str,
    raw: Any,
    day: str | None = None,
    read_at: str | None = None,
) -> Paper:
    found = ids.try_parse_id(str(paper.get("id") or ""))
    if found is None:
        raise InputError(origin, f"no arXiv id in paper {paper.get('id')!r}")
    pid, version = found
    authors = [a.get("name") for a in _list(paper.get("authors")) if isinstance(a, dict)]
    org = paper.get("organization") or item.get("organization")
    if isinstance(org, dict):
        org = org.get("fullname") or org.get("name")
    featured = day or parse_date(
        paper.get("submittedOnDailyAt")
        or (item.get("publishedAt") if source == "hf-daily" else None)
    )
    published = parse_date(paper.get("publishedAt"))
    repo = paper.get("githubRepo")
    return make_paper(
        id=pid,
        version=version,
        title=paper.get("title") or item.get("title"),
        abstract=paper.get("summary") or item.get("summary"),
        authors=authors,
        published=published,
        code_url=repo,
        project_url=paper.get("projectPage"),
        hf_upvotes=paper.get("upvotes"),
        hf_comments=item.get("numComments", paper.get("numComments")),
        github_repo=repo,
        github_stars=paper.get("githubStars"),
        ai_summary=paper.get("ai_summary"),
        ai_keywords=[k for k in _list(paper.get("ai_keywords")) if isinstance(k, str)],
        hf_organization=org if isinstance(org, str) else None,
        hf_featured=featured,
        # a file's reading is as old as the latest day it shows: its listing, else the
        # day featured or published (a later reading of the same day has more upvotes)
        hf_as_of=read_at or featured or published,
        source=source,
        origin=origin,
        raw=raw,
    )
