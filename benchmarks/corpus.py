"""Text samples from the recorded real fixtures, for the corpus generator.

Reads the fixtures directly (JSON, and XML by element name) rather than through
papertriage's parsers, so the generated corpora don't change when a parser does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

FIXTURES = Path("/work/shared/fixtures")
_WS = re.compile(r"\s+")


@dataclass
class Samples:
    titles: list[str] = field(default_factory=list)
    abstracts: list[str] = field(default_factory=list)
    author_lists: list[list[str]] = field(default_factory=list)
    categories: list[list[str]] = field(default_factory=list)
    comments: list[str | None] = field(default_factory=list)
    journal_refs: list[str | None] = field(default_factory=list)
    dois: list[str | None] = field(default_factory=list)
    licenses: list[str | None] = field(default_factory=list)
    version_counts: list[int] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def add(self, key: str, title: str | None, abstract: str | None, authors: list[str]) -> bool:
        title, abstract = _clean(title), _clean(abstract)
        if not title or not abstract or key in self.seen:
            return False
        self.seen.add(key)
        self.titles.append(title)
        self.abstracts.append(abstract)
        self.author_lists.append([a for a in (_clean(n) for n in authors) if a])
        return True


def _clean(text: str | None) -> str | None:
    if not text:
        return None
    return _WS.sub(" ", text).strip() or None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _kaggle(path: Path, out: Samples) -> None:
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        names = [" ".join(x for x in (p[1], p[0], p[2]) if x) for p in rec["authors_parsed"]]
        if out.add(rec["id"], rec["title"], rec["abstract"], names):
            out.categories.append(rec["categories"].split())
            out.comments.append(_clean(rec.get("comments")))
            out.journal_refs.append(_clean(rec.get("journal-ref")))
            out.dois.append(rec.get("doi"))
            out.licenses.append(rec.get("license"))
            out.version_counts.append(len(rec["versions"]))


def _hf(path: Path, out: Samples) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data if isinstance(data, list) else [data]
    for item in items:
        paper = item.get("paper", item) if isinstance(item, dict) else None
        if not isinstance(paper, dict) or "title" not in paper:
            continue
        names = [a.get("name", "") for a in paper.get("authors") or [] if isinstance(a, dict)]
        out.add(str(paper.get("id")), paper.get("title"), paper.get("summary"), names)


def _xml(path: Path, out: Samples) -> None:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        return
    for rec in root.iter():
        if _local(rec.tag) not in ("record", "entry"):
            continue
        text: dict[str, str] = {}
        names: list[str] = []
        cats: list[str] = []
        versions = 0
        for el in rec.iter():
            name = _local(el.tag)
            if name == "author":
                parts = {_local(c.tag): (c.text or "") for c in el}
                full = parts.get("name") or " ".join(
                    x for x in (parts.get("forenames"), parts.get("keyname")) if x
                )
                names.append(full)
            elif name == "category" and el.get("term"):
                cats.append(el.get("term", ""))
            elif name == "version":
                versions += 1
            elif el.text and name not in text:
                text[name] = el.text
        if not names and text.get("authors"):
            names = re.split(r",\s*(?:and\s+)?|\s+and\s+", _clean(text["authors"]) or "")
        key = text.get("id") or text.get("identifier") or ""
        if out.add(key, text.get("title"), text.get("abstract") or text.get("summary"), names):
            out.categories.append(cats or (text.get("categories") or "").split() or ["cs.LG"])
            out.comments.append(_clean(text.get("comments") or text.get("comment")))
            out.journal_refs.append(_clean(text.get("journal-ref") or text.get("journal_ref")))
            out.dois.append(_clean(text.get("doi")))
            out.licenses.append(_clean(text.get("license")))
            out.version_counts.append(max(versions, 1))


def load(fixtures: Path = FIXTURES) -> Samples:
    """Every distinct paper in the Kaggle, OAI, API and HF fixtures, in a fixed order."""
    out = Samples()
    for path in sorted(fixtures.glob("arxiv_kaggle/*.jsonl")):
        _kaggle(path, out)
    for path in sorted(fixtures.glob("arxiv_oai/*.xml")) + sorted(fixtures.glob("arxiv_api/*.xml")):
        _xml(path, out)
    for path in sorted(fixtures.glob("hf_*/*.json")):
        _hf(path, out)
    return out
