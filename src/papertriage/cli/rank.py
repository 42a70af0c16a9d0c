"""rank: papers in the order you will care about them, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from ..output import Format
from .common import DbOption, FormatOption, LimitOption, app, err_console, handle_errors, open_store
from .options import (
    Filters,
    IncludeSeenOpt,
    OffsetOpt,
    make_selection,
    takes_filters,
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
@takes_filters("include_seen")
def rank(
    filters: Filters,
    include_seen: IncludeSeenOpt = False,
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

    sel = filters.select(sort="date", limit=None, offset=0)
    with handle_errors():
        conn = open_store(db)
        if explain_id:  # any paper, triaged or not
            write_explanation(explain(conn, explain_id), fmt)
            return
        warn_unknown(conn, sel)
        if sel == make_selection(sort="date", limit=None):
            sel, said = default_selection(conn)
            err_console().print(said, markup=False)
        sel = sel._replace(seen=unseen_unless(filters.seen, include_seen))
        ranked = iter_ranked(conn, sel, limit=limit or None, offset=offset)
        write_ranked(with_rows(conn, ranked), fmt)  # streamed: -n 0 ranks all
