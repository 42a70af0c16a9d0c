"""Showing ranked papers (with their scores) and one paper's explanation."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from ..models import shown_day
from ..output import (
    CSV_FIELDS,
    NARROW,
    Format,
    cell_text,
    first_author,
    neutralize,
    say_narrow,
    short_authors,
    shown,
    write_rows,
)
from ..rank.explain import Explanation


def with_scores(scored: Iterable[tuple[float, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """Rows with their score as the first field (3 decimals)."""
    for score, row in scored:
        yield {"score": round(score, 3), **row}


def write_ranked(
    scored: Iterable[tuple[float, dict[str, Any]]], fmt: Format, out: TextIO | None = None
) -> None:
    """Write scored rows as they come (a terminal table holds them all first)."""
    out = out or sys.stdout
    rows = with_scores(scored)
    if fmt in (Format.json, Format.jsonl, Format.ids):
        write_rows(rows, fmt, out)
    elif fmt == Format.csv:
        writer = csv.writer(out)
        writer.writerow(("score", *CSV_FIELDS))
        for row in rows:
            writer.writerow(
                [row["score"], *(neutralize(cell_text(row.get(k))) for k in CSV_FIELDS)]
            )
    elif out.isatty():
        _table(list(rows))
    else:
        for row in rows:
            fields = [
                f"{row['score']:.3f}",
                row["id"],
                shown_day(row),
                row.get("primary_category") or "",
                row.get("title") or "",
                short_authors(row.get("authors") or []),
            ]
            out.write("\t".join(" ".join(shown(f).split()) for f in fields) + "\n")


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    narrow = console.width < NARROW
    table.add_column("score", justify="right", style="green", no_wrap=True)
    table.add_column("id", style="cyan", no_wrap=True)
    table.add_column("date", no_wrap=True)
    if not narrow:
        table.add_column("cat", style="magenta", no_wrap=True, max_width=10)
    table.add_column("title", ratio=3, min_width=30, overflow="fold")
    table.add_column(
        "first author" if narrow else "authors",
        ratio=1,
        max_width=14 if narrow else 24,
        style="dim",
        overflow="ellipsis",
        no_wrap=True,
    )
    for row in rows:
        cells = [f"{row['score']:.2f}", shown(row["id"]), shown_day(row)]
        if not narrow:
            cells.append(shown(row.get("primary_category")))
        cells.append(shown(row.get("title")))
        authors = row.get("authors") or []
        cells.append(shown(first_author(authors) if narrow else short_authors(authors)))
        table.add_row(*cells)
    console.print(table)
    if narrow and rows:
        say_narrow()
    if not rows:
        Console(stderr=True).print("[dim]no papers[/dim]")


def write_explanation(expl: Explanation, fmt: Format, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == Format.csv:  # one row per part of the score, then the total
        writer = csv.writer(out)
        writer.writerow(("id", "part", "points", "why"))
        for c in expl.contributions:
            writer.writerow((expl.id, c.part, round(c.points, 3), neutralize(c.why)))
        writer.writerow((expl.id, "total", round(expl.score, 3), ""))
        return
    if fmt == Format.ids:
        out.write(expl.id + "\n")
        return
    if fmt != Format.table:
        indent = None if fmt == Format.jsonl else 2
        out.write(json.dumps(expl.to_dict(), ensure_ascii=False, indent=indent) + "\n")
        return
    out.write(explanation_text(expl))


def explanation_text(expl: Explanation) -> str:
    """The explanation as plain lines: score, one line per contribution, similar papers."""
    lines = [f"{expl.id}  {expl.title}", f"score {expl.score:.3f}"]
    if expl.decided:
        lines[-1] += (
            f" (you marked it {expl.decided}: rank lists it only with --seen or --include-seen)"
        )
    width = max((len(c.part) for c in expl.contributions), default=0)
    for c in expl.contributions:
        lines.append(f"  {c.points:+8.3f}  {c.part:<{width}}  {c.why}")
    if expl.similar:
        lines.append(f"like these of your {expl.kept} kept / {expl.skipped} skipped papers:")
        for s in expl.similar:
            mark = "kept" if s.kept else "SKIPPED"
            lines.append(f"  {s.similarity:.2f}  {mark:<7}  {s.id}  {s.title}")
            if s.words:
                lines.append(f"                 shared words: {', '.join(s.words)}")
    return "\n".join(shown(line) for line in lines) + "\n"
