"""The filter options shared by list/filter, triage, rank and export.

A command takes them with ``@takes_filters()``: they come first in its options (as the
``Filters`` fields), and it gets their values as one ``Filters``, whose ``select`` makes
the selection; so every command filters the same way.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NamedTuple, get_type_hints

import typer

from .. import text
from ..errors import BadValueError
from ..find import selection
from ..find.selection import SORTS, Selection
from .common import MAX_COUNT
from .completion import complete_values

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
        "--since",
        metavar="DATE",
        help="Dated on or after: YYYY-MM-DD, a month YYYY-MM, 7d, 2w, today, yesterday. "
        "A paper's date is the later of its arXiv date and its day on HF Daily Papers; "
        "a paper with neither is undated and matches no date filter.",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="DATE",
        help="Dated on or before: the same forms (a month: to its last day; "
        "undated papers never match).",
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", metavar="TAG", help="Has this tag (repeatable: all of them)."),
]
UntaggedOpt = Annotated[bool, typer.Option("--untagged", help="Has no tag.")]
MinUpvotesOpt = Annotated[
    int | None,
    typer.Option(
        "--min-upvotes", min=0, max=MAX_COUNT, metavar="N", help="At least this many HF upvotes."
    ),
]
NewOpt = Annotated[bool, typer.Option("--new", help="First seen in the last fetch.")]
SeenOpt = Annotated[
    bool | None,
    typer.Option("--seen/--unseen", help="Already triaged / not yet triaged.", show_default=False),
]
IncludeSeenOpt = Annotated[
    bool,
    typer.Option(
        "--include-seen",
        help="Ranked by score: also the papers you already triaged (keep/read/skip), which "
        "are left out by default.",
    ),
]
SourceOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        metavar="SOURCE",
        autocompletion=complete_values("--source"),
        help="Seen in this source: hf-daily, arxiv-rss, kaggle... (repeatable: any of them).",
    ),
]
WatchOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--watch",
        metavar="NAME",
        help="Matched by this watch (papertriage watch list). Repeatable: any of them.",
    ),
]
SortOpt = Annotated[
    str | None,
    typer.Option(
        "--sort",
        metavar="ORDER",
        autocompletion=complete_values("--sort"),
        help=f"{'|'.join(SORTS)}  [default: relevance with a QUERY, else date]",
        show_default=False,
    ),
]
OffsetOpt = Annotated[
    int,
    typer.Option(
        "--offset", min=0, max=MAX_COUNT, metavar="N", help="Skip this many papers first."
    ),
]


@contextmanager
def as_bad_parameter() -> Iterator[None]:
    """The core's BadValueError as Typer's BadParameter (usage line, exit code 2)."""
    try:
        yield
    except BadValueError as exc:
        raise typer.BadParameter(exc.detail, param_hint=exc.option) from None


def parse_day(value: str | None, option: str) -> str | None:
    """text.parse_day for a command-line option (--until: a month's last day)."""
    with as_bad_parameter():
        return text.parse_day(value, option=option, end=option == "--until")


class Filters(NamedTuple):
    """The shared filter options, in their order in a command's --help, and their values."""

    query: QueryArg = None
    fuzzy: FuzzyOpt = False
    author: AuthorOpt = None
    category: CategoryOpt = None
    since: SinceOpt = None
    until: UntilOpt = None
    tag: TagOpt = None
    untagged: UntaggedOpt = False
    min_upvotes: MinUpvotesOpt = None
    new: NewOpt = False
    seen: SeenOpt = None
    source: SourceOpt = None
    watch: WatchOpt = None

    def select(self, **options: Any) -> Selection:
        """make_selection with these filters and the command's ``options`` (sort, limit,
        offset; or a filter of its own, such as ``seen``)."""
        return make_selection(**(self._asdict() | options))


Command = Callable[..., None]


def takes_filters(*after_seen: str) -> Callable[[Command], Command]:
    """Give a command the shared filter options: its first parameter, ``filters: Filters``,
    stands for them. Typer sees them as the command's first options, then the command's
    own; the own ones named in ``after_seen`` are listed right after --seen/--unseen."""

    def decorate(command: Command) -> Command:
        own = list(inspect.signature(command, eval_str=True).parameters.values())
        if own[0].name != "filters":
            raise TypeError(f"{command.__name__}: the first parameter must be filters: Filters")
        hints = get_type_hints(Filters, include_extras=True)
        shared = [
            inspect.Parameter(
                name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=Filters._field_defaults[name],
                annotation=hints[name],
            )
            for name in Filters._fields
        ]
        at = Filters._fields.index("seen") + 1
        moved = [p for p in own[1:] if p.name in after_seen]
        rest = [p for p in own[1:] if p.name not in after_seen]

        @functools.wraps(command)
        def run(**values: Any) -> None:
            command(Filters(*(values.pop(name) for name in Filters._fields)), **values)

        params = [*shared[:at], *moved, *shared[at:], *rest]
        run.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
        return run

    return decorate


def unseen_unless(seen: bool | None, include_seen: bool) -> bool | None:
    """The ``seen`` filter of a ranked listing: papers already triaged are not news, so
    they are left out unless --seen (only those) or --include-seen (all) asks for them."""
    return seen if seen is not None or include_seen else False


def warn_unknown(conn: Any, sel: Selection) -> None:
    """Say on stderr which filter values can match no paper (the answer stays as it is)."""
    if sel.sources or sel.categories:
        from ..find.values import unknown_values

        for line in unknown_values(conn, sel):
            sys.stderr.write(f"Warning: {line}\n")


def make_selection(**options: Any) -> Selection:
    """find.selection.make_selection, a bad value reported as Typer reports them."""
    with as_bad_parameter():
        return selection.make_selection(**options)
