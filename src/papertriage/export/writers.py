"""Writers for `papertriage export` and `digest`: one per format, each to a text stream.

They are pure: the same rows give the same bytes. Nothing here reads the clock; a date
in the output comes from the papers or from the caller.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO
from urllib.parse import quote

from ..models import paper_day, shown_day
from ..output import Format, cell_text, neutralize, short_authors, write_rows
from .bibtex import untex_accents

FORMATS = ("md", "bibtex", "csv", "json", "jsonl")
GROUPS = ("none", "tag", "date", "category")

# CommonMark backslash-escapes any ASCII punctuation; these are the ones that can start
# emphasis, code, links, raw HTML, tables, headings, strikethrough or (on GitHub) math.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~$])")
_MD_ENTITY = re.compile(r"&(?=#?[A-Za-z0-9]+;)")  # &amp; would render as "&"
_MD_BLOCK_START = re.compile(r"^([-+=]|\d+(?=[.)]))")  # a list or underline if it opens a block
_HTTP = re.compile(r"https?://", re.IGNORECASE)
_URL_PLAIN = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]*")  # nothing quote() would change
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def md_escape(text: str | None) -> str:
    """Text that Markdown shows as itself, on one line: no markup, no HTML, no entity."""
    if not text:
        return ""
    s = " ".join(_CONTROL.sub(" ", text).split())
    s = _MD_SPECIAL.sub(r"\\\1", s)
    s = _MD_ENTITY.sub(r"\\&", s)
    m = _MD_BLOCK_START.match(s)
    if m:
        s = m.group(1) + "\\" + s[m.end() :] if m.group(1)[0].isdigit() else "\\" + s
    return s


def safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for a Markdown link destination, or None."""
    if not url:
        return None
    url = url.strip()
    if not _HTTP.match(url):
        return None
    return url if _URL_PLAIN.fullmatch(url) else quote(url, safe=":/?#[]@!$&'*+,;=%~")


@dataclass(frozen=True)
class MarkdownOptions:
    abstracts: bool = False
    summary: bool = False
    group_by: str = "none"
    tags: Mapping[str, Sequence[str]] = field(default_factory=dict)


def md_item(paper: Mapping[str, Any], opts: MarkdownOptions) -> str:
    """One task-list item: linked title, then authors, date, category, upvotes and links."""
    title = md_escape(untex_accents(paper.get("title") or "")) or md_escape(paper["id"])
    link = safe_url(paper.get("abs_url"))
    lines = [f"- [ ] [{title}]({link})" if link else f"- [ ] {title}"]
    facts = [
        md_escape(short_authors(paper.get("authors") or [], n=3)),
        shown_day(paper),
        md_escape(paper.get("primary_category")),
    ]
    if paper.get("hf_upvotes") is not None:
        up = paper["hf_upvotes"]
        facts.append(f"{up} upvote{'' if up == 1 else 's'}")
    links = (
        ("PDF", paper.get("pdf_url")),
        ("HF", paper.get("hf_url")),
        ("code", paper.get("code_url") or paper.get("github_repo")),
        ("project", paper.get("project_url")),
    )
    facts += [f"[{label}]({url})" for label, raw in links if (url := safe_url(raw))]
    lines.append("  — " + " · ".join(f for f in facts if f))
    if opts.abstracts and paper.get("abstract"):
        lines.append("  > " + md_escape(untex_accents(paper["abstract"])))
    if opts.summary and paper.get("ai_summary"):
        if lines[-1].startswith("  > "):  # its own paragraph, not the abstract's last line
            lines.append("  >")
        lines.append("  > AI summary: " + md_escape(paper["ai_summary"]))
    return "\n".join(lines) + "\n"


def group_names(paper: Mapping[str, Any], opts: MarkdownOptions) -> list[str]:
    """The sections a paper goes under ("" for none): a paper with several tags is
    listed under each of them, so every tag's section is complete."""
    if opts.group_by == "tag":
        return list(opts.tags.get(paper["id"]) or paper.get("tags") or []) or [""]
    if opts.group_by == "date":
        return [(paper_day(paper) or "")]
    return [paper.get("primary_category") or ""]


def section_order(names: Iterable[str], group_by: str) -> list[tuple[str, str]]:
    """(name, heading) of each section in order: dates newest first, tags and
    categories alphabetically, the papers with none last."""
    names = set(names)
    order = sorted((n for n in names if n), reverse=group_by == "date")
    if "" in names:
        order.append("")
    fallback = {"tag": "Untagged", "date": "Undated", "category": "No category"}[group_by]
    return [(name, name or fallback) for name in order]


