"""The filter options shared by list/filter, triage, rank and export.

A command declares them as parameters with these aliases and passes the values to
``make_selection``, so every command filters the same way.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated

import typer

from ..find.selection import SORTS, Selection

QueryArg = Annotated[
    str | None,
    typer.Argument(
        metavar="QUERY",
        help='Words (all must match), "exact phrase", OR, NOT or -word, word*, (groups), '
        "title:/abstract:/author:/cat:/id:. Quote the whole query in the shell.",
        show_default=False,
    ),
]
FuzzyOpt = Annotated[
    bool, typer.Option("--fuzzy", help="Tolerate typos, spelling variants and hyphenation.")
]
AuthorOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--author",
        "-a",
        metavar="NAME",
        help='Author name: initials, accents and a typo are fine ("Y. LeCun"). Repeatable: any of them.',
    ),
]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        metavar="CAT",
        help="arXiv category: cs.LG, or a whole archive: cs or cs.*. Repeatable: any of them.",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="DATE", help="On or after: YYYY-MM-DD, 7d, 2w, today, yesterday."
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="DATE", help="On or before: YYYY-MM-DD, 7d, 2w, today, yesterday."
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Has this tag (repeatable: all of them)."),
]
UntaggedOpt = Annotated[bool, typer.Option("--untagged", help="Has no tag.")]
MinUpvotesOpt = Annotated[
    int | None,
    typer.Option("--min-upvotes", min=0, metavar="N", help="At least this many HF upvotes."),
]
NewOpt = Annotated[bool, typer.Option("--new", help="First seen in the last fetch.")]
SeenOpt = Annotated[
    bool | None,
    typer.Option("--seen/--unseen", help="Already triaged / not yet triaged.", show_default=False),
]
SourceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="SOURCE",
        help="Seen in this source: hf-daily, arxiv-rss, kaggle... (repeatable: any of them).",
    ),
]
SortOpt = Annotated[
    str | None,
    typer.Option(
        "--sort",
        metavar="ORDER",
        help=f"{'|'.join(SORTS)}  [default: relevance with a QUERY, else date]",
        show_default=False,
    ),
]
OffsetOpt = Annotated[
    int, typer.Option("--offset", min=0, metavar="N", help="Skip this many papers first.")
]

_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")


def parse_day(value: str | None, option: str, today: date | None = None) -> str | None:
    """YYYY-MM-DD, today, yesterday, or Nd/Nw/Nm/Ny ago, as an ISO date."""
    if value is None:
        return None
    today = today or date.today()
    text = value.strip().lower()
    if text == "today":
        return today.isoformat()
    if text == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    m = _RELATIVE.match(text)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        days = n * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
        return (today - timedelta(days=days)).isoformat()
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date (use YYYY-MM-DD, 7d, 2w, today or yesterday)",
            param_hint=option,
        ) from None


def make_selection(
    *,
    query: str | None = None,
    fuzzy: bool = False,
    author: list[str] | None = None,
    category: list[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    tag: list[str] | None = None,
    untagged: bool = False,
    min_upvotes: int | None = None,
    new: bool = False,
    seen: bool | None = None,
    source: list[str] | None = None,
    sort: str | None = "date",
    limit: int | None = 20,
    offset: int = 0,
) -> Selection:
    """A Selection from option values; sort None means relevance with a query, else date."""
    if sort is None:
        sort = "relevance" if query and query.strip() else "date"
    if sort not in SORTS:
        raise typer.BadParameter(f"{sort!r} is not one of {', '.join(SORTS)}", param_hint="--sort")
    return Selection(
        query=query,
        fuzzy=fuzzy,
        authors=author or [],
        categories=category or [],
        since=parse_day(since, "--since"),
        until=parse_day(until, "--until"),
        tags=tag or [],
        untagged=untagged,
        min_upvotes=min_upvotes,
        new=new,
        seen=seen,
        sources=source or [],
        sort=sort,
        limit=limit,
        offset=offset,
    )
