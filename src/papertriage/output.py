"""Writing rows of papers to stdout: a Rich table on a terminal, or json/jsonl/csv/ids."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from enum import StrEnum

from .columns import shown_day
from .text import scrub

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    ids = "ids"


class ReportFormat(StrEnum):
    """What a command that prints one record or report (show, db info, fetch...) takes."""

    text = "text"
    json = "json"


CSV_FIELDS = (
    "id",
    "version",
    "title",
    "authors",
    "categories",
    "primary_category",
    "published",
    "updated",
    "hf_upvotes",
    "abs_url",
)


def short_authors(authors: Sequence[str], n: int = 2) -> str:
    if not authors:
        return ""
    if len(authors) <= n:
        return ", ".join(authors)
    return f"{', '.join(authors[:n])} et al."


def neutralize(value: str) -> str:
    """Stop spreadsheets from treating a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_rows(
    rows: Iterable[dict[str, Any]],
    fmt: Format,
    out: TextIO | None = None,
    highlight: Sequence[str] = (),
) -> None:
    out = out or sys.stdout
    if fmt == Format.json:
        out.write("[")
        for n, row in enumerate(rows):
            out.write((",\n " if n else "\n ") + json.dumps(row, ensure_ascii=False))
        out.write("\n]\n")
    elif fmt == Format.jsonl:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == Format.ids:
        for row in rows:
            out.write(row["id"] + "\n")
    elif fmt == Format.csv:
        _csv(rows, out)
    elif out.isatty():
        _table(list(rows), highlight)
    else:
        _plain(rows, out)


def shown(value: Any) -> str:
    """Text for a terminal or a plain listing: never a control character (a title's
    ESC]0;... would retitle the terminal); newline and tab are the caller's to handle."""
    return scrub("" if value is None else str(value))


def cell_text(value: Any) -> str:
    """A value as one CSV cell: None empty, a list (authors, categories) joined by "; "."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return str(value)


def _csv(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    import csv  # only for -f csv: the other formats' start-up skips it

    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow([neutralize(cell_text(row.get(k))) for k in CSV_FIELDS])


def _plain(rows: Iterable[dict[str, Any]], out: TextIO) -> None:
    for row in rows:
        date = shown_day(row)
        up = row.get("hf_upvotes")
        fields = [
            row["id"],
            date,
            cell_text(row.get("primary_category")),
            "" if up is None else str(up),
            row.get("title") or "",
            short_authors(row.get("authors") or []),
        ]
        out.write("\t".join(" ".join(shown(f).split()) for f in fields) + "\n")


def _table(rows: list[dict[str, Any]], highlight: Sequence[str]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    # expand: the ratios share out the terminal width, so the table fits it and the title gets most.
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, expand=True)
    narrow = console.width < NARROW  # no category, and only the first author's family name
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("date", no_wrap=True)
    if not narrow:
        table.add_column("cat", style="magenta", no_wrap=True, max_width=10)
    table.add_column("▲", justify="right", no_wrap=True)
    table.add_column("title", ratio=2, overflow="fold")
    table.add_column(
        "first author" if narrow else "authors",
        ratio=1,
        style="dim",
        overflow="ellipsis",
        no_wrap=True,
        max_width=14 if narrow else None,
    )
    for row in rows:
        title = Text(shown(row.get("title")))
        if highlight:
            title.highlight_words(highlight, style="bold yellow", case_sensitive=False)
        up = row.get("hf_upvotes")
        authors = row.get("authors") or []
        cells: list[str | Text] = [shown(row["id"]), shown_day(row)]
        if not narrow:
            cells.append(shown(row.get("primary_category")))
        cells += ["" if up is None else str(up), title]
        cells.append(shown(first_author(authors) if narrow else short_authors(authors)))
        table.add_row(*cells)
    console.print(table)
    if not rows:
        Console(stderr=True).print("[dim]no papers[/dim]")
    elif narrow:
        say_narrow()


NARROW = 100  # below this many columns, tables drop the category and co-authors


def say_narrow() -> None:
    """What a narrow table left out, on stderr."""
    from rich.console import Console

    Console(stderr=True, highlight=False).print(
        f"[dim]below {NARROW} columns: no category, first authors only (-f csv has all)[/dim]"
    )


def first_author(authors: Sequence[str]) -> str:
    """'Vaswani+' for a paper by Ashish Vaswani and others: the family name fits."""
    if not authors:
        return ""
    words = authors[0].replace(",", " ").split()
    name = words[-1] if words else ""
    return name + ("+" if len(authors) > 1 else "")
