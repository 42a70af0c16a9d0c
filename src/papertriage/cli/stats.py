"""stats: what the store holds over time, drawn as bars in the terminal (or -f json)."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any

import typer

from .common import DbOption, app, handle_errors, open_store

# One mark and colour per stacked part, so the parts differ without colour too.
_MARKS = (("█", "cyan"), ("▓", "magenta"), ("▒", "yellow"), ("░", "green"), ("▚", "blue"))
_DECISION_MARKS = {"keep": ("█", "green"), "read": ("▓", "cyan"), "skip": ("░", "red")}


class StatsFormat(StrEnum):
    table = "table"
    json = "json"


@app.command()
def stats(
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=1,
            max=366,
            metavar="N",
            help="How many of the latest days with papers to draw.",
        ),
    ] = 14,
    fmt: Annotated[
        StatsFormat,
        typer.Option("--format", "-f", help="Output: bars in the terminal, or json (the numbers)."),
    ] = StatsFormat.table,
    db: DbOption = None,
) -> None:
    """Draw what the store holds: papers per day and source, categories, upvotes, your triage per week, tags."""
    from ..store.stats import collect

    with handle_errors():
        data = collect(open_store(db), days=days)
    if fmt == StatsFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    draw(data)


def draw(data: dict[str, Any], console: Any = None) -> None:
    from rich.console import Console

    console = console or Console(highlight=False)
    console.print(f"[bold]{data['papers']:,} papers[/bold] in the store")
    sources = sorted({s for day in data["days"] for s in day["sources"]})
    marks = {s: _MARKS[n % len(_MARKS)] for n, s in enumerate(sources)}
    span = f" ({data['days'][0]['day']} to {data['days'][-1]['day']})" if data["days"] else ""
    _section(
        console,
        f"Papers per day, by source{span}",
        [(d["day"], [(d["sources"].get(s, 0), *marks[s]) for s in sources]) for d in data["days"]],
        marks,
    )
    _section(
        console,
        "Primary categories",
        [(c["category"], [(c["papers"], *_MARKS[0])]) for c in data["categories"]],
    )
    _section(
        console,
        "Hugging Face upvotes (papers per range)",
        [(u["upvotes"], [(u["papers"], *_MARKS[1])]) for u in data["upvotes"]],
    )
    _section(
        console,
        "Your triage per week",
        [(w["week"], [(w[k], *m) for k, m in _DECISION_MARKS.items()]) for w in data["weeks"]],
        _DECISION_MARKS,
    )
    _section(console, "Tags", [(t["tag"], [(t["papers"], *_MARKS[3])]) for t in data["tags"]])


def _section(
    console: Any,
    title: str,
    rows: list[tuple[str, list[tuple[int, str, str]]]],
    legend: dict[str, tuple[str, str]] | None = None,
) -> None:
    """A heading, a legend for stacked parts, then one bar per row scaled to the widest."""
    from rich.text import Text

    console.print()
    console.print(f"[bold]{title}[/bold]")
    if not any(n for _label, parts in rows for n, _m, _s in parts):
        console.print("  [dim]none yet[/dim]")
        return
    if legend:
        key = Text("  ")
        for name, (mark, style) in legend.items():
            key.append(mark, style=style).append(f" {name}  ")
        console.print(key)
    label_width = max(len(label) for label, _parts in rows)
    totals = [sum(n for n, _m, _s in parts) for _label, parts in rows]
    number_width = len(f"{max(totals):,}")
    room = max(10, console.width - label_width - number_width - 6)
    scale = room / max(totals)
    for (label, parts), total in zip(rows, totals, strict=True):
        line = Text(f"  {label:<{label_width}}  ")
        drawn = 0
        for n, mark, style in parts:
            line.append(mark * round(n * scale), style=style)
            drawn += round(n * scale)
        if total and not drawn:  # a sliver for a count too small to draw
            line.append(next(m for n, m, _s in parts if n), style=parts[0][2])
        line.append(f" {total:,}")
        console.print(line, no_wrap=True, overflow="crop")
