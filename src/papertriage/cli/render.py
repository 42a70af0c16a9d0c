"""Rich renderings of one paper for a terminal (show, triage)."""

from __future__ import annotations

from typing import Any

from ..columns import shown_day


def paper_detail(paper: dict[str, Any], console: Any = None) -> None:
    from rich.console import Console
    from rich.markup import escape

    from ..output import shown

    console = console or Console()

    def e(text: str) -> str:
        return escape(shown(text))

    console.print(f"[bold]{e(paper.get('title') or '(no title)')}[/bold]")
    console.print(
        f"[cyan]{paper['id']}[/cyan]" + (f"v{paper['version']}" if paper.get("version") else "")
    )
    if paper.get("authors"):
        console.print(e(", ".join(paper["authors"])), style="dim")
    facts = [
        ("date", shown_day(paper)),
        ("published", paper.get("published")),
        ("updated", paper.get("updated")),
        ("categories", " ".join(paper.get("categories") or [])),
        ("upvotes", paper.get("hf_upvotes")),
        ("on HF", paper.get("hf_featured")),
        ("stars", paper.get("github_stars")),
        ("org", paper.get("hf_organization")),
        ("comment", paper.get("comment")),
        ("journal", paper.get("journal_ref")),
        ("doi", paper.get("doi")),
        ("license", paper.get("license")),
    ]
    for label, value in facts:
        if value not in (None, ""):
            console.print(f"[bold]{label:>10}[/bold]  {e(str(value))}")
    for label in ("abs_url", "pdf_url", "hf_url", "code_url", "project_url"):
        if paper.get(label):
            console.print(f"[bold]{label.replace('_url', ''):>10}[/bold]  {paper[label]}")
    if paper.get("abstract"):
        console.print()
        console.print(e(paper["abstract"]))
    if paper.get("ai_summary"):
        console.print(f"\n[bold]AI summary[/bold]  {e(paper['ai_summary'])}")
    if paper.get("tags"):
        console.print(f"\n[bold]tags[/bold]  {e(', '.join(paper['tags']))}")
    for note in paper.get("notes") or []:
        console.print(f"[bold]note[/bold] ({note['created'][:10]})  {e(note['text'])}")
    for d in paper.get("decisions") or []:
        console.print(
            f"[bold]triage[/bold] {d['created'][:16]}  {d['decision']}"
            + ("  (undone)" if d.get("undone") else "")
        )
    seen = ", ".join(
        f"{s['source']} {(s['first_seen'] or '')[:10]}" for s in paper.get("sightings") or []
    )
    if seen:
        console.print(f"\n[dim]seen: {e(seen)}[/dim]")
