"""What each fetch source asks for, how it pages, and how its replies become papers.

A Listing is one fetchable unit: a Hugging Face day (or week, month), a Hugging Face
search, today's arXiv feed for the configured categories, or an arXiv API query. It
builds its first Request, reads a Reply into a Page (papers + the next Request, if
any) and says what an empty or repeated answer means. HTTP and the store are elsewhere
(http.py, fetch.py); parsing is the sources' parsers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from ..errors import InputError, UnexpectedResponse
from ..models import Paper
from ..text import now_iso
from .http import ARXIV_GROUP, Reply, group_for

REPLACE_TYPES = ("replace", "replace-cross")


@dataclass(frozen=True)
class Request:
    url: str
    params: tuple[tuple[str, str], ...] = ()
    group: str = ""

    @property
    def full_url(self) -> str:
        """The URL with its query: what is shown, and the key of the conditional-request cache."""
        return self.url + ("?" + urlencode(self.params) if self.params else "")


@dataclass
class Page:
    papers: list[Paper]
    next: Request | None = None
    info: dict[str, Any] = field(default_factory=dict)


class Listing:
    source = ""
    expects = "JSON"

    def __init__(self, label: str) -> None:
        self.label = label

    def first(self) -> Request:
        raise NotImplementedError

    def read(self, reply: Reply, request: Request) -> Page:
        raise NotImplementedError

    def empty_message(self, pages: list[Page]) -> str:
        return f"{self.label}: nothing listed"

    def same_message(self, pages: list[Page]) -> str:
        return f"{self.label}: unchanged since the last fetch"

    def digest(self, pages: list[Page], bodies: list[bytes]) -> str:
        """What identifies this answer: the same digest next time means no work."""
        h = hashlib.sha256()
        for body in bodies:
            h.update(hashlib.sha256(body).digest())
        return h.hexdigest()

    def rejected(self, reply: Reply) -> Exception:
        """The error for a 4xx answer (the http layer already retried 429 and 5xx)."""
        return UnexpectedResponse(reply.url, f"rejected with HTTP {reply.status}")


def _origin(reply: Reply) -> str:
    return reply.url


def _json_value(reply: Reply) -> Any:
    text = reply.body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except RecursionError:
        raise UnexpectedResponse(
            reply.url,
            f"JSON nested too deeply to read (HTTP {reply.status}, {len(reply.body)} bytes)",
        ) from None
    except ValueError as exc:
        # A listing is an array or an object: one that does not end like one was cut off.
        what = "invalid JSON" if text.rstrip().endswith(("]", "}")) else "truncated JSON"
        raise UnexpectedResponse(
            reply.url, f"{what} (HTTP {reply.status}, {len(reply.body)} bytes: {exc})"
        ) from None


def _hf_papers(reply: Reply, source: str, day: str | None = None) -> list[Paper]:
    """The papers of a Hugging Face API answer; one it cannot read is UnexpectedResponse."""
    from ..sources import hf

    value = _json_value(reply)
    try:
        return list(hf.parse_value(value, _origin(reply), source, day=day, read_at=now_iso()))
    except InputError as exc:
        raise UnexpectedResponse(reply.url, exc.detail) from None


def _hf_error(reply: Reply) -> Exception:
    message = None
    try:
        value = json.loads(reply.body)
        if isinstance(value, dict):
            message = value.get("error") or value.get("message")
    except (ValueError, RecursionError):  # not JSON, or JSON nested too deeply to read
        pass
    text = f"Hugging Face rejected the request (HTTP {reply.status}"
    # The service's own words, shortened (fetch/run.py makes the line printable)
    shown = message if isinstance(message, str) else None
    text += f": {shown[:200]})" if shown else ")"
    if reply.status in (401, 403, 404):
        from ..errors import ServiceError

        return ServiceError(reply.url, f"service error: {text}", reply.status)
    return UnexpectedResponse(reply.url, text)


# ---- Hugging Face ---------------------------------------------------------------------


class HfDaily(Listing):
    """GET /api/daily_papers?date=D (or week=, month=) &limit=N&p=K, paged while pages are full."""

    source = "hf"

    def __init__(self, base: str, key: str, value: str, page_size: int, max_pages: int) -> None:
        super().__init__(f"hf {value}")
        self.url = base.rstrip("/") + "/api/daily_papers"
        self.key, self.value = key, value
        self.page_size, self.max_pages = page_size, max_pages

    def _request(self, page: int) -> Request:
        params = ((self.key, self.value), ("limit", str(self.page_size)), ("p", str(page)))
        return Request(self.url, params, group_for(self.url))

    def first(self) -> Request:
        return self._request(0)

    def read(self, reply: Reply, request: Request) -> Page:
        day = self.value if self.key == "date" else None  # the request says which day
        papers = _hf_papers(reply, "hf-daily", day)
        page = int(dict(request.params)["p"])
        full = len(papers) >= self.page_size and page + 1 < self.max_pages
        return Page(papers, self._request(page + 1) if full else None)

    def empty_message(self, pages: list[Page]) -> str:
        return f"{self.label}: no papers listed (a weekend, or not published yet)"

    def rejected(self, reply: Reply) -> Exception:
        return _hf_error(reply)


class HfSearch(Listing):
    """GET /api/papers/search?q=QUERY&limit=N (one page)."""

    source = "hf-search"

    def __init__(self, base: str, query: str, limit: int) -> None:
        super().__init__(f"hf-search {query!r}")
        self.url = base.rstrip("/") + "/api/papers/search"
        self.query, self.limit = query, limit

    def first(self) -> Request:
        params = (("q", self.query), ("limit", str(self.limit)))
        return Request(self.url, params, group_for(self.url))

    def read(self, reply: Reply, request: Request) -> Page:
        return Page(_hf_papers(reply, "hf-search")[: self.limit])

    def empty_message(self, pages: list[Page]) -> str:
        return f"{self.label}: no results"

    def rejected(self, reply: Reply) -> Exception:
        return _hf_error(reply)


# ---- arXiv ----------------------------------------------------------------------------


class ArxivRss(Listing):
    """GET https://rss.arxiv.org/rss/cs.LG+cs.CL: today's announcements, one request."""

    source = "arxiv"
    expects = "an RSS feed"

    def __init__(self, base: str, categories: list[str]) -> None:
        joined = "+".join(categories)
        super().__init__(f"arxiv {joined}")
        self.url = base.rstrip("/") + "/" + quote(joined, safe="+.-")

    def first(self) -> Request:
        return Request(self.url, (), ARXIV_GROUP)

    def read(self, reply: Reply, request: Request) -> Page:
        from ..sources import arxiv_rss

        try:
            info = arxiv_rss.feed_info(reply.body, _origin(reply))
            papers = list(arxiv_rss.parse(reply.body, _origin(reply)))
        except InputError as exc:
            raise UnexpectedResponse(reply.url, exc.detail) from None
        return Page(papers, None, info)

    def _date(self, pages: list[Page]) -> str:
        date = pages[0].info.get("feed_date") if pages else None
        return f"feed of {date}" if date else "feed without a date"

    def empty_message(self, pages: list[Page]) -> str:
        return f"{self.label}: no announcements today ({self._date(pages)}: a weekend or holiday)"

    def same_message(self, pages: list[Page]) -> str:
        return f"{self.label}: stale feed, the same batch as last time ({self._date(pages)})"

    def digest(self, pages: list[Page], bodies: list[bytes]) -> str:
        # The batch, not the bytes: a rebuilt feed with a new build time is still stale.
        items = sorted(f"{p.id}v{p.version}:{p.announce_type}" for pg in pages for p in pg.papers)
        date = pages[0].info.get("feed_date") if pages else None
        return "batch:" + hashlib.sha256(f"{date}|{','.join(items)}".encode()).hexdigest()


