"""rank: papers in the order you will care about them, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from ..output import Format
from .common import DbOption, FormatOption, LimitOption, app, err_console, handle_errors, open_store
from .options import (
    AuthorOpt,
    CategoryOpt,
    FuzzyOpt,
    IncludeSeenOpt,
    MinUpvotesOpt,
    NewOpt,
    OffsetOpt,
    QueryArg,
    SeenOpt,
    SinceOpt,
    SourceOpt,
    TagOpt,
    UntaggedOpt,
    UntilOpt,
    WatchOpt,
    filters,
    make_selection,
    unseen_unless,
    warn_unknown,
)

ExplainOpt = Annotated[
    str | None,
    typer.Option(
        "--explain",
        metavar="ID",
        help="Show why one paper gets its score: every part's points, and the kept papers it is like.",
    ),
]


@app.command()
def rank(
    query: QueryArg = None,
    fuzzy: FuzzyOpt = False,
    author: AuthorOpt = None,
    category: CategoryOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    tag: TagOpt = None,
    untagged: UntaggedOpt = False,
    min_upvotes: MinUpvotesOpt = None,
    new: NewOpt = False,
    seen: SeenOpt = None,
    include_seen: IncludeSeenOpt = False,
    source: SourceOpt = None,
    watch: WatchOpt = None,
    limit: LimitOption = 20,
    offset: OffsetOpt = 0,
    explain_id: ExplainOpt = None,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """Rank papers by your profile and what you kept (default: the last fetch's new papers).

    Papers you already triaged are left out unless --seen or --include-seen."""
    from ..rank.ranking import default_selection, explain, iter_ranked, with_rows
    from .rank_view import write_explanation, write_ranked

    sel = make_selection(**filters(locals()), sort="date", limit=None, offset=0)
    with handle_errors():
        conn = open_store(db)
        if explain_id:  # any paper, triaged or not
            write_explanation(explain(conn, explain_id), fmt)
            return
        warn_unknown(conn, sel)
        if sel == make_selection(sort="date", limit=None):
            sel, said = default_selection(conn)
            err_console().print(said, markup=False)
        sel = sel._replace(seen=unseen_unless(seen, include_seen))
        ranked = iter_ranked(conn, sel, limit=limit or None, offset=offset)
        write_ranked(with_rows(conn, ranked), fmt)  # streamed: -n 0 ranks all
