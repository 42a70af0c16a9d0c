"""Hugging Face papers JSON: daily_papers, papers search, and a single paper.

Daily and search items wrap the paper: ``{paper: {...}, publishedAt, title, ...}``;
``item.publishedAt`` is when it was put on Daily Papers, ``paper.publishedAt`` the
arXiv date. The single-paper endpoint returns the bare paper object.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def parse_value(value: Any, origin: str, kind: str | None = None) -> Iterator[Paper]:
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
    for n, item in enumerate(value, 1):
        if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
            raise InputError(origin, "item has no 'paper' object", where=f"item {n}")
        yield paper_record(item["paper"], item, kind, origin, item)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def paper_record(
    paper: dict[str, Any], item: dict[str, Any], source: str, origin: str, raw: Any
) -> Paper:
    found = ids.try_parse_id(str(paper.get("id") or ""))
    if found is None:
        raise InputError(origin, f"no arXiv id in paper {paper.get('id')!r}")
    pid, version = found
    authors = [a.get("name") for a in _list(paper.get("authors")) if isinstance(a, dict)]
    org = paper.get("organization") or item.get("organization")
    if isinstance(org, dict):
        org = org.get("fullname") or org.get("name")
    featured = paper.get("submittedOnDailyAt") or (
        item.get("publishedAt") if source == "hf-daily" else None
    )
    repo = paper.get("githubRepo")
    return make_paper(
        id=pid,
        version=version,
        title=paper.get("title") or item.get("title"),
        abstract=paper.get("summary") or item.get("summary"),
        authors=authors,
        published=parse_date(paper.get("publishedAt")),
        code_url=repo,
        project_url=paper.get("projectPage"),
        hf_upvotes=paper.get("upvotes"),
        hf_comments=item.get("numComments", paper.get("numComments")),
        github_repo=repo,
        github_stars=paper.get("githubStars"),
        ai_summary=paper.get("ai_summary"),
        ai_keywords=[k for k in _list(paper.get("ai_keywords")) if isinstance(k, str)],
        hf_organization=org if isinstance(org, str) else None,
        hf_featured=parse_date(featured),
        source=source,
        origin=origin,
        raw=raw,
    )