def groups(
    papers: Iterable[Mapping[str, Any]], opts: MarkdownOptions
) -> list[tuple[str | None, Sequence[Mapping[str, Any]]]]:
    """Papers under headings, each group keeping the papers' order."""
    if opts.group_by == "none":
        return [(None, list(papers))]
    buckets: dict[str, list[Mapping[str, Any]]] = {}
    for paper in papers:
        for name in group_names(paper, opts):
            buckets.setdefault(name, []).append(paper)
    return [(heading, buckets[name]) for name, heading in section_order(buckets, opts.group_by)]


class Papers(Protocol):
    """Papers a writer can say "N papers" of before reading them: a list, or the
    store's Rows, read a chunk at a time."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Mapping[str, Any]]: ...


Sections = Sequence[tuple[str | None, Papers]]


def md_list(
    papers: Iterable[Mapping[str, Any]],
    out: TextIO,
    opts: MarkdownOptions,
    sections: Sections | None = None,
) -> None:
    """The items, grouped under level-2 headings when asked (`sections`: the groups
    already made, each a sized iterable of papers)."""
    for n, (heading, members) in enumerate(
        sections if sections is not None else groups(papers, opts)
    ):
        if heading is not None:
            out.write(("\n" if n else "") + f"## {md_escape(heading)} ({len(members)})\n\n")
        for paper in members:
            out.write(md_item(paper, opts))


def date_range(papers: Iterable[Mapping[str, Any]]) -> str:
    days = sorted(d for d in (paper_day(p) for p in papers) if d)
    if not days:
        return ""
    return days[0] if days[0] == days[-1] else f"{days[0]} to {days[-1]}"


def write_markdown(
    papers: Papers,
    out: TextIO,
    title: str,
    about: Sequence[str],
    opts: MarkdownOptions,
    dates: str | None = None,
    sections: Sections | None = None,
) -> None:
    """A reading list: a heading, a line saying what was selected, then the items.
    `papers` need only be sized and iterable; a caller streaming them from the store
    passes their date range and groups, worked out without holding every paper."""
    out.write(f"# {md_escape(title)}\n\n")
    count = f"{len(papers)} paper{'' if len(papers) == 1 else 's'}"
    dates = date_range(papers) if dates is None else dates
    line = "; ".join([count + (f", dated {dates}" if dates else ""), *about])
    out.write(md_escape(line) + ".\n\n")
    if papers:
        md_list(papers, out, opts, sections)
    else:
        out.write("No papers.\n")


EXPORT_CSV_FIELDS = (
    "id",
    "title",
    "authors",
    "published",
    "updated",
    "primary_category",
    "categories",
    "hf_upvotes",
    "github_stars",
    "tags",
    "doi",
    "journal_ref",
    "abs_url",
    "pdf_url",
    "hf_url",
    "code_url",
    "project_url",
)


def write_csv(papers: Iterable[Mapping[str, Any]], out: TextIO, extra: Sequence[str] = ()) -> None:
    """A header row, then one row per paper; formula-like cells are neutralized."""
    columns = (*EXPORT_CSV_FIELDS, *extra)
    writer = csv.writer(out)
    writer.writerow(columns)
    for paper in papers:
        writer.writerow([neutralize(cell_text(paper.get(c))) for c in columns])


def write_bibtex(
    papers: Iterable[Mapping[str, Any]],
    out: TextIO,
    abstracts: bool = False,
    keys: Mapping[str, str] | None = None,
) -> None:
    """One entry per paper; `keys` (id -> citation key) are worked out from the papers
    when not given."""
    from .bibtex import citation_keys, entry

    if keys is None:
        papers = list(papers)
        keys = citation_keys(papers)  # type: ignore[arg-type]
    for n, paper in enumerate(papers):
        out.write(("\n" if n else "") + entry(dict(paper), keys[paper["id"]], abstracts))


def write_json(papers: Iterable[Mapping[str, Any]], out: TextIO) -> None:
    write_rows((dict(p) for p in papers), Format.json, out)


def write_jsonl(papers: Iterable[Mapping[str, Any]], out: TextIO) -> None:
    write_rows((dict(p) for p in papers), Format.jsonl, out)