class ArxivQuery(Listing):
    """GET export.arxiv.org/api/query?search_query=…&id_list=…&sortBy=submittedDate&start=&max_results=."""

    source = "arxiv-query"
    expects = "an Atom feed"

    def __init__(
        self, base: str, search: str | None, id_list: list[str], page_size: int, max_results: int
    ) -> None:
        shown = search or ",".join(id_list)
        super().__init__(f"arxiv-query {shown!r}")
        self.url = base
        self.search, self.id_list = search, id_list
        self.page_size = max(1, min(page_size, max_results))
        self.max_results = max_results

    def _request(self, start: int) -> Request:
        params: list[tuple[str, str]] = []
        if self.search:
            params.append(("search_query", self.search))
        if self.id_list:
            params.append(("id_list", ",".join(self.id_list)))
        params += [
            ("sortBy", "submittedDate"),
            ("sortOrder", "descending"),
            ("start", str(start)),
            ("max_results", str(min(self.page_size, self.max_results - start))),
        ]
        return Request(self.url, tuple(params), ARXIV_GROUP)

    def first(self) -> Request:
        return self._request(0)

    def read(self, reply: Reply, request: Request) -> Page:
        from ..sources import arxiv_api

        try:
            info = arxiv_api.feed_info(reply.body, _origin(reply))
            papers = list(arxiv_api.parse(reply.body, _origin(reply)))
        except InputError as exc:
            raise UnexpectedResponse(reply.url, exc.detail) from None
        asked = dict(request.params)
        start, size = int(asked["start"]), int(asked["max_results"])
        total = info.get("total_results") or 0
        following = start + size
        more = papers and following < min(total, self.max_results)
        return Page(papers, self._request(following) if more else None, info)

    def empty_message(self, pages: list[Page]) -> str:
        return f"{self.label}: no results"

    def rejected(self, reply: Reply) -> Exception:
        # arXiv answers a bad query with HTTP 400 and an Atom feed holding one error entry.
        from ..sources import arxiv_api

        try:
            list(arxiv_api.parse(reply.body, _origin(reply)))
        except InputError as exc:
            return UnexpectedResponse(reply.url, f"{exc.detail} (HTTP {reply.status})")
        return super().rejected(reply)
